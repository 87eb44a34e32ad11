/**
 * `createGuard(options)`: one guard — its buckets, retry and fallback policy, budget and events —
 * and `guard(client, options)`, the one-liner that wraps a client with a new guard.
 */
import type { Cause } from '../data/causes.js';
import { attachDiagnosis } from '../diagnose/attach.js';
import { diagnose } from '../diagnose/diagnose.js';
import { Pacer } from '../pacing/pacer.js';
import { FailoverStore } from '../stores/failover.js';
import { MemoryStore } from '../stores/memory.js';
import { RedisBackend } from '../stores/redis-backend.js';
import type { RedisLike } from '../stores/redis.js';
import type { BucketStore } from '../pacing/types.js';
import { createBudget } from '../budget/budget.js';
import type { BudgetGate } from '../budget/gate.js';
import { EventHub, type GuardEventListener } from '../telemetry/events.js';
import { createLogSink } from '../telemetry/logging.js';
import type { GuardOptions } from './options.js';
import { parseOptions } from './options-schema.js';
import type { GuardStats } from '../telemetry/stats.js';
import { createPipeline, type ClientFacts, type PipelineCounters } from './pipeline.js';
import { globalMeter, startTelemetry } from '../telemetry/metrics.js';
import { assertWrappable, clientFacts, markGuarded, wrapWith, type WrappableClient } from './wrap.js';

export type { WrappableClient } from './wrap.js';

/** A guard: pacing, retries, fallbacks and diagnoses for every client it wraps. */
export interface Guard {
  /**
   * Wraps an `openai` client: returns `client.withOptions({ fetch: <the pipeline>, maxRetries: 0 })`,
   * the same class with the same types (an `AzureOpenAI` keeps its deployment and API version).
   * The client's own `timeout` bounds each of the guard's attempts. Clients wrapped by one guard
   * share its buckets; wrapping a wrapped client replaces its guard (one guard, never two stacked).
   */
  wrap<C extends WrappableClient>(client: C): C;
  /** The same pipeline as a plain `fetch`, for the AI SDK, LangChain or any caller. */
  readonly fetch: typeof globalThis.fetch;
  stats(): GuardStats;
  /** Listens to every event; returns a function that stops listening. */
  on(listener: GuardEventListener): () => void;
  /** Refuses new calls, rejects waiting ones with a clear error, and releases timers, lanes and connections. */
  close(): Promise<void>;
}

/** The error waiting calls reject with when the guard is closed. */
export class GuardClosedError extends Error {
  constructor() {
    super('tierguard: the guard was closed while this call waited in its queue; it was never sent.');
    this.name = 'GuardClosedError';
  }
}

// The guard of each client it wrapped (`guardOf`).
const guards = new WeakMap<object, Guard>();

/** The guard that wrapped `client` (for `guard(client, options)` one-liners: `guardOf(client)?.close()`). */
export function guardOf(client: object): Guard | undefined {
  return guards.get(client);
}

async function connectRedis(url: string): Promise<RedisLike> {
  // A variable specifier: bundlers leave ioredis out of builds that never set `redis`.
  const name = 'ioredis';
  let module: { default?: unknown; Redis?: unknown };
  try {
    module = (await import(name)) as { default?: unknown; Redis?: unknown };
  } catch {
    throw new Error('tierguard: the `redis` option needs the ioredis package (npm install ioredis).');
  }
  const Redis = (module.Redis ?? module.default) as new (
    url: string,
    options: Record<string, unknown>,
  ) => RedisLike;
  // Fail fast while Redis is away: the failover store runs on local buckets instead of queueing commands.
  const client = new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2_000,
    retryStrategy: (times: number) => Math.min(1_000, times * 100),
  });
  // A connection tierguard opened never keeps a finished process alive (`guard(client, { redis })`
  // has no handle to close; `guardOf(client).close()` closes it).
  client.on('connect', () => (client as { stream?: { unref?: () => void } }).stream?.unref?.());
  return client;
}

