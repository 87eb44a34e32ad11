/**
 * The guard's options: what each means and its default (defaults live here and nowhere else), and
 * the parsed form the guard uses. `options-schema.ts` parses them, once, at construction.
 */
import { CAUSES, CAUSE_CATALOGUE, type Cause } from '../data/causes.js';
import type { Tier } from '../data/tiers.js';
import type { Locale } from '../diagnose/types.js';
import type { TokenCounter } from '../tokens/estimate.js';
import type { ExplicitLimit } from '../pacing/limits.js';
import type { RedisLike } from '../stores/redis.js';
import type { BucketStore } from '../pacing/types.js';
import type { GuardEvent } from '../telemetry/events.js';
import type { LogLevel, Logger } from '../telemetry/logging.js';
import type { MeterLike } from '../telemetry/metrics.js';

/** Limits for a model or family, per window. */
export interface LimitOptions {
  /** Requests per window. */
  readonly requests?: number;
  /** Tokens per window. */
  readonly tokens?: number;
  /** Requests per day (1,440 windows). */
  readonly requestsPerDay?: number;
  /** Images per window (image models). */
  readonly images?: number;
  /**
   * The window the amounts are per.
   * @default 60_000 (one minute, as the API counts)
   */
  readonly windowMs?: number;
}

/** A fallback target: a model on the same endpoint, or a model on another endpoint (relay, Azure, another key). */
export type FallbackTarget =
  | string
  | {
      readonly model: string;
      /** Another endpoint: a relay, Azure, or another account. */
      readonly baseURL?: string;
      /** The key for that endpoint (never shown in full in any diagnosis, event or log). */
      readonly apiKey?: string;
      readonly organization?: string;
      readonly project?: string;
    };

/** What to do when the month's budget is spent. */
export type { BudgetExhaustedPolicy } from '../budget/gate.js';
import type { BudgetExhaustedPolicy } from '../budget/gate.js';

/** A monthly spending budget. */
export interface BudgetOptions {
  /** The month's budget in USD (UTC calendar month). */
  readonly monthlyUsd: number;
  /**
   * Shares of the budget at which a `budget-alert` event fires, once each per month.
   * @default [0.5, 0.8, 1]
   */
  readonly alertAt?: readonly number[];
  /**
   * At the limit: refuse calls (a local `budget_exhausted` error), fall back to the cheapest model
   * of the chain, or only warn.
   * @default 'refuse'
   */
  readonly onExhausted?: BudgetExhaustedPolicy;
  /**
   * A call whose largest possible cost does not fit what the month has left is sent with its
   * output maximum (`max_completion_tokens`, `max_tokens` or `max_output_tokens`) lowered to what
   * is left, instead of being refused; a `budget-clamped` event says so. Never below
   * `minOutputTokens`.
   * @default false
   */
  readonly clampOutput?: boolean;
  /**
   * The least output maximum a clamp leaves a call; a call that cannot have this much is refused.
   * @default 256
   */
  readonly minOutputTokens?: number;
}

/**
 * Retry policy. Only causes a retry can fix are retried. The guard owns retries: the wrapped
 * client's `maxRetries` (constructor, `withOptions` or per call) is never used.
 */
export interface RetryOptions {
  /**
   * Attempts per model, **the first included**: `3` is one attempt and at most two retries (what
   * openai-node's default `maxRetries: 2` sends); `1` never retries. Set this or `maxRetries`.
   * @default 3
   */
  readonly maxAttempts?: number;
  /**
   * Retries per model after the first attempt, as openai-node counts them: `maxRetries: 2` is
   * `maxAttempts: 3`; `0` never retries. Set this or `maxAttempts`.
   * @default 2
   */
  readonly maxRetries?: number;
  /**
   * The longest wait the guard accepts between attempts; a longer wait asked by the API fails fast
   * (the diagnosis keeps `retryAfterMs`) or falls back.
   * @default 60_000
   */
  readonly maxDelayMs?: number;
  /**
   * No retry starts after this long since the call's first attempt was sent.
   * @default 120_000
   */
  readonly maxElapsedMs?: number;
}

/** The retry policy as the guard uses it: attempts per model, the first included. */
export type ResolvedRetry = Required<Omit<RetryOptions, 'maxRetries'>>;

