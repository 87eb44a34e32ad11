/**
 * The bucket scripts: the Lua every Redis backend runs (over TCP with ioredis, over HTTP with an
 * Upstash-style REST client), so that pods and functions sharing a prefix share the same buckets.
 * Each operation is one script, so a take of requests and tokens together, a header correction or
 * a refund is atomic and never loses an update (toolchain.md §4: read-modify-write from the client
 * loses updates). Time is the server's (`TIME`), so the callers' clocks need not agree.
 *
 * A bucket is one hash: `cap`, `rate` (per ms), `level`, `ts` (last refill, server ms), `taken`
 * (monotonic count of everything taken), `prio` (the strength of the source of `cap`), `ttl`.
 * A take that finds its bucket missing creates it at the level the caller gives (full for a new or
 * expired bucket, lower for one the server lost) and keeps it even when the take must wait.
 */

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

// KEYS: one hash per dimension. ARGV per key: amount, capacity, windowMs, ttlMs, reserve, level if
// missing, force ('1': taken whatever the level, down to a debt of one capacity). Reply: granted (1
// or 0), wait ms, the limiting key's index, server ms, then per key its taken count and level
// (after the take, or as found when it must wait).
const TAKE = `${PRELUDE}
local now = now_ms()
local buckets = {}
local wait = 0
local limiting = 0
for i = 1, #KEYS do
  local base = (i - 1) * 7
  local amount = tonumber(ARGV[base + 1])
  local reserve = tonumber(ARGV[base + 5])
  local b = load(KEYS[i])
  if not b then
    local cap = tonumber(ARGV[base + 2])
    b = { cap = cap, rate = cap / tonumber(ARGV[base + 3]), level = math.min(cap, tonumber(ARGV[base + 6])), ts = now, taken = 0, prio = 0, ttl = tonumber(ARGV[base + 4]) }
    save(KEYS[i], b)
  end
  refill(b, now)
  if amount > b.cap then amount = b.cap end
  b.amount = amount
  buckets[i] = b
  local needed = math.min(amount + reserve, b.cap)
  if b.level < needed and ARGV[base + 7] ~= '1' then
    local w = (needed - b.level) / b.rate
    if w > wait then wait = w; limiting = i end
  end
end
local granted = 1
if limiting > 0 then granted = 0 end
local out = { granted, tostring(math.ceil(wait)), limiting, now }
for i = 1, #KEYS do
  local b = buckets[i]
  if limiting == 0 then
    b.level = bounded(b, b.level - b.amount)
    b.taken = b.taken + b.amount
    save(KEYS[i], b)
  end
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

/** The bucket scripts by operation. Their text is their identity: the server caches them by SHA-1. */
export const BUCKET_SCRIPTS = {
  take: TAKE,
  adjust: ADJUST,
  sync: SYNC,
  holdOff: HOLD_OFF,
  configure: CONFIGURE,
} as const;

/** One of the bucket operations. */
export type BucketScriptName = keyof typeof BUCKET_SCRIPTS;
