/**
 * The simulator's options as callers write them (`SimulatorOptions`) and as `createSimulator`
 * resolves them (`ResolvedSimulatorOptions`): what each means. Their defaults and parsing are in
 * `options.ts`.
 */
import type { Tier } from '../../data/tiers.js';
import type { SimulatorAccount } from './account-options.js';
import type { FaultRule } from './faults.js';
import type { LatencySpec } from './latency.js';
import type { RateLimitHeaderMode } from './rate-headers.js';

/** Limits of one model or family, per window, replacing the tier table's figures field by field. */
export interface SimulatorLimits {
  /** Requests per window (RPM). */
  readonly requests?: number;
  /** Tokens per window (TPM). */
  readonly tokens?: number;
  /** Requests per 1,440 windows (RPD). */
  readonly requestsPerDay?: number;
  /** Images per window (IPM). */
  readonly images?: number;
}

/** What `outputTokens` as a function is told of a request. */
export interface SimulatedRequest {
  readonly endpoint: 'chat' | 'responses';
  /** The model as the request names it. */
  readonly model: string;
  /** The request body as parsed JSON. */
  readonly body: Readonly<Record<string, unknown>>;
  /** The largest output the request allows per choice (its maximum, or `defaultMaxOutputTokens`). */
  readonly maxOutputTokens: number;
}

/** Options of `createSimulator`. */
export interface SimulatorOptions {
  /**
   * The usage tier whose limits and model access the account has (openai-api.md Tables 3–4).
   * @default 'tier-1'
   */
  readonly tier?: Tier;
  /**
   * Limits per window by model name, family (`gpt-4o` covers its snapshots) or `'*'` (every model),
   * replacing the tier table's figures field by field; the most specific key wins per field. A model
   * or family named here is served on any tier; `'*'` changes numbers only.
   */
  readonly limits?: Readonly<Record<string, SimulatorLimits>>;
  /**
   * The length of a "minute": every per-minute bucket refills over it, per-day buckets over 1,440 of
   * it. Run a minute in a second to test pacing quickly. No header or message names it (429s still
   * say "per min"), as the API's do not: a client told nothing must infer it from
   * `x-ratelimit-reset-*` (the time until the bucket is full again).
   * @default 60_000
   */
  readonly windowMs?: number;
  /**
   * Added before each answer, after the call was charged (the headers speak for the moment of the
   * charge, so a long latency makes them old): a fixed number of ms; a range `{ min, max }` drawn
   * uniformly; or a log-normal spread `{ median, p90, min?, max? }` (right-skewed, as completions
   * are), clamped to `[min, max]` (default `[0, 10 × p90]`). Drawn from the seeded generator. The
   * default is a tierguard choice, small enough for thousands of calls.
   * @default { min: 0, max: 2 }
   */
  readonly latencyMs?: number | LatencyRange | LatencySpread;
  /**
   * Pause between streamed events, ms.
   * @default 0
   */
  readonly streamChunkDelayMs?: number;
  /**
   * Seed of the generators behind fault rates and latencies.
   * @default 1
   */
  readonly seed?: number;
  /**
   * The port to listen on; 0 picks a free one.
   * @default 0
   */
  readonly port?: number;
  /**
   * The only interface the simulator binds to.
   * @default '127.0.0.1'
   */
  readonly host?: '127.0.0.1';
  /**
   * The organization id in 429 messages and the `openai-organization` header. When set, a request
   * whose `OpenAI-Organization` header names another one answers 401 `mismatched_organization`
   * (Table 1 #4).
   * @default 'org-simulated'
   */
  readonly organization?: string;
  /**
   * The one key the account accepts; any other gets 401 `invalid_api_key` with the key masked in the
   * message (Table 1 #1). Unset: any non-empty key is accepted. No key at all is always 401 (#5b).
   */
  readonly apiKey?: string;
  /** The account's state (billing, credit, spend limits, region, verification, allowed models). */
  readonly account?: SimulatorAccount;
  /**
   * The server counts this × the tokenizer's prompt tokens (rounded up), in the rate-limit charge
   * and in the `usage` it reports: 1.33 plays a server that counts a third more than you do. Only
   * with `promptCount: 'tokenizer'`.
   * @default 1
   */
  readonly tokenCountFactor?: number;
  /**
   * How the server counts a prompt, in the rate-limit charge and in `usage.prompt_tokens`:
   * `'tokenizer'`, the model's tokenizer plus the chat format's overhead (OpenAI's recipe); or
   * `{ charactersPerToken: k }`, `ceil(characters of the prompt's text / k)` with no tokenizer, as
   * relays and compatible servers estimate — a count no client tokenizer reproduces, which the client
   * can learn only from `usage`. The output maximum × n is charged on top in both.
   * @default 'tokenizer'
   */
  readonly promptCount?: 'tokenizer' | { readonly charactersPerToken: number };
  /**
   * The output charged to the TPM bucket when a request sets no `max_tokens`,
   * `max_completion_tokens` or `max_output_tokens`. OpenAI does not document what it charges then
   * (openai-api.md "Could not confirm"); 1,024 is tierguard's own assumption, the same as the
   * guard's `defaultMaxOutputTokens`, so that the two count alike out of the box.
   * @default 1_024
   */
  readonly defaultMaxOutputTokens?: number;
  /**
   * Tokens a completion "generates" per choice, never more than the request's maximum (a completion
   * cut by its maximum ends with `finish_reason: 'length'` / status `incomplete`). A function
   * decides per request.
   * @default 20
   */
  readonly outputTokens?: number | ((request: SimulatedRequest) => number);
  /**
   * Length of the vectors `/v1/embeddings` returns when the request does not ask for `dimensions`
   * (kept small: tests and benchmarks do not need 1,536 floats).
   * @default 8
   */
  readonly embeddingDimensions?: number;
  /**
   * `x-ratelimit-*` headers (Table 2): on every answer that reached the rate limiter, 429s included;
   * `'none'` sends none (openai-node#1477); `'minus-one'` sends Azure's -1 token headers (Table 1b);
   * `{ share: 0.3 }` sends them on that share of answers (drawn from the seeded generator) and none on
   * the rest, as with headers that are sometimes missing (community thread in Table 2's caveats).
   * @default 'full'
   */
  readonly rateLimitHeaders?: RateLimitHeaderMode;
  /**
   * `x-ratelimit-remaining-*`: `'floor'`, the whole units left, as the API sends them (so a client
   * reading them sees up to one unit less than there is); `'exact'`, the level to 1/1000.
   * @default 'floor'
   */
  readonly remainingHeader?: 'floor' | 'exact';
  /**
   * `x-ratelimit-reset-*` is rounded up to a multiple of this many ms: 1 writes it as precisely as
   * the API's Go durations go (`6ms`, `3.6s`), 1,000 in whole seconds (`4s`, `1m0s`), as in the API's
   * documented samples (`1s`, `6m0s`) — a coarse grain hides the window from a client inferring it.
   * @default 1
   */
  readonly resetGranularityMs?: number;
  /**
   * Send `retry-after` and `retry-after-ms` on rate-limit 429s. Azure does (MS-AZ429); OpenAI is not
   * confirmed to (openai-api.md "Could not confirm"), hence off.
   * @default false
   */
  readonly retryAfterHeaders?: boolean;
  /** Faults to inject (more can be added with `inject`). */
  readonly faults?: readonly FaultRule[];
  /**
   * Entries kept in `stats().timeline`, oldest dropped first, so memory stays bounded.
   * @default 200_000
   */
  readonly timelineLimit?: number;
  /**
   * The clock, in ms (read at each request). Tests pass their own to move time without sleeping.
   * @default Date.now
   */
  readonly now?: () => number;
}

