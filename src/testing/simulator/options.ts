/**
 * The simulator's options: what they mean, their defaults (here and nowhere else), and their
 * parsing — once, at `createSimulator`, with zod; unknown keys are refused and every error names the
 * dotted path, what was expected and what was given (`TierguardOptionsError`, as the guard's
 * options). Every option but `outputTokens` as a function and `now` is JSON, so the CLI and a
 * benchmark process can pass them through.
 */
import * as z from 'zod';
import { TIERS } from '../../data/tiers.js';
import { isFunction, parseWith, positive, positiveInteger } from '../../util/options.js';
import { accountSchema, type SimulatorAccount } from './account-options.js';
import { FAULT_KINDS, type FaultRule } from './faults.js';
import { lognormalLatency, type LatencySpec } from './latency.js';
import type {
  LatencyRange,
  ResolvedSimulatorOptions,
  SimulatedRequest,
  SimulatorLimits,
} from './options-types.js';

export type { SimulatorAccount, SimulatorAccountPatch } from './account-options.js';
export type { RateLimitHeaderMode } from './rate-headers.js';
export type {
  LatencyRange,
  LatencySpread,
  ResolvedSimulatorOptions,
  SimulatedRequest,
  SimulatorLimits,
  SimulatorOptions,
} from './options-types.js';

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
  promptCount: 'tokenizer',
  rateLimitHeaders: 'full',
  remainingHeader: 'floor',
  resetGranularityMs: 1,
  retryAfterHeaders: false,
  timelineLimit: 200_000,
} as const;

const nonNegative = (what: string) =>
  z.number({ error: `${what} (a number ≥ 0)` }).min(0, { error: `${what} (a number ≥ 0)` });
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

const schema = z
  .strictObject({
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
          z
            .strictObject({
              median: nonNegative('milliseconds'),
              p90: nonNegative('milliseconds'),
              min: nonNegative('milliseconds').optional(),
              max: nonNegative('milliseconds').optional(),
            })
            .refine((spread) => spread.median <= spread.p90, { error: 'median ≤ p90' })
            .refine((spread) => (spread.min ?? 0) <= (spread.max ?? Infinity), { error: 'min ≤ max' }),
        ],
        { error: 'milliseconds (a number ≥ 0), { min, max } or { median, p90, min?, max? }' },
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
    organization: z
      .string({ error: 'an organization id' })
      .min(1, { error: 'an organization id' })
      .optional(),
    apiKey: z.string({ error: 'an API key string' }).min(1, { error: 'an API key string' }).optional(),
    account: accountSchema.optional(),
    tokenCountFactor: positive('times the tokenizer count').optional(),
    promptCount: z
      .union(
        [z.literal('tokenizer'), z.strictObject({ charactersPerToken: positive('characters per token') })],
        { error: "'tokenizer' or { charactersPerToken } (a number > 0)" },
      )
      .optional(),
    defaultMaxOutputTokens: positiveInteger('tokens').optional(),
    outputTokens: z
      .union([z.number().int().min(0), z.custom<(request: SimulatedRequest) => number>(isFunction)], {
        error: 'a number of tokens (an integer ≥ 0) or a function (request) => number',
      })
      .optional(),
    embeddingDimensions: positiveInteger('dimensions').optional(),
    rateLimitHeaders: z
      .union(
        [
          z.enum(['full', 'none', 'minus-one']),
          z.strictObject({
            share: z
              .number({ error: 'a probability between 0 and 1' })
              .min(0, { error: 'a probability between 0 and 1' })
              .max(1, { error: 'a probability between 0 and 1' }),
          }),
        ],
        { error: "one of 'full', 'none', 'minus-one', or { share } (a probability between 0 and 1)" },
      )
      .optional(),
    remainingHeader: z.enum(['floor', 'exact'], { error: "'floor' or 'exact'" }).optional(),
    resetGranularityMs: positive('milliseconds').optional(),
    retryAfterHeaders: z.boolean({ error: 'true or false' }).optional(),
    faults: z.array(faultRuleSchema, { error: 'an array of fault rules' }).optional(),
    timelineLimit: z
      .number({ error: 'an integer ≥ 0' })
      .int({ error: 'an integer ≥ 0' })
      .min(0, { error: 'an integer ≥ 0' })
      .optional(),
    now: z.custom<() => number>(isFunction, { error: 'a function () => milliseconds' }).optional(),
  })
  // A factor of the tokenizer's count means nothing to a server that counts characters.
  .refine((options) => options.tokenCountFactor === undefined || typeof options.promptCount !== 'object', {
    error: 'no factor with promptCount: { charactersPerToken } (set the characters per token instead)',
    path: ['tokenCountFactor'],
  });

