/**
 * The failover store keeps processes under a shared limit when the shared backend fails, comes back,
 * or comes back empty; and says why it could not start.
 */
import { createServer, type Server } from 'node:net';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { FailoverStore, type FailoverEvent, type SharedBackend } from '../../src/stores/failover.js';
import { MemoryStore } from '../../src/stores/memory.js';
import { createRedisStore } from '../../src/stores/redis-backend.js';
import type { RedisLike } from '../../src/stores/redis.js';
import type { BucketStore, Dimension, TakeItem, TakeResult } from '../../src/pacing/types.js';
import { freePort } from '../support/redis-server.js';

const redisUrl = inject('redisUrl');

/** A shared backend in memory whose availability the test controls. */
class FakeBackend implements SharedBackend {
  up = true;
  processes = 2;
  memory = new MemoryStore();
  readonly store: BucketStore;

  constructor() {
    const guard = <T>(run: () => T): T => {
      if (!this.up) throw new Error('backend down');
      return run();
    };
    this.store = {
      shared: true,
      take: async (key: string, items: readonly TakeItem[]): Promise<TakeResult> =>
        guard(() => this.memory.take(key, items)),
      adjust: async (key: string, dimension: Dimension, delta: number) =>
        guard(() => this.memory.adjust(key, dimension, delta)),
      sync: async (key, dimension, input) => guard(() => this.memory.sync(key, dimension, input)),
      holdOff: async (key, dimension, amount, waitMs) =>
        guard(() => this.memory.holdOff(key, dimension, amount, waitMs)),
      configure: async (key, dimension, spec, priority) =>
        guard(() => this.memory.configure(key, dimension, spec, priority)),
      peek: (key) => this.memory.peek(key),
      drop: () => undefined,
      close: () => undefined,
    };
  }

  async connect(): Promise<void> {
    if (!this.up) throw new Error('connection refused: is Redis running?');
  }

  async heartbeat(): Promise<number> {
    if (!this.up) throw new Error('backend down');
    return this.processes;
  }

  async close(): Promise<void> {}
}

const item = (amount: number): TakeItem => ({
  dimension: 'requests',
  amount,
  capacity: 40,
  windowMs: 60_000,
});

async function takeMany(store: FailoverStore, count: number): Promise<number> {
  let ok = 0;
  for (let index = 0; index < count; index += 1) if ((await store.take('k', [item(1)])).ok) ok += 1;
  return ok;
}

describe('FailoverStore', () => {
  const opened: FailoverStore[] = [];
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
  });

  function failover(backend: FakeBackend, events: FailoverEvent[] = []): FailoverStore {
    const store = new FailoverStore({
      backend,
      probeIntervalMs: 60_000,
      commandTimeoutMs: 200,
      emit: (event) => events.push(event),
    });
    opened.push(store);
    return store;
  }

  it("while degraded, a minute's bucket starts empty, whatever was left when this process last took", async () => {
    const backend = new FakeBackend();
    const events: FailoverEvent[] = [];
    const store = failover(backend, events);
    await store.ready;
    await store.configure('k', 'requests', { capacity: 40, windowMs: 60_000 }, 3);
    expect(await takeMany(store, 30)).toBe(30);
    backend.up = false;
    // 10 were left when it last took, but the other process may have spent them since: not its
    // half of them (5), nor of a full bucket (20). It refills at its share (20 a minute).
    const taken = await takeMany(store, 20);
    expect(events[0]).toMatchObject({ type: 'store-degraded', share: 0.5 });
    expect(taken).toBeLessThanOrEqual(1);
  });

  it("while degraded, a day's bucket starts at its share of what was left when this process last took", async () => {
    const backend = new FakeBackend();
    const store = failover(backend);
    await store.ready;
    const spec = { capacity: 40, windowMs: 86_400_000 };
    const one: TakeItem = { dimension: 'requests', amount: 1, ...spec };
    await store.configure('k', 'requests', spec, 3);
    const takeDay = async (count: number): Promise<number> => {
      let ok = 0;
      for (let index = 0; index < count; index += 1) if ((await store.take('k', [one])).ok) ok += 1;
      return ok;
    };
    expect(await takeDay(30)).toBe(30);
    backend.up = false;
    // 10 were left for two processes: this one may take its half (5), not 40 / 2 = 20. Empty, its
    // share would allow one call every 72 minutes.
    const taken = await takeDay(20);
    expect(taken).toBeGreaterThanOrEqual(4);
    expect(taken).toBeLessThanOrEqual(6);
  });

  it('back on the shared buckets, takes from them what it spent locally while away', async () => {
    const backend = new FakeBackend();
    const store = failover(backend);
    await store.ready;
    await store.configure('k', 'requests', { capacity: 40, windowMs: 60_000 }, 3);
    await takeMany(store, 10);
    backend.up = false;
    const local = await takeMany(store, 20);
    backend.up = true;
    await store.probeNow();
    expect(store.health).toBe('healthy');
    expect(backend.memory.peek('k').requests?.level).toBeCloseTo(40 - 10 - local, 0);
  });
});

