/** The heap as the memory sections read it: after a full collection, in MB. */

/** Collects garbage twice (what one collection frees can let go of more); needs `node --expose-gc`. */
export function collectGarbage(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) throw new Error('run with node --expose-gc (npm run bench does)');
  collect();
  collect();
}

/** The heap in use, MB. */
export const heapMb = (): number => process.memoryUsage().heapUsed / 1_048_576;