/** Options of `createGuard` and `guard`. */
export interface GuardOptions {
  /**
   * The account's usage tier: its limits pace each model until the API's headers say better.
   * `'auto'` starts with a small number of calls in flight and learns the limits from the first
   * answers.
   * @default 'auto'
   */
  readonly tier?: Tier | 'auto';
  /** Explicit limits per model or family (`'*'` for every other model); stronger than the tier table. */
  readonly limits?: Readonly<Record<string, LimitOptions>>;
  /**
   * The length of the API's rate-limit window. OpenAI counts per minute; set it only for a server
   * that counts otherwise (a simulator running a scaled minute). Setting it stops the guard from
   * inferring the window from reset headers.
   * @default 60_000
   */
  readonly windowMs?: number;
  /**
   * The most calls that may wait in the queue; further calls are refused at once (`queue_full`).
   * @default Infinity
   */
  readonly maxQueued?: number;
  /**
   * `false` turns pacing off: no admission, no queue, no buckets — every attempt is sent at once,
   * and the pacing options (`tier`'s limits, `limits`, `windowMs`, `maxQueued`, `maxWaitMs`,
   * `store`, `countTokens`, `defaultMaxOutputTokens`) have no effect; `redis` then only shares a
   * `budget` (without one, no connection is made). Failures are still diagnosed, retried and fall
   * back; a rate limit without a server wait is retried with backoff.
   * @default true
   */
  readonly pacing?: boolean;
  /**
   * The longest a call may be predicted to wait in the queue for its rate limit, in milliseconds:
   * one number for every model, or per model (`{ 'gpt-4o': 2_000, '*': 10_000 }`). A call predicted
   * to wait longer goes to the next model of its fallback chain that can serve it, before it has
   * waited; without one it is refused at once (a local `rate_limited_tokens` / `_requests` with the
   * predicted wait as its `retryAfterMs`). Unset, calls wait their turn (bounded by `maxQueued` and
   * the caller's abort signal).
   */
  readonly maxWaitMs?: number | Readonly<Record<string, number>>;
  /**
   * Lanes (limit keys) include a one-way hash of the API key, so that two accounts never share
   * buckets. Set this when several keys belong to one account (key rotation) and must share them.
   * @default false
   */
  readonly shareLimitsAcrossKeys?: boolean;
  /**
   * Where bucket levels live: any `BucketStore` (see the README's "Stores"). `redis` builds one
   * for you; set one or the other.
   * @default an in-process store
   */
  readonly store?: BucketStore;
  /**
   * An exact tokenizer for the estimates (for example gpt-tokenizer's `countTokens`); called on
   * pieces of at most a few KB. Without one, prompts are estimated from their characters and the
   * estimate is corrected by what the API reports.
   */
  readonly countTokens?: TokenCounter;
  /** Share the buckets and the budget with other processes through Redis: a URL or an ioredis client. */
  readonly redis?: string | RedisLike;
  /**
   * Prefix of every Redis key; processes that share limits use the same prefix.
   * @default 'tierguard:'
   */
  readonly keyPrefix?: string;
  /**
   * How failures are retried; `false` sends every call once (the same as `{ maxAttempts: 1 }`).
   * @default { maxAttempts: 3, maxDelayMs: 60_000, maxElapsedMs: 120_000 }
   */
  readonly retry?: RetryOptions | false;
  /**
   * Models to try, in order, when a model cannot serve: `{ 'gpt-4o': ['gpt-4o-mini'] }`. An Azure
   * call's chain may be keyed by its deployment's name (looked up before its model's).
   * `'cheaper'` builds each model's chain from the model table: cheaper models that take the same
   * input, offer the same features (function calling, Structured Outputs), reason if it reasons,
   * and are reachable on the account's tier (`stats().cheaperChains` shows them). As a model's
   * entry (`{ 'gpt-4o': 'cheaper' }`, `{ '*': 'cheaper' }` for every model not listed), it builds
   * that model's chain only; a chain written out always wins. `false`: no call ever falls back (a
   * call may still name its own chain in the `x-tierguard-fallback` request header). A call can
   * turn its fallback off with `x-tierguard-fallback: off`.
   * @default no fallback
   */
  readonly fallback?: Readonly<Record<string, readonly FallbackTarget[] | 'cheaper'>> | 'cheaper' | false;
  /**
   * Causes that may fall back. Account-level causes (quota, billing, key, region) only ever fall
   * back to a target with its own `baseURL` or `apiKey`.
   * @default every cause whose catalogue entry allows a fallback
   */
  readonly fallbackOn?: readonly Cause[];
  /**
   * The language of hints in diagnoses.
   * @default 'en'
   */
  readonly locale?: Locale;
  /** Called with every event (same as `guard.on(listener)`). */
  readonly onEvent?: (event: GuardEvent) => void;
  /**
   * A monthly spending budget with alerts. Unset, there is no budget: nothing is priced, counted
   * or stored for it.
   */
  readonly budget?: BudgetOptions;
  /** Azure deployment names (or any alias) → the model they serve, for limits and prices. */
  readonly deployments?: Readonly<Record<string, string>>;
  /**
   * The output a call is assumed to produce when it sets no `max_tokens` /
   * `max_completion_tokens` / `max_output_tokens`; reconciled with the real usage afterwards.
   * @default 1_024
   */
  readonly defaultMaxOutputTokens?: number;
  /**
   * The transport `guard.fetch` sends with. `wrap(client)` keeps the client's own `fetch`.
   * @default globalThis.fetch
   */
  readonly fetch?: typeof globalThis.fetch;
  /**
   * An OpenTelemetry meter to record the guard's metrics on (`tierguard.calls`,
   * `tierguard.queue.wait`, `tierguard.bucket.level`… — the README's "Metrics and logs"): for
   * example `metrics.getMeter('tierguard')` from `@opentelemetry/api`. tierguard depends on no
   * OpenTelemetry package; set `meter` or `metrics`, not both.
   */
  readonly meter?: MeterLike;
  /**
   * `true`: record the metrics on `metrics.getMeter('tierguard')` of the global
   * `@opentelemetry/api` (an optional peer, loaded only then). Register the SDK's meter provider
   * before the guard is created: a meter taken earlier records nothing.
   * @default false
   */
  readonly metrics?: boolean;
  /**
   * Where the guard logs its events, in the shape openai-node's `logger` option takes (`debug`,
   * `info`, `warn`, `error`): `console`, a pino or winston logger. Lines name models, causes, limit
   * keys and waits, never a key or a prompt.
   * @default console when `logLevel` is set, else no logging
   */
  readonly logger?: Logger;
  /**
   * What is logged: `'debug'` every event; `'info'` retries, fallbacks, store changes, tiers
   * detected, unknown models and budget alerts; `'warn'` calls that failed for good (one line each,
   * with `describeDiagnosis`) and a spent budget; `'error'` faults of the guard's own work (a
   * listener that threw, metrics that could not start); `'off'` nothing.
   * @default 'warn' when `logger` is set, else 'off'
   */
  readonly logLevel?: LogLevel;
}

