/**
 * One of several serverless "functions" that share a limit through a Redis over HTTP (the REST
 * bridge): takes `calls` requests from the shared bucket as fast as it may, and prints when each
 * was admitted (epoch ms). It has no TCP Redis: only the REST URL and token.
 */
import { Pacer } from '../../../src/pacing/pacer.js';
import { createUpstashStore } from '../../../src/stores/upstash-backend.js';

const [url, token, prefix, callsText, capacityText, windowText] = process.argv.slice(2);
const calls = Number(callsText);
const store = createUpstashStore({ url: url as string, token: token as string, keyPrefix: prefix as string });
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
      { promptTokens: 1, maxOutputTokens: 1, n: 1, totalTokens: 2, images: 0, outputDefaulted: false },
      undefined,
      undefined,
    );
    admitted.push(Date.now());
    pacer.finish(ticket, true);
  }),
);
process.stdout.write(JSON.stringify({ admitted, health: store.health }));
await store.close();
