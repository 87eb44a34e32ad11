/**
 * The guard's options, parsed once at construction with `zod/mini` (its functional API: the classic
 * one costs a new process's first call more, docs/decisions.md "Cold start"): unknown keys refused,
 * absurd values refused (a window above a day, fractional limits, a non-http(s) base URL, a model
 * falling back to itself, a chain beyond 8), and an error that names the dotted path, what was
 * expected and what was given. zod never appears in the public types.
 */
import * as z from 'zod/mini';
import { CAUSES } from '../data/causes.js';
import { TIERS } from '../data/tiers.js';
import { LOCALES } from '../diagnose/types.js';
import type { TokenCounter } from '../tokens/estimate.js';
import type { ExplicitLimit } from '../pacing/limits.js';
import type { RedisLike } from '../stores/redis.js';
import type { BucketStore } from '../pacing/types.js';
import {
  isFunction,
  keysAt,
  PARSE_CONTEXT,
  parseWith,
  positiveIntegerMini as positiveInteger,
  positiveMini as positive,
  TierguardOptionsError,
} from '../util/options.js';
import { isPackageInstalled } from '../util/package-installed.js';
import type { GuardEvent } from '../telemetry/events.js';
import { LOG_LEVELS, type Logger } from '../telemetry/logging.js';
import type { MeterLike } from '../telemetry/metrics.js';
import { DEFAULT_FALLBACK_ON, DEFAULTS, type FallbackTarget, type ResolvedOptions } from './options.js';

const millis = (what: string) =>
  z
    .number({ error: `${what} in milliseconds (a number ≥ 0)` })
    .check(z.minimum(0, { error: `${what} in milliseconds (a number ≥ 0)` }));
const MAX_CHAIN = 8;
/**
 * `literal` (`false`: the feature turned off; `'cheaper'`), or what `schema` accepts, refused with
 * `schema`'s own errors and paths: a union would report one vague error for the whole field.
 */
function literalOr<Literal extends string | boolean, Schema extends z.ZodMiniType>(
  literal: Literal,
  schema: Schema,
) {
  return z.pipe(
    z.unknown(),
    z.transform((value, payload): Literal | z.output<Schema> => {
      if (value === literal) return literal;
      const parsed = z.safeParse(schema, value, PARSE_CONTEXT);
      if (parsed.success) return parsed.data;
      // Passed on as they are, their messages written: only the type of `input` is widened. An
      // unknown key carries the keys its object knows (`schema` cannot be reached from outside).
      for (const issue of parsed.error.issues) {
        const known = issue.code === 'unrecognized_keys' ? keysAt(schema, issue.path) : undefined;
        payload.issues.push({
          ...issue,
          ...(known === undefined ? {} : { known }),
        } as (typeof payload.issues)[number]);
      }
      return z.NEVER;
    }),
  );
}
const falseOr = <Schema extends z.ZodMiniType>(schema: Schema) => literalOr(false, schema);
const isBucketStore = (value: unknown): boolean =>
  typeof value === 'object' &&
  value !== null &&
  ['take', 'adjust', 'sync', 'holdOff', 'configure', 'peek', 'drop', 'close'].every(
    (name) => typeof (value as Record<string, unknown>)[name] === 'function',
  ) &&
  typeof (value as { shared?: unknown }).shared === 'boolean';
const isRedisClient = (value: unknown): boolean =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { evalsha?: unknown }).evalsha === 'function';
const hasMethods = (value: unknown, names: readonly string[]): boolean =>
  typeof value === 'object' &&
  value !== null &&
  names.every((name) => typeof (value as Record<string, unknown>)[name] === 'function');
const METER_METHODS = [
  'createCounter',
  'createHistogram',
  'createObservableGauge',
  'addBatchObservableCallback',
  'removeBatchObservableCallback',
] as const;
const LOGGER_METHODS = ['debug', 'info', 'warn', 'error'] as const;

const DAY_MS = 86_400_000;
// Beyond any real account's limit: a number this large is a mistake.
const MAX_LIMIT = 1e12;
const windowSchema = () =>
  positive('milliseconds').check(z.maximum(DAY_MS, { error: 'a window of at most a day (86_400_000 ms)' }));
const limit = (what: string) => z.optional(positiveInteger(what).check(z.maximum(MAX_LIMIT)));
const limitSchema = () =>
  z.strictObject(
    {
      requests: limit('requests per window'),
      tokens: limit('tokens per window'),
      requestsPerDay: limit('requests per day'),
      images: limit('images per window'),
      windowMs: z.optional(windowSchema()),
    },
    { error: 'an object { requests?, tokens?, requestsPerDay?, images?, windowMs? }' },
  );