function resolveLatency(
  latency:
    | number
    | LatencyRange
    | { median: number; p90: number; min?: number | undefined; max?: number | undefined },
): LatencySpec {
  if (typeof latency === 'number') return { kind: 'uniform', min: latency, max: latency };
  if ('median' in latency)
    return lognormalLatency(latency.median, latency.p90, latency.min ?? 0, latency.max ?? 10 * latency.p90);
  return { kind: 'uniform', min: latency.min, max: latency.max };
}

/** Parses the options once; throws `TierguardOptionsError` naming every bad field. */
export function parseSimulatorOptions(input: unknown): ResolvedSimulatorOptions {
  const options = parseWith(schema, input ?? {}, '', Object.keys(schema.shape));
  const promptCount = options.promptCount ?? SIMULATOR_DEFAULTS.promptCount;
  return {
    tier: options.tier ?? SIMULATOR_DEFAULTS.tier,
    limits: (options.limits ?? {}) as Readonly<Record<string, SimulatorLimits>>,
    windowMs: options.windowMs ?? SIMULATOR_DEFAULTS.windowMs,
    latency: resolveLatency(options.latencyMs ?? SIMULATOR_DEFAULTS.latencyMs),
    streamChunkDelayMs: options.streamChunkDelayMs ?? SIMULATOR_DEFAULTS.streamChunkDelayMs,
    seed: options.seed ?? SIMULATOR_DEFAULTS.seed,
    port: options.port ?? SIMULATOR_DEFAULTS.port,
    host: SIMULATOR_DEFAULTS.host,
    organization: options.organization ?? SIMULATOR_DEFAULTS.organization,
    organizationGiven: options.organization !== undefined,
    apiKey: options.apiKey,
    account: (options.account ?? {}) as SimulatorAccount,
    tokenCountFactor: options.tokenCountFactor ?? SIMULATOR_DEFAULTS.tokenCountFactor,
    charactersPerToken: promptCount === 'tokenizer' ? undefined : promptCount.charactersPerToken,
    defaultMaxOutputTokens: options.defaultMaxOutputTokens ?? SIMULATOR_DEFAULTS.defaultMaxOutputTokens,
    outputTokens: options.outputTokens ?? SIMULATOR_DEFAULTS.outputTokens,
    embeddingDimensions: options.embeddingDimensions ?? SIMULATOR_DEFAULTS.embeddingDimensions,
    rateLimitHeaders: options.rateLimitHeaders ?? SIMULATOR_DEFAULTS.rateLimitHeaders,
    remainingHeader: options.remainingHeader ?? SIMULATOR_DEFAULTS.remainingHeader,
    resetGranularityMs: options.resetGranularityMs ?? SIMULATOR_DEFAULTS.resetGranularityMs,
    retryAfterHeaders: options.retryAfterHeaders ?? SIMULATOR_DEFAULTS.retryAfterHeaders,
    faults: (options.faults ?? []) as readonly FaultRule[],
    timelineLimit: options.timelineLimit ?? SIMULATOR_DEFAULTS.timelineLimit,
    // Read at each call, so that fake timers installed after construction still drive it.
    now: options.now ?? (() => Date.now()),
  };
}

/** Parses a fault rule (`inject`); throws `TierguardOptionsError` naming every bad field. */
export function parseFaultRule(input: unknown): FaultRule {
  return parseWith(faultRuleSchema, input, 'fault', Object.keys(faultRuleSchema.shape)) as FaultRule;
}
