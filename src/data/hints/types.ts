/**
 * The context a hint is written from, and the shape of a hint template. Templates are data with
 * holes: they read the context and the formatters it carries, and hold no other logic.
 */
import type { Cause, Origin } from '../causes.js';
import type { Tier, TierQualification } from '../tiers.js';
import type { Hint, ModelRequirement, Provider, RateLimitInfo, RetrySummary } from '../types.js';

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

/**
 * How the name of the model was written: an OpenAI model id, a fine-tune (`ft:…`), an Azure
 * deployment, a relay's `vendor/model`, a retired id, or a name nobody knows.
 */
export type ModelSort = 'openai' | 'fine-tune' | 'deployment' | 'relay' | 'retired' | 'unknown';

/** What the account's tier says about a model it was refused. */
export interface TierStanding {
  /** The lowest tier that can use the model: the one the message names, else the tier table's. */
  readonly needed: Tier;
  /** The message itself named `needed` ("must qualify for at least usage tier 5"). */
  readonly named: boolean;
  /** What reaching `needed` takes. */
  readonly qualification: TierQualification;
  /** The account's tier, when known. */
  readonly account?: Tier;
  /** The account's tier can use the model: the tier is not the reason (or not applied yet). */
  readonly allows?: boolean;
}

/** What a `context_length_exceeded` error and the model table say. */
export interface ContextFacts {
  /** The window: from the message, else the model table's. */
  readonly window?: number;
  /** The window came from the model table, not the message. */
  readonly windowFromTable: boolean;
  /** The limit is the model's input limit, not its whole window (gpt-5's 272,000 input tokens). */
  readonly inputLimit?: boolean;
  readonly requested?: number;
  /** The output the request asked for (`max_tokens`), when the message says. */
  readonly completion?: number;
  /** How many tokens over the window the request is. */
  readonly excess?: number;
  /** Current models whose window holds the request, cheapest first. */
  readonly larger: readonly { readonly model: string; readonly tokens: number }[];
}

/** Everything a hint may use. Strings are already masked. */
export interface HintContext {
  readonly cause: Cause;
  readonly origin: Origin;
  readonly status?: number;
  readonly code?: string;
  readonly type?: string;
  readonly param?: string;
  /** The error's message (masked, at most a few hundred characters). */
  readonly message: string;
  readonly model?: string;
  /** The model the request asked for, when the error names another. */
  readonly requestedModel?: string;
  readonly requestId?: string;
  /** How long the API asked to wait, and which header or text said so. */
  readonly waitMs?: number;
  readonly waitSource?: string;
  readonly limit?: RateLimitInfo;
  /** What a context-length error and the model table say. */
  readonly context?: ContextFacts;
  /** What the model needs (tier, verification), when the model is known. */
  readonly requirement?: ModelRequirement;
  /** The model's tier requirement against the account's tier. */
  readonly standing?: TierStanding;
  /** The lowest tier above the account's that raises the limit that was hit (or fits the request). */
  readonly higherTier?: HigherTier;
  /** The account's tier publishes a larger limit than the one the API reported (a project limit, or a tier change not applied yet). */
  readonly tierLimit?: { readonly tier: Tier; readonly limit: number };
  /** The model is a known OpenAI model. */
  readonly knownModel: boolean;
  /** How the model's name was written. */
  readonly modelSort: ModelSort;
  /** A fine-tune's base model and owning organization, from its name. */
  readonly fineTune?: { readonly base: string; readonly organization?: string };
  /** A relay name's vendor prefix (`anthropic` of `anthropic/claude-…`). */
  readonly vendor?: string;
  /** A current model to use instead of a retired one. */
  readonly successor?: string;
  /** The date a retired model was shut down. */
  readonly retiredOn?: string;
  /** The account's usage tier, when known. */
  readonly tier?: Tier;
  /** Who the call went to, when known. */
  readonly provider?: Provider;
  /** The data-residency region of the OpenAI host the call went to. */
  readonly region?: string;
  /** The host of the base URL the call went to. */
  readonly endpointHost?: string;
  /** How the guard's retries ended. */
  readonly retries?: RetrySummary;
  /** What the answer's `x-should-retry` header decided, when it overruled the catalogue (the diagnosis's `retryable`). */
  readonly retryHeader?: boolean;
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
  /** The host the request went to, when a network error names it. */
  readonly host?: string;
  readonly format: HintFormat;
}

/** A hint template: a cause's hint, written from its context. */
export type HintTemplate = (context: HintContext) => Hint;

/** The sentences every locale writes around a cause's own hint. */
export interface HintFrame {
  /** The first step of a guarded call's final diagnosis: how many attempts ran and why they stopped. */
  retries(context: HintContext, retries: RetrySummary): string;
  /**
   * The last step when the answer's `x-should-retry: true` made a cause retryable that is not
   * otherwise (a `false` replaces the templates' own retry steps instead: `retried`).
   */
  retryHeader(context: HintContext): string;
}