const fallbackTargetSchema = () =>
  z.union(
    [
      z.string().check(z.minLength(1)),
      z.strictObject({
        model: z.string({ error: 'a model name' }).check(z.minLength(1, { error: 'a model name' })),
        baseURL: z.optional(
          z.url({ protocol: /^https?$/, error: 'an http(s) URL such as https://relay.example/v1' }),
        ),
        apiKey: z.optional(
          z.string({ error: 'an API key string' }).check(z.minLength(1, { error: 'an API key string' })),
        ),
        organization: z.optional(z.string({ error: 'an organization id' })),
        project: z.optional(z.string({ error: 'a project id' })),
      }),
    ],
    { error: 'a model name or { model, baseURL?, apiKey?, organization?, project? }' },
  );

const chainsSchema = () =>
  z
    .record(
      z.string(),
      // `'cheaper'`, or a chain whose own errors (its length, a target) are the ones reported.
      literalOr(
        'cheaper' as const,
        z
          .array(fallbackTargetSchema(), { error: "an array of fallback models, or 'cheaper'" })
          .check(z.maxLength(MAX_CHAIN, { error: `at most ${MAX_CHAIN} fallbacks per model` })),
      ),
      {
        error:
          "false, 'cheaper', or an object mapping a model to its fallbacks: { 'gpt-4o': ['gpt-4o-mini'] }",
      },
    )
    .check(
      z.superRefine((chains, context) => {
        for (const [model, targets] of Object.entries(chains)) {
          if (targets === 'cheaper') continue;
          targets.forEach((target, index) => {
            const sameModel = (typeof target === 'string' ? target : target.model) === model;
            const sameEndpoint =
              typeof target === 'string' || (target.baseURL === undefined && target.apiKey === undefined);
            if (sameModel && sameEndpoint)
              context.addIssue({
                code: 'custom',
                path: [model, index],
                message:
                  'a different model (or the same model on another endpoint): a model cannot fall back to itself',
                input: target,
              });
          });
        }
      }),
    );

/**
 * Each option's schema, built the first time a guard is given that option: building them all took
 * a new process about 4 ms at import (docs/decisions.md §31), and `guard(client)` gives none.
 */
