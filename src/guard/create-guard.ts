/**
 * `createGuard(options)`: one guard — its buckets, retry and fallback policy, budget and events —
 * and `guard(client, options)`, the one-liner that wraps a client with a new guard.
 */
import type { Cause } from '../data/causes.js';
import { attachDiagnosis } from '../diagnose/attach.js';
import { diagnose } from '../diagnose/diagnose.js';
import { MemoryStore } from '../pacing/memory-store.js';
import { Pacer, type LaneStats } from '../pacing/pacer.js';
import type { RedisLike } from '../pacing/redis-store.js';
import { SharedStore } from '../pacing/shared-store.js';
import type { BucketStore } from '../pacing/types.js';
import { createBudget } from '../budget/budget.js';
import type { BudgetGate } from './budget-gate.js';
import { ClientBodies } from './client-bodies.js';
import { EventHub, type GuardEventListener } from './events.js';
import { Lessons } from './lessons.js';
import { parseOptions, type GuardOptions } from './options.js';
import { createPipeline, type PipelineCounters } from './pipeline.js';

/** A client `wrap` accepts: anything with openai's `withOptions` (openai 5 and later). */
export interface WrappableClient {
  withOptions(options: { fetch?: typeof globalThis.fetch; maxRetries?: number }): unknown;
}

/** A snapshot of a guard. */
export interface GuardStats {
  /** Calls waiting in the queue. */
  readonly waiting: number;
  /** Calls sent and not yet answered (streams count until they end). */
  readonly inFlight: number;
  /** 429s the API (or a relay) answered. */
  readonly rateLimited: number;
  readonly retries: number;
  readonly fallbacks: number;
  /** Calls served, by the model that served them. */
  readonly servedByModel: Readonly<Record<string, number>>;
  /** Failed attempts, by cause. */
  readonly failuresByCause: Readonly<Partial<Record<Cause, number>>>;
  /** Per limit key: bucket levels and limits (and where they came from), waiting, in flight. */
  readonly limits: readonly LaneStats[];
  /** Where the buckets live. */
  readonly store:
    | { readonly kind: 'memory' }
    | { readonly kind: 'redis'; readonly health: 'connecting' | 'healthy' | 'degraded' };
  /** The month's spend, when a budget is set. */
  readonly budget?: {
    readonly month: string;
    readonly spentUsd: number;
    readonly monthlyUsd: number;
    readonly shared: boolean;
  };
}

/** A guard: pacing, retries, fallbacks and diagnoses for every client it wraps. */
export interface Guard {
  /**
   * Wraps an `openai` client: returns `client.withOptions({ fetch: <the pipeline>, maxRetries: 0 })`,
   * the same class with the same types. Clients wrapped by one guard share its buckets. The new
   * client's `prepareRequest` hook also hands the guard each body it serialized (its own hook, from
   * a subclass, still runs), so that the guard need not parse it again.
   */
  wrap<C extends WrappableClient>(client: C): C;
  /** The same pipeline as a plain `fetch`, for the AI SDK, LangChain or any caller. */
  readonly fetch: typeof globalThis.fetch;
  stats(): GuardStats;
  /** Listens to every event; returns a function that stops listening. */
  on(listener: GuardEventListener): () => void;
  /** Refuses new calls, rejects waiting ones with a clear error, and releases timers and connections. */
  close(): Promise<void>;
}

/** The error waiting calls reject with when the guard is closed. */
export class GuardClosedError extends Error {
  constructor() {
    super('tierguard: the guard was closed while this call waited in its queue; it was never sent.');
    this.name = 'GuardClosedError';
  }
}

async function connectRedis(url: string): Promise<RedisLike> {
  let module: { default?: unknown; Redis?: unknown };
  try {
    module = (await import('ioredis')) as { default?: unknown; Redis?: unknown };
  } catch {
    throw new Error('tierguard: the `redis` option needs the ioredis package (npm install ioredis).');
  }
  const Redis = (module.Redis ?? module.default) as new (
    url: string,
    options: Record<string, unknown>,
  ) => RedisLike;
  // Fail fast while Redis is away: the shared store falls back to local buckets instead of queueing commands.
  return new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2_000,
    retryStrategy: (times: number) => Math.min(1_000, times * 100),
  });
}

