/**
 * Buckets shared through Redis: every process of an organization takes from the same buckets.
 * Each operation is one Lua script, so a take of requests and tokens together, a header
 * correction or a refund is atomic and never loses an update (toolchain.md §4: read-modify-write
 * from the client loses updates). Time is Redis server time, so process clocks need not agree.
 */
import { sha256Hex } from '../../util/sha256.js';
import type {
  BucketSnapshot,
  BucketSpec,
  BucketStore,
  Dimension,
  SyncInput,
  TakeItem,
  TakeResult,
} from '../types.js';

/** The part of an ioredis client the store uses (ioredis 5 or 6). */
export interface RedisLike {
  readonly status: string;
  eval(script: string, numberOfKeys: number, ...args: (string | number)[]): Promise<unknown>;
  evalsha(sha: string, numberOfKeys: number, ...args: (string | number)[]): Promise<unknown>;
  script(subcommand: 'LOAD', script: string): Promise<unknown>;
  zadd(key: string, score: number, member: string): Promise<unknown>;
  zremrangebyscore(key: string, min: number | string, max: number | string): Promise<unknown>;
  zcard(key: string): Promise<number>;
  zrem(key: string, member: string): Promise<unknown>;
  pexpire(key: string, ms: number): Promise<unknown>;
  incrbyfloat(key: string, increment: number): Promise<string>;
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ...args: (string | number)[]): Promise<unknown>;
  ping(): Promise<unknown>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off?(event: string, listener: (...args: unknown[]) => void): unknown;
  quit(): Promise<unknown>;
  disconnect(): void;
}

const PRELUDE = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function load(key)
  local h = redis.call('HMGET', key, 'cap', 'rate', 'level', 'ts', 'taken', 'prio', 'ttl')
  if not h[1] then return nil end
  return { cap = tonumber(h[1]), rate = tonumber(h[2]), level = tonumber(h[3]), ts = tonumber(h[4]),
           taken = tonumber(h[5]) or 0, prio = tonumber(h[6]) or 0, ttl = tonumber(h[7]) or 0 }
end
local function refill(b, now)
  if now > b.ts then
    b.level = math.min(b.cap, b.level + (now - b.ts) * b.rate)
    b.ts = now
  end
end
local function bounded(b, level)
  return math.max(-b.cap, math.min(b.cap, level))
end
local function save(key, b)
  redis.call('HSET', key, 'cap', b.cap, 'rate', b.rate, 'level', b.level, 'ts', b.ts, 'taken', b.taken, 'prio', b.prio, 'ttl', b.ttl)
  if b.ttl > 0 then redis.call('PEXPIRE', key, b.ttl) end
end
`;

// KEYS: one hash per dimension. ARGV per key: amount, capacity, windowMs, ttlMs, reserve.
const TAKE = `${PRELUDE}
local now = now_ms()
local buckets = {}
local wait = 0
local limiting = 0
local created = 0
for i = 1, #KEYS do
  local base = (i - 1) * 5
  local amount = tonumber(ARGV[base + 1])
  local reserve = tonumber(ARGV[base + 5])
  local b = load(KEYS[i])
  if not b then
    local cap = tonumber(ARGV[base + 2])
    b = { cap = cap, rate = cap / tonumber(ARGV[base + 3]), level = cap, ts = now, taken = 0, prio = 0, ttl = tonumber(ARGV[base + 4]) }
    created = created + 2 ^ (i - 1)
  end
  refill(b, now)
  if amount > b.cap then amount = b.cap end
  b.amount = amount
  buckets[i] = b
  local needed = math.min(amount + reserve, b.cap)
  if b.level < needed then
    local w = (needed - b.level) / b.rate
    if w > wait then wait = w; limiting = i end
  end
