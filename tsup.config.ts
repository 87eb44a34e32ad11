import { defineConfig, type Options } from 'tsup';

// The build script empties dist/ first; no config here sets `clean`: tsup runs an array of configs
// in parallel, and one config's clean can delete another's output (toolchain.md §2).
const shared: Options = {
  target: 'node20',
  platform: 'node',
  splitting: false,
  // No source maps in the package: dist/ is unminified and readable as it is, and the maps were
  // most of the tarball (docs/decisions.md, "What the package ships").
  sourcemap: false,
  // `node:` specifiers kept as written: a Worker bundle leaves `node:*` to the runtime
  // (`nodejs_compat`) and would otherwise try to resolve a bare `http`.
  removeNodeProtocol: false,
};

// The two library entries as users load them. The main entry carries the parts of zod it uses
// (tree-shaken, `import * as z`), so that importing it does not load zod's module graph: most of a
// new process's first guarded call went to that (docs/decisions.md, "Cold start"). The testing
// entry keeps zod external (it is not on a service's start-up path, and the tarball stays small).
const library: Options = {
  ...shared,
  format: ['esm', 'cjs'],
  // `import.meta.url` in the CommonJS build (src/util/package-installed.ts): tsup's shim reads
  // `__filename`, with no import of its own.
  shims: true,
};

export default defineConfig([
  {
    ...library,
    // The declarations of both entries in one pass: their shared types land in one chunk.
    entry: { index: 'src/index.ts', testing: 'src/testing/index.ts' },
    dts: { only: true },
  },
  { ...library, entry: { index: 'src/index.ts' }, noExternal: ['zod'] },
  { ...library, entry: { testing: 'src/testing/index.ts' } },
  {
    ...shared,
    // The CLI runs as `bin` (dist/cli.cjs) only.
    entry: { cli: 'src/cli/main.ts' },
    format: ['cjs'],
  },
]);
