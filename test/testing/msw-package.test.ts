import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The built `tierguard/testing`, in both formats: it loads where msw cannot be found, and its
// handlers work with the msw the caller loads (`require` or `import`). `npm test` builds first.
const root = new URL('../../', import.meta.url).pathname;

function run(code: string, type: 'commonjs' | 'module'): string {
  return execFileSync(process.execPath, [`--input-type=${type}`, '-e', code], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
  });
}

// Any specifier naming msw fails to resolve, as when the optional peer is not installed.
const HIDE_MSW_ESM = `
  import { register } from 'node:module';
  register('data:text/javascript,' + encodeURIComponent(
    "export async function resolve(specifier, context, next) {" +
    "  if (specifier === 'msw' || specifier.startsWith('msw/')) throw Object.assign(new Error('Cannot find package ' + specifier), { code: 'ERR_MODULE_NOT_FOUND' });" +
    "  return next(specifier, context);" +
    "}"));
`;
const HIDE_MSW_CJS = `
  const Module = require('node:module');
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) {
    if (request === 'msw' || request.startsWith('msw/')) throw Object.assign(new Error("Cannot find module '" + request + "'"), { code: 'MODULE_NOT_FOUND' });
    return resolveFilename.call(this, request, ...rest);
  };
`;

// A quota error through the real client, answered by the handlers from the built entry.
const QUOTA_CALL = `
  const server = setupServer(...openaiHandlers({ http }, { script: fixtures.insufficient_quota }));
  releaseMockedBodyCopies(server);
  server.listen({ onUnhandledRequest: 'error' });
  const client = new OpenAI({ apiKey: 'sk-test', maxRetries: 0 });
  const error = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [] }).catch((caught) => caught);
  server.close();
  console.log(JSON.stringify([error.status, error.code]));
`;

describe('tierguard/testing and msw, built', () => {
  it('has been built', () => {
    expect(existsSync(`${root}dist/testing.cjs`), 'run `npm run build` first').toBe(true);
  });

  it('import: loads without msw, and the hook really hides msw', () => {
    const out = run(
      `${HIDE_MSW_ESM}
       const kit = await import('tierguard/testing');
       const hidden = await import('msw').then(() => false, () => true);
       console.log(JSON.stringify([typeof kit.openaiHandlers, typeof kit.fixtures, hidden]));`,
      'module',
    );
    expect(JSON.parse(out)).toEqual(['function', 'object', true]);
  });

  it('require: loads without msw, and the patch really hides msw', () => {
    const out = run(
      `${HIDE_MSW_CJS}
       const kit = require('tierguard/testing');
       let hidden = false;
       try { require('msw'); } catch { hidden = true; }
       console.log(JSON.stringify([typeof kit.openaiHandlers, typeof kit.fixtures, hidden]));`,
      'commonjs',
    );
    expect(JSON.parse(out)).toEqual(['function', 'object', true]);
  });

  it('import: the handlers answer the client with msw from import', () => {
    const out = run(
      `import OpenAI from 'openai';
       import { http } from 'msw';
       import { setupServer } from 'msw/node';
       import { fixtures, openaiHandlers, releaseMockedBodyCopies } from 'tierguard/testing';
       ${QUOTA_CALL}`,
      'module',
    );
    expect(JSON.parse(out)).toEqual([429, 'insufficient_quota']);
  });

  it('require: the handlers answer the client with msw from require', () => {
    const out = run(
      `const OpenAI = require('openai');
       const { http } = require('msw');
       const { setupServer } = require('msw/node');
       const { fixtures, openaiHandlers, releaseMockedBodyCopies } = require('tierguard/testing');
       (async () => { ${QUOTA_CALL} })();`,
      'commonjs',
    );
    expect(JSON.parse(out)).toEqual([429, 'insufficient_quota']);
  });
});