const OPTIONS = {
  tier: () =>
    z.enum([...TIERS, 'auto'], {
      error: `one of ${[...TIERS, 'auto'].map((tier) => `'${tier}'`).join(', ')}`,
    }),
  limits: () =>
    z.record(z.string(), limitSchema(), {
      error: 'an object of limits per model: { "gpt-4o": { requests, tokens } }',
    }),
  windowMs: windowSchema,
  pacing: () => z.boolean({ error: 'true or false' }),
  maxQueued: () =>
    z.union([z.literal(Number.POSITIVE_INFINITY), positiveInteger('calls, or Infinity')], {
      error: 'a positive integer number of calls, or Infinity',
    }),
  maxWaitMs: () =>
    z.union([millis('a wait'), z.record(z.string(), millis('a wait'))], {
      error: "milliseconds, or milliseconds per model ({ 'gpt-4o': 2000, '*': 10000 })",
    }),
  shareLimitsAcrossKeys: () => z.boolean({ error: 'true or false' }),
  store: () =>
    z.custom<BucketStore>(isBucketStore, {
      error: 'a BucketStore (take, adjust, sync, holdOff, configure, peek, drop, close)',
    }),
  countTokens: () => z.custom<TokenCounter>(isFunction, { error: 'a function (text, model) => number' }),
  redis: () =>
    z.union([z.string().check(z.minLength(1)), z.custom<RedisLike>(isRedisClient)], {
      error: 'a Redis URL (redis://host:port) or an ioredis client',
    }),
  keyPrefix: () => z.string({ error: 'a string' }),
  retry: () =>
    falseOr(
      z
        .strictObject(
          {
            maxAttempts: z.optional(positiveInteger('attempts, the first included')),
            maxRetries: z.optional(
              z
                .number({ error: 'retries after the first attempt (an integer ≥ 0)' })
                .check(
                  z.int({ error: 'retries after the first attempt (an integer ≥ 0)' }),
                  z.minimum(0, { error: 'retries after the first attempt (an integer ≥ 0)' }),
                ),
            ),
            maxDelayMs: z.optional(millis('a delay')),
            maxElapsedMs: z.optional(positive('milliseconds')),
          },
          { error: 'false, or an object { maxAttempts? | maxRetries?, maxDelayMs?, maxElapsedMs? }' },
        )
        .check(
          z.superRefine((retry, context) => {
            if (retry.maxAttempts !== undefined && retry.maxRetries !== undefined)
              context.addIssue({
                code: 'custom',
                path: ['maxRetries'],
                message: 'either maxAttempts (the first attempt included) or maxRetries, not both',
                input: retry.maxRetries,
              });
          }),
        ),
    ),
  // `false`: no fallback. `'cheaper'` is `{ '*': 'cheaper' }`: read as the record, whose errors name the model.
  fallback: () =>
    falseOr(
      z.pipe(
        z.transform((value: unknown) => (value === 'cheaper' ? { '*': 'cheaper' } : value)),
        chainsSchema(),
      ),
    ),
  fallbackOn: () =>
    z.array(z.enum(CAUSES, { error: 'a cause id (see CAUSES)' }), { error: 'an array of cause ids' }),
  locale: () => z.enum(LOCALES, { error: `one of ${LOCALES.map((locale) => `'${locale}'`).join(', ')}` }),
  onEvent: () => z.custom<(event: GuardEvent) => void>(isFunction, { error: 'a function (event) => void' }),
  budget: () =>
    z.strictObject(
      {
        monthlyUsd: positive('USD'),
        alertAt: z.optional(
          z.array(
            z
              .number()
              .check(
                z.gt(0, { error: 'shares of the budget between 0 and 1' }),
                z.lte(1, { error: 'shares of the budget between 0 and 1' }),
              ),
            {
              error: 'an array of shares of the budget between 0 and 1',
            },
          ),
        ),
        onExhausted: z.optional(
          z.enum(['refuse', 'fallback', 'warn'], { error: "one of 'refuse', 'fallback', 'warn'" }),
        ),
        clampOutput: z.optional(z.boolean({ error: 'true or false' })),
        minOutputTokens: z.optional(positiveInteger('tokens')),
      },
      { error: 'an object { monthlyUsd, alertAt?, onExhausted?, clampOutput?, minOutputTokens? }' },
    ),
  deployments: () =>
    z.record(z.string(), z.string({ error: 'a model name (string)' }), {
      error: 'an object mapping deployment names to model names',
    }),
  defaultMaxOutputTokens: () => positiveInteger('tokens'),
  fetch: () => z.custom<typeof globalThis.fetch>(isFunction, { error: 'a fetch function' }),
  meter: () =>
    z.custom<MeterLike>((value) => hasMethods(value, METER_METHODS), {
      error: `an OpenTelemetry Meter (metrics.getMeter('tierguard')) with ${METER_METHODS.join(', ')}`,
    }),
  metrics: () => z.boolean({ error: 'true or false' }),
  logger: () =>
    z.custom<Logger>((value) => hasMethods(value, LOGGER_METHODS), {
      error: 'a logger with debug, info, warn and error methods (console, pino…)',
    }),
  logLevel: () =>
    z.enum(LOG_LEVELS, { error: `one of ${LOG_LEVELS.map((level) => `'${level}'`).join(', ')}` }),
};

type OptionName = keyof typeof OPTIONS;
/** The options as parsed: each given option as its schema outputs it. */
type ParsedOptions = { [Name in OptionName]?: z.output<ReturnType<(typeof OPTIONS)[Name]>> };
const built = new Map<OptionName, z.ZodMiniType>();

/** The schema of the options `input` gives (a key that is no option is refused by the strict object). */
function schemaOf(input: unknown) {
  const shape: Partial<Record<OptionName, z.ZodMiniType>> = {};
  if (typeof input !== 'object' || input === null) return z.strictObject(shape);
  // Every option zod would read: own or inherited, enumerable or not (a class's getters).
  for (const name of Object.keys(OPTIONS) as OptionName[]) {
    if (!(name in input)) continue;
    let schema = built.get(name);
    if (schema === undefined) built.set(name, (schema = z.optional(OPTIONS[name]())));
    shape[name] = schema;
  }
  return z.strictObject(shape);
}

