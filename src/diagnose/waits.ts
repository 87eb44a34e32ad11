/**
 * Step 3 of diagnose: how long the API asked to wait, strongest first — `retry-after-ms`,
 * `retry-after` (seconds or an HTTP date), the message's "try again in 1m26.4s" / Azure's "retry
 * after 33 seconds", and for rate limits the `x-ratelimit-reset-*` of the limit that was hit
 * (openai-api.md Table 2, Table 1 #16–18, Table 1b).
 */
import { parseGoDuration } from '../util/duration.js';

/** A wait and where it came from. */
export interface Wait {
  readonly ms: number;
  /** The header or text that said so. */
  readonly source: string;
}

const NUMBER = /^\s*(\d+(?:\.\d+)?)\s*$/;

/** `retry-after-ms` / `x-ms-retry-after-ms`: milliseconds. */
export function parseRetryAfterMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = NUMBER.exec(value);
  if (match === null) return undefined;
  const ms = Number(match[1]);
  return Number.isFinite(ms) ? ms : undefined;
}

/** `retry-after`: seconds (fractions accepted, as the SDK does) or an HTTP date, relative to `nowMs`. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const match = NUMBER.exec(value);
  if (match !== null) {
    const seconds = Number(match[1]);
    return Number.isFinite(seconds) ? seconds * 1_000 : undefined;
  }
  if (!/[a-z]/i.test(value)) return undefined;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - nowMs) : undefined;
}

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  millisecond: 1,
  milliseconds: 1,
  s: 1_000,
  sec: 1_000,
  secs: 1_000,
  second: 1_000,
  seconds: 1_000,
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
};

/** A wait written in an error message. */
export function waitInMessage(message: string): number | undefined {
  const go = /\btry again in ((?:\d+(?:\.\d+)?(?:ms|us|µs|ns|h|m|s))+)(?![a-z])/i.exec(message)?.[1];
  if (go !== undefined) return parseGoDuration(go);
  const worded =
    /\b(?:try again|retry) (?:in|after) (\d+(?:\.\d+)?)\s*(milliseconds?|ms|seconds?|secs?|s|minutes?|mins?|m|hours?|h)\b/i.exec(
      message,
    );
  if (worded !== null) {
    const unit = UNIT_MS[(worded[2] as string).toLowerCase()];
    return unit === undefined ? undefined : Number(worded[1]) * unit;
  }
  return undefined;
}

/** The wait the answer asked for. `limitKind` picks the reset header of a rate limit. */
export function findWait(
  headers: Readonly<Record<string, string>>,
  message: string,
  limitKind: 'requests' | 'tokens' | undefined,
  nowMs: number,
): Wait | undefined {
  const candidates: [string, number | undefined][] = [
    ['retry-after-ms', parseRetryAfterMs(headers['retry-after-ms'])],
    ['x-ms-retry-after-ms', parseRetryAfterMs(headers['x-ms-retry-after-ms'])],
    ['retry-after', parseRetryAfter(headers['retry-after'], nowMs)],
    ['the message', waitInMessage(message)],
  ];
  if (limitKind !== undefined) {
    const name = `x-ratelimit-reset-${limitKind}`;
    candidates.push([name, parseGoDuration(headers[name])]);
  }
  for (const [source, ms] of candidates) {
    if (ms !== undefined && Number.isFinite(ms) && ms >= 0)
      return { ms: Math.round(ms * 1_000) / 1_000, source };
  }
  return undefined;
}