/** A latency drawn uniformly from `[min, max]` ms. */
export interface LatencyRange {
  readonly min: number;
  readonly max: number;
}

/** A log-normal latency, ms: half the answers faster than `median`, nine in ten faster than `p90`. */
export interface LatencySpread {
  readonly median: number;
  readonly p90: number;
  /** @default 0 */
  readonly min?: number;
  /** @default 10 × p90 */
  readonly max?: number;
}

/** The options with every default filled in. */
export interface ResolvedSimulatorOptions {
  readonly tier: Tier;
  readonly limits: Readonly<Record<string, SimulatorLimits>>;
  readonly windowMs: number;
  readonly latency: LatencySpec;
  readonly streamChunkDelayMs: number;
  readonly seed: number;
  readonly port: number;
  readonly host: '127.0.0.1';
  readonly organization: string;
  /** The organization was given, so a mismatching `OpenAI-Organization` header is refused. */
  readonly organizationGiven: boolean;
  readonly apiKey: string | undefined;
  readonly account: SimulatorAccount;
  readonly tokenCountFactor: number;
  /** `undefined`: the tokenizer counts; a number: `ceil(characters / it)`. */
  readonly charactersPerToken: number | undefined;
  readonly defaultMaxOutputTokens: number;
  readonly outputTokens: number | ((request: SimulatedRequest) => number);
  readonly embeddingDimensions: number;
  readonly rateLimitHeaders: RateLimitHeaderMode;
  readonly remainingHeader: 'floor' | 'exact';
  readonly resetGranularityMs: number;
  readonly retryAfterHeaders: boolean;
  readonly faults: readonly FaultRule[];
  readonly timelineLimit: number;
  readonly now: () => number;
}
