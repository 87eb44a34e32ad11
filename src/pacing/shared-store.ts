/**
 * The store used when `redis` is set: buckets in Redis shared by every process, and a local
 * fallback while Redis is away. When Redis fails or answers too slowly, calls keep flowing on
 * local buckets sized to this process's share of the limit (1 / the processes last seen); when it
 * answers again, the shared buckets take over.
 */
import { randomUUID } from 'node:crypto';
import { MemoryStore } from './memory-store.js';
import { RedisStore, type RedisLike } from './redis-store.js';
import type {
  BucketSnapshot,
  BucketSpec,
  BucketStore,
  Dimension,
  SyncInput,
  TakeItem,
  TakeResult,
} from './types.js';

/** What the shared store reports. */
export type SharedStoreEvent =
  { type: 'store-degraded'; reason: string; share: number } | { type: 'store-restored'; processes: number };

/** Options of the shared store. */
export interface SharedStoreOptions {
  /** An ioredis client, or a promise of one (created from a URL). */
  readonly client: RedisLike | Promise<RedisLike>;
  /** Quit the client on close (it was created by tierguard). */
  readonly ownsClient: boolean;
  readonly keyPrefix: string;
  /** A Redis command slower than this counts as a failure. */
  readonly commandTimeoutMs?: number;
  /** How long to wait for Redis at start before running on local buckets. */
  readonly connectTimeoutMs?: number;
  /** How often to look for Redis again while away, and to announce this process. */
  readonly probeIntervalMs?: number;
  readonly emit: (event: SharedStoreEvent) => void;
}