end
if limiting > 0 then return { 0, tostring(math.ceil(wait)), limiting, now } end
local out = { 1, '0', created, now }
for i = 1, #KEYS do
  local b = buckets[i]
  b.level = b.level - b.amount
  b.taken = b.taken + b.amount
  save(KEYS[i], b)
  out[#out + 1] = tostring(b.taken)
  out[#out + 1] = tostring(b.level)
end
return out
`;

// ARGV: delta
const ADJUST = `${PRELUDE}
local b = load(KEYS[1])
if not b then return 0 end
refill(b, now_ms())
b.level = bounded(b, b.level + tonumber(ARGV[1]))
save(KEYS[1], b)
return 1
`;

// ARGV: remaining, ageMs, mark, raiseMargin ('' when only lowering)
const SYNC = `${PRELUDE}
local b = load(KEYS[1])
if not b then return 0 end
local now = now_ms()
refill(b, now)
local elapsed = math.max(0, tonumber(ARGV[2]))
local since = math.max(0, b.taken - tonumber(ARGV[3]))
local server = math.min(b.cap, tonumber(ARGV[1]) + elapsed * b.rate - since)
if server < b.level then
  b.level = bounded(b, server)
else
  if ARGV[4] == '' then return 0 end
  local least = math.min(b.cap, tonumber(ARGV[1]) + elapsed * b.rate) - since - tonumber(ARGV[4])
  if least <= b.level then return 0 end
  b.level = math.min(server, least)
end
save(KEYS[1], b)
return 1
`;

// ARGV: amount, waitMs
const HOLD_OFF = `${PRELUDE}
local b = load(KEYS[1])
if not b then return 0 end
refill(b, now_ms())
local target = math.min(tonumber(ARGV[1]), b.cap) - tonumber(ARGV[2]) * b.rate
if target >= b.level then return 0 end
b.level = bounded(b, target)
save(KEYS[1], b)
return 1
`;

// ARGV: capacity, windowMs, priority, ttlMs
const CONFIGURE = `${PRELUDE}
local now = now_ms()
local cap = tonumber(ARGV[1])
local rate = cap / tonumber(ARGV[2])
local prio = tonumber(ARGV[3])
local b = load(KEYS[1])
if not b then
  save(KEYS[1], { cap = cap, rate = rate, level = cap, ts = now, taken = 0, prio = prio, ttl = tonumber(ARGV[4]) })
  return 1
end
if prio < b.prio then return 0 end
refill(b, now)
if cap > b.cap then b.level = math.min(cap, b.level + (cap - b.cap)) else b.level = math.min(cap, b.level) end
b.cap = cap
b.rate = rate
b.prio = prio
b.ttl = tonumber(ARGV[4])
save(KEYS[1], b)
return 1
`;

const SCRIPTS = { take: TAKE, adjust: ADJUST, sync: SYNC, holdOff: HOLD_OFF, configure: CONFIGURE } as const;
type ScriptName = keyof typeof SCRIPTS;

/** How long an idle bucket's state is kept: two windows, at least a minute. */
function ttlFor(windowMs: number): number {
  return Math.max(60_000, Math.ceil(windowMs * 2));
}

/** Options of the Redis store. */
export interface RedisStoreOptions {
  /** The client, or a function that gives it once it exists. */
  readonly client: RedisLike | (() => Promise<RedisLike>);
  /** Prefix of every key; processes that share limits use the same prefix. */
  readonly keyPrefix: string;
}

/**
 * Buckets in Redis. Operations reject when Redis fails; `FailoverStore` decides what then. Time is
 * Redis server time (`TIME`), so the processes' clocks need not agree.
 */
export class RedisStore implements BucketStore {
  readonly shared = true;
  readonly #client: () => Promise<RedisLike>;
  readonly #prefix: string;
  /** Each script's SHA as Redis computed it (`SCRIPT LOAD`), loaded on first use. */
  readonly #shas = new Map<ScriptName, Promise<string>>();
  readonly #cache = new Map<string, Partial<Record<Dimension, BucketSnapshot>>>();
  readonly #hashes = new Map<string, string>();

  constructor(options: RedisStoreOptions) {
    const client = options.client;
    this.#client = typeof client === 'function' ? client : () => Promise.resolve(client);
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

  #sha(name: ScriptName): Promise<string> {
    let sha = this.#shas.get(name);
    if (sha === undefined) {
      sha = this.#client()
        .then((client) => client.script('LOAD', SCRIPTS[name]))
        .then(String);
      // A failed load is tried again next time.
      sha.catch(() => this.#shas.delete(name));
      this.#shas.set(name, sha);
    }
    return sha;
  }

  async #eval(
    name: ScriptName,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown> {
    const client = await this.#client();
    const sha = await this.#sha(name);
    try {
      return await client.evalsha(sha, keys.length, ...keys, ...args);
    } catch (error) {
      // After a Redis restart the script cache is empty: EVAL loads it again.
      if (error instanceof Error && /NOSCRIPT/i.test(error.message)) {
        return client.eval(SCRIPTS[name], keys.length, ...keys, ...args);
      }
      throw error;
    }
  }
}
