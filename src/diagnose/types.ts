import type { Tier } from '../data/tiers.js';
import type { Cause, FallbackScope, Origin } from '../data/causes.js';

/** A language tierguard writes hints in. */
export type Locale = 'en' | 'zh-CN';

/** Every locale, for validation and iteration. */
export const LOCALES = ['en', 'zh-CN'] as const satisfies readonly Locale[];

/** A link a hint points to. */
export interface HintLink {
  readonly label: string;
  readonly url: string;
}

/** What to tell a person: what happened, why, and the steps that fix it. */
export interface Hint {
  /** One line: what went wrong. */
  readonly title: string;
  /** Why it happened, using what the error said (the model, the limit, the wait). */
  readonly why: string;
  /** Ordered steps: what to open, what to click, what to change. */
  readonly steps: readonly string[];
  readonly links: readonly HintLink[];
}

/** Which rate limit a 429 (or the pacing engine) is about. */
export interface RateLimitInfo {
  readonly kind: 'requests' | 'tokens';
  readonly window: 'minute' | 'day';
  /** The limit's size, from the message ("Limit 30000") or `x-ratelimit-limit-*`. */
  readonly limit?: number;
  /** Used so far in the window, from the message ("Used 29000"). */
  readonly used?: number;
  /** What this request asked for, from the message ("Requested 1538"). */
  readonly requested?: number;
  /** What is left, from `x-ratelimit-remaining-*`. */
  readonly remaining?: number;
}

/** The context window a `context_length_exceeded` error names ("maximum context length is N tokens"). */
export interface ContextLimitInfo {
  readonly kind: 'context';
  /** The model's context window, in tokens. */
  readonly limit: number;
  /** What the request came to ("resulted in M tokens"), when the message says. */
  readonly requested?: number;
}

/** Why the guard stopped trying a call it could have retried. */
export type RetryStop =
  /** `retry.maxAttempts` attempts ran. */
  | 'attempts'
  /** `retry.maxElapsedMs` passed since the first attempt. */
  | 'elapsed'
  /** The API asked for a wait longer than `retry.maxDelayMs`. */
  | 'delay-cap'
  /** The request body is a stream and cannot be sent again. */
  | 'body';

/** How the guard's retries of a call ended, on the final diagnosis of a call that failed. */
export interface RetrySummary {
  /** Attempts sent, every model of the chain included. */
  readonly attempts: number;
  /** From the first attempt to the final failure, in milliseconds. */
  readonly elapsedMs: number;
  /** Why no further attempt was made, when the cause was retryable. */
  readonly stoppedBy?: RetryStop;
}

/** One failed try of a guarded call, as the guard saw it (a call that served ends its list). */
export interface Attempt {
  /** The model the attempt asked for. */
  readonly model?: string;
  /** The base URL of the endpoint it went to (fallback entries may have their own). */
  readonly baseURL?: string;
  /** The cause it failed with. */
  readonly cause: Cause;
  readonly status?: number;
  /** How long the guard waited before this attempt (retry delay), in milliseconds. */
  readonly waitMs: number;
  readonly requestId?: string;
}

/**
 * What went wrong, as plain serializable data: no `Headers`, no `Response`, no functions,
 * and never a full API key.
 */
export interface Diagnosis {
  readonly cause: Cause;
  readonly origin: Origin;
  readonly status?: number;
  readonly code?: string;
  readonly type?: string;
  readonly param?: string;
  readonly requestId?: string;
  /** The model the error names (from the message), or that the guard asked for. */
  readonly model?: string;
  /** The error's own message, with anything that looks like an API key masked. */
  readonly message: string;
  /** A retry of the same request can succeed (after `retryAfterMs` when given). */
  readonly retryable: boolean;
  /** Another model could serve this request. */
  readonly fallback: boolean;
  /** Which fallback can serve: another model, only another endpoint (relay, Azure, another key), or none. */
  readonly fallbackTo: FallbackScope;
  /** How long the API asked to wait, in milliseconds. */
  readonly retryAfterMs?: number;
  /** What said how long to wait: a header name (`retry-after-ms`, `x-ratelimit-reset-tokens`…) or `the message`. */
  readonly retryAfterSource?: string;
  /** Which limit: a rate limit for rate-limit causes, the context window for `context_length_exceeded`. */
  readonly limit?: RateLimitInfo | ContextLimitInfo;
  /** The response headers that matter for diagnosis (rate limits, retry-after, request id), lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
  /** Every try the guard made, when it made more than one or fell back. */
  readonly attempts?: readonly Attempt[];
  /** On the final diagnosis of a guarded call: how its retries ended. */
  readonly retries?: RetrySummary;
  readonly hint: Hint;
}

/** Options of `diagnose`. */
export interface DiagnoseOptions {
  /**
   * Language of the hint.
   * @default 'en'
   */
  readonly locale?: Locale;
  /** The model the request asked for, when the caller knows it and the error does not say. */
  readonly model?: string;
  /**
   * The account's usage tier, when known (configured, or read off the API's headers by a guard).
   * A hint never asks an account to reach a tier it already has.
   */
  readonly tier?: Tier;
  /** Where the call went: the OpenAI API (any of its regional hosts), Azure OpenAI, or another OpenAI-compatible endpoint. */
  readonly provider?: Provider;
  /** The base URL the call went to (`https://api.openai.com/v1`), for the host-specific parts of a hint. */
  readonly baseURL?: string;
  /** The limits the guard learned for the model from the API's headers, per window. */
  readonly learnedLimits?: {
    readonly requests?: number;
    readonly tokens?: number;
    readonly windowMs?: number;
  };
  /** How the guard's retries of the call ended (the guard passes it for a call's final diagnosis). */
  readonly retries?: RetrySummary;
}

/** Who served a call, as far as its base URL tells. */
export type Provider = 'openai' | 'azure' | 'other';
