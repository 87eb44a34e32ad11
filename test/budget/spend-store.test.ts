/**
 * The spend stores, side by side: in memory, in Redis over TCP (ioredis) and over HTTP (the real
 * `@upstash/redis` client through the loopback REST bridge). Each must reserve atomically, settle,
 * expire reservations and claim an alert once, the same way.
 */
import { randomUUID } from 'node:crypto';
import { Redis as UpstashRedis } from '@upstash/redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LuaSpendStore } from '../../src/budget/lua-spend-store.js';
import { MemorySpendStore, type ReserveRequest, type SpendStore } from '../../src/budget/spend-store.js';
import { ScriptRunner } from '../../src/stores/script-runner.js';
import { UpstashBackend } from '../../src/stores/upstash-backend.js';
import { startRedisHttpBridge, type RedisHttpBridge } from '../support/redis-http-bridge.js';

const redisUrl = inject('redisUrl');
const MONTH = '2026-12';

let tcp: Redis | undefined;
let bridge: RedisHttpBridge | undefined;

beforeAll(async () => {
  if (redisUrl === '') return;
  tcp = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  bridge = await startRedisHttpBridge({ redisUrl });
});
afterAll(async () => {
  await tcp?.quit();
  await bridge?.close();
});

function overTcp(prefix: string): LuaSpendStore {
  const client = tcp as Redis;
  return new LuaSpendStore(
    new ScriptRunner(async () => ({
      scriptSha: (script) => client.script('LOAD', script).then(String),
      evalsha: (sha, keys, args) => client.evalsha(sha, keys.length, ...keys, ...args),
      eval: (script, keys, args) => client.eval(script, keys.length, ...keys, ...args),
    })),
    prefix,
  );
}

function overHttp(prefix: string): LuaSpendStore {
  const http = bridge as RedisHttpBridge;
  const backend = new UpstashBackend({
    client: new UpstashRedis({ url: http.url, token: http.token, enableTelemetry: false, retry: false }),
    keyPrefix: prefix,
    commandTimeoutMs: 2_000,
    memberTtlMs: 3_000,
  });
  return new LuaSpendStore(backend.store.scripts, prefix);
}

const ask = (id: string, wantUsd: number, extra: Partial<ReserveRequest> = {}): ReserveRequest => ({
  month: MONTH,
  id,
  wantUsd,
  minUsd: wantUsd,
  limitUsd: 1,
  overdraft: false,
  ttlMs: 60_000,
  ...extra,
});

const kinds: [string, (prefix: string) => SpendStore][] = [['memory', () => new MemorySpendStore()]];
if (redisUrl !== '') kinds.push(['Redis over TCP', overTcp], ['Redis over HTTP', overHttp]);

