/**
 * The guard's diagnosis travels with the error the caller catches, so that `diagnose(err)` in the
 * caller's `catch` returns the pipeline's own diagnosis (with every attempt) instead of deriving
 * one from the last answer alone — without putting anything opaque on the error. Three carriers:
 * a registered symbol on errors the guard throws itself; the very `Headers` object of an answer
 * the guard hands to the client (openai-node keeps that object as `err.headers`); and, for clients
 * that copy headers into a record (the AI SDK's `responseHeaders`), the answer's short
 * `x-tierguard-diagnosis-id`, a key into this process's registry of recent diagnoses. A server
 * cannot forge any of them: the guard drops upstream `x-tierguard-*` headers, and an id names only
 * a diagnosis the guard itself registered.
 */
import type { Diagnosis } from './types.js';

// Registered symbols: two copies of tierguard in one process (ESM and CJS builds, or two versions)
// find each other's diagnoses.
const DIAGNOSIS = Symbol.for('tierguard.diagnosis');
const REGISTRY = Symbol.for('tierguard.diagnosis-registry');

/** The header that names a delivered failure's diagnosis in this process's registry. */
export const DIAGNOSIS_ID_HEADER = 'x-tierguard-diagnosis-id';
// Recent diagnoses by id: enough for any error still being handled, bounded in memory.
const RECENT_IDS = 256;

interface Registry {
  readonly byHeaders: WeakMap<object, Diagnosis>;
  readonly byId: Map<string, Diagnosis>;
}

function registry(): Registry {
  const holder = globalThis as unknown as Record<symbol, Registry | undefined>;
  let found = holder[REGISTRY];
  if (found === undefined || !(found.byHeaders instanceof WeakMap) || !(found.byId instanceof Map)) {
    found = { byHeaders: new WeakMap(), byId: new Map() };
    Object.defineProperty(globalThis, REGISTRY, { value: found, enumerable: false, configurable: true });
  }
  return found;
}

/** A new diagnosis id: random, so that one answer's id never names another's diagnosis. */
export function newDiagnosisId(): string {
  const random = new Uint32Array(3);
  globalThis.crypto.getRandomValues(random);
  return `tgd_${[...random].map((word) => word.toString(36)).join('')}`;
}

/** Attaches `diagnosis` to `error` (non-enumerable: logging the error does not print it). */
export function attachDiagnosis<T extends object>(error: T, diagnosis: Diagnosis): T {
  Object.defineProperty(error, DIAGNOSIS, {
    value: diagnosis,
    enumerable: false,
    configurable: true,
    writable: true,
  });
  return error;
}

/**
 * Links `diagnosis` to the headers object of an answer the guard delivers: the SDK's error keeps
 * that object, and `diagnose(err)` finds the diagnosis through it. Held weakly: it lives as long as
 * the error does.
 */
export function linkDiagnosis(headers: Headers, diagnosis: Diagnosis): void {
  const links = registry();
  links.byHeaders.set(headers, diagnosis);
  const id = headers.get(DIAGNOSIS_ID_HEADER);
  if (id === null) return;
  if (links.byId.size >= RECENT_IDS) links.byId.delete(links.byId.keys().next().value as string);
  links.byId.set(id, diagnosis);
}

/** The id an error's headers carry, whatever shape the client kept them in. */
function idIn(headers: unknown): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const getter = (headers as { get?: unknown }).get;
  const value =
    typeof getter === 'function'
      ? (getter as (name: string) => unknown).call(headers, DIAGNOSIS_ID_HEADER)
      : (headers as Record<string, unknown>)[DIAGNOSIS_ID_HEADER];
  return typeof value === 'string' && /^tgd_[a-z0-9]{3,40}$/.test(value) ? value : undefined;
}

/** The diagnosis a guard attached to `error` (or to its `cause`, or to its headers), if any. Never throws. */
export function attachedDiagnosis(error: unknown): Diagnosis | undefined {
  let current: unknown = error;
  const links = registry();
  for (let depth = 0; depth < 4; depth += 1) {
    if ((typeof current !== 'object' && typeof current !== 'function') || current === null) return undefined;
    try {
      const value = (current as Record<symbol, unknown>)[DIAGNOSIS];
      if (typeof value === 'object' && value !== null) return value as Diagnosis;
      const holder = current as { headers?: unknown; responseHeaders?: unknown };
      const headers = holder.headers;
      if (typeof headers === 'object' && headers !== null) {
        const linked = links.byHeaders.get(headers);
        if (linked !== undefined) return linked;
      }
      const id = idIn(headers) ?? idIn(holder.responseHeaders);
      const named = id === undefined ? undefined : links.byId.get(id);
      if (named !== undefined) return named;
      current = (current as { cause?: unknown }).cause;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