/** Creates a guard. Options are validated here, once; a bad option throws `TierguardOptionsError`. */
export function createGuard(options: GuardOptions = {}): Guard {
  const resolved = parseOptions(options);
  const secrets = [...resolved.fallback.values()]
    .flat()
    .flatMap((target) => (typeof target === 'object' && target.apiKey !== undefined ? [target.apiKey] : []));
  const logging =
    resolved.logger === undefined || resolved.logLevel === 'off'
      ? undefined
      : createLogSink(resolved.logger, resolved.logLevel, resolved.locale, secrets);
  const hub = new EventHub((error) => logging?.fault('an event listener threw (the call went on)', error));
  if (logging !== undefined) hub.on(logging.listener);
  if (resolved.onEvent !== undefined) hub.on(resolved.onEvent);

  // The budget needs the store, and the store's restore event needs the budget: set once both exist.
  const late: { budget?: BudgetGate } = {};
  let store: BucketStore;
  let failover: FailoverStore | undefined;
  let backend: RedisBackend | undefined;
  if (resolved.store !== undefined) store = resolved.store;
  // Without pacing, Redis only shares the budget: no budget, no connection.
  else if (resolved.redis === undefined || (!resolved.pacing && resolved.budget === undefined))
    store = new MemoryStore();
  else {
    backend = new RedisBackend({
      client: typeof resolved.redis === 'string' ? connectRedis(resolved.redis) : resolved.redis,
      ownsClient: typeof resolved.redis === 'string',
      keyPrefix: resolved.keyPrefix,
      commandTimeoutMs: 1_000,
      memberTtlMs: 3_000,
    });
    failover = new FailoverStore({
      backend,
      emit: (event) => {
        hub.emit(event);
        // The month's spend recorded while Redis was away goes to Redis as soon as it is back.
        if (event.type === 'store-restored') late.budget?.resume();
      },
    });
    store = failover;
  }

  const pacer = new Pacer({
    tier: resolved.tier,
    limits: resolved.limits,
    windowMs: resolved.windowMs,
    windowFixed: resolved.windowFixed,
    maxQueued: resolved.maxQueued,
    initialConcurrency: 4,
    maxUnknownConcurrency: 64,
    calibrationStepMs: 200,
    maxPauseMs: resolved.retry.maxDelayMs,
    idleLaneMs: 600_000,
    deployments: resolved.deployments,
    store,
    emit: (event) => hub.emit(event),
  });

  const shared = failover;
  // The spend is shared through the guard's Redis, or through a given store that runs scripts on
  // one (createUpstashStore).
  const spendStore = shared ?? (resolved.store instanceof FailoverStore ? resolved.store : undefined);
  const budget: BudgetGate | undefined =
    resolved.budget === undefined
      ? undefined
      : createBudget({
          ...resolved.budget,
          shared:
            spendStore === undefined
              ? undefined
              : { ready: spendStore.ready, scripts: () => spendStore.scripts, share: () => spendStore.share },
          keyPrefix: resolved.keyPrefix,
          deployments: resolved.deployments,
          emit: (event) => hub.emit(event),
        });
  if (budget !== undefined) late.budget = budget;

  const counters: PipelineCounters = {
    servedByModel: new Map(),
    failuresByCause: new Map(),
    retries: 0,
    fallbacks: 0,
    cheaperChains: new Map(),
  };
  const unpaced = { inFlight: 0 };
  const deps = {
    options: resolved,
    pacer,
    events: hub,
    budget,
    counters,
    unpaced,
    secrets,
    now: () => performance.now(),
  };
  let closed = false;

  /** The error calls get once the guard is closed, with its diagnosis (aborted, local). */
  const closedError = (): GuardClosedError => {
    const error = new GuardClosedError();
    const local = {
      error: { type: 'tierguard_local', code: 'guard_closed', message: error.message, param: null },
    };
    return attachDiagnosis(error, diagnose(local, { locale: resolved.locale }));
  };
  const guardedFetch = (facts: ClientFacts): typeof globalThis.fetch => {
    const pipeline = createPipeline(deps, facts);
    const fetch: typeof globalThis.fetch = (input, init) =>
      closed ? Promise.reject(closedError()) : pipeline(input, init);
    markGuarded(fetch, facts);
    return fetch;
  };
  const defaultFetch = guardedFetch({
    transport: (input, init) => (resolved.fetch ?? globalThis.fetch)(input, init),
    attemptTimeoutMs: undefined,
  });

  const self: Guard = {
    fetch: defaultFetch,
    wrap<C extends WrappableClient>(client: C): C {
      assertWrappable(client);
      const wrapped = wrapWith(client, guardedFetch(clientFacts(client)));
      if (typeof wrapped === 'object' && wrapped !== null) guards.set(wrapped, self);
      return wrapped;
    },
    stats(): GuardStats {
      const limits = pacer.stats();
      const budgetSnapshot = budget?.snapshot();
      return {
        waiting: pacer.waiting,
        inFlight: pacer.inFlight + unpaced.inFlight,
        rateLimited: limits.reduce((sum, lane) => sum + lane.rateLimited, 0),
        retries: counters.retries,
        fallbacks: counters.fallbacks,
        servedByModel: Object.fromEntries(counters.servedByModel),
        failuresByCause: Object.fromEntries(counters.failuresByCause) as Partial<Record<Cause, number>>,
        limits,
        store:
          shared !== undefined
            ? { kind: 'redis', health: shared.health }
            : resolved.store !== undefined
              ? { kind: 'custom', shared: resolved.store.shared }
              : { kind: 'memory' },
        ...(budgetSnapshot === undefined ? {} : { budget: budgetSnapshot }),
        cheaperChains: Object.fromEntries(counters.cheaperChains),
      };
    },
    on(listener) {
      return hub.on(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      telemetry?.close();
      pacer.close(closedError());
      await budget?.close();
      await store.close();
    },
  };
  const telemetry =
    resolved.meter === undefined
      ? undefined
      : startTelemetry(
          resolved.meter === 'global' ? globalMeter() : resolved.meter,
          { on: (listener) => hub.on(listener), stats: () => self.stats(), budget: budget !== undefined },
          logging?.fault,
        );
  return self;
}

/** Wraps `client` with a new guard: `createGuard(options).wrap(client)`. `guardOf(client)` gives the guard back. */
export function guard<C extends WrappableClient>(client: C, options?: GuardOptions): C {
  return createGuard(options).wrap(client);
}
