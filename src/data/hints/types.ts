/**
 * The context a hint is written from, and the shape of a hint template. Templates are data with
 * holes: they read the context and the formatters it carries, and hold no other logic.
 */
import type { ModelRequirement } from '../../advisor/required-tier.js';
import type { Hint, RateLimitInfo } from '../../diagnose/types.js';
import type { Cause, Origin } from '../causes.js';
import type { Tier, TierQualification } from '../tiers.js';

/** A tier that raises the limit an error hit, and what reaching it takes. */
export interface HigherTier {
  readonly tier: Tier;
  /** The model's limit on that tier; absent when that tier publishes no such (daily) limit. */
  readonly limit?: number;
  readonly qualification: TierQualification;
}

/** Formatters for the hint's locale. */
export interface HintFormat {
  /** A wait: `1.9 s`, `1 min 26 s`, `24 h`. */
  wait(ms: number): string;
  /** A count with the locale's grouping: `30,000`. */
  number(value: number): string;
  /** A tier's name: `Tier 1`, `the free tier`. */
  tier(tier: Tier): string;
  /** An amount: `$50`. */
  usd(value: number): string;
  /** A header or field name as code. */
  code(text: string): string;
}

/** Everything a hint may use. Strings are already masked. */
export interface HintContext {
  readonly cause: Cause;
  readonly origin: Origin;
  readonly status?: number;
  readonly code?: string;
  readonly type?: string;
  readonly param?: string;
  readonly message: string;
  readonly model?: string;
  readonly requestId?: string;
  /** How long the API asked to wait, and which header or text said so. */
  readonly waitMs?: number;
  readonly waitSource?: string;
  readonly limit?: RateLimitInfo;
  /** What the model needs (tier, verification), when the model is known. */
  readonly requirement?: ModelRequirement;
  /** The lowest tier that raises the limit that was hit (or fits the request that was too large). */
  readonly higherTier?: HigherTier;
  /** The model is a known OpenAI model. */
  readonly knownModel: boolean;
  /** A current model to use instead of a retired one. */
  readonly successor?: string;
  /** The missing scope of a restricted key, from the message. */
  readonly scope?: string;
  /** The project named in the message. */
  readonly project?: string;
  /** The organization named in the message ("in organization org-…") or the response headers. */
  readonly organization?: string;
  /** The last four characters of the key the API showed (masked) in its message. */
  readonly keyEnding?: string;
  /** What verification was asked for. */
  readonly verificationOn?: 'model' | 'stream' | 'reasoning.summary';
  /** The network error code (ECONNREFUSED…). */
  readonly networkCode?: string;
  /** The host the request went to, when known. */
  readonly host?: string;
  readonly format: HintFormat;
}

/** A hint template: a cause's hint, written from its context. */
export type HintTemplate = (context: HintContext) => Hint;
