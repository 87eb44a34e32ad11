/**
 * Reads the API's `x-ratelimit-*` headers (openai-api.md Table 2): limit, remaining and time to
 * full per dimension. `-1`, missing or garbage values mean "unknown" (Table 1b: Azure sends -1).
 */
import { parseGoDuration } from './duration.js';

/** What the headers said about one dimension. */
export interface DimensionHeaders {
  readonly limit?: number;
  readonly remaining?: number;
  /** Time until the bucket is full again, ms. */
  readonly resetMs?: number;
}

/** What the headers said, per dimension they cover. */
export interface RateLimitHeaders {
  readonly requests: DimensionHeaders;
  readonly tokens: DimensionHeaders;
}

/** Anything with a case-insensitive `get`, or a plain record. */
export type HeaderSource =
  { get(name: string): string | null } | Readonly<Record<string, string | undefined | null>>;

function read(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const record = headers as Readonly<Record<string, string | undefined | null>>;
  return record[name] ?? record[name.toLowerCase()] ?? undefined;
}

/** Digits only (the usual header value): no trim, no pattern, just the number. */
// A count as the API sends it: digits only. A compiled regular expression, not a loop over the
// characters: it runs at native speed before V8 has compiled the guard's own code.
const PLAIN_DIGITS = /^\d{1,15}$/;

function plainDigits(value: string): boolean {
  return PLAIN_DIGITS.test(value);
}

/** A non-negative finite count, or undefined (`-1`, empty and garbage are unknown). */
export function parseCount(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  // This runs on every answer: the plain case first.
  if (plainDigits(value)) return Number(value);
  const trimmed = value.trim();
  if (!/^\d+(\.\d+)?$/.test(trimmed)) return undefined;
  const count = Number(trimmed);
  return Number.isFinite(count) ? count : undefined;
}

/** A reset duration: Go-style (`6m0s`, `20ms`) or bare seconds (`1.5`), in ms. */
export function parseReset(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  // `20ms` and `1s`, the usual values, without the general parser.
  const length = value.length;
  if (
    length >= 3 &&
    value.charCodeAt(length - 1) === 115 /* s */ &&
    value.charCodeAt(length - 2) === 109 /* m */
  ) {
    const digits = value.slice(0, length - 2);
    if (plainDigits(digits)) return Number(digits);
  } else if (length >= 2 && value.charCodeAt(length - 1) === 115 /* s */) {
    const digits = value.slice(0, length - 1);
    if (plainDigits(digits)) return Number(digits) * 1_000;
  }
  const duration = parseGoDuration(value);
  if (duration !== undefined) return duration;
  const seconds = parseCount(value);
  return seconds === undefined ? undefined : seconds * 1000;
}

// Header names built once: this runs on every answer.
const NAMES = {
  requests: ['x-ratelimit-limit-requests', 'x-ratelimit-remaining-requests', 'x-ratelimit-reset-requests'],
  tokens: ['x-ratelimit-limit-tokens', 'x-ratelimit-remaining-tokens', 'x-ratelimit-reset-tokens'],
} as const;

function dimension(headers: HeaderSource, suffix: 'requests' | 'tokens'): DimensionHeaders {
  const [limitName, remainingName, resetName] = NAMES[suffix];
  const limit = parseCount(read(headers, limitName));
  const resetMs = parseReset(read(headers, resetName));
  const found: { limit?: number; remaining?: number; resetMs?: number } = {};
  // A zero limit says nothing usable (Azure's -1/0 quirk, Table 1b); treat it as unknown.
  if (limit !== undefined && limit !== 0) {
    found.limit = limit;
    const remaining = parseCount(read(headers, remainingName));
    if (remaining !== undefined) found.remaining = Math.min(remaining, limit);
  }
  if (resetMs !== undefined) found.resetMs = resetMs;
  return found;
}

/** Reads the rate-limit headers of one answer. Never throws. */
export function readRateLimitHeaders(headers: HeaderSource | undefined | null): RateLimitHeaders {
  if (headers === undefined || headers === null) return { requests: {}, tokens: {} };
  try {
    return { requests: dimension(headers, 'requests'), tokens: dimension(headers, 'tokens') };
  } catch {
    return { requests: {}, tokens: {} };
  }
}

/** `x-ratelimit-remaining-requests` or `-tokens` alone, for an answer not otherwise read. Never throws. */
export function readRemaining(headers: HeaderSource, suffix: 'requests' | 'tokens'): number | undefined {
  try {
    return parseCount(read(headers, NAMES[suffix][1]));
  } catch {
    return undefined;
  }
}
