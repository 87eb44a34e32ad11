/**
 * The guard's diagnosis travels on the error it throws, so that `diagnose(err)` in the caller's
 * `catch` returns the pipeline's own diagnosis (with every attempt) instead of re-deriving it.
 */
import type { Diagnosis } from './types.js';

// A registered symbol, so that two copies of tierguard in one tree still find each other's diagnosis.
const DIAGNOSIS = Symbol.for('tierguard.diagnosis');

/** Attaches `diagnosis` to `error` (non-enumerable, so logging the error does not print it twice). */
export function attachDiagnosis<T extends object>(error: T, diagnosis: Diagnosis): T {
  Object.defineProperty(error, DIAGNOSIS, {
    value: diagnosis,
    enumerable: false,
    configurable: true,
    writable: true,
  });
  return error;
}

/** The diagnosis a guard attached to `error`, if any. Never throws. */
export function attachedDiagnosis(error: unknown): Diagnosis | undefined {
  if ((typeof error !== 'object' && typeof error !== 'function') || error === null) return undefined;
  try {
    const value = (error as Record<symbol, unknown>)[DIAGNOSIS];
    return typeof value === 'object' && value !== null ? (value as Diagnosis) : undefined;
  } catch {
    return undefined;
  }
}
