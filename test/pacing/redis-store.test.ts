import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { FailoverEvent } from '../../src/stores/failover.js';
import { createRedisStore } from '../../src/stores/redis-backend.js';
import { RedisStore, type RedisLike } from '../../src/stores/redis.js';

const run = promisify(execFile);
const redisUrl = inject('redisUrl');
const skipReason = inject('redisSkipReason');
const root = new URL('../../', import.meta.url).pathname;

describe.skipIf(redisUrl === '')(`Redis store${redisUrl === '' ? ` (skipped: ${skipReason})` : ''}`, () => {
  let client: Redis;
  beforeAll(() => {
    client = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    await client.quit();
  });

  function store(): { store: RedisStore; key: string } {
    return {
      store: new RedisStore({
        client: client as unknown as RedisLike,
        keyPrefix: `tg-test:${randomUUID()}:`,
      }),
      key: 'k',
    };
  }

  it('takes every dimension at once or none, and says how long to wait', async () => {
    const { store: redis, key } = store();
    const items = [
      { dimension: 'requests' as const, amount: 1, capacity: 10, windowMs: 60_000 },
      { dimension: 'tokens' as const, amount: 600, capacity: 1_000, windowMs: 60_000 },
    ];
    // Configured, not yet taken from: this process has seen no level.
    await redis.configure(key, 'tokens', { capacity: 1_000, windowMs: 60_000 }, 1);
    expect(redis.peek(key).tokens).toBeUndefined();
    const first = await redis.take(key, items);
    expect(first).toMatchObject({
      ok: true,
      marks: { requests: 1, tokens: 600 },
      levels: { requests: 9, tokens: 400 },
    });
    const second = await redis.take(key, items);
    expect(second.ok).toBe(false);
    if (!second.ok) {
      expect(second.limiting).toBe('tokens');
      // 200 tokens short at 1,000 per 60 s: about 12 s.
      expect(second.waitMs).toBeGreaterThan(11_500);
      expect(second.waitMs).toBeLessThanOrEqual(12_000);
    }
    // The refused take still shows the levels it found.
    expect(redis.peek(key).tokens?.level).toBeCloseTo(400, -1);
    expect(redis.peek(key).requests?.level).toBeCloseTo(9, 1);
    // Nothing was taken by the refused take: the requests bucket still has 9.
    const third = await redis.take(key, [items[0] as (typeof items)[0]]);
    expect(third.ok && third.levels.requests).toBeCloseTo(8, 1);
  });

  it('a forced take is granted whatever the level, down to a debt of one capacity, and counted', async () => {
    const { store: redis, key } = store();
    const item = { dimension: 'tokens' as const, amount: 600, capacity: 1_000, windowMs: 60_000 };
    expect(await redis.take(key, [item])).toMatchObject({ ok: true, marks: { tokens: 600 } });
    expect((await redis.take(key, [item])).ok).toBe(false);
    const forced = await redis.take(key, [{ ...item, force: true }]);
    expect(forced.ok).toBe(true);
    if (forced.ok) {
      // Its mark counts it, as any take's: an answer's headers correct what was taken after it.
      expect(forced.marks.tokens).toBe(1_200);
      expect(forced.levels.tokens).toBeCloseTo(-200, -1);
    }
    const deeper = await redis.take(key, [{ ...item, amount: 1_000, force: true }]);
    expect(deeper.ok && deeper.levels.tokens).toBe(-1_000);
  });

  it('a lost bucket comes back empty (a minute window) or full (a day); an expired one, full', async () => {
    let nowMs = 0;
    const prefix = `tg-test:${randomUUID()}:`;
    const redis = new RedisStore({
      client: client as unknown as RedisLike,
      keyPrefix: prefix,
      now: () => nowMs,
    });
    const minute = { dimension: 'requests' as const, amount: 1, capacity: 40, windowMs: 60_000 };
    const day = { dimension: 'requests-day' as const, amount: 1, capacity: 1_000, windowMs: 86_400_000 };
    await redis.configure('k', 'requests', minute, 3);
    for (let index = 0; index < 25; index += 1) expect((await redis.take('k', [minute, day])).ok).toBe(true);
    const wipe = async (): Promise<void> => {
      const keys = await client.keys(`${prefix}*`);
      expect(keys.length).toBeGreaterThan(0);
      await client.del(...keys);
    };
    // Lost (a restart, a flush) a second after this process took from it: the API's minute may be
    // spent, so nothing is left until it refills; the day's bucket comes back full.
    nowMs = 1_000;
    await wipe();
    const lost = await redis.take('k', [minute, day]);
    expect(lost.ok).toBe(false);
    if (!lost.ok) {
      expect(lost.limiting).toBe('requests');
      // One request at 40 a minute: 1.5 s.
      expect(lost.waitMs).toBeGreaterThan(1_400);
      expect(lost.waitMs).toBeLessThanOrEqual(1_500);
    }
    // Kept even though the take waits: a second take does not start it over.
    expect(Number(await client.hget(`${redis.bucketKey('k', 'requests')}`, 'level'))).toBeLessThan(1);
    expect(Number(await client.hget(`${redis.bucketKey('k', 'requests-day')}`, 'level'))).toBe(1_000);
    // Missing after longer than its TTL without this process: it expired while idle, and a burst
    // after a pause gets the full bucket.
    nowMs = 200_000;
    await wipe();
    const expired = await redis.take('k', [minute]);
    expect(expired.ok && expired.levels.requests).toBe(39);
    // A bucket this process never kept is new to it: full.
    const other = new RedisStore({ client: client as unknown as RedisLike, keyPrefix: prefix });
    nowMs = 201_000;
    await wipe();
    const fresh = await other.take('k', [minute]);
    expect(fresh.ok && fresh.levels.requests).toBe(39);
  });

  it('applies header corrections atomically, subtracting what was taken after the answered call', async () => {
    const { store: redis, key } = store();
    const item = { dimension: 'tokens' as const, amount: 1_000, capacity: 10_000, windowMs: 3_600_000 };
    const first = await redis.take(key, [item]);
    await redis.take(key, [item]);
    if (!first.ok) throw new Error('first take refused');
    await redis.sync(key, 'tokens', {
      remaining: 8_500,
      ageMs: 0,
      mark: first.marks.tokens ?? 0,
      raiseMargin: undefined,
    });
    const after = await redis.take(key, [{ ...item, amount: 1 }]);
    expect(after.ok && after.levels.tokens).toBeCloseTo(8_500 - 1_000 - 1, 0);
  });

  it('never loses an update when many processes correct the same bucket at once', async () => {
    const { store: redis, key } = store();
    const item = { dimension: 'tokens' as const, amount: 1, capacity: 1_000, windowMs: 3_600_000_000 };
    await redis.configure(key, 'tokens', item, 2);
    // Half empty first: a full bucket clips a +2 that lands before the −3s, whatever the order.
    await redis.adjust(key, 'tokens', -500);
    await Promise.all(
      Array.from({ length: 200 }, (_, index) => redis.adjust(key, 'tokens', index % 2 === 0 ? -3 : 2)),
    );
    const after = await redis.take(key, [item]);
    // −500, then 100 × −3 + 100 × +2 = −100 in any order (the level stays within 200…700), then the take of 1.
    expect(after.ok && after.levels.tokens).toBeCloseTo(1_000 - 500 - 100 - 1, 0);
  });

  it('keeps a stronger source: a tier default never overrides what headers said', async () => {
    const { store: redis, key } = store();
    await redis.configure(key, 'tokens', { capacity: 800_000, windowMs: 60_000 }, 4);
    await redis.configure(key, 'tokens', { capacity: 30_000, windowMs: 60_000 }, 2);
    const taken = await redis.take(key, [
      { dimension: 'tokens', amount: 100_000, capacity: 30_000, windowMs: 60_000 },
    ]);
    expect(taken).toMatchObject({ ok: true });
  });

  it('lets three processes share one limit: admitted by time t never exceeds capacity + rate·t', async () => {
    const prefix = `tg-test:${randomUUID()}:`;
    const capacity = 20;
    const windowMs = 1_000;
    const callsEach = 20;
    const worker = `${root}test/pacing/workers/shared-limit-worker.ts`;
    const outputs = await Promise.all(
      [0, 1, 2].map(() =>
        run(
          process.execPath,
          [
            '--import',
            'tsx',
            worker,
            redisUrl,
            prefix,
            String(callsEach),
            String(capacity),
            String(windowMs),
          ],
          {
            cwd: root,
            timeout: 30_000,
          },
        ),
      ),
    );
    const results = outputs.map(
      (output) => JSON.parse(output.stdout) as { admitted: number[]; health: string },
    );
    expect(results.map((result) => result.health)).toEqual(['healthy', 'healthy', 'healthy']);
    const admitted = results.flatMap((result) => result.admitted).sort((left, right) => left - right);
    expect(admitted).toHaveLength(3 * callsEach);
    const start = admitted[0] as number;
    const rate = capacity / windowMs;
    admitted.forEach((at, index) => {
      // index + 1 admitted by `at`; 1 call of slack for clock reads between processes.
      expect(index + 1).toBeLessThanOrEqual(capacity + rate * (at - start) + 1);
    });
    // And the shared bucket was used, not three private ones: 60 calls at 20 per second need ≥ 2 s.
    expect((admitted.at(-1) as number) - start).toBeGreaterThanOrEqual(1_900);
  }, 40_000);

  it('falls back to local buckets at its share when Redis is unreachable, and says so', async () => {
    const events: FailoverEvent[] = [];
    const dead = new Redis('redis://127.0.0.1:1', {
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      lazyConnect: true,
      retryStrategy: () => null,
    });
    const shared = createRedisStore({
      client: dead as unknown as RedisLike,
      ownsClient: true,
      keyPrefix: 'tg-dead:',
      connectTimeoutMs: 200,
      emit: (event) => events.push(event),
    });
    await shared.ready;
    expect(shared.health).toBe('degraded');
    expect(events[0]).toMatchObject({ type: 'store-degraded', share: 0.5 });
    await shared.configure('k', 'requests', { capacity: 10, windowMs: 60_000 }, 2);
    const takes = [];
    for (let index = 0; index < 6; index += 1)
      takes.push(
        await shared.take('k', [{ dimension: 'requests', amount: 1, capacity: 10, windowMs: 60_000 }]),
      );
    // Half of 10 per window while alone and not knowing how many others there are.
    expect(takes.filter((take) => take.ok)).toHaveLength(5);
    await shared.close();
  });
});
