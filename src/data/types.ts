/**
 * The vocabulary the data tables and the hint texts are written in: locales, a hint and its links,
 * the limits an error names, where a call went, and what a model needs. Types only (and the list of
 * locales): `src/diagnose/types.ts` and `src/advisor/required-tier.ts` re-export them, so that
 * `src/data/` depends on nothing outside itself.
 */
import type { Tier, TierLimits, TierQualification, VerificationNeed } from './tiers.js';

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
  /**
   * The limit's size: from the message ("Limit 30000"), the answer's `x-ratelimit-limit-*`, or the
   * limit a guard learned from earlier answers' headers (`DiagnoseOptions.learnedLimits`).
   */
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
  /** The model's context window, in tokens (its input limit when `input` is set). */
  readonly limit: number;
  /** The limit is on the input alone, not on input and output together ("Input tokens exceed the configured limit of N tokens"). */
  readonly input?: boolean;
  /**
   * What the request came to: "resulted in M tokens", or "you requested T tokens (P in the
   * messages, C in the completion)".
   */
  readonly requested?: number;
  /** The prompt's part of `requested`, when the message splits it ("P in the messages"). */
  readonly prompt?: number;
  /** The output's part of `requested` (`max_tokens`), when the message splits it ("C in the completion"). */
  readonly completion?: number;
}

/** Who served a call, as far as its base URL (or the answer) tells. */
export type Provider = 'openai' | 'azure' | 'other';

/** Every provider, for validation. */
export const PROVIDERS = ['openai', 'azure', 'other'] as const satisfies readonly Provider[];

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

/** What a model needs. */
export interface ModelRequirement {
  /** The model as asked. */
  readonly model: string;
  /** The family whose tier table applies (the model itself when it has none). */
  readonly family: string;
  /** The model is one tierguard knows. */
  readonly known: boolean;
  /** A published tier table exists for the family. */
  readonly published: boolean;
  /** The lowest tier that can use the model; absent when no table is published. */
  readonly tier?: Tier;
  /** What reaching `tier` takes. */
  readonly qualification?: TierQualification;
  /** The tiers the table marks "not supported". */
  readonly notSupportedOn: readonly Tier[];
  /** The limits `tier` gives the model. */
  readonly limits?: TierLimits;
  /** A verified organization is needed (to use the model, to stream it, or for reasoning summaries). */
  readonly verification?: VerificationNeed;
}
