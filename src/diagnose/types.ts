import type { Cause, FallbackScope, Origin } from '../data/causes.js';
import type { Tier } from '../data/tiers.js';
import type { ContextLimitInfo, Hint, Locale, Provider, RateLimitInfo, RetrySummary } from '../data/types.js';

export type {
  ContextLimitInfo,
  Hint,
  HintLink,
  Locale,
  ModelRequirement,
  Provider,
  RateLimitInfo,
  RetryStop,
  RetrySummary,
} from '../data/types.js';
export { LOCALES, PROVIDERS } from '../data/types.js';

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
  /**
   * The model the error is about: the one its message names, else the one the request asked for
   * (`DiagnoseOptions.model`). The cause and the hint are both about this model.
   */
  readonly model?: string;
  /** The model the request asked for, when the error names another one (a relay or an alias renamed it). */
  readonly requestedModel?: string;
  /** The error's own message, with anything that looks like an API key masked. */
  readonly message: string;
  /**
   * A retry of the same request can succeed (after `retryAfterMs` when given): the cause
   * catalogue's word, overruled by the answer's `x-should-retry` header where the catalogue lets it
   * (`CauseEntry.shouldRetryHeader`; it never makes a quota, billing or spend error retryable). It
   * stays `true` when a guard ran out of retries: `retries.stoppedBy` says why it stopped.
   */
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
  /**
   * The response headers that matter for diagnosis (rate limits, retry-after, request id), lower-cased.
   * Never a `x-tierguard-*` header: an upstream could forge them.
   */
  readonly headers: Readonly<Record<string, string>>;
  /** Where the call went: `DiagnoseOptions.provider`, else what the base URL or the answer shows. */
  readonly provider?: Provider;
  /** The data-residency region of the OpenAI host the call went to (`eu` for `eu.api.openai.com`). */
  readonly region?: string;
  /** The account's usage tier the hint was written for (`DiagnoseOptions.tier`). */
  readonly tier?: Tier;
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
  /**
   * The model the request asked for. The diagnosis is about the model the error names when it
   * names one; when that is another model, `requestedModel` keeps this one and the hint says so.
   */
  readonly model?: string;
  /**
   * The account's usage tier, when known (configured, or read off the API's headers by a guard).
   * A hint never asks an account to reach a tier it already has, and says when the tier is not
   * the reason. `'auto'` and unknown values are ignored.
   */
  readonly tier?: Tier;
  /**
   * Where the call went: the OpenAI API (any of its regional hosts), Azure OpenAI, or another
   * OpenAI-compatible endpoint (a relay). Inferred from `baseURL` and the answer when absent.
   * Azure and relays get their own words and pages, and no OpenAI tier advice.
   */
  readonly provider?: Provider;
  /**
   * The base URL the call went to (`https://eu.api.openai.com/v1`): a data-residency host adds its
   * own notes, and the host decides `provider` when it is not given.
   */
  readonly baseURL?: string;
  /**
   * The limits the guard learned for the model from the API's headers, per window. They fill a rate
   * limit's size when the error itself gives none, and let the hint compare it with the tier table.
   */
  readonly learnedLimits?: {
    readonly requests?: number;
    readonly tokens?: number;
    readonly windowMs?: number;
  };
  /**
   * How the guard's retries of the call ended (the guard passes it for a call's final diagnosis):
   * the diagnosis carries it, and its hint's first step says how many attempts ran and why they stopped.
   */
  readonly retries?: RetrySummary;
}
