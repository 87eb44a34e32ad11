/**
 * The package as it ships (`dist/`, built by `npm run bench` first), typed from the source it is
 * built from — so typechecking the benchmark never needs a build, and what it measures is the build.
 */
import type * as Tierguard from '../src/index.js';

export const built = (await import(new URL('../dist/index.js', import.meta.url).href)) as typeof Tierguard;
