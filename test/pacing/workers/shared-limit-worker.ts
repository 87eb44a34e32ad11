/**
 * One of several processes that share a limit through Redis: takes `calls` requests from a
 * shared bucket as fast as it may, and prints when each was admitted (epoch ms).
 */
import { Redis } from 'ioredis';
import { Pacer } from '../../../src/pacing/pacer.js';
import { createRedisStore } from '../../../src/stores/redis-backend.js';
import type { RedisLike } from '../../../src/stores/redis.js';

const [url, prefix, callsText, capacityText, windowText] = process.argv.slice(2);
const calls = Number(callsText);
const store = createRedisStore({
  client: new Redis(url as string, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
  }) as unknown as RedisLike,
  ownsClient: true,
  keyPrefix: prefix as string,
});
await store.ready;
const pacer = new Pacer({
  tier: 'auto',
  limits: { '*': { requests: Number(capacityText), windowMs: Number(windowText) } },
  windowMs: Number(windowText),
  windowFixed: true,
  maxQueued: Number.POSITIVE_INFINITY,
  initialConcurrency: 2,
  maxUnknownConcurrency: 32,
  calibrationStepMs: 1_000,
  maxPauseMs: 60_000,
  idleLaneMs: 600_000,
  deployments: {},
  store,
  emit: () => undefined,
});
const lane = pacer.lane({ baseURL: 'http://shared.test/v1', model: 'gpt-4o-mini' });
const admitted: number[] = [];
await Promise.all(
  Array.from({ length: calls }, async () => {
    const ticket = await pacer.admit(
      lane,
      {
        promptTokens: 1,
        maxOutputTokens: 1,
        n: 1,
        totalTokens: 2,
        images: 0,
        outputDefaulted: false,
      },
      undefined,
      undefined,
    );
    admitted.push(Date.now());
    pacer.finish(ticket, true);
  }),
);
process.stdout.write(JSON.stringify({ admitted, health: store.health }));
await store.close();
