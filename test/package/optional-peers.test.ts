import { afterEach, describe, expect, it, vi } from 'vitest';
import { createGuard } from '../../src/guard/create-guard.js';
import { TierguardOptionsError } from '../../src/util/options.js';
import { isPackageInstalled } from '../../src/util/package-installed.js';

// Whether an optional peer can be loaded, asked the runtime's way. The packed package without
// ioredis is exercised on every runtime by test/runtimes (Node ESM and CJS, Bun, Deno, workerd);
// here, the answers of each kind of runtime, the other kinds played by their globals.
afterEach(() => {
  vi.unstubAllGlobals();
});

/** The globals of workerd with nodejs_compat: `createRequire` exists and resolves nothing. */
function actAsWorker(): void {
  vi.stubGlobal('process', { getBuiltinModule: () => ({ createRequire: () => () => undefined }) });
  vi.stubGlobal('navigator', { userAgent: 'Cloudflare-Workers' });
}

describe('isPackageInstalled', () => {
  it('finds an installed package and misses an absent one, plain or scoped', () => {
    expect(isPackageInstalled('ioredis')).toBe(true);
    expect(isPackageInstalled('tierguard-no-such-package')).toBe(false);
    expect(isPackageInstalled('@tierguard/no-such-package')).toBe(false);
  });

  it('says it cannot tell on a runtime without module resolution', () => {
    vi.stubGlobal('process', {});
    expect(isPackageInstalled('ioredis')).toBeUndefined();
  });

  it('knows a Worker cannot load a package its bundle left out', () => {
    actAsWorker();
    expect(isPackageInstalled('ioredis')).toBe(false);
  });
});

describe('the redis option without ioredis', () => {
  it('is an options error at construction, naming `redis`, the URL and its password not echoed', () => {
    actAsWorker();
    let error: unknown;
    try {
      createGuard({ redis: 'redis://:s3cret-pass@127.0.0.1:1' });
    } catch (caught) {
      error = caught;
    }
    vi.unstubAllGlobals();
    expect(error).toBeInstanceOf(TierguardOptionsError);
    const issues = (error as TierguardOptionsError).issues;
    expect(issues.map((issue) => issue.path)).toEqual(['redis']);
    expect(issues[0]?.expected).toMatch(/npm install ioredis/);
    expect(String((error as Error).message)).not.toContain('s3cret-pass');
  });

  it('is accepted where ioredis is installed', async () => {
    // Port 1 on loopback: nothing listens; the guard starts on local buckets and closes.
    const guard = createGuard({ redis: 'redis://127.0.0.1:1' });
    expect(guard.stats().store.kind).toBe('redis');
    await guard.close();
  });
});
