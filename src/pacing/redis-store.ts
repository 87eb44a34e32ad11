/**
 * Buckets shared through Redis: every process of an organization takes from the same buckets.
 * Each operation is one Lua script, so a take of requests and tokens together, a header
 * correction or a refund is atomic and never loses an update (toolchain.md §4: read-modify-write
 * from the client loses updates). Time is Redis server time, so process clocks need not agree.
 */
import { createHash } from 'node:crypto';
import type { BucketSnapshot, BucketSpec, Dimension, SyncInput, TakeItem, TakeResult } from './types.js';

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
local function save(key, b)
  redis.call('HSET', key, 'cap', b.cap, 'rate', b.rate, 'level', b.level, 'ts', b.ts, 'taken', b.taken, 'prio', b.prio, 'ttl', b.ttl)
  if b.ttl > 0 then redis.call('PEXPIRE', key, b.ttl) end
end
`;

// KEYS: one hash per dimension. ARGV per key: amount, capacity, windowMs, ttlMs.
const TAKE = `${PRELUDE}
local now = now_ms()
local buckets = {}
local wait = 0
local limiting = 0
for i = 1, #KEYS do
  local base = (i - 1) * 4
  local amount = tonumber(ARGV[base + 1])
  local b = load(KEYS[i])
  if not b then
    local cap = tonumber(ARGV[base + 2])
    b = { cap = cap, rate = cap / tonumber(ARGV[base + 3]), level = cap, ts = now, taken = 0, prio = 0, ttl = tonumber(ARGV[base + 4]) }
  end
  refill(b, now)
  if amount > b.cap then amount = b.cap end
  b.amount = amount
  buckets[i] = b
  if b.level < amount then
    local w = (amount - b.level) / b.rate
    if w > wait then wait = w; limiting = i end
  end
end
if limiting > 0 then return { 0, tostring(math.ceil(wait)), limiting, now } end
local out = { 1, '0', 0, now }
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
b.level = math.min(b.cap, b.level + tonumber(ARGV[1]))
save(KEYS[1], b)
return 1
`;

// ARGV: remaining, ageMs, mark, raiseCeiling ('' when only lowering)
const SYNC = `${PRELUDE}
local b = load(KEYS[1])
if not b then return 0 end
local now = now_ms()
refill(b, now)
local elapsed = math.max(0, tonumber(ARGV[2]))
local server = math.min(b.cap, tonumber(ARGV[1]) + elapsed * b.rate) - math.max(0, b.taken - tonumber(ARGV[3]))
if server < b.level then
  b.level = server
elseif ARGV[4] ~= '' and b.taken == tonumber(ARGV[3]) and tonumber(ARGV[4]) > b.level then
  b.level = math.min(server, tonumber(ARGV[4]))
else
  return 0
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
b.level = target
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
if b.cap ~= cap then b.level = math.min(cap, b.level + (cap - b.cap)) end
b.cap = cap
b.rate = rate
b.prio = prio
b.ttl = tonumber(ARGV[4])
save(KEYS[1], b)
return 1
`;

const SCRIPTS = { take: TAKE, adjust: ADJUST, sync: SYNC, holdOff: HOLD_OFF, configure: CONFIGURE } as const;
type ScriptName = keyof typeof SCRIPTS;

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

/** How long an idle bucket's state is kept: two windows, at least a minute. */
function ttlFor(windowMs: number): number {
  return Math.max(60_000, Math.ceil(windowMs * 2));
}

/** Options of the Redis store. */
export interface RedisStoreOptions {
  readonly client: RedisLike;
  /** Prefix of every key; processes that share limits use the same prefix. */
  readonly keyPrefix: string;
}

/** Buckets in Redis. Operations reject when Redis fails; `ResilientStore` decides what then. */
export class RedisStore {
  readonly #client: RedisLike;
  readonly #prefix: string;
  readonly #shas = new Map<ScriptName, string>();
  readonly #cache = new Map<string, Partial<Record<Dimension, BucketSnapshot>>>();

  constructor(options: RedisStoreOptions) {
    this.#client = options.client;
    this.#prefix = options.keyPrefix;
    for (const [name, script] of Object.entries(SCRIPTS) as [ScriptName, string][])
      this.#shas.set(name, sha1(script));
  }

  /** The Redis key of one bucket. The hash tag keeps a limit key's buckets on one cluster slot. */
  bucketKey(key: string, dimension: Dimension): string {
    return `${this.#prefix}{${sha1(key).slice(0, 16)}}:${dimension}`;
  }

  async take(key: string, items: readonly TakeItem[]): Promise<TakeResult> {
    const args: (string | number)[] = [];
    for (const item of items) args.push(item.amount, item.capacity, item.windowMs, ttlFor(item.windowMs));
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
    return { ok: true, atMs, marks, levels };
  }

  async adjust(key: string, dimension: Dimension, delta: number): Promise<void> {
    await this.#eval('adjust', [this.bucketKey(key, dimension)], [delta]);
  }

  async sync(key: string, dimension: Dimension, input: SyncInput): Promise<void> {
    await this.#eval(
      'sync',
      [this.bucketKey(key, dimension)],
      [input.remaining, input.ageMs, input.mark, input.raiseCeiling === undefined ? '' : input.raiseCeiling],
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

  async #eval(
    name: ScriptName,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown> {
    const sha = this.#shas.get(name) as string;
    try {
      return await this.#client.evalsha(sha, keys.length, ...keys, ...args);
    } catch (error) {
      // After a Redis restart the script cache is empty: load it once and go on.
      if (error instanceof Error && /NOSCRIPT/i.test(error.message)) {
        return this.#client.eval(SCRIPTS[name], keys.length, ...keys, ...args);
      }
      throw error;
    }
  }
}
