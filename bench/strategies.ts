/**
 * What users do today, and tierguard, as functions that run one workload and say how it went.
 * Peers' time constants (the cookbook's pauses and backoffs) are scaled with the benchmark's
 * "minute", so that each strategy behaves relative to the window as it would against the API.
 */
import OpenAI from 'openai';
import pRetry from 'p-retry';
import { built } from './built.js';

const { countTextTokens, createGuard } = built;

/** One call of the workload. */
export interface Job {
  readonly model: string;
  readonly messages: { role: 'system' | 'user'; content: string }[];
  readonly max_tokens: number;
}

/** What a run produced, per call. */
export interface RunOutcome {
  /** Per call: ms from the burst's start to its result, and whether it was served. */
  readonly calls: { readonly ms: number; readonly ok: boolean }[];
  readonly wallMs: number;
}

/** A strategy runs every job against `baseURL` as fast as it may. */
export type Strategy = (
  jobs: readonly Job[],
  baseURL: string,
  windowMs: number,
  extra?: Record<string, unknown>,
) => Promise<RunOutcome>;

const KEY = 'sk-bench-not-a-real-key';

async function runAll(jobs: readonly Job[], call: (job: Job) => Promise<unknown>): Promise<RunOutcome> {
  const started = performance.now();
  const calls = await Promise.all(
    jobs.map(async (job) => {
      const ok = await call(job).then(
        () => true,
        () => false,
      );
      return { ms: performance.now() - started, ok };
    }),
  );
  return { calls, wallMs: Math.max(...calls.map((entry) => entry.ms)) };
}

/** 1 and 2: the bare SDK with its own retries (0.5–8 s backoff, Retry-After honoured ≤ 60 s). */
export const bareSdk =
  (maxRetries: number): Strategy =>
  (jobs, baseURL) => {
    const client = new OpenAI({ apiKey: KEY, baseURL, maxRetries });
    return runAll(jobs, (job) => client.chat.completions.create(job));
  };

/**
 * 3: the cookbook notebook's advice — exponential backoff with jitter around the bare SDK,
 * retrying any error (tenacity `wait_random_exponential(min=1, max=60)`, `stop_after_attempt(6)`).
 */
export const pRetryBackoff: Strategy = (jobs, baseURL, windowMs) => {
  const scale = windowMs / 60_000;
  const client = new OpenAI({ apiKey: KEY, baseURL, maxRetries: 0 });
  return runAll(jobs, (job) =>
    pRetry(() => client.chat.completions.create(job), {
      retries: 5,
      minTimeout: 1_000 * scale,
      maxTimeout: 60_000 * scale,
      factor: 2,
      randomize: true,
    }),
  );
};

/**
 * 4: the cookbook's `api_request_parallel_processor.py`, given the exact limits: continuously
 * refilled request and token capacity, a request leaves when both hold it, the estimate is the
 * prompt's tokens (+4 per message, +2) plus n × max_tokens; after a 429 the loop pauses 15 s
 * (scaled); a failed request is re-queued until 5 attempts.
 */
export const cookbookProcessor: Strategy = async (jobs, baseURL, windowMs) => {
  const scale = windowMs / 60_000;
  const maxRequestsPerWindow = 500;
  const maxTokensPerWindow = 30_000;
  const pauseAfterRateLimitMs = 15_000 * scale;
  const client = new OpenAI({ apiKey: KEY, baseURL, maxRetries: 0 });
  const started = performance.now();
  const estimate = async (job: Job): Promise<number> => {
    let tokens = 2;
    for (const message of job.messages)
      tokens +=
        4 +
        (await countTextTokens(message.content, job.model)) +
        (await countTextTokens(message.role, job.model));
    return tokens + job.max_tokens;
  };
  const queue = await Promise.all(
    jobs.map(async (job, index) => ({ job, index, tokens: await estimate(job), attemptsLeft: 5 })),
  );
  const results: { ms: number; ok: boolean }[] = new Array(jobs.length);
  let requestCapacity = maxRequestsPerWindow;
  let tokenCapacity = maxTokensPerWindow;
  let lastUpdate = performance.now();
  let lastRateLimit = -Infinity;
  let settled = 0;
  while (settled < jobs.length) {
    const now = performance.now();
    requestCapacity = Math.min(
      maxRequestsPerWindow,
      requestCapacity + ((now - lastUpdate) * maxRequestsPerWindow) / windowMs,
    );
    tokenCapacity = Math.min(
      maxTokensPerWindow,
      tokenCapacity + ((now - lastUpdate) * maxTokensPerWindow) / windowMs,
    );
    lastUpdate = now;
    const next = queue[0];
    if (
      next !== undefined &&
      now - lastRateLimit >= pauseAfterRateLimitMs &&
      requestCapacity >= 1 &&
      tokenCapacity >= next.tokens
    ) {
      queue.shift();
      requestCapacity -= 1;
      tokenCapacity -= next.tokens;
      void client.chat.completions.create(next.job).then(
        () => {
          settled += 1;
          results[next.index] = { ms: performance.now() - started, ok: true };
        },
        (error: unknown) => {
          if ((error as { status?: number }).status === 429) lastRateLimit = performance.now();
          next.attemptsLeft -= 1;
          if (next.attemptsLeft > 0) queue.push(next);
          else {
            settled += 1;
            results[next.index] = { ms: performance.now() - started, ok: false };
          }
        },
      );
      continue;
    }
    // The script's main loop sleeps 1 ms between checks.
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return { calls: results, wallMs: Math.max(...results.map((entry) => entry.ms)) };
};

/** 5 and 6: tierguard, told the tier (and the scaled window), or told nothing. */
export const tierguard =
  (mode: 'tier' | 'auto', extra: Record<string, unknown> = {}): Strategy =>
  async (jobs, baseURL, windowMs) => {
    const guard = createGuard(
      mode === 'tier' ? { tier: 'tier-1', windowMs, ...extra } : { tier: 'auto', ...extra },
    );
    const client = guard.wrap(new OpenAI({ apiKey: KEY, baseURL }));
    const outcome = await runAll(jobs, (job) => client.chat.completions.create(job));
    await guard.close();
    return outcome;
  };