/** Creates a guard. Options are validated here, once; a bad option throws `TierguardOptionsError`. */
export function createGuard(options: GuardOptions = {}): Guard {
  const resolved = parseOptions(options);
  const hub = new EventHub();
  if (resolved.onEvent !== undefined) hub.on(resolved.onEvent);

  let store: BucketStore;
  let shared: SharedStore | undefined;
  // The budget needs the store, and the store's restore event needs the budget: set once both exist.
  const late: { budget?: BudgetGate } = {};
  if (resolved.redis === undefined) {
    store = new MemoryStore();
  } else {
    shared = new SharedStore({
      client: typeof resolved.redis === 'string' ? connectRedis(resolved.redis) : resolved.redis,
      ownsClient: typeof resolved.redis === 'string',
      keyPrefix: resolved.keyPrefix,
      emit: (event) => {
        hub.emit(event);
        // The month's spend recorded while Redis was away goes to Redis as soon as it is back.
        if (event.type === 'store-restored') late.budget?.resume();
      },
    });
    store = shared;
  }

  const pacer = new Pacer({
    tier: resolved.tier,
    limits: resolved.limits,
    windowMs: resolved.windowMs,
    windowFixed: resolved.windowFixed,
    maxQueued: resolved.maxQueued,
    initialConcurrency: 2,
    maxUnknownConcurrency: 64,
    deployments: resolved.deployments,
    store,
    sharedStore: shared !== undefined,
    emit: (event) => hub.emit(event),
  });

  const budget: BudgetGate | undefined =
    resolved.budget === undefined
      ? undefined
      : createBudget({
          ...resolved.budget,
          redis: shared,
          keyPrefix: resolved.keyPrefix,
          deployments: resolved.deployments,
          emit: (event) => hub.emit(event),
        });

  const counters: PipelineCounters = {
    servedByModel: new Map(),
    failuresByCause: new Map(),
    retries: 0,
    fallbacks: 0,
    inFlight: 0,
  };
  const secrets = Object.values(resolved.fallback)
    .flat()
    .flatMap((target) => (typeof target === 'object' && target.apiKey !== undefined ? [target.apiKey] : []));
  if (budget !== undefined) late.budget = budget;
  const lessons = new Lessons();
  const bodies = new ClientBodies();
  const deps = {
    options: resolved,
    pacer,
    events: hub,
    budget,
    counters,
    lessons,
    bodies,
    secrets,
    now: () => Date.now(),
  };
  let closed = false;

  const pipelines = new WeakMap<object, typeof globalThis.fetch>();
  /** The error calls get once the guard is closed, with its diagnosis (aborted, local). */
  const closedError = (): GuardClosedError => {
    const error = new GuardClosedError();
    const local = {
      error: { type: 'tierguard_local', code: 'guard_closed', message: error.message, param: null },
    };
    return attachDiagnosis(error, diagnose(local, { locale: resolved.locale }));
  };
  const closedFetch: typeof globalThis.fetch = () => Promise.reject(closedError());
  const guardedFetch = (transport: typeof globalThis.fetch): typeof globalThis.fetch => {
    const pipeline = createPipeline(deps, transport);
    return (input, init) => (closed ? closedFetch(input, init) : pipeline(input, init));
  };
  const defaultFetch = guardedFetch((input, init) => (resolved.fetch ?? globalThis.fetch)(input, init));

  return {
    fetch: defaultFetch,
    wrap<C extends WrappableClient>(client: C): C {
      if (typeof client?.withOptions !== 'function') {
        throw new TypeError(
          'tierguard: this client has no withOptions(), so it cannot be wrapped (openai 4.x?). tierguard needs openai 5 or later (6 or 7 recommended): npm install openai@latest. With an older client, pass the guarded fetch yourself: new OpenAI({ fetch: guard.fetch, maxRetries: 0 }).',
        );
      }
      // openai keeps its transport in a (TypeScript-private) `fetch` property.
      const own = (client as { fetch?: unknown }).fetch;
      const transport = typeof own === 'function' ? (own as typeof globalThis.fetch) : undefined;
      let fetch = defaultFetch;
      if (transport !== undefined) {
        // Keep the client's own fetch (a proxy agent, a test double) as the transport.
        const cached = pipelines.get(transport);
        fetch = cached ?? guardedFetch((input, init) => transport.call(undefined, input, init));
        if (cached === undefined) pipelines.set(transport, fetch);
      }
      // The pipeline owns retries: the client's own would multiply requests against a rate limit.
      const wrapped = client.withOptions({ fetch, maxRetries: 0 }) as C;
      // The new client is ours alone: it hands the pipeline the bodies it serializes.
      if (typeof wrapped === 'object' && wrapped !== null) bodies.watch(wrapped);
      return wrapped;
    },
    stats(): GuardStats {
      // What answers taught and the pacer has not learned yet shows too.
      lessons.take();
      const limits = pacer.stats();
      const budgetSnapshot = budget?.snapshot();
      return {
        waiting: pacer.waiting,
        inFlight: counters.inFlight,
        rateLimited: limits.reduce((sum, lane) => sum + lane.rateLimited, 0),
        retries: counters.retries,
        fallbacks: counters.fallbacks,
        servedByModel: Object.fromEntries(counters.servedByModel),
        failuresByCause: Object.fromEntries(counters.failuresByCause) as Partial<Record<Cause, number>>,
        limits,
        store: shared === undefined ? { kind: 'memory' } : { kind: 'redis', health: shared.health },
        ...(budgetSnapshot === undefined ? {} : { budget: budgetSnapshot }),
      };
    },
    on(listener) {
      return hub.on(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      lessons.take();
      pacer.close(closedError());
      await budget?.close();
      await store.close();
    },
  };
}

/** Wraps `client` with a new guard: `createGuard(options).wrap(client)`. */
export function guard<C extends WrappableClient>(client: C, options?: GuardOptions): C {
  return createGuard(options).wrap(client);
}
