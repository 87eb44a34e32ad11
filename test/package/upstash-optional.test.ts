import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// `@upstash/redis` is an optional peer: the built package never imports it unless
// `createUpstashStore` is given `{ url, token }`, and then says what to install when it is missing.
// `npm test` builds before vitest runs; without a build this says so instead of passing.
const root = new URL('../../', import.meta.url).pathname;

describe('built package without @upstash/redis', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tierguard-no-upstash-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has been built', () => {
    expect(existsSync(`${root}dist/index.js`), 'run `npm run build` first').toBe(true);
  });

  it('imports @upstash/redis in neither build except through the variable specifier of `{ url, token }`', () => {
    for (const file of ['dist/index.js', 'dist/index.cjs']) {
      const text = readFileSync(`${root}${file}`, 'utf8');
      expect(text).not.toMatch(/from ["']@upstash\/redis["']|require\(["']@upstash\/redis["']\)/);
      expect(text).not.toMatch(/import\(["']@upstash\/redis["']\)/);
    }
  });

  it('loads, and a store from a URL and token says to install @upstash/redis', () => {
    // The ESM build alone, with zod (its one dependency) and nothing else to resolve.
    mkdirSync(join(dir, 'node_modules'));
    cpSync(`${root}dist/index.js`, join(dir, 'index.mjs'));
    symlinkSync(`${root}node_modules/zod`, join(dir, 'node_modules', 'zod'));
    const out = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { createUpstashStore } = await import(${JSON.stringify(join(dir, 'index.mjs'))});
         const events = [];
         const store = createUpstashStore({ url: 'http://127.0.0.1:9', token: 't', connectTimeoutMs: 1000, emit: (event) => events.push(event) });
         await store.ready;
         console.log(JSON.stringify({ health: store.health, reason: events[0]?.reason }));
         await store.close();`,
      ],
      { cwd: dir, encoding: 'utf8' },
    );
    expect(JSON.parse(out)).toEqual({
      health: 'degraded',
      reason:
        'createUpstashStore({ url, token }) needs the @upstash/redis package (npm install @upstash/redis), or pass { client }',
    });
  });
});
