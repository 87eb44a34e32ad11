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

export default defineConfig([
  {
    ...shared,
    entry: { index: 'src/index.ts', testing: 'src/testing/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    // `import.meta.url` in the CommonJS build (src/util/package-installed.ts): tsup's shim reads
    // `__filename`, with no import of its own.
    shims: true,
  },
  {
    ...shared,
    // The CLI runs as `bin` (dist/cli.cjs) only.
    entry: { cli: 'src/cli/main.ts' },
    format: ['cjs'],
  },
]);
