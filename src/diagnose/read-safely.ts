/**
 * Reading whatever was caught without letting it throw: properties behind getters or Proxies,
 * strings and numbers cut to a bound, headers of any shape, constructor names, and the network
 * code and host an error (or its causes) names.
 */
import { MAX_FIELD, MAX_HEADERS, MAX_TEXT, capped } from './cap.js';

/** A value read as a record of unknown fields. */
export type Bag = Record<string, unknown>;

export function isBag(value: unknown): value is Bag {
  return typeof value === 'object' && value !== null;
}

/** Reads a property without letting a throwing getter escape. */
export function get(value: unknown, key: string): unknown {
  if (!isBag(value) && typeof value !== 'function') return undefined;
  try {
    return (value as Bag)[key];
  } catch {
    return undefined;
  }
}

/** A string (or finite number) read from the failure, cut to `max` characters. */
export function text(value: unknown, max: number = MAX_TEXT): string | undefined {
  if (typeof value === 'string') return capped(value, max);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** A short field (code, type, param, id): non-empty, cut to `MAX_FIELD`. */
export function nonEmpty(value: unknown): string | undefined {
  const result = text(value, MAX_FIELD);
  return result === undefined || result.trim() === '' ? undefined : result;
}

// The guard's own headers: read from an answer, they could be an upstream's forgery.
const TIERGUARD_HEADER = /^x-tierguard-/;

function keep(record: Record<string, string>, name: unknown, value: unknown): void {
  if (typeof name !== 'string' || Object.keys(record).length >= MAX_HEADERS) return;
  const lower = capped(name, 128).toLowerCase();
  if (TIERGUARD_HEADER.test(lower) || lower === '__proto__') return;
  const scalar = Array.isArray(value) ? capped(value.join(', '), MAX_FIELD) : text(value, MAX_FIELD);
  if (scalar !== undefined) record[lower] = scalar;
}

export function statusOf(value: unknown): number | undefined {
  const number = typeof value === 'string' && /^\d{3}$/.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isInteger(number) && number >= 100 && number <= 599
    ? number
    : undefined;
}

/**
 * Headers of any shape → lower-cased record: at most `MAX_HEADERS` of them, each value cut to
 * `MAX_FIELD`, without the guard's own `x-tierguard-*` headers.
 */
export function headerRecord(headers: unknown): Record<string, string> {
  const record: Record<string, string> = {};
  if (!isBag(headers)) return record;
  try {
    const forEach = get(headers, 'forEach');
    if (typeof forEach === 'function' && typeof get(headers, 'get') === 'function') {
      (forEach as (callback: (value: string, name: string) => void) => void).call(headers, (value, name) => {
        if (typeof value === 'string') keep(record, name, value);
      });
      return record;
    }
    for (const [name, value] of Object.entries(headers)) keep(record, name, value);
  } catch {
    // A hostile headers object: keep what was read.
  }
  return record;
}

export function constructorNames(value: unknown): string[] {
  const names: string[] = [];
  let prototype: unknown;
  try {
    prototype = Object.getPrototypeOf(value);
  } catch {
    return names;
  }
  for (let depth = 0; depth < 8 && prototype !== null && prototype !== undefined; depth += 1) {
    const name = get(get(prototype, 'constructor'), 'name');
    if (typeof name === 'string') names.push(name);
    try {
      prototype = Object.getPrototypeOf(prototype);
    } catch {
      break;
    }
  }
  return names;
}

export function networkCodeOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && isBag(current); depth += 1) {
    const code = get(current, 'code');
    // System and undici codes, and zlib's (a body whose content-encoding lies: Z_DATA_ERROR).
    if (typeof code === 'string' && /^(?:E[A-Z]+|UND_ERR_[A-Z_]+|Z_[A-Z_]+)$/.test(code)) return code;
    current = get(current, 'cause');
  }
  return undefined;
}

export function hostOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && isBag(current); depth += 1) {
    const hostname = nonEmpty(get(current, 'hostname')) ?? nonEmpty(get(current, 'address'));
    if (hostname !== undefined) {
      const port = text(get(current, 'port'));
      return port === undefined ? hostname : `${hostname}:${port}`;
    }
    current = get(current, 'cause');
  }
  return undefined;
}
