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
});
