/**
 * The HTTP Redis store (Upstash's REST protocol, through the real `@upstash/redis` client) against
 * redis-server, reached through a loopback REST bridge (test/support/redis-http-bridge.ts): the
 * same bucket semantics as the Redis store, the same buckets as a TCP store with the same prefix,
 * "functions" in separate processes sharing one limit, and the failover when HTTP fails.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { Redis as UpstashRedis, errors as upstashErrors } from '@upstash/redis';
import { Redis } from 'ioredis';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, expectTypeOf, inject, it } from 'vitest';
import { createGuard } from '../../src/guard/create-guard.js';
import type { FailoverEvent, FailoverStore } from '../../src/stores/failover.js';
import type { LuaBucketStore } from '../../src/stores/lua-bucket-store.js';
import { RedisStore, type RedisLike } from '../../src/stores/redis.js';
import {
  createUpstashStore,
  UpstashBackend,
  type UpstashLike,
  type UpstashStoreOptions,
} from '../../src/stores/upstash-backend.js';
import { chatCompletion } from '../../src/testing/index.js';
import { TierguardOptionsError } from '../../src/util/options.js';
import { startRedisHttpBridge, type RedisHttpBridge } from '../support/redis-http-bridge.js';
import { freePort } from '../support/redis-server.js';

const run = promisify(execFile);
const redisUrl = inject('redisUrl');
const skipReason = inject('redisSkipReason');
const root = new URL('../../', import.meta.url).pathname;

describe.skipIf(redisUrl === '')(
  `HTTP Redis store${redisUrl === '' ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    let bridge: RedisHttpBridge;
    let tcp: Redis;
    const opened: FailoverStore[] = [];
    beforeAll(async () => {
      bridge = await startRedisHttpBridge({ redisUrl });
      tcp = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    });
    afterAll(async () => {
      for (const store of opened.splice(0)) await store.close();
      await bridge.close();
      await tcp.quit();
    });

    const upstash = (options: { token?: string; url?: string } = {}): UpstashRedis =>
      new UpstashRedis({
        url: options.url ?? bridge.url,
        token: options.token ?? bridge.token,
        enableTelemetry: false,
        retry: false,
      });

    /** The buckets of an HTTP backend, without the failover around them (as the Redis store tests). */
    function buckets(prefix = `tg-http:${randomUUID()}:`): LuaBucketStore {
      return new UpstashBackend({
        client: upstash(),
        keyPrefix: prefix,
        commandTimeoutMs: 2_000,
        memberTtlMs: 3_000,
      }).store;
    }

    function shared(options: UpstashStoreOptions, events: FailoverEvent[] = []): FailoverStore {
      const store = createUpstashStore({ ...options, emit: (event) => events.push(event) });
      opened.push(store);
      return store;
    }

    it('speaks the REST protocol @upstash/redis expects: commands, pipelines, transactions, errors, base64, the token', async () => {
      const client = upstash();
      const key = `tg-http:${randomUUID()}`;
      expect(await client.set(key, 'héllo ✓')).toBe('OK');
      // Base64 on the wire when asked (the client asks), the text intact after decoding; "abcd" would
      // decode to other bytes had it not been encoded.
      expect(await client.get(key)).toBe('héllo ✓');
      await client.set(`${key}:b`, 'abcd');
      expect(await client.get(`${key}:b`)).toBe('abcd');
      const raw = async (headers: Record<string, string>): Promise<unknown> => {
        const response = await fetch(bridge.url, {
          method: 'POST',
          headers: { authorization: `Bearer ${bridge.token}`, ...headers },
          body: JSON.stringify(['GET', key]),
        });
        return response.json();
      };
      expect(await raw({ 'upstash-encoding': 'base64' })).toEqual({
        result: Buffer.from('héllo ✓').toString('base64'),
      });
      expect(await raw({})).toEqual({ result: 'héllo ✓' });
      const pipeline = await client.pipeline().incr(`${key}:n`).incr(`${key}:n`).get(`${key}:n`).exec();
      expect(pipeline).toEqual([1, 2, 2]);
      const transaction = await client.multi().incrby(`${key}:m`, 5).get(`${key}:m`).exec();
      expect(transaction).toEqual([5, 5]);
      await expect(client.incr(key)).rejects.toThrow(/not an integer/);
      await expect(upstash({ token: 'wrong' }).ping()).rejects.toThrow(/Unauthorized/);
      // What reached Redis did so through the bridge, over TCP.
      expect(await tcp.get(`${key}:n`)).toBe('2');
    });

    it('an @upstash/redis Redis is what the store takes', () => {
      expectTypeOf<UpstashRedis>().toExtend<UpstashLike>();
    });

    it('takes every dimension at once or none, and says how long to wait', async () => {
      const store = buckets();
      const items = [
        { dimension: 'requests' as const, amount: 1, capacity: 10, windowMs: 60_000 },
        { dimension: 'tokens' as const, amount: 600, capacity: 1_000, windowMs: 60_000 },
      ];
      const first = await store.take('k', items);
      expect(first).toMatchObject({
        ok: true,
        marks: { requests: 1, tokens: 600 },
        levels: { requests: 9, tokens: 400 },
      });
      const second = await store.take('k', items);
      expect(second.ok).toBe(false);
      if (!second.ok) {
        expect(second.limiting).toBe('tokens');
        // 200 tokens short at 1,000 per 60 s: about 12 s.
        expect(second.waitMs).toBeGreaterThan(11_500);
        expect(second.waitMs).toBeLessThanOrEqual(12_000);
      }
      const third = await store.take('k', [items[0] as (typeof items)[0]]);
      expect(third.ok && third.levels.requests).toBeCloseTo(8, 1);
    });

    it('applies header corrections atomically, subtracting what was taken after the answered call', async () => {
      const store = buckets();
      const item = { dimension: 'tokens' as const, amount: 1_000, capacity: 10_000, windowMs: 3_600_000 };
      const first = await store.take('k', [item]);
      await store.take('k', [item]);
      if (!first.ok) throw new Error('first take refused');
      await store.sync('k', 'tokens', {
        remaining: 8_500,
        ageMs: 0,
        mark: first.marks.tokens ?? 0,
        raiseMargin: undefined,
      });
      const after = await store.take('k', [{ ...item, amount: 1 }]);
      expect(after.ok && after.levels.tokens).toBeCloseTo(8_500 - 1_000 - 1, 0);
    });

    it('never loses an update when many functions correct the same bucket at once', async () => {
      const prefix = `tg-http:${randomUUID()}:`;
      // Four clients, as four function instances; their requests interleave at the bridge.
      const stores = [0, 1, 2, 3].map(() => buckets(prefix));
      const item = { dimension: 'tokens' as const, amount: 1, capacity: 1_000, windowMs: 3_600_000_000 };
      await (stores[0] as LuaBucketStore).configure('k', 'tokens', item, 2);
      // Half empty first: a full bucket clips a +2 that lands before the −3s, whatever the order.
      await (stores[0] as LuaBucketStore).adjust('k', 'tokens', -500);
      await Promise.all(
        Array.from({ length: 200 }, (_, index) =>
          (stores[index % 4] as LuaBucketStore).adjust('k', 'tokens', index % 2 === 0 ? -3 : 2),
        ),
      );
      const after = await (stores[1] as LuaBucketStore).take('k', [item]);
      // −500, then 100 × −3 + 100 × +2 = −100 in any order (the level stays within 200…700), then the take of 1.
      expect(after.ok && after.levels.tokens).toBeCloseTo(1_000 - 500 - 100 - 1, 0);
    });

    it('keeps a stronger source: a tier default never overrides what headers said', async () => {
      const store = buckets();
      await store.configure('k', 'tokens', { capacity: 800_000, windowMs: 60_000 }, 4);
      await store.configure('k', 'tokens', { capacity: 30_000, windowMs: 60_000 }, 2);
      const taken = await store.take('k', [
        { dimension: 'tokens', amount: 100_000, capacity: 30_000, windowMs: 60_000 },
      ]);
      expect(taken).toMatchObject({ ok: true });
    });

    it('shares the buckets of a TCP Redis store with the same prefix: the same scripts on the same keys', async () => {
      const prefix = `tg-mixed:${randomUUID()}:`;
      const overTcp = new RedisStore({ client: tcp as unknown as RedisLike, keyPrefix: prefix });
      const overHttp = buckets(prefix);
      expect(overHttp.bucketKey('k', 'requests')).toBe(overTcp.bucketKey('k', 'requests'));
      const item = { dimension: 'requests' as const, amount: 3, capacity: 10, windowMs: 3_600_000 };
      await overTcp.take('k', [item]);
      const fromHttp = await overHttp.take('k', [item]);
      expect(fromHttp).toMatchObject({ ok: true, marks: { requests: 6 } });
      expect(fromHttp.ok && fromHttp.levels.requests).toBeCloseTo(4, 1);
      const fromTcp = await overTcp.take('k', [item]);
      expect(fromTcp).toMatchObject({ ok: true, marks: { requests: 9 } });
    });

    it("runs its scripts by SHA-1 (computed here), and again after Redis's script cache is flushed", async () => {
      const store = buckets();
      const item = { dimension: 'requests' as const, amount: 1, capacity: 10, windowMs: 60_000 };
      await store.take('k', [item]);
      const before = bridge.counts.requests;
      await store.take('k', [item]);
      // One request: EVALSHA of a script the server knows (no SCRIPT LOAD from this side).
      expect(bridge.counts.requests - before).toBe(1);
      await tcp.script('FLUSH');
      const afterFlush = bridge.counts.requests;
      expect(await store.take('k', [item])).toMatchObject({ ok: true, marks: { requests: 3 } });
      // NOSCRIPT, then EVAL (which caches it again), then EVALSHA works again.
      expect(bridge.counts.requests - afterFlush).toBe(2);
      await store.take('k', [item]);
      expect(bridge.counts.requests - afterFlush).toBe(3);
    });

    it('from a URL and token: loads @upstash/redis, answers, and counts the instances sharing it, TCP processes included', async () => {
      const prefix = `tg-http:${randomUUID()}:`;
      const events: FailoverEvent[] = [];
      // A pod on TCP Redis announced itself with the same prefix (as the Redis store does).
      await tcp.zadd(`${prefix}members`, Date.now(), 'pod-1');
      const first = shared({ url: bridge.url, token: bridge.token, keyPrefix: prefix }, events);
      const second = shared({ client: upstash(), keyPrefix: prefix }, events);
      await Promise.all([first.ready, second.ready]);
      expect([first.health, second.health]).toEqual(['healthy', 'healthy']);
      expect(events).toEqual([]);
      expect(await tcp.zcard(`${prefix}members:http`)).toBe(2);
      // Two instances and the pod: alone while the HTTP Redis is away, each would take a third.
      await first.probeNow();
      expect(first.share).toBeCloseTo(1 / 3, 5);
      await first.close();
      // A healthy instance leaves the members as it closes.
      expect(await tcp.zcard(`${prefix}members:http`)).toBe(1);
    });

    it('lets two functions share one limit: admitted by time t never exceeds capacity + rate·t', async () => {
      const prefix = `tg-http:${randomUUID()}:`;
      const capacity = 20;
      const windowMs = 1_000;
      const callsEach = 30;
      const worker = `${root}test/pacing/workers/upstash-shared-limit-worker.ts`;
      const outputs = await Promise.all(
        [0, 1].map(() =>
          run(
            process.execPath,
            [
              '--import',
              'tsx',
              worker,
              bridge.url,
              bridge.token,
              prefix,
              String(callsEach),
              String(capacity),
              String(windowMs),
            ],
            { cwd: root, timeout: 30_000 },
          ),
        ),
      );
      const results = outputs.map(
        (output) => JSON.parse(output.stdout) as { admitted: number[]; health: string },
      );
      expect(results.map((result) => result.health)).toEqual(['healthy', 'healthy']);
      const admitted = results.flatMap((result) => result.admitted).sort((left, right) => left - right);
      expect(admitted).toHaveLength(2 * callsEach);
      const start = admitted[0] as number;
      const rate = capacity / windowMs;
      admitted.forEach((at, index) => {
        // index + 1 admitted by `at`; 1 call of slack for clock reads between processes.
        expect(index + 1).toBeLessThanOrEqual(capacity + rate * (at - start) + 1);
      });
      // One shared bucket, not two private ones: 60 calls at 20 per second need ≥ 2 s.
      expect((admitted.at(-1) as number) - start).toBeGreaterThanOrEqual(1_900);
    }, 40_000);

    it('two guarded clients (two functions) with `store` send no more than the shared limit', async () => {
      const prefix = `tg-http:${randomUUID()}:`;
      const sentAt: number[] = [];
      const makeClient = (): { client: OpenAI; close: () => Promise<void> } => {
        const guard = createGuard({
          store: shared({ url: bridge.url, token: bridge.token, keyPrefix: prefix }),
          limits: { '*': { requests: 4, tokens: 1_000_000, windowMs: 1_000 } },
          windowMs: 1_000,
        });
        const client = guard.wrap(
          new OpenAI({
            apiKey: 'sk-test-shared-0000000000000000',
            baseURL: 'http://api.test/v1',
            fetch: async () => {
              sentAt.push(Date.now());
              const item = chatCompletion({ content: 'ok' }) as {
                json: unknown;
                headers: Record<string, string>;
              };
              return new Response(JSON.stringify(item.json), {
                headers: { 'content-type': 'application/json', ...item.headers },
              });
            },
          }),
        );
        return { client, close: () => guard.close() };
      };
      const functions = [makeClient(), makeClient()];
      const ask = (client: OpenAI) =>
        client.chat.completions.create({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: 'hi' }],
          max_tokens: 5,
        });
      const answers = await Promise.all(
        functions.flatMap(({ client }) => Array.from({ length: 6 }, () => ask(client))),
      );
      for (const { close } of functions) await close();
      expect(answers.map((answer) => answer.choices[0]?.message.content)).toEqual(Array(12).fill('ok'));
      sentAt.sort((left, right) => left - right);
      const start = sentAt[0] as number;
      sentAt.forEach((at, index) => {
        expect(index + 1).toBeLessThanOrEqual(4 + (4 / 1_000) * (at - start) + 1);
      });
      // 12 calls at 4 a second, from two guards: one shared bucket needs ≥ 2 s.
      expect((sentAt.at(-1) as number) - start).toBeGreaterThanOrEqual(1_900);
    }, 30_000);

    it('runs on local buckets at its share while the HTTP Redis is away, and takes them back on return', async () => {
      const local = await startRedisHttpBridge({ redisUrl, token: bridge.token });
      const prefix = `tg-http:${randomUUID()}:`;
      const events: FailoverEvent[] = [];
      const store = createUpstashStore({
        url: local.url,
        token: local.token,
        keyPrefix: prefix,
        commandTimeoutMs: 500,
        probeIntervalMs: 60_000,
        emit: (event) => events.push(event),
      });
      try {
        await store.ready;
        expect(store.health).toBe('healthy');
        await store.configure('k', 'requests', { capacity: 40, windowMs: 3_600_000 }, 3);
        const item = { dimension: 'requests' as const, amount: 1, capacity: 40, windowMs: 3_600_000 };
        for (let index = 0; index < 10; index += 1) await store.take('k', [item]);
        await local.stop();
        let localTakes = 0;
        for (let index = 0; index < 30; index += 1) if ((await store.take('k', [item])).ok) localTakes += 1;
        expect(events[0]).toMatchObject({ type: 'store-degraded', share: 0.5 });
        const degraded = events[0] as Extract<FailoverEvent, { type: 'store-degraded' }>;
        expect(degraded.reason).toMatch(/connection refused/);
        // 30 were left for an instance that never saw another: its half, 15, not a full 40.
        expect(localTakes).toBeGreaterThanOrEqual(14);
        expect(localTakes).toBeLessThanOrEqual(16);
        await local.start();
        await store.probeNow();
        expect(store.health).toBe('healthy');
        expect(events[1]).toMatchObject({ type: 'store-restored' });
        // What it took locally was taken from the shared bucket too.
        const bucket = new RedisStore({ client: tcp as unknown as RedisLike, keyPrefix: prefix }).bucketKey(
          'k',
          'requests',
        );
        const level = Number(await tcp.hget(bucket, 'level'));
        expect(level).toBeCloseTo(40 - 10 - localTakes, 0);
      } finally {
        await store.close();
        await local.close();
      }
    });

    it('says why it could not start: a wrong token, a closed port, a server that is not a Redis REST API', async () => {
      const reasonFor = async (options: UpstashStoreOptions): Promise<string> => {
        const events: FailoverEvent[] = [];
        const store = shared({ ...options, connectTimeoutMs: 1_500 }, events);
        await store.ready;
        expect(store.health).toBe('degraded');
        const degraded = events.find((event) => event.type === 'store-degraded');
        return degraded?.type === 'store-degraded' ? degraded.reason : '';
      };
      const wrongToken = 'AXbadtoken-that-must-never-be-shown-1234567890';
      const refused = await reasonFor({ url: bridge.url, token: wrongToken });
      expect(refused).toMatch(/refused the token/);
      expect(refused).not.toContain(wrongToken);
      const port = await freePort();
      expect(await reasonFor({ url: `http://127.0.0.1:${port}`, token: 't' })).toMatch(/connection refused/);
      const notRedis = await import('node:http').then(({ createServer }) =>
        createServer((_request, response) => response.end('<html>hello</html>')),
      );
      await new Promise<void>((resolve) => notRedis.listen(0, '127.0.0.1', resolve));
      const address = notRedis.address() as { port: number };
      expect(await reasonFor({ url: `http://127.0.0.1:${address.port}`, token: 't' })).toMatch(
        /not as a Redis REST API/,
      );
      notRedis.closeAllConnections();
      notRedis.close();
      const silent = await import('node:http').then(({ createServer }) => createServer(() => undefined));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const silentPort = (silent.address() as { port: number }).port;
      expect(await reasonFor({ url: `http://127.0.0.1:${silentPort}`, token: 't' })).toMatch(
        /no answer from the HTTP Redis/,
      );
      silent.closeAllConnections();
      silent.close();
    });

    it('refuses bad options at construction, naming the field and never showing the token', () => {
      const token = 'AXsecret-token-value-0123456789abcdef';
      const refused = (options: unknown): TierguardOptionsError => {
        try {
          createUpstashStore(options as UpstashStoreOptions);
        } catch (error) {
          if (error instanceof TierguardOptionsError) return error;
          throw error;
        }
        throw new Error('accepted');
      };
      expect(refused({ url: bridge.url }).issues.map((issue) => issue.path)).toEqual(['token']);
      expect(refused({ token }).issues.map((issue) => issue.path)).toEqual(['url']);
      // The token pasted as the URL: named, not shown.
      const swapped = refused({ url: token, token: bridge.url });
      expect(swapped.issues.map((issue) => issue.path)).toEqual(['url']);
      expect(swapped.message).not.toContain(token);
      const both = refused({ client: upstash(), url: bridge.url, token });
      expect(both.issues.map((issue) => issue.path)).toEqual(['url', 'token']);
      expect(both.message).not.toContain(token);
      expect(refused({ client: tcp }).issues[0]).toMatchObject({ path: 'client' });
      expect(refused({ client: { url: bridge.url, token } }).message).not.toContain(token);
      expect(refused({ url: bridge.url, token, probeIntervalMs: 0 }).issues[0]?.path).toBe('probeIntervalMs');
      expect(refused({ url: bridge.url, token, keyprefix: 'x' }).issues[0]?.path).toBe('keyprefix');
    });

    it('keeps the client`s own errors apart: an UpstashError from a command stays an error of the store', async () => {
      const store = buckets();
      // A bucket key holding a string: the script's HMGET fails inside Redis.
      await tcp.set(store.bucketKey('k', 'requests'), 'not a hash');
      const failure = await store
        .take('k', [{ dimension: 'requests', amount: 1, capacity: 10, windowMs: 60_000 }])
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(Error);
      expect((failure as Error).message).toMatch(/WRONGTYPE/);
      expect((failure as Error).cause).toBeInstanceOf(upstashErrors.UpstashError);
    });
  },
);