type Health = 'connecting' | 'healthy' | 'degraded';

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Redis did not answer ${what} within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** Buckets shared through Redis, with a local fallback. */
export class SharedStore implements BucketStore {
  readonly #options: SharedStoreOptions;
  readonly #member = randomUUID();
  readonly #specs = new Map<string, Map<Dimension, { spec: BucketSpec; priority: number }>>();
  readonly #ready: Promise<void>;
  readonly #commandTimeoutMs: number;
  #client: RedisLike | undefined;
  #redis: RedisStore | undefined;
  #local: MemoryStore;
  #health: Health = 'connecting';
  #processes = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;
  readonly #onError = (): void => {
    // ioredis emits 'error' on every failed reconnect; unhandled it would crash the process.
  };

  constructor(options: SharedStoreOptions) {
    this.#options = options;
    this.#commandTimeoutMs = options.commandTimeoutMs ?? 1_000;
    this.#local = new MemoryStore();
    this.#ready = this.#connect();
  }

  /** Resolves once the store knows whether Redis is there (it never rejects). */
  get ready(): Promise<void> {
    return this.#ready;
  }

  /** 'healthy' while Redis serves, 'degraded' while local buckets do. */
  get health(): Health {
    return this.#health;
  }

  /** The Redis client while Redis serves (other shared state, such as the budget, uses it too). */
  redisClient(): RedisLike | undefined {
    return this.#health === 'healthy' ? this.#client : undefined;
  }

  /** The share of the limit local buckets get while Redis is away. */
  get share(): number {
    // Never having seen the others, assume one more process than this one.
    return 1 / Math.max(2, this.#processes);
  }

  take(key: string, items: readonly TakeItem[]): TakeResult | Promise<TakeResult> {
    if (this.#health === 'degraded') return this.#local.take(key, items);
    return this.#shared(
      (redis) => redis.take(key, items),
      () => this.#local.take(key, items),
    );
  }

  adjust(key: string, dimension: Dimension, delta: number): void | Promise<void> {
    if (this.#health === 'degraded') return this.#local.adjust(key, dimension, delta);
    return this.#shared(
      (redis) => redis.adjust(key, dimension, delta),
      () => this.#local.adjust(key, dimension, delta),
    );
  }

  sync(key: string, dimension: Dimension, input: SyncInput): void | Promise<void> {
    if (this.#health === 'degraded') return this.#local.sync(key, dimension, input);
    // Marks and times of tickets taken in Redis mean nothing to the local store, and back.
    return this.#shared(
      (redis) => redis.sync(key, dimension, input),
      () => undefined,
    );
  }

  holdOff(key: string, dimension: Dimension, amount: number, waitMs: number): void | Promise<void> {
    if (this.#health === 'degraded') return this.#local.holdOff(key, dimension, amount, waitMs);
    return this.#shared(
      (redis) => redis.holdOff(key, dimension, amount, waitMs),
      () => this.#local.holdOff(key, dimension, amount, waitMs),
    );
  }

  configure(key: string, dimension: Dimension, spec: BucketSpec, priority: number): void | Promise<void> {
    let specs = this.#specs.get(key);
    if (specs === undefined) {
      specs = new Map();
      this.#specs.set(key, specs);
    }
    const known = specs.get(dimension);
    if (known === undefined || priority >= known.priority) specs.set(dimension, { spec, priority });
    this.#local.configure(key, dimension, this.#scaled(spec), priority);
    if (this.#health === 'degraded') return undefined;
    return this.#shared(
      (redis) => redis.configure(key, dimension, spec, priority),
      () => undefined,
    );
  }

  peek(key: string): Partial<Record<Dimension, BucketSnapshot>> {
    return this.#health === 'degraded' || this.#redis === undefined
      ? this.#local.peek(key)
      : this.#redis.peek(key);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    const client = this.#client;
    if (client === undefined) return;
    if (this.#health === 'healthy') {
      await withTimeout(client.zrem(this.#membersKey(), this.#member), this.#commandTimeoutMs, 'ZREM').catch(
        () => undefined,
      );
    }
    if (this.#options.ownsClient) {
      await withTimeout(client.quit(), this.#commandTimeoutMs, 'QUIT').catch(() => undefined);
      client.disconnect();
    }
    client.off?.('error', this.#onError);
  }

  async #connect(): Promise<void> {
    let client: RedisLike;
    try {
      client = await this.#options.client;
    } catch (error) {
      this.#degrade(
        `could not create the Redis client: ${error instanceof Error ? error.message : String(error)}`,
      );
      return;
    }
    this.#client = client;
    this.#redis = new RedisStore({ client, keyPrefix: this.#options.keyPrefix });
    client.on('error', this.#onError);
    try {
      await withTimeout(this.#waitReady(client), this.#options.connectTimeoutMs ?? 3_000, 'at start');
      await this.#announce(client);
      this.#health = 'healthy';
      this.#startTimer();
    } catch (error) {
      this.#degrade(error instanceof Error ? error.message : String(error));
    }
  }

  #waitReady(client: RedisLike): Promise<void> {
    if (client.status === 'ready') return Promise.resolve();
    return new Promise((resolve) => {
      const onReady = (): void => {
        client.off?.('ready', onReady);
        resolve();
      };
      client.on('ready', onReady);
    });
  }

  #membersKey(): string {
    return `${this.#options.keyPrefix}members`;
  }

  /** Announces this process and counts the processes seen in the last three intervals. */
  async #announce(client: RedisLike): Promise<void> {
    const now = Date.now();
    const interval = this.#options.probeIntervalMs ?? 1_000;
    const key = this.#membersKey();
    await withTimeout(client.zadd(key, now, this.#member), this.#commandTimeoutMs, 'ZADD');
    await withTimeout(
      client.zremrangebyscore(key, '-inf', now - interval * 3),
      this.#commandTimeoutMs,
      'ZREMRANGEBYSCORE',
    );
    await withTimeout(client.pexpire(key, interval * 10), this.#commandTimeoutMs, 'PEXPIRE');
    this.#processes = await withTimeout(client.zcard(key), this.#commandTimeoutMs, 'ZCARD');
  }

  #startTimer(): void {
    if (this.#timer !== undefined || this.#closed) return;
    this.#timer = setInterval(() => void this.#tick(), this.#options.probeIntervalMs ?? 1_000);
    // Announcing and probing must not keep a finished process alive.
    this.#timer.unref?.();
  }

  async #tick(): Promise<void> {
    const client = this.#client;
    if (client === undefined || this.#closed) return;
    try {
      if (this.#health === 'degraded') await withTimeout(client.ping(), this.#commandTimeoutMs, 'PING');
      await this.#announce(client);
      if (this.#health === 'degraded') {
        this.#health = 'healthy';
        this.#options.emit({ type: 'store-restored', processes: this.#processes });
      }
    } catch (error) {
      if (this.#health === 'healthy') this.#degrade(error instanceof Error ? error.message : String(error));
    }
  }

  #scaled(spec: BucketSpec): BucketSpec {
    return { capacity: Math.max(1, Math.floor(spec.capacity * this.share)), windowMs: spec.windowMs };
  }

  #degrade(reason: string): void {
    if (this.#health === 'degraded' || this.#closed) return;
    this.#health = 'degraded';
    // Fresh local buckets at this process's share, so that N processes together stay under the limit.
    this.#local = new MemoryStore();
    for (const [key, dimensions] of this.#specs) {
      for (const [dimension, { spec, priority }] of dimensions)
        this.#local.configure(key, dimension, this.#scaled(spec), priority);
    }
    this.#options.emit({ type: 'store-degraded', reason, share: this.share });
    this.#startTimer();
  }

  async #shared<T>(operation: (redis: RedisStore) => Promise<T>, fallback: () => T): Promise<T> {
    if (this.#health === 'connecting') await this.#ready;
    const redis = this.#redis;
    if (this.#health !== 'healthy' || redis === undefined) return fallback();
    try {
      return await withTimeout(operation(redis), this.#commandTimeoutMs, 'a bucket operation');
    } catch (error) {
      this.#degrade(error instanceof Error ? error.message : String(error));
      return fallback();
    }
  }
}
