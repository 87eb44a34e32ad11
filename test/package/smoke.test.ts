import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The built package loads through both `require` and `import`, from both entries. `npm test`
// builds before vitest runs; without a build this says so instead of passing.
const root = new URL('../../', import.meta.url).pathname;

function run(code: string, type: 'commonjs' | 'module'): string {
  return execFileSync(
    process.execPath,
    [type === 'module' ? '--input-type=module' : '--input-type=commonjs', '-e', code],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
}

describe('built package', () => {
  it('has been built', () => {
    expect(existsSync(`${root}dist/index.cjs`), 'run `npm run build` first').toBe(true);
  });

  it('loads with require()', () => {
    const out = run(
      "const t = require('tierguard'); const k = require('tierguard/testing'); console.log(JSON.stringify([typeof t.resolveModel, t.CAUSES.length, typeof k.fixtures]))",
      'commonjs',
    );
    expect(JSON.parse(out)).toEqual(['function', 29, 'object']);
  });

  it('loads with import', () => {
    const out = run(
      "const t = await import('tierguard'); const k = await import('tierguard/testing'); console.log(JSON.stringify([typeof t.resolveModel, t.CAUSES.length, typeof k.fixtures]))",
      'module',
    );
    expect(JSON.parse(out)).toEqual(['function', 29, 'object']);
  });

  it('recognises an options error from the testing entry (and from the other format) as TierguardOptionsError', () => {
    // Each entry and format is its own bundle with its own copy of the class.
    const out = run(
      `const { TierguardOptionsError } = await import('tierguard');
       const { TierguardOptionsError: FromRequire } = (await import('node:module')).createRequire(process.cwd() + '/')('tierguard');
       const { createSimulator } = await import('tierguard/testing');
       const error = await createSimulator({ tier: 'tier-9' }).catch((caught) => caught);
       console.log(JSON.stringify([error instanceof TierguardOptionsError, error instanceof FromRequire, error instanceof TypeError, new RangeError('x') instanceof TierguardOptionsError, error.issues[0].path]));`,
      'module',
    );
    expect(JSON.parse(out)).toEqual([true, true, true, false, 'tier']);
  });
});