describe.skipIf(redisUrl === '')('Redis at start: the reason says which', () => {
  const servers: Server[] = [];
  afterEach(() => {
    for (const server of servers.splice(0)) server.close();
  });

  async function degradeReason(client: Redis): Promise<string> {
    const events: FailoverEvent[] = [];
    const store = createRedisStore({
      client: client as unknown as RedisLike,
      ownsClient: true,
      connectTimeoutMs: 1_500,
      emit: (event) => events.push(event),
    });
    await store.ready;
    await store.close();
    const degraded = events.find((event) => event.type === 'store-degraded');
    return degraded?.type === 'store-degraded' ? degraded.reason : '';
  }

  const quiet = {
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    lazyConnect: false,
  } as const;

  it('a closed port: connection refused', async () => {
    const port = await freePort();
    expect(await degradeReason(new Redis(`redis://127.0.0.1:${port}`, quiet))).toMatch(/connection refused/);
  });

  it('a wrong password: the credentials were refused', async () => {
    const url = new URL(redisUrl);
    url.username = 'nobody';
    url.password = 'wrong';
    expect(await degradeReason(new Redis(url.href, quiet))).toMatch(/refused the credentials/);
  });

  it('a server that answers every command with an error: an error reply', async () => {
    const port = await freePort();
    const server = createServer((socket) => {
      // One error reply per command (a client may send several in one packet).
      socket.on('data', (data) => {
        const commands = (data.toString().match(/(^|\r\n)\*/g) ?? []).length || 1;
        for (let index = 0; index < commands; index += 1)
          socket.write('-ERR this server refuses everything\r\n');
      });
      socket.on('error', () => undefined);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    expect(await degradeReason(new Redis(`redis://127.0.0.1:${port}`, quiet))).toMatch(
      /answered with an error|refuses everything/,
    );
  });
});

describe.skipIf(redisUrl === '')('two processes on one Redis, one loses it', () => {
  const quiet = { maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null } as const;
  const MINUTE = 60_000;
  const DAY = 86_400_000;

  /**
   * Process `other` spends the whole shared bucket (40 a window), then process `late` loses its
   * connection; resolves with how many of 20 calls `late` may take on its own.
   */
  async function takenAfterLoss(
    windowMs: number,
    beforeLoss: (late: FailoverStore, one: TakeItem) => Promise<unknown> = async () => undefined,
    beforeSpend: (late: FailoverStore, one: TakeItem) => Promise<unknown> = async () => undefined,
  ): Promise<number> {
    const spec = { capacity: 40, windowMs };
    const one: TakeItem = { dimension: 'requests', amount: 1, ...spec };
    const taken = async (store: FailoverStore, count: number): Promise<number> => {
      let ok = 0;
      for (let index = 0; index < count; index += 1) if ((await store.take('k', [one])).ok) ok += 1;
      return ok;
    };
    const keyPrefix = `tg-test:${randomUUID()}:`;
    const lateClient = new Redis(redisUrl, quiet);
    const other = createRedisStore({
      client: new Redis(redisUrl, quiet) as unknown as RedisLike,
      ownsClient: true,
      keyPrefix,
    });
    await other.ready;
    const late = createRedisStore({
      client: lateClient as unknown as RedisLike,
      ownsClient: true,
      keyPrefix,
    });
    await late.ready;
    try {
      expect(late.processes).toBe(2);
      await other.configure('k', 'requests', spec, 3);
      await late.configure('k', 'requests', spec, 3);
      await beforeSpend(late, one);
      await taken(other, 40);
      expect((await other.take('k', [one])).ok).toBe(false);
      await beforeLoss(late, one);
      lateClient.disconnect();
      return await taken(late, 20);
    } finally {
      await other.close();
      await late.close();
    }
  }

  it('a process that had not taken yet starts its local bucket empty, not at its share of a full one', async () => {
    // Before: 20 (half of a full bucket), with the shared one already spent by the other process.
    expect(await takenAfterLoss(MINUTE)).toBeLessThanOrEqual(1);
  });

  it('a process whose last take was refused starts from the level that take found', async () => {
    const refused = async (late: FailoverStore, one: TakeItem) =>
      expect((await late.take('k', [one])).ok).toBe(false);
    expect(await takenAfterLoss(MINUTE, refused)).toBeLessThanOrEqual(1);
  });

  it('a process whose last take came before the others spent the bucket starts its local bucket empty', async () => {
    // Before: 19 (half of the 39 its own take saw), with the shared bucket spent since by the other.
    const tookFirst = async (late: FailoverStore, one: TakeItem) =>
      expect((await late.take('k', [one])).ok).toBe(true);
    expect(await takenAfterLoss(MINUTE, undefined, tookFirst)).toBeLessThanOrEqual(1);
  });

  it("a day's bucket it had not taken from starts at its share of a full one, as a lost one comes back", async () => {
    // Empty, its share (20 a day) would allow one call every 72 minutes.
    expect(await takenAfterLoss(DAY)).toBe(20);
  });
});
