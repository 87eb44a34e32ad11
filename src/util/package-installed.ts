/**
 * `isPackageInstalled(name)`: whether `name` can be loaded from where tierguard is installed — the
 * place a later `import(name)` looks — so that an option needing an optional peer (a `redis` URL
 * needs ioredis) is refused at construction instead of failing after it.
 */

interface Resolver {
  resolve?: (request: string) => string;
}

interface RuntimeGlobals {
  process?: { getBuiltinModule?: (id: string) => unknown };
  navigator?: { userAgent?: string };
}

/**
 * `true` or `false` where the runtime can tell (Node, Bun, Deno, workerd); `undefined` where it
 * cannot: the caller then lets the import itself fail later.
 */
export function isPackageInstalled(name: string): boolean | undefined {
  // Read off `globalThis` at call time, never imported: a Worker bundle of the main entry must not
  // pull in `node:module` (process.getBuiltinModule: Node ≥ 20.16, Bun, Deno, workerd).
  const runtime = globalThis as RuntimeGlobals;
  let resolver: Resolver | undefined;
  try {
    const moduleApi = runtime.process?.getBuiltinModule?.('module') as
      { createRequire?: (from: string) => Resolver } | undefined;
    // In the CommonJS build `import.meta.url` is tsup's shim: the URL of `__filename`.
    resolver = moduleApi?.createRequire?.(import.meta.url);
  } catch {
    resolver = undefined;
  }
  if (typeof resolver?.resolve !== 'function') {
    // A Worker runs one bundle and has no modules on disk: a package the bundle left out (tierguard
    // loads optional peers by a specifier bundlers do not follow) can never be loaded there.
    return runtime.navigator?.userAgent === 'Cloudflare-Workers' ? false : undefined;
  }
  try {
    resolver.resolve(name);
    return true;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND' ? false : undefined;
  }
}
