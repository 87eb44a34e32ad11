/**
 * Buckets shared through a Redis: the bucket operations of `BucketStore` as the bucket scripts
 * (`bucket-scripts.ts`), run through a `ScriptRunner` that any Redis backend (TCP or HTTP) gives.
 */
import { sha256Hex } from '../util/sha256.js';
import {
  DIMENSIONS,
  type BucketSnapshot,
  type BucketSpec,
  type BucketStore,
  type Dimension,
  type SyncInput,
  type TakeItem,
  type TakeResult,
} from '../pacing/types.js';
import { BUCKET_SCRIPTS, type BucketScriptName } from './bucket-scripts.js';
import type { ScriptRunner } from './script-runner.js';

/** How long an idle bucket's state is kept: two windows, at least a minute. */
function ttlFor(windowMs: number): number {
  return Math.max(60_000, Math.ceil(windowMs * 2));
}

/**
 * The level to assume for a shared bucket whose spend is unknown: one the server lost (a restart
 * without persistence, a flush, an eviction), or one a process stops seeing when the server goes
 * away (`seen`: the level its last take found, if any). The other processes may have spent it
 * since that take, however recent: a window of a minute or less counts as empty and refills
 * within it. A longer window counts as last seen, or full: waiting out a day on a guess costs more
 * than the 429 that would say so (and the guard holds off on it).
 */
export function unknownLevel(spec: BucketSpec, seen?: number): number {
  return spec.windowMs <= 60_000 ? 0 : (seen ?? spec.capacity);
}

/** Options of a Lua bucket store. */
export interface LuaBucketStoreOptions {
  /** Runs the bucket scripts on the backend's Redis. */
  readonly scripts: ScriptRunner;
  /** Prefix of every key; processes that share limits use the same prefix. */
  readonly keyPrefix: string;
  /** This process's clock (monotonic), to know how recently it kept a bucket alive. */
  readonly now?: () => number;
}

/**
 * Buckets in a Redis, each operation one of the bucket scripts, whatever carries them (the TCP
 * `RedisStore`, the HTTP store of `createUpstashStore`): the same keys and scripts, so stores of
 * either kind with the same prefix share the same buckets. Operations reject when the Redis
 * fails; `FailoverStore` decides what then. Time is the Redis server's (`TIME`).
 */
export class LuaBucketStore implements BucketStore {
  readonly shared = true;
  /** The runner of this store's scripts; other shared state (the budget's spend) may use it too. */
  readonly scripts: ScriptRunner;
  readonly #prefix: string;
  readonly #cache = new Map<string, Partial<Record<Dimension, BucketSnapshot>>>();
  readonly #hashes = new Map<string, string>();
  /**
   * When this process last saved each bucket (a take or a configure that the server ran), by
   * Redis key: a bucket saved within its TTL that is missing now was lost, not expired.
   */
  readonly #saved = new Map<string, number>();
  readonly #now: () => number;

  constructor(options: LuaBucketStoreOptions) {
    this.scripts = options.scripts;
    this.#prefix = options.keyPrefix;
    this.#now = options.now ?? (() => performance.now());
  }

  /** The Redis key of one bucket. The hash tag keeps a limit key's buckets on one cluster slot. */
  bucketKey(key: string, dimension: Dimension): string {
    let hash = this.#hashes.get(key);
    if (hash === undefined) {
      hash = sha256Hex(key).slice(0, 16);
      if (this.#hashes.size < 4_096) this.#hashes.set(key, hash);
    }
    return `${this.#prefix}{${hash}}:${dimension}`;
  }

  /**
   * Takes from every dimension at once. A bucket missing on the server is created full when this
   * process has not kept it alive within its TTL (new, or expired while idle), and at `unknownLevel`
   * when it has (the server lost it).
   */
  async take(key: string, items: readonly TakeItem[]): Promise<TakeResult> {
    const keys = items.map((item) => this.bucketKey(key, item.dimension));
    const args: (string | number)[] = [];
    const sentAt = this.#now();
    items.forEach((item, index) => {
      const ttl = ttlFor(item.windowMs);
      const saved = this.#saved.get(keys[index] as string);
      // A tenth of the TTL spare: the server's expiry and this clock may disagree a little.
      const lost = saved !== undefined && sentAt - saved < ttl * 0.9;
      args.push(item.amount, item.capacity, item.windowMs, ttl, item.reserve ?? 0);
      args.push(lost ? unknownLevel(item) : item.capacity, item.force === true ? '1' : '0');
    });
    const reply = (await this.#eval('take', keys, args)) as unknown[];
    const atMs = Number(reply[3]);
    // Granted or not, the reply says the levels the server found: what `peek` shows.
    const marks: Partial<Record<Dimension, number>> = {};
    const levels: Partial<Record<Dimension, number>> = {};
    const cached = this.#cache.get(key) ?? {};
    items.forEach((item, index) => {
      marks[item.dimension] = Number(reply[4 + index * 2]);
      const level = Number(reply[5 + index * 2]);
      levels[item.dimension] = level;
      cached[item.dimension] = {
        capacity: cached[item.dimension]?.capacity ?? item.capacity,
        windowMs: cached[item.dimension]?.windowMs ?? item.windowMs,
        level,
      };
    });
    this.#cache.set(key, cached);
    if (Number(reply[0]) !== 1) {
      const limiting = items[Number(reply[2]) - 1]?.dimension ?? (items[0] as TakeItem).dimension;
      return { ok: false, waitMs: Number(reply[1]), limiting, atMs };
    }
    for (const bucket of keys) this.#saved.set(bucket, sentAt);
    return { ok: true, atMs, marks, levels };
  }

  async adjust(key: string, dimension: Dimension, delta: number): Promise<void> {
    await this.#eval('adjust', [this.bucketKey(key, dimension)], [delta]);
  }

  async sync(key: string, dimension: Dimension, input: SyncInput): Promise<void> {
    await this.#eval(
      'sync',
      [this.bucketKey(key, dimension)],
      [input.remaining, input.ageMs, input.mark, input.raiseMargin === undefined ? '' : input.raiseMargin],
    );
  }

  async holdOff(key: string, dimension: Dimension, amount: number, waitMs: number): Promise<void> {
    await this.#eval('holdOff', [this.bucketKey(key, dimension)], [amount, waitMs]);
  }

  async configure(key: string, dimension: Dimension, spec: BucketSpec, priority: number): Promise<void> {
    // A level is only what a take saw: a bucket configured and not yet taken from has none here.
    const cached = this.#cache.get(key);
    const seen = cached?.[dimension];
    if (cached !== undefined && seen !== undefined) cached[dimension] = { ...spec, level: seen.level };
    const bucket = this.bucketKey(key, dimension);
    const sentAt = this.#now();
    await this.#eval('configure', [bucket], [spec.capacity, spec.windowMs, priority, ttlFor(spec.windowMs)]);
    this.#saved.set(bucket, sentAt);
  }

  /** The levels this process last saw, by a take granted or refused (none before its first take). */
  peek(key: string): Partial<Record<Dimension, BucketSnapshot>> {
    return { ...this.#cache.get(key) };
  }

  drop(key: string): void {
    // Redis keeps the buckets until their TTL ends them: other processes may still use them.
    for (const dimension of DIMENSIONS) this.#saved.delete(this.bucketKey(key, dimension));
    this.#cache.delete(key);
    this.#hashes.delete(key);
  }

  close(): void {
    this.#cache.clear();
    this.#saved.clear();
  }

  #eval(
    name: BucketScriptName,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown> {
    return this.scripts.run(BUCKET_SCRIPTS[name], keys, args);
  }
}
