/**
 * The `x-ratelimit-*` headers of an answer (openai-api.md Table 2), as the options and the call's
 * header faults say: which answers carry them (all, a share, none; `-1` or garbage from a fault),
 * `remaining` floored to whole units as the API sends it or the exact level, and `reset` as precise
 * as the API's (ms) or rounded up to a coarser grain. Read when the answer is decided, after any
 * charge: the headers speak for the moment the server counted the call, not the moment the answer
 * leaves (that is what a long latency makes old).
 */
import { formatGoDuration } from '../../util/duration.js';
import type { SimBucket } from './buckets.js';
import type { FaultKind } from './faults.js';
import type { Lane } from './limiter.js';

/** Which answers carry the headers: every one, a share of them (seeded), none, or Azure's `-1`. */
export type RateLimitHeaderMode = 'full' | 'none' | 'minus-one' | { readonly share: number };

/** How the headers are written. */
export interface RateLimitHeaderFormat {
  readonly mode: RateLimitHeaderMode;
  /** `'floor'`: whole units left, as the API sends them; `'exact'`: the level to 1/1000. */
  readonly remaining: 'floor' | 'exact';
  /** `x-ratelimit-reset-*` is rounded up to a multiple of this (1: as precise as Go prints ms). */
  readonly resetGranularityMs: number;
}

const GARBAGE_HEADERS = {
  'x-ratelimit-limit-requests': 'lots',
  'x-ratelimit-remaining-requests': '',
  'x-ratelimit-reset-requests': 'soon',
  'x-ratelimit-limit-tokens': '1e309',
  'x-ratelimit-remaining-tokens': '-7',
  'x-ratelimit-reset-tokens': '??',
} as const;

// Float noise (3600.0000000004 ms) must not push a reset into the next grain.
const GRAIN_EPSILON = 1e-9;

function remainingText(bucket: SimBucket, nowMs: number, remaining: 'floor' | 'exact'): string {
  if (remaining === 'floor') return String(bucket.remaining(nowMs));
  return String(Math.max(0, Math.round(bucket.level(nowMs) * 1_000) / 1_000));
}

function resetText(bucket: SimBucket, nowMs: number, granularityMs: number): string {
  const resetMs = bucket.resetMs(nowMs);
  if (granularityMs <= 1) return formatGoDuration(resetMs);
  return formatGoDuration(Math.ceil(resetMs / granularityMs - GRAIN_EPSILON) * granularityMs);
}

/** The three headers of one bucket (`requests` or `tokens`), none when the lane has no such limit. */
function bucketHeaders(
  bucket: SimBucket | undefined,
  unit: 'requests' | 'tokens',
  nowMs: number,
  format: RateLimitHeaderFormat,
): Record<string, string> {
  if (bucket === undefined) return {};
  return {
    [`x-ratelimit-limit-${unit}`]: String(bucket.capacity),
    [`x-ratelimit-remaining-${unit}`]: remainingText(bucket, nowMs, format.remaining),
    [`x-ratelimit-reset-${unit}`]: resetText(bucket, nowMs, format.resetGranularityMs),
  };
}

/**
 * The headers of an answer drawing on `lane` at `nowMs`; `random` decides, for a `{ share }` mode,
 * whether this answer carries them. None when the call names no lane (no budget to report).
 */
export function rateLimitHeadersFor(
  lane: Lane | undefined,
  nowMs: number,
  format: RateLimitHeaderFormat,
  headerFaults: readonly FaultKind[],
  random: () => number,
): Record<string, string> {
  if (lane === undefined) return {};
  if (headerFaults.includes('no-rate-headers')) return {};
  if (headerFaults.includes('garbage-headers')) return { ...GARBAGE_HEADERS };
  const { mode } = format;
  const minusOne = mode === 'minus-one' || headerFaults.includes('minus-one-headers');
  if (!minusOne) {
    if (mode === 'none') return {};
    // Drawn only in a share mode, so that the other modes leave the generator untouched.
    if (typeof mode === 'object' && random() >= mode.share) return {};
  }
  const headers = {
    ...bucketHeaders(lane.requests, 'requests', nowMs, format),
    ...bucketHeaders(lane.tokens, 'tokens', nowMs, format),
  };
  if (minusOne) {
    // Azure's Responses quirk (Table 1b, openai-dotnet#838): token headers -1, reset 0.
    headers['x-ratelimit-limit-tokens'] = '-1';
    headers['x-ratelimit-remaining-tokens'] = '-1';
    headers['x-ratelimit-reset-tokens'] = '0';
  }
  return headers;
}
