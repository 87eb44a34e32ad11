/**
 * Buckets shared through a Redis: the bucket operations of `BucketStore` as the bucket scripts
 * (`bucket-scripts.ts`), run through a `ScriptRunner` that any Redis backend (TCP or HTTP) gives.
 */
import { sha256Hex } from '../util/sha256.js';
import type {
  BucketSnapshot,
  BucketSpec,
  BucketStore,
  Dimension,
  SyncInput,
  TakeItem,
  TakeResult,
} from '../pacing/types.js';
import { BUCKET_SCRIPTS, type BucketScriptName } from './bucket-scripts.js';
import type { ScriptRunner } from './script-runner.js';

/** How long an idle bucket's state is kept: two windows, at least a minute. */
function ttlFor(windowMs: number): number {
  return Math.max(60_000, Math.ceil(windowMs * 2));
}

/** Options of a Lua bucket store. */
export interface LuaBucketStoreOptions {
  /** Runs the bucket scripts on the backend's Redis. */
  readonly scripts: ScriptRunner;
  /** Prefix of every key; processes that share limits use the same prefix. */
  readonly keyPrefix: string;
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

  constructor(options: LuaBucketStoreOptions) {
    this.scripts = options.scripts;
    this.#prefix = options.keyPrefix;
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

  async take(key: string, items: readonly TakeItem[]): Promise<TakeResult> {
    const args: (string | number)[] = [];
    for (const item of items)
      args.push(item.amount, item.capacity, item.windowMs, ttlFor(item.windowMs), item.reserve ?? 0);
    const reply = (await this.#eval(
      'take',
      items.map((item) => this.bucketKey(key, item.dimension)),
      args,
    )) as unknown[];
    const atMs = Number(reply[3]);
    if (Number(reply[0]) !== 1) {
      const limiting = items[Number(reply[2]) - 1]?.dimension ?? (items[0] as TakeItem).dimension;
      return { ok: false, waitMs: Number(reply[1]), limiting, atMs };
    }
    const createdMask = Number(reply[2]);
    const created = items.filter((_, index) => Math.floor(createdMask / 2 ** index) % 2 === 1);
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
    return {
      ok: true,
      atMs,
      marks,
      levels,
      ...(created.length === 0 ? {} : { created: created.map((item) => item.dimension) }),
    };
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
    const cached = this.#cache.get(key) ?? {};
    cached[dimension] = { ...spec, level: cached[dimension]?.level ?? spec.capacity };
    this.#cache.set(key, cached);
    await this.#eval(
      'configure',
      [this.bucketKey(key, dimension)],
      [spec.capacity, spec.windowMs, priority, ttlFor(spec.windowMs)],
    );
  }

  peek(key: string): Partial<Record<Dimension, BucketSnapshot>> {
    return { ...this.#cache.get(key) };
  }

  drop(key: string): void {
    // Redis keeps the buckets until their TTL ends them: other processes may still use them.
    this.#cache.delete(key);
    this.#hashes.delete(key);
  }

  close(): void {
    this.#cache.clear();
  }

  #eval(
    name: BucketScriptName,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown> {
    return this.scripts.run(BUCKET_SCRIPTS[name], keys, args);
  }
}
