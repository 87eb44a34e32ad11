/**
 * The guard's diagnosis travels with the error the caller catches, so that `diagnose(err)` in the
 * caller's `catch` returns the pipeline's own diagnosis (with every attempt) instead of deriving
 * one from the last answer alone. Two carriers: a symbol on errors tierguard throws itself, and a
 * response header on answers the SDK turns into its own error class (the SDK keeps the headers
 * on `err.headers`).
 */
import type { Diagnosis } from './types.js';

// A registered symbol, so that two copies of tierguard in one tree still find each other's diagnosis.
const DIAGNOSIS = Symbol.for('tierguard.diagnosis');

/** The response header that carries the guard's diagnosis (base64url JSON). */
export const DIAGNOSIS_HEADER = 'x-tierguard-diagnosis';

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

/** Encodes a diagnosis for the response header. */
export function encodeDiagnosis(diagnosis: Diagnosis): string {
  return Buffer.from(JSON.stringify(diagnosis), 'utf8').toString('base64url');
}

/** Decodes the response header; `undefined` for anything that is not a diagnosis. */
export function decodeDiagnosis(text: unknown): Diagnosis | undefined {
  if (typeof text !== 'string' || text === '' || text.length > 65_536) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (typeof value !== 'object' || value === null) return undefined;
    const candidate = value as Partial<Diagnosis>;
    return typeof candidate.cause === 'string' && typeof candidate.hint === 'object'
      ? (value as Diagnosis)
      : undefined;
  } catch {
    return undefined;
  }
}

function fromHeaders(headers: unknown): Diagnosis | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const getter = (headers as { get?: unknown }).get;
  const value =
    typeof getter === 'function'
      ? (getter as (name: string) => unknown).call(headers, DIAGNOSIS_HEADER)
      : (headers as Record<string, unknown>)[DIAGNOSIS_HEADER];
  return decodeDiagnosis(value);
}

/** The diagnosis a guard attached to `error` (or to its `cause`, or in its headers), if any. Never throws. */
export function attachedDiagnosis(error: unknown): Diagnosis | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4; depth += 1) {
    if ((typeof current !== 'object' && typeof current !== 'function') || current === null) return undefined;
    try {
      const value = (current as Record<symbol, unknown>)[DIAGNOSIS];
      if (typeof value === 'object' && value !== null) return value as Diagnosis;
      const carried = fromHeaders((current as { headers?: unknown }).headers);
      if (carried !== undefined) return carried;
      current = (current as { cause?: unknown }).cause;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
