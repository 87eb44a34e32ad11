/**
 * The simulator's options: what they mean, their defaults (here and nowhere else), and their
 * parsing — once, at `createSimulator`, with zod; unknown keys are refused and every error names the
 * dotted path, what was expected and what was given (`TierguardOptionsError`, as the guard's
 * options). Every option but `outputTokens` as a function and `now` is JSON, so the CLI and a
 * benchmark process can pass them through.
 */
import { z } from 'zod';
import { TIERS, type Tier } from '../../data/tiers.js';
import { isFunction, parseWith, positive, positiveInteger } from '../../util/options.js';
import { FAULT_KINDS, type FaultRule } from './faults.js';

/** The account the simulator plays; every field can change mid-run with `setAccount`. */
export interface SimulatorAccount {
  /**
   * Billing set up; `false` answers 429 `billing_not_active` (openai-api.md Table 1 #26).
   * @default true
   */
  readonly billingActive?: boolean;
  /**
   * Prepaid credit, USD. Each served call's cost is taken from it; at 0 or below the API answers
   * 429 `insufficient_quota` (Table 1 #21).
   * @default Infinity
   */
  readonly creditUsd?: number;
  /**
   * Report used-up credit as `credit_balance_exhausted` (Table 1 #22) instead of `insufficient_quota`.
   * @default false
   */
  readonly prepaid?: boolean;
  /**
   * What the organization has spent this month, USD; served calls add their cost.
   * @default 0
   */
  readonly spentUsd?: number;
  /**
   * The organization's hard monthly spend limit, USD: at or above it, 429
   * `organization_spend_limit_exceeded` (Table 1 #23).
   */
  readonly spendLimitUsd?: number;
  /** The project's spend limit, USD: 429 `project_spend_limit_exceeded` (Table 1 #24). */
  readonly projectSpendLimitUsd?: number;
  /**
   * OpenAI's monthly usage limit of the tier, USD: 429 `organization_usage_limit_exceeded` (Table 1
   * #25). Not enforced unless set (Table 3 lists each tier's figure), so long runs do not run into it.
   */
  readonly usageLimitUsd?: number;
  /**
   * `false` answers every call 403 `unsupported_country_region_territory` (Table 1 #9).
   * @default true
   */
  readonly regionSupported?: boolean;
  /**
   * `false`: gpt-image-1 answers 403, o3 and gpt-5 refuse `stream: true` and `reasoning.summary`
   * with 400 `unsupported_value` (Table 1 #12–15, `VERIFICATION_REQUIREMENTS`).
   * @default true
   */
  readonly organizationVerified?: boolean;
  /** The project's allowed models (names or families); any other model answers 403 (Table 1 #11). */
  readonly allowedModels?: readonly string[];
}

