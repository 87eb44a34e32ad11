import { defineConfig } from 'tsup';

// One config, one build: tsup runs an array of configs in parallel and one config's
// clean can delete another's output (toolchain.md §2).
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    testing: 'src/testing/index.ts',
    cli: 'src/cli/main.ts',
  },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts', testing: 'src/testing/index.ts' } },
  sourcemap: true,
  target: 'node20',
  platform: 'node',
  splitting: false,
  // p-retry is ESM-only: esbuild's CJS interop breaks `require('p-retry')` on Node 20
  // (toolchain.md §2), so it is inlined into both outputs.
  noExternal: ['p-retry', 'is-network-error'],
});
