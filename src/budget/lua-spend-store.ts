/**
 * A month's spend in a Redis, each operation one Lua script run through a `ScriptRunner` (so
 * ioredis over TCP and Upstash over HTTP run the same scripts on the same keys).
 *
 * Keys, for `prefix` and month `M`:
 * - `{prefix}spend:M`: the spend, a float string (the key earlier versions add to with
 *   `INCRBYFLOAT`; they keep working beside this store, without reservations);
 * - `{{prefix}spend:M}:reserved`: a hash of reservation id → USD;
 * - `{{prefix}spend:M}:expiry`: a sorted set of reservation id → expiry (Redis server time, ms);
 * - `{prefix}alert:M:threshold`: set once, by the process that alerts.
 *
 * The braces of the two reservation keys hold the spend key's whole name, so all three land on
 * the spend key's cluster slot. Every script answers its amounts as strings (Redis turns a Lua
 * number into an integer).
 */
import type { ScriptRunner } from '../stores/script-runner.js';
import type { ReserveRequest, SpendGrant, SpendStore, SpendTotals } from './spend-store.js';

// A month's keys outlive it by a few days, so that late readers still see it.
const KEEP_MS = 40 * 24 * 3_600_000;

const COMMON = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function purge(now)
  local gone = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)
  for _, id in ipairs(gone) do redis.call('HDEL', KEYS[2], id) end
  if #gone > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now) end
end
local function reserved()
  local sum = 0
  for _, usd in ipairs(redis.call('HVALS', KEYS[2])) do sum = sum + tonumber(usd) end
  return sum
end
local function spent(floor)
  local value = tonumber(redis.call('GET', KEYS[1]) or '0')
  if floor > value then
    value = tonumber(redis.call('INCRBYFLOAT', KEYS[1], tostring(floor - value)))
  end
  return value
end
local function keep(ms)
  for i = 1, 3 do
    if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('PEXPIRE', KEYS[i], ms) end
  end
end
`;

/** ARGV: id, want, min, limit, overdraft (1/0), ttlMs, keepMs → granted, spent, reserved. */
const RESERVE = `${COMMON}
local now = now_ms()
purge(now)
local s = spent(0)
local r = reserved()
local want = tonumber(ARGV[2])
local grant = want
if ARGV[5] ~= '1' then
  local left = tonumber(ARGV[4]) - s - r
  if left < grant then grant = left end
  if grant < tonumber(ARGV[3]) or grant <= 0 then
    return { '0', tostring(s), tostring(r) }
  end
end
redis.call('HSET', KEYS[2], ARGV[1], tostring(grant))
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[6]), ARGV[1])
keep(tonumber(ARGV[7]))
return { tostring(grant), tostring(s), tostring(r + grant) }
`;

/** ARGV: id ('' for none), usd, floor, keepMs → spent, reserved. Commit, release and total alike. */
const SETTLE = `${COMMON}
purge(now_ms())
if ARGV[1] ~= '' then
  redis.call('HDEL', KEYS[2], ARGV[1])
  redis.call('ZREM', KEYS[3], ARGV[1])
end
local s = spent(tonumber(ARGV[3]))
if tonumber(ARGV[2]) > 0 then s = tonumber(redis.call('INCRBYFLOAT', KEYS[1], ARGV[2])) end
keep(tonumber(ARGV[4]))
return { tostring(s), tostring(reserved()) }
`;

/** KEYS[1] the alert key; ARGV: keepMs → 1 for the first caller, else 0. */
const CLAIM = `
if redis.call('SET', KEYS[1], '1', 'PX', ARGV[1], 'NX') then return 1 end
return 0
`;

/** `key` with a hash tag that puts another key on its slot: its own tag if it has one, else its whole name. */
function slotTag(key: string): string {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  return close > open + 1 ? key : `{${key}}`;
}

function numbers(reply: unknown): number[] {
  if (!Array.isArray(reply))
    throw new Error(`tierguard: unexpected reply from the spend script: ${String(reply)}`);
  return reply.map((value) => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed))
      throw new Error(`tierguard: unexpected amount from the spend script: ${String(value)}`);
    return parsed;
  });
}

/** A month's spend in a Redis, shared by every process with the same key prefix. */
export class LuaSpendStore implements SpendStore {
  readonly shared = true;
  readonly #scripts: ScriptRunner;
  readonly #prefix: string;

  constructor(scripts: ScriptRunner, keyPrefix: string) {
    this.#scripts = scripts;
    this.#prefix = keyPrefix;
  }

  /** The three keys of a month: spend, reservations, expiries. */
  keysOf(month: string): [string, string, string] {
    const spend = `${this.#prefix}spend:${month}`;
    const tagged = slotTag(spend);
    return [spend, `${tagged}:reserved`, `${tagged}:expiry`];
  }

  async reserve(request: ReserveRequest): Promise<SpendGrant> {
    const [grantedUsd = 0, spentUsd = 0, reservedUsd = 0] = numbers(
      await this.#scripts.run(RESERVE, this.keysOf(request.month), [
        request.id,
        String(request.wantUsd),
        String(request.minUsd),
        String(request.limitUsd),
        request.overdraft ? '1' : '0',
        Math.ceil(request.ttlMs),
        KEEP_MS,
      ]),
    );
    return { grantedUsd, spentUsd, reservedUsd };
  }

  async commit(month: string, id: string, usd: number, floorUsd = 0): Promise<SpendTotals> {
    const [spentUsd = 0, reservedUsd = 0] = numbers(
      await this.#scripts.run(SETTLE, this.keysOf(month), [
        id,
        String(Math.max(0, usd)),
        String(floorUsd),
        KEEP_MS,
      ]),
    );
    return { spentUsd, reservedUsd };
  }

  release(month: string, id: string): Promise<SpendTotals> {
    return this.commit(month, id, 0);
  }

  total(month: string, floorUsd = 0): Promise<SpendTotals> {
    return this.commit(month, '', 0, floorUsd);
  }

  async claimAlert(month: string, threshold: number): Promise<boolean> {
    const reply = await this.#scripts.run(CLAIM, [`${this.#prefix}alert:${month}:${threshold}`], [KEEP_MS]);
    return Number(reply) === 1;
  }
}