describe.each(kinds)('%s spend store', (_name, make) => {
  const fresh = (): SpendStore => make(`tg-spend:${randomUUID()}:`);

  it('grants a reservation only while the spend, the reservations and it fit the limit', async () => {
    const store = fresh();
    expect(await store.reserve(ask('a', 0.4))).toEqual({ grantedUsd: 0.4, spentUsd: 0, reservedUsd: 0.4 });
    expect(await store.reserve(ask('b', 0.4))).toMatchObject({ grantedUsd: 0.4, reservedUsd: 0.8 });
    expect(await store.reserve(ask('c', 0.4))).toMatchObject({ grantedUsd: 0, reservedUsd: 0.8 });
    // A clampable call takes what is left, down to its least.
    const partial = await store.reserve(ask('d', 0.4, { minUsd: 0.1 }));
    expect(partial.grantedUsd).toBeCloseTo(0.2, 10);
    expect(await store.reserve(ask('e', 0.4, { minUsd: 0.1 }))).toMatchObject({ grantedUsd: 0 });
    // Past the limit only as an overdraft.
    expect(await store.reserve(ask('f', 0.4, { overdraft: true }))).toMatchObject({ grantedUsd: 0.4 });
    const totals = await store.total(MONTH);
    expect(totals.spentUsd).toBe(0);
    expect(totals.reservedUsd).toBeCloseTo(1.4, 10);
  });

  it('replaces a reservation by what the call cost, releases one that cost nothing, and adds without one', async () => {
    const store = fresh();
    await store.reserve(ask('a', 0.5));
    await store.reserve(ask('b', 0.3));
    expect(await store.commit(MONTH, 'a', 0.125)).toEqual({ spentUsd: 0.125, reservedUsd: 0.3 });
    expect(await store.release(MONTH, 'b')).toEqual({ spentUsd: 0.125, reservedUsd: 0 });
    // Settling twice changes nothing; an unknown id only adds its cost.
    expect(await store.release(MONTH, 'b')).toEqual({ spentUsd: 0.125, reservedUsd: 0 });
    expect(await store.commit(MONTH, '', 0.25)).toEqual({ spentUsd: 0.375, reservedUsd: 0 });
    // A floor puts back what this process knows was spent (a store that lost its data).
    expect(await store.total(MONTH, 2)).toEqual({ spentUsd: 2, reservedUsd: 0 });
    expect(await store.total('2027-01')).toEqual({ spentUsd: 0, reservedUsd: 0 });
  });

  it('grants no more than the limit holds to 50 reservations at once', async () => {
    const store = fresh();
    const grants = await Promise.all(
      Array.from({ length: 50 }, (_, index) => store.reserve(ask(`r${index}`, 0.1, { limitUsd: 1.05 }))),
    );
    expect(grants.filter((grant) => grant.grantedUsd > 0)).toHaveLength(10);
    expect((await store.total(MONTH)).reservedUsd).toBeCloseTo(1, 10);
  });

  it('drops a reservation that outlived its TTL', async () => {
    const store = fresh();
    await store.reserve(ask('short', 0.9, { ttlMs: 30 }));
    expect(await store.reserve(ask('blocked', 0.9))).toMatchObject({ grantedUsd: 0 });
    // Bounded: the reservation must be gone once its TTL has passed, whatever the clock's grain.
    let totals = await store.total(MONTH);
    for (let tries = 0; tries < 100 && totals.reservedUsd > 0; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      totals = await store.total(MONTH);
    }
    expect(totals.reservedUsd).toBe(0);
    expect(await store.reserve(ask('now', 0.9))).toMatchObject({ grantedUsd: 0.9 });
  });

  it('lets one caller claim each alert', async () => {
    const store = fresh();
    const claims = await Promise.all([store.claimAlert(MONTH, 0.5), store.claimAlert(MONTH, 0.5)]);
    expect(claims.sort()).toEqual([false, true]);
    expect(await store.claimAlert(MONTH, 0.8)).toBe(true);
    expect(await store.claimAlert('2027-01', 0.5)).toBe(true);
  });
});

describe.skipIf(redisUrl === '')('Redis spend keys', () => {
  it('keep the spend key earlier versions add to, and put the reservation keys on its cluster slot', async () => {
    const prefix = `tg-spend:${randomUUID()}:`;
    const store = overTcp(prefix);
    const [spend, reserved, expiry] = store.keysOf(MONTH);
    expect(spend).toBe(`${prefix}spend:${MONTH}`);
    expect(reserved).toBe(`{${spend}}:reserved`);
    expect(expiry).toBe(`{${spend}}:expiry`);
    // A prefix with its own hash tag keeps it for every key.
    expect(overTcp('{app}:').keysOf(MONTH)).toEqual([
      `{app}:spend:${MONTH}`,
      `{app}:spend:${MONTH}:reserved`,
      `{app}:spend:${MONTH}:expiry`,
    ]);

    // A process of an earlier version adds with INCRBYFLOAT; reservations see it.
    const client = tcp as Redis;
    await client.incrbyfloat(spend, 0.75);
    expect(await store.reserve(ask('a', 0.5))).toMatchObject({ grantedUsd: 0 });
    await store.commit(MONTH, '', 0.125);
    expect(Number(await client.get(spend))).toBeCloseTo(0.875, 10);
    expect(Number(await client.pttl(spend))).toBeGreaterThan(30 * 24 * 3_600_000);
  });
});
