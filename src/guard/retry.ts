/**
 * Retry policy: only causes a retry can fix, after the wait the API asked for (capped), else an
 * exponential backoff with jitter; bounded by attempts and by the time since the first attempt.
 * The pipeline's loop runs the attempts; this decides whether there is another, and when.
 */
import type { Diagnosis, RetryStop } from '../diagnose/types.js';
import type { ResolvedRetry } from './options.js';

const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 8_000;
// An overloaded server needs longer (openai-api.md Table 1 #35: "longer backoff").
const OVERLOADED_BASE_MS = 1_000;

/** The wait before the next attempt, and where it came from. */
export interface RetryPlan {
  readonly retry: true;
  /** How long to wait before the next attempt. */
  readonly waitMs: number;
  readonly source: 'api' | 'backoff' | 'pacing';
  /**
   * The server said when this call may go again (a rate limit's `retry-after`): the next attempt
   * is admitted then, whatever the local buckets estimate.
   */
  readonly serverSaid: boolean;
}

/** Why a failure is not retried. */
export interface NoRetry {
  readonly retry: false;
  readonly reason: RetryStop | 'not-retryable';
}

/**
 * Decides whether attempt `attemptNumber` (1-based, just failed) of one target is followed by
 * another, and after how long. `paced`: the buckets decide when a rate-limited call goes again
 * (with `pacing: false`, a backoff does). `random` is injectable so tests can pin the jitter.
 */
export function planRetry(
  diagnosis: Diagnosis,
  attemptNumber: number,
  elapsedMs: number,
  retry: ResolvedRetry,
  replayable: boolean,
  paced: boolean,
  random: () => number = Math.random,
): RetryPlan | NoRetry {
  if (!diagnosis.retryable) return { retry: false, reason: 'not-retryable' };
  if (!replayable) return { retry: false, reason: 'body' };
  if (attemptNumber >= retry.maxAttempts) return { retry: false, reason: 'attempts' };
  const rateLimited =
    diagnosis.cause === 'rate_limited_requests' ||
    diagnosis.cause === 'rate_limited_tokens' ||
    diagnosis.cause === 'slow_down';
  let plan: RetryPlan;
  if (diagnosis.retryAfterMs !== undefined) {
    // A wait longer than the cap fails fast with the wait in the diagnosis (a day-long Retry-After
    // must not hold a request for a day, openai-node#1840).
    if (diagnosis.retryAfterMs > retry.maxDelayMs) return { retry: false, reason: 'delay-cap' };
    plan = { retry: true, waitMs: diagnosis.retryAfterMs, source: 'api', serverSaid: rateLimited };
  } else if (rateLimited && paced) {
    // No word from the server: the buckets, corrected by its answer, decide when.
    plan = { retry: true, waitMs: 0, source: 'pacing', serverSaid: false };
  } else {
    const base = diagnosis.cause === 'overloaded' ? OVERLOADED_BASE_MS : BACKOFF_BASE_MS;
    const ceiling = Math.min(retry.maxDelayMs, BACKOFF_CAP_MS, base * 2 ** (attemptNumber - 1));
    // "Equal jitter": at least half the ceiling, so that a storm of retries spreads but never bunches at zero.
    const waitMs = Math.round(ceiling / 2 + random() * (ceiling / 2));
    plan = { retry: true, waitMs, source: 'backoff', serverSaid: false };
  }
  if (elapsedMs + plan.waitMs > retry.maxElapsedMs) return { retry: false, reason: 'elapsed' };
  return plan;
}