/** The parsed options: every default filled in. */
export interface ResolvedOptions {
  readonly tier: Tier | 'auto';
  readonly limits: Readonly<Record<string, ExplicitLimit>>;
  readonly windowMs: number;
  readonly windowFixed: boolean;
  readonly maxQueued: number;
  /** `false`: attempts are sent without admission (no lanes, no queue). */
  readonly pacing: boolean;
  /** The `maxWaitMs` that applies to `model` (`undefined`: no bound). */
  readonly maxWaitMsFor: (model: string | undefined) => number | undefined;
  readonly shareLimitsAcrossKeys: boolean;
  readonly store: BucketStore | undefined;
  readonly countTokens: TokenCounter | undefined;
  readonly redis: string | RedisLike | undefined;
  readonly keyPrefix: string;
  /** Attempts per model (the first included), after `retry: false` or `maxRetries` are read. */
  readonly retry: ResolvedRetry;
  readonly fallback: ReadonlyMap<string, readonly FallbackTarget[]>;
  /** The model gets a chain built from the table (`'cheaper'`) and has none written out. */
  readonly cheaperFallback: (model: string) => boolean;
  readonly fallbackOn: ReadonlySet<Cause>;
  readonly locale: Locale;
  readonly onEvent: ((event: GuardEvent) => void) | undefined;
  readonly budget:
    (Required<Omit<BudgetOptions, 'alertAt'>> & { readonly alertAt: readonly number[] }) | undefined;
  readonly deployments: Readonly<Record<string, string>>;
  readonly defaultMaxOutputTokens: number;
  readonly fetch: typeof globalThis.fetch | undefined;
  /** The meter to record metrics on; `'global'` for the global API's (`metrics: true`). */
  readonly meter: MeterLike | 'global' | undefined;
  /** `undefined` when nothing is logged. */
  readonly logger: Logger | undefined;
  readonly logLevel: LogLevel;
}

/** Causes that may fall back unless the caller says otherwise: the catalogue's own word. */
export const DEFAULT_FALLBACK_ON: readonly Cause[] = CAUSES.filter(
  (cause) => CAUSE_CATALOGUE[cause].fallbackTo !== 'none',
);

/** Defaults, in one place. */
export const DEFAULTS = {
  tier: 'auto',
  windowMs: 60_000,
  maxQueued: Number.POSITIVE_INFINITY,
  keyPrefix: 'tierguard:',
  retry: { maxAttempts: 3, maxDelayMs: 60_000, maxElapsedMs: 120_000 },
  locale: 'en',
  alertAt: [0.5, 0.8, 1],
  onExhausted: 'refuse',
  minOutputTokens: 256,
  defaultMaxOutputTokens: 1_024,
  /** The level when a `logger` is set without a `logLevel` (openai-node's default). */
  logLevel: 'warn',
} as const;