/** Written chains by model, and which models get a chain built from the table (`'cheaper'`). */
function resolveFallback(
  fallback: ParsedOptions['fallback'],
): Pick<ResolvedOptions, 'fallback' | 'cheaperFallback'> {
  const written = new Map<string, readonly FallbackTarget[]>();
  const cheaper = new Set<string>();
  for (const [model, chain] of Object.entries(fallback ?? {})) {
    if (chain === 'cheaper') cheaper.add(model);
    else written.set(model, chain as readonly FallbackTarget[]);
  }
  const everyModel = cheaper.has('*');
  return {
    fallback: written,
    cheaperFallback: (model) => !written.has(model) && (everyModel || cheaper.has(model)),
  };
}

/** Parses options once; throws `TierguardOptionsError` naming every bad field. */
export function parseOptions(input: unknown): ResolvedOptions {
  const options = parseWith(schemaOf(input), input ?? {}, '', Object.keys(OPTIONS)) as ParsedOptions;
  const given = options.retry === false ? { maxAttempts: 1 } : options.retry;
  const retry = {
    maxAttempts:
      given?.maxAttempts ??
      (given?.maxRetries === undefined ? DEFAULTS.retry.maxAttempts : given.maxRetries + 1),
    maxDelayMs: given?.maxDelayMs ?? DEFAULTS.retry.maxDelayMs,
    maxElapsedMs: given?.maxElapsedMs ?? DEFAULTS.retry.maxElapsedMs,
  };
  if (options.store !== undefined && options.redis !== undefined)
    throw new TierguardOptionsError([
      { path: 'store', expected: 'either `store` or `redis`, not both', received: 'both' },
    ]);
  // A URL is connected with ioredis, an optional peer: without it every call would run on local
  // buckets at this process's share, silently (issue 18). The URL may hold a password: not echoed.
  if (typeof options.redis === 'string' && isPackageInstalled('ioredis') === false)
    throw new TierguardOptionsError([
      {
        path: 'redis',
        expected:
          'the ioredis package installed next to tierguard to connect to a Redis URL (npm install ioredis), or an ioredis client, or a `store` (a Worker cannot load ioredis: give it a `store`)',
        received: 'a Redis URL, and ioredis cannot be loaded here',
      },
    ]);
  if (options.meter !== undefined && options.metrics === true)
    throw new TierguardOptionsError([
      { path: 'metrics', expected: 'either `meter` or `metrics: true`, not both', received: 'both' },
    ]);
  const maxWait = options.maxWaitMs;
  const waits = typeof maxWait === 'object' ? new Map(Object.entries(maxWait)) : undefined;
  return {
    tier: options.tier ?? DEFAULTS.tier,
    limits: Object.fromEntries(Object.entries(options.limits ?? {})) as Record<string, ExplicitLimit>,
    windowMs: options.windowMs ?? DEFAULTS.windowMs,
    windowFixed: options.windowMs !== undefined,
    maxQueued: options.maxQueued ?? DEFAULTS.maxQueued,
    pacing: options.pacing ?? true,
    maxWaitMsFor: (model) =>
      typeof maxWait === 'number'
        ? maxWait
        : waits === undefined
          ? undefined
          : ((model === undefined ? undefined : waits.get(model)) ?? waits.get('*')),
    shareLimitsAcrossKeys: options.shareLimitsAcrossKeys ?? false,
    store: options.store,
    countTokens: options.countTokens,
    redis: options.redis,
    keyPrefix: options.keyPrefix ?? DEFAULTS.keyPrefix,
    retry,
    ...resolveFallback(options.fallback === false ? undefined : options.fallback),
    fallbackOn: new Set(options.fallbackOn ?? DEFAULT_FALLBACK_ON),
    locale: options.locale ?? DEFAULTS.locale,
    onEvent: options.onEvent,
    budget:
      options.budget === undefined
        ? undefined
        : {
            monthlyUsd: options.budget.monthlyUsd,
            alertAt: [...(options.budget.alertAt ?? DEFAULTS.alertAt)].sort((left, right) => left - right),
            onExhausted: options.budget.onExhausted ?? DEFAULTS.onExhausted,
            clampOutput: options.budget.clampOutput ?? false,
            minOutputTokens: options.budget.minOutputTokens ?? DEFAULTS.minOutputTokens,
          },
    deployments: options.deployments ?? {},
    defaultMaxOutputTokens: options.defaultMaxOutputTokens ?? DEFAULTS.defaultMaxOutputTokens,
    fetch: options.fetch,
    meter: options.metrics === true ? 'global' : options.meter,
    logger:
      options.logger ??
      (options.logLevel === undefined || options.logLevel === 'off' ? undefined : globalThis.console),
    logLevel: options.logLevel ?? (options.logger === undefined ? 'off' : DEFAULTS.logLevel),
  };
}
