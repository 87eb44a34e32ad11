/**
 * Retry policy: only causes a retry can fix, after the wait the API asked for (capped), else an
 * exponential backoff with jitter; bounded by attempts and by the time since the first attempt.
 * p-retry runs the loop (attempts, the caller's abort signal); the delay is decided here because
 * p-retry has no per-attempt delay (peers.md, p-retry).
 */
import pRetry from 'p-retry';
import type { Cause } from '../data/causes.js';
import type { Diagnosis } from '../diagnose/types.js';
import { delay } from '../util/delay.js';
import type { RetryOptions } from './options.js';

/** Causes whose wait the pacing engine already takes: the retry re-enters the queue instead of sleeping. */
const PACED: ReadonlySet<Cause> = new Set(['rate_limited_requests', 'rate_limited_tokens', 'slow_down']);

const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 8_000;
// An overloaded server needs longer (openai-api.md Table 1 #35: "longer backoff").
const OVERLOADED_BASE_MS = 1_000;

/** The wait before the next attempt, and where it came from. */
export interface RetryPlan {
  /** How long to sleep before re-entering the pipeline. */
  readonly sleepMs: number;
  /** The wait as reported (for `pacing`, the pacer holds the queue for it). */
  readonly waitMs: number;
  readonly source: 'api' | 'backoff' | 'pacing';
}

/** Why a retryable failure is not retried. */
export type NoRetry = {
  readonly retry: false;
  readonly reason: 'not-retryable' | 'attempts' | 'delay-cap' | 'elapsed' | 'body';
};

/**
 * Decides whether attempt `attemptNumber` (1-based, just failed) is followed by another, and after
 * how long. `random` is injectable so tests can pin the jitter.
 */
export function planRetry(
  diagnosis: Diagnosis,
  attemptNumber: number,
  elapsedMs: number,
  retry: Required<RetryOptions>,
  replayable: boolean,
  random: () => number = Math.random,
): ({ readonly retry: true } & RetryPlan) | NoRetry {
  if (!diagnosis.retryable) return { retry: false, reason: 'not-retryable' };
  if (!replayable) return { retry: false, reason: 'body' };
  if (attemptNumber >= retry.maxAttempts) return { retry: false, reason: 'attempts' };
  let plan: RetryPlan;
  if (diagnosis.retryAfterMs !== undefined) {
    // A wait longer than the cap fails fast with the wait in the diagnosis (a day-long Retry-After
    // must not hold a request for a day, openai-node#1840).
    if (diagnosis.retryAfterMs > retry.maxDelayMs) return { retry: false, reason: 'delay-cap' };
    plan = PACED.has(diagnosis.cause)
      ? { sleepMs: 0, waitMs: diagnosis.retryAfterMs, source: 'pacing' }
      : { sleepMs: diagnosis.retryAfterMs, waitMs: diagnosis.retryAfterMs, source: 'api' };
  } else {
    const base = diagnosis.cause === 'overloaded' ? OVERLOADED_BASE_MS : BACKOFF_BASE_MS;
    const ceiling = Math.min(retry.maxDelayMs, BACKOFF_CAP_MS, base * 2 ** (attemptNumber - 1));
    // "Equal jitter": at least half the ceiling, so that a storm of retries spreads but never bunches at zero.
    const waitMs = Math.round(ceiling / 2 + random() * (ceiling / 2));
    plan = { sleepMs: waitMs, waitMs, source: 'backoff' };
  }
  if (elapsedMs + plan.waitMs > retry.maxElapsedMs) return { retry: false, reason: 'elapsed' };
  return { retry: true, ...plan };
}

/** Thrown inside the retry loop to ask for another attempt. */
class RetryRequest<T> extends Error {
  readonly outcome: T;
  readonly plan: RetryPlan;
  constructor(outcome: T, plan: RetryPlan) {
    super('retry');
    this.outcome = outcome;
    this.plan = plan;
  }
}

/**
 * Runs `attempt` until it returns an outcome that `decide` does not want retried. `decide` sees
 * each outcome and returns a plan to retry it, or `undefined` to stop. The caller's signal ends
 * the loop at once, also while waiting.
 */
export async function withRetries<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  decide: (outcome: T, attemptNumber: number) => RetryPlan | undefined,
  onRetry: (outcome: T, plan: RetryPlan, attemptNumber: number) => void,
  maxAttempts: number,
  signal: AbortSignal | undefined,
): Promise<T> {
  // Most calls succeed at once: p-retry is entered only when a retry is planned (it costs a few
  // microseconds per call for nothing otherwise).
  const first = await attempt(1);
  const plan = decide(first, 1);
  if (plan === undefined) return first;
  onRetry(first, plan, 1);
  if (plan.sleepMs > 0) await delay(plan.sleepMs, signal);
  try {
    return await pRetry(
      async (retryNumber) => {
        const attemptNumber = retryNumber + 1;
        const outcome = await attempt(attemptNumber);
        const plan = decide(outcome, attemptNumber);
        if (plan === undefined) return outcome;
        throw new RetryRequest(outcome, plan);
      },
      {
        retries: Math.max(0, maxAttempts - 2),
        minTimeout: 0,
        factor: 1,
        randomize: false,
        ...(signal === undefined ? {} : { signal }),
        onFailedAttempt: async ({ error, attemptNumber }) => {
          if (!(error instanceof RetryRequest)) return;
          onRetry(error.outcome as T, error.plan, attemptNumber + 1);
          if (error.plan.sleepMs > 0) await delay(error.plan.sleepMs, signal);
        },
        shouldRetry: ({ error }) => error instanceof RetryRequest,
      },
    );
  } catch (error) {
    // The last attempt asked for a retry but none was left: its outcome is the answer.
    if (error instanceof RetryRequest) return error.outcome as T;
    throw error;
  }
}