/** A change to the account: a field set to `undefined` (or `null`, from JSON) returns to its default. */
export type SimulatorAccountPatch = {
  readonly [Field in keyof SimulatorAccount]?: SimulatorAccount[Field] | undefined | null;
};

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
   * it. Run a minute in a second to test pacing quickly.
   * @default 60_000
   */
  readonly windowMs?: number;
  /**
   * Added before each answer: a fixed number of ms, or a range drawn uniformly from the seeded
   * generator. A tierguard default, small enough for thousands of calls.
   * @default { min: 0, max: 2 }
   */
  readonly latencyMs?: number | { readonly min: number; readonly max: number };
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
   * and in the `usage` it reports: 1.33 plays a server that counts a third more than you do.
   * @default 1
   */
  readonly tokenCountFactor?: number;
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
   * `'none'` sends none (openai-node#1477); `'minus-one'` sends Azure's -1 token headers (Table 1b).
   * @default 'full'
   */
  readonly rateLimitHeaders?: 'full' | 'none' | 'minus-one';
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

/** The options with every default filled in. */
export interface ResolvedSimulatorOptions {
  readonly tier: Tier;
  readonly limits: Readonly<Record<string, SimulatorLimits>>;
  readonly windowMs: number;
  readonly latencyMs: { readonly min: number; readonly max: number };
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
  readonly defaultMaxOutputTokens: number;
  readonly outputTokens: number | ((request: SimulatedRequest) => number);
  readonly embeddingDimensions: number;
  readonly rateLimitHeaders: 'full' | 'none' | 'minus-one';
  readonly retryAfterHeaders: boolean;
  readonly faults: readonly FaultRule[];
  readonly timelineLimit: number;
  readonly now: () => number;
}

/** The defaults, in one place. */
export const SIMULATOR_DEFAULTS = {
  tier: 'tier-1',
  windowMs: 60_000,
  latencyMs: { min: 0, max: 2 },
  streamChunkDelayMs: 0,
  seed: 1,
  port: 0,
  host: '127.0.0.1',
  organization: 'org-simulated',
  tokenCountFactor: 1,
  defaultMaxOutputTokens: 1_024,
  outputTokens: 20,
  embeddingDimensions: 8,
  rateLimitHeaders: 'full',
  retryAfterHeaders: false,
  timelineLimit: 200_000,
} as const;

const nonNegative = (what: string) =>
  z.number({ error: `${what} (a number ≥ 0)` }).min(0, { error: `${what} (a number ≥ 0)` });
// zod 4 refuses infinite numbers; credit may be Infinity (unlimited) in code, absent in JSON.
const usd = (what: string) =>
  z.custom<number>((value) => typeof value === 'number' && !Number.isNaN(value), {
    error: `${what} in USD (a number)`,
  });

const accountFields = {
  billingActive: z.boolean({ error: 'true or false' }),
  creditUsd: usd('prepaid credit'),
  prepaid: z.boolean({ error: 'true or false' }),
  spentUsd: usd('spend this month'),
  spendLimitUsd: usd('a spend limit'),
  projectSpendLimitUsd: usd('a spend limit'),
  usageLimitUsd: usd('a usage limit'),
  regionSupported: z.boolean({ error: 'true or false' }),
  organizationVerified: z.boolean({ error: 'true or false' }),
  allowedModels: z.array(z.string(), { error: 'an array of model names' }),
} as const;

const accountSchema = z.strictObject(
  {
    billingActive: accountFields.billingActive.optional(),
    creditUsd: accountFields.creditUsd.optional(),
    prepaid: accountFields.prepaid.optional(),
    spentUsd: accountFields.spentUsd.optional(),
    spendLimitUsd: accountFields.spendLimitUsd.optional(),
    projectSpendLimitUsd: accountFields.projectSpendLimitUsd.optional(),
    usageLimitUsd: accountFields.usageLimitUsd.optional(),
    regionSupported: accountFields.regionSupported.optional(),
    organizationVerified: accountFields.organizationVerified.optional(),
    allowedModels: accountFields.allowedModels.optional(),
  },
  { error: 'an object describing the account (billingActive, creditUsd, spendLimitUsd, …)' },
);

const accountPatchSchema = z.strictObject(
  {
    billingActive: accountFields.billingActive.nullish(),
    creditUsd: accountFields.creditUsd.nullish(),
    prepaid: accountFields.prepaid.nullish(),
    spentUsd: accountFields.spentUsd.nullish(),
    spendLimitUsd: accountFields.spendLimitUsd.nullish(),
    projectSpendLimitUsd: accountFields.projectSpendLimitUsd.nullish(),
    usageLimitUsd: accountFields.usageLimitUsd.nullish(),
    regionSupported: accountFields.regionSupported.nullish(),
    organizationVerified: accountFields.organizationVerified.nullish(),
    allowedModels: accountFields.allowedModels.nullish(),
  },
  { error: 'an object of account fields to change' },
);

const limitsSchema = z.strictObject(
  {
    requests: positive('requests per window').optional(),
    tokens: positive('tokens per window').optional(),
    requestsPerDay: positive('requests per day').optional(),
    images: positive('images per window').optional(),
  },
  { error: 'an object { requests?, tokens?, requestsPerDay?, images? }' },
);

/** The schema of one fault rule (shared with `inject`). */
export const faultRuleSchema = z.strictObject(
  {
    fault: z.enum(FAULT_KINDS, { error: `one of ${FAULT_KINDS.map((kind) => `'${kind}'`).join(', ')}` }),
    rate: z
      .number({ error: 'a probability between 0 and 1' })
      .min(0, { error: 'a probability between 0 and 1' })
      .max(1, { error: 'a probability between 0 and 1' })
      .optional(),
    count: z
      .number({ error: 'an integer ≥ 0' })
      .int({ error: 'an integer ≥ 0' })
      .min(0, { error: 'an integer ≥ 0' })
      .optional(),
    after: z
      .number({ error: 'an integer ≥ 0' })
      .int({ error: 'an integer ≥ 0' })
      .min(0, { error: 'an integer ≥ 0' })
      .optional(),
    models: z.array(z.string(), { error: 'an array of model names' }).optional(),
    paths: z.array(z.string(), { error: "an array of paths such as '/v1/chat/completions'" }).optional(),
  },
  { error: 'a fault rule { fault, rate?, count?, after?, models?, paths? }' },
);

const schema = z.strictObject({
  tier: z.enum(TIERS, { error: `one of ${TIERS.map((tier) => `'${tier}'`).join(', ')}` }).optional(),
  limits: z
    .record(z.string(), limitsSchema, {
      error: "an object of limits per model: { 'gpt-4o': { requests, tokens } }",
    })
    .optional(),
  windowMs: positive('milliseconds').optional(),
  latencyMs: z
    .union(
      [
        nonNegative('milliseconds'),
        z
          .strictObject({ min: nonNegative('milliseconds'), max: nonNegative('milliseconds') })
          .refine((range) => range.min <= range.max, { error: 'min ≤ max' }),
      ],
      { error: 'milliseconds (a number ≥ 0) or { min, max }' },
    )
    .optional(),
  streamChunkDelayMs: nonNegative('milliseconds').optional(),
  seed: z.number({ error: 'a finite number' }).optional(),
  port: z
    .number({ error: 'a port between 0 and 65535' })
    .int({ error: 'a port between 0 and 65535' })
    .min(0, { error: 'a port between 0 and 65535' })
    .max(65_535, { error: 'a port between 0 and 65535' })
    .optional(),
  host: z.literal('127.0.0.1', { error: "'127.0.0.1' (the simulator binds to loopback only)" }).optional(),
  organization: z.string({ error: 'an organization id' }).min(1, { error: 'an organization id' }).optional(),
  apiKey: z.string({ error: 'an API key string' }).min(1, { error: 'an API key string' }).optional(),
  account: accountSchema.optional(),
  tokenCountFactor: positive('times the tokenizer count').optional(),
  defaultMaxOutputTokens: positiveInteger('tokens').optional(),
  outputTokens: z
    .union([z.number().int().min(0), z.custom<(request: SimulatedRequest) => number>(isFunction)], {
      error: 'a number of tokens (an integer ≥ 0) or a function (request) => number',
    })
    .optional(),
  embeddingDimensions: positiveInteger('dimensions').optional(),
  rateLimitHeaders: z
    .enum(['full', 'none', 'minus-one'], { error: "one of 'full', 'none', 'minus-one'" })
    .optional(),
  retryAfterHeaders: z.boolean({ error: 'true or false' }).optional(),
  faults: z.array(faultRuleSchema, { error: 'an array of fault rules' }).optional(),
  timelineLimit: z
    .number({ error: 'an integer ≥ 0' })
    .int({ error: 'an integer ≥ 0' })
    .min(0, { error: 'an integer ≥ 0' })
    .optional(),
  now: z.custom<() => number>(isFunction, { error: 'a function () => milliseconds' }).optional(),
});

/** Parses the options once; throws `TierguardOptionsError` naming every bad field. */
export function parseSimulatorOptions(input: unknown): ResolvedSimulatorOptions {
  const options = parseWith(schema, input ?? {}, '', Object.keys(schema.shape));
  const latency = options.latencyMs ?? SIMULATOR_DEFAULTS.latencyMs;
  return {
    tier: options.tier ?? SIMULATOR_DEFAULTS.tier,
    limits: (options.limits ?? {}) as Readonly<Record<string, SimulatorLimits>>,
    windowMs: options.windowMs ?? SIMULATOR_DEFAULTS.windowMs,
    latencyMs: typeof latency === 'number' ? { min: latency, max: latency } : latency,
    streamChunkDelayMs: options.streamChunkDelayMs ?? SIMULATOR_DEFAULTS.streamChunkDelayMs,
    seed: options.seed ?? SIMULATOR_DEFAULTS.seed,
    port: options.port ?? SIMULATOR_DEFAULTS.port,
    host: SIMULATOR_DEFAULTS.host,
    organization: options.organization ?? SIMULATOR_DEFAULTS.organization,
    organizationGiven: options.organization !== undefined,
    apiKey: options.apiKey,
    account: (options.account ?? {}) as SimulatorAccount,
    tokenCountFactor: options.tokenCountFactor ?? SIMULATOR_DEFAULTS.tokenCountFactor,
    defaultMaxOutputTokens: options.defaultMaxOutputTokens ?? SIMULATOR_DEFAULTS.defaultMaxOutputTokens,
    outputTokens: options.outputTokens ?? SIMULATOR_DEFAULTS.outputTokens,
    embeddingDimensions: options.embeddingDimensions ?? SIMULATOR_DEFAULTS.embeddingDimensions,
    rateLimitHeaders: options.rateLimitHeaders ?? SIMULATOR_DEFAULTS.rateLimitHeaders,
    retryAfterHeaders: options.retryAfterHeaders ?? SIMULATOR_DEFAULTS.retryAfterHeaders,
    faults: (options.faults ?? []) as readonly FaultRule[],
    timelineLimit: options.timelineLimit ?? SIMULATOR_DEFAULTS.timelineLimit,
    // Read at each call, so that fake timers installed after construction still drive it.
    now: options.now ?? (() => Date.now()),
  };
}

/** Parses an account patch (`setAccount`); throws `TierguardOptionsError` naming every bad field. */
export function parseAccountPatch(input: unknown): SimulatorAccountPatch {
  return parseWith(accountPatchSchema, input ?? {}, 'account', Object.keys(accountPatchSchema.shape));
}

/** Parses a fault rule (`inject`); throws `TierguardOptionsError` naming every bad field. */
export function parseFaultRule(input: unknown): FaultRule {
  return parseWith(faultRuleSchema, input, 'fault', Object.keys(faultRuleSchema.shape)) as FaultRule;
}
