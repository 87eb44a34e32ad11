/**
 * What users do today, and tierguard, as senders of one call at a time: the bare SDK, p-retry
 * backoff around it (the cookbook notebook), the cookbook's parallel processor given the limits, and
 * the guard told the limits or told nothing. A workload runner (`client.ts`) decides when each call
 * is sent; a strategy decides how. Peers' time constants (the cookbook's pauses and backoffs) are
 * scaled with the server's window, so that each behaves relative to it as it would against the API's
 * minute. Nothing here reads a tierguard header or tunes the guard: it is measured as it ships.
 */
import OpenAI from 'openai';
import pRetry from 'p-retry';
import { built } from '../built.js';
import type { Job, Limits } from './workload.js';

const { countTextTokens, createGuard } = built;

/** The strategies, by the name the flags use. */
export const STRATEGIES = {
  'guard-told': 'tierguard, told the limits',
  'guard-auto': "tierguard, tier: 'auto' (nothing told)",
  cookbook: "cookbook's parallel processor, told the limits",
  bare: 'bare SDK (maxRetries 2)',
  'p-retry': 'p-retry backoff around the SDK (cookbook notebook)',
} as const;

export type StrategyName = keyof typeof STRATEGIES;

/** Sends calls of a workload, each when asked; `close` releases what it holds. */
export interface Sender {
  send(job: Job): Promise<unknown>;
  close(): Promise<void>;
}

/** Where a sender sends, what it may know, and the extra a guard gets (Redis sharing). */
export interface SenderContext {
  readonly baseURL: string;
  readonly limits: Limits;
  readonly redis?: { readonly url: string; readonly keyPrefix: string };
}

const KEY = 'sk-bench-not-a-real-key';

/** The bare SDK with its own retries (0.5–8 s backoff, `retry-after-ms` honoured). */
function bareSdk(context: SenderContext): Sender {
  const client = new OpenAI({ apiKey: KEY, baseURL: context.baseURL, maxRetries: 2 });
  return { send: (job) => client.chat.completions.create(job), close: async () => undefined };
}

/**
 * The cookbook notebook's advice: exponential backoff with jitter around the bare SDK, retrying any
 * error (tenacity `wait_random_exponential(min=1, max=60)`, `stop_after_attempt(6)`).
 */
function pRetryBackoff(context: SenderContext): Sender {
  const scale = context.limits.windowMs / 60_000;
  const client = new OpenAI({ apiKey: KEY, baseURL: context.baseURL, maxRetries: 0 });
  return {
    send: (job) =>
      pRetry(() => client.chat.completions.create(job), {
        retries: 5,
        minTimeout: 1_000 * scale,
        maxTimeout: 60_000 * scale,
        factor: 2,
        randomize: true,
      }),
    close: async () => undefined,
  };
}

/** One call waiting in the cookbook processor's queue. */
interface Queued {
  readonly job: Job;
  readonly tokens: number;
  attemptsLeft: number;
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
}

/**
 * The cookbook's `api_request_parallel_processor.py`, given the limits: continuously refilled
 * request and token capacity, a request leaves when both hold it, the estimate is the prompt's
 * tokens (+4 per message, +2) plus max_tokens; after a 429 the loop pauses 15 s (scaled); a failed
 * request is re-queued until 5 attempts; the loop sleeps 1 ms between checks.
 */
function cookbookProcessor(context: SenderContext): Sender {
  const { requests: maxRequests, tokens: maxTokens, windowMs } = context.limits;
  const pauseAfterRateLimitMs = 15_000 * (windowMs / 60_000);
  const client = new OpenAI({ apiKey: KEY, baseURL: context.baseURL, maxRetries: 0 });
  const queue: Queued[] = [];
  let requestCapacity = maxRequests;
  let tokenCapacity = maxTokens;
  let lastUpdate = performance.now();
  let lastRateLimit = -Infinity;
  let looping = false;
  let pending = 0;

  const estimate = async (job: Job): Promise<number> => {
    let tokens = 2;
    for (const message of job.messages)
      tokens +=
        4 +
        (await countTextTokens(message.content, job.model)) +
        (await countTextTokens(message.role, job.model));
    return tokens + job.max_tokens;
  };

  const dispatch = (next: Queued): void => {
    client.chat.completions.create(next.job).then(
      (value) => {
        pending -= 1;
        next.resolve(value);
      },
      (error: unknown) => {
        if ((error as { status?: number }).status === 429) lastRateLimit = performance.now();
        next.attemptsLeft -= 1;
        if (next.attemptsLeft > 0) {
          queue.push(next);
          void loop();
        } else {
          pending -= 1;
          next.reject(error);
        }
      },
    );
  };

  const loop = async (): Promise<void> => {
    if (looping) return;
    looping = true;
    while (queue.length > 0) {
      const now = performance.now();
      requestCapacity = Math.min(
        maxRequests,
        requestCapacity + ((now - lastUpdate) * maxRequests) / windowMs,
      );
      tokenCapacity = Math.min(maxTokens, tokenCapacity + ((now - lastUpdate) * maxTokens) / windowMs);
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
        dispatch(next);
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    looping = false;
  };

  return {
    send: async (job) => {
      pending += 1;
      const tokens = await estimate(job);
      return new Promise((resolve, reject) => {
        queue.push({ job, tokens, attemptsLeft: 5, resolve, reject });
        void loop();
      });
    },
    close: async () => {
      if (pending > 0) throw new Error(`cookbook processor closed with ${pending} calls pending`);
    },
  };
}

/** tierguard, told the limits (and so the window), or told nothing (`tier: 'auto'`). */
function tierguard(context: SenderContext, told: boolean): Sender {
  const { requests, tokens, windowMs } = context.limits;
  const sharing =
    context.redis === undefined ? {} : { redis: context.redis.url, keyPrefix: context.redis.keyPrefix };
  const guard = createGuard(
    told ? { limits: { '*': { requests, tokens, windowMs } }, ...sharing } : { tier: 'auto', ...sharing },
  );
  const client = guard.wrap(new OpenAI({ apiKey: KEY, baseURL: context.baseURL }));
  return { send: (job) => client.chat.completions.create(job), close: () => guard.close() };
}

/** The sender of a strategy. */
export function createSender(name: StrategyName, context: SenderContext): Sender {
  switch (name) {
    case 'guard-told':
      return tierguard(context, true);
    case 'guard-auto':
      return tierguard(context, false);
    case 'cookbook':
      return cookbookProcessor(context);
    case 'bare':
      return bareSdk(context);
    case 'p-retry':
      return pRetryBackoff(context);
  }
}
