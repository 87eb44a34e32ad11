/**
 * What each store costs per call: bare and guarded calls alternate against the simulator in its
 * own process (unthrottled; it sends rate-limit headers as the API does, so answers are synced
 * back to the store), one guard per store:
 *
 * - memory: the in-process store;
 * - Redis: `createRedisStore` over ioredis, to a redis-server on loopback;
 * - HTTP Redis: `createUpstashStore({ url, token })` (the real `@upstash/redis` client) through the
 *   REST bridge, in its own process, to the same redis-server.
 *
 * Per store: the added latency per call (median and p90 of guarded − bare over the pairs), and the
 * Redis commands and HTTP requests a call costs (heartbeats included). Loopback has no network:
 * a real HTTP Redis adds its round trip (a few ms in the same region) to each call's take.
 *
 *   npm run bench:stores      (builds first; writes bench/results/stores.md)
 *
 * `runStoreSection` is what `bench/run.ts` may call; `storeTable` renders its rows.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import OpenAI from 'openai';
import type { BucketStore, RedisLike } from '../src/index.js';
import { freePort, redisServerBinary, startRedisServer } from '../test/support/redis-server.js';
import { built } from './built.js';
import { startChild, startRemoteSimulator } from './remote-sim.js';
import { percentile } from './stats.js';

const { createGuard, createRedisStore, createUpstashStore } = built;

/** The stores measured. */
export type StoreName = 'memory' | 'redis' | 'http-redis';

/** One store's cost per call. */
export interface StoreRow {
  readonly store: StoreName;
  readonly pairs: number;
  /** Median bare call, µs. */
  readonly bareMedianUs: number;
  /** Median guarded call, µs. */
  readonly guardedMedianUs: number;
  /** Median of (guarded − bare) over the pairs, µs. */
  readonly addedMedianUs: number;
  /** 90th percentile of (guarded − bare), µs. */
  readonly addedP90Us: number;
  /** Redis commands sent per guarded call (0 for memory). */
  readonly commandsPerCall: number;
  /** HTTP requests to the Redis per guarded call (HTTP Redis only). */
  readonly requestsPerCall: number | undefined;
}

/** Options of the section. */
export interface StoreSectionOptions {
  /** Measured pairs per store. @default 2_000 */
  readonly pairs?: number;
  /** Pairs run before measuring. @default 300 */
  readonly warmUpPairs?: number;
  readonly log?: (line: string) => void;
}

const LABELS: Readonly<Record<StoreName, string>> = {
  memory: 'memory (one process)',
  redis: 'Redis over TCP (pods)',
  'http-redis': 'Redis over HTTP, Upstash REST (functions, Workers)',
};

// The commands of ioredis the Redis store and its backend send (each one round trip).
const REDIS_COMMANDS = new Set([
  'eval',
  'evalsha',
  'script',
  'zadd',
  'zremrangebyscore',
  'zcard',
  'zrem',
  'pexpire',
  'ping',
]);

/** An ioredis client that counts the commands sent through it. */
function counting(client: Redis): { client: RedisLike; commands: () => number } {
  let commands = 0;
  const proxy = new Proxy(client, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      if (typeof property === 'string' && REDIS_COMMANDS.has(property))
        return (...args: unknown[]) => {
          commands += 1;
          return method.apply(target, args);
        };
      return method.bind(target);
    },
  });
  return { client: proxy as unknown as RedisLike, commands: () => commands };
}

/** Alternating pairs through `guarded` and `bare`; returns the per-pair times in µs. */
async function pairsOf(
  bare: OpenAI,
  guarded: OpenAI,
  pairs: number,
): Promise<{ bareUs: number[]; guardedUs: number[] }> {
  const body = {
    model: 'gpt-4o-mini',
    messages: [{ role: 'user' as const, content: 'What is the capital of France? Answer in one word.' }],
    max_tokens: 20,
  };
  const once = async (client: OpenAI): Promise<number> => {
    const at = performance.now();
    await client.chat.completions.create(body);
    return (performance.now() - at) * 1_000;
  };
  const bareUs: number[] = [];
  const guardedUs: number[] = [];
  for (let index = 0; index < pairs; index += 1) {
    if (index % 2 === 0) {
      bareUs.push(await once(bare));
      guardedUs.push(await once(guarded));
    } else {
      guardedUs.push(await once(guarded));
      bareUs.push(await once(bare));
    }
  }
  return { bareUs, guardedUs };
}

/**
 * Measures each store's cost per call. Resolves with a sentence instead when redis-server is not
 * installed (the two Redis rows need it).
 */
export async function runStoreSection(options: StoreSectionOptions = {}): Promise<StoreRow[] | string> {
  const pairs = options.pairs ?? 2_000;
  const warmUpPairs = options.warmUpPairs ?? 300;
  const log = options.log ?? (() => undefined);
  const binary = redisServerBinary();
  if (binary === '') return 'skipped: redis-server is not installed';
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tierguard-stores-redis-'));
  const redisServer = await startRedisServer(binary, port, dir);
  const redisUrl = `redis://127.0.0.1:${port}`;
  const token = `bench-${Math.random().toString(36).slice(2)}`;
  const bridge = await startChild('bench/redis-bridge-server.ts', [redisUrl, token]);
  const simulator = await startRemoteSimulator({
    // Unthrottled, the daily request limit included (thousands of calls go to one model).
    limits: { '*': { requests: 1e9, tokens: 1e12, requestsPerDay: 1e12 } },
    outputTokens: 20,
    latencyMs: 0,
  });
  const bridgeCounts = async (): Promise<{ requests: number; commands: number }> =>
    JSON.parse(await bridge.ask({ op: 'counts' })) as { requests: number; commands: number };
  const rows: StoreRow[] = [];
  try {
    const bare = new OpenAI({ apiKey: 'sk-bench', baseURL: simulator.baseURL, maxRetries: 0 });
    for (const name of ['memory', 'redis', 'http-redis'] as const) {
      const keyPrefix = `tierguard-stores:${name}:${Date.now()}:`;
      let commands: () => number = () => 0;
      let store: BucketStore | undefined;
      if (name === 'redis') {
        const counted = counting(new Redis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false }));
        commands = counted.commands;
        store = createRedisStore({ client: counted.client, ownsClient: true, keyPrefix });
      } else if (name === 'http-redis') {
        store = createUpstashStore({ url: bridge.baseURL, token, keyPrefix });
      }
      const guard = createGuard({
        limits: { '*': { requests: 1e9, tokens: 1e12 } },
        ...(store === undefined ? {} : { store }),
      });
      const guarded = guard.wrap(new OpenAI({ apiKey: 'sk-bench', baseURL: simulator.baseURL }));
      await pairsOf(bare, guarded, warmUpPairs);
      // Over HTTP the bridge counts what reached it (commands, and the requests that carried them).
      const before = { commands: commands(), ...(name === 'http-redis' ? await bridgeCounts() : {}) };
      const { bareUs, guardedUs } = await pairsOf(bare, guarded, pairs);
      const after = { commands: commands(), ...(name === 'http-redis' ? await bridgeCounts() : {}) };
      const health = guard.stats().store;
      await guard.close();
      if ('health' in health && health.health !== 'healthy')
        throw new Error(`the ${name} store was ${health.health} during the run`);
      const added = guardedUs.map((guardedTime, index) => guardedTime - (bareUs[index] as number));
      const row: StoreRow = {
        store: name,
        pairs,
        bareMedianUs: percentile(bareUs, 0.5),
        guardedMedianUs: percentile(guardedUs, 0.5),
        addedMedianUs: percentile(added, 0.5),
        addedP90Us: percentile(added, 0.9),
        commandsPerCall: (after.commands - before.commands) / pairs,
        requestsPerCall:
          'requests' in after && 'requests' in before
            ? ((after.requests as number) - (before.requests as number)) / pairs
            : undefined,
      };
      rows.push(row);
      log(
        `stores (${name}): added ${row.addedMedianUs.toFixed(0)} µs median, ${row.addedP90Us.toFixed(0)} µs p90 a call; ${row.commandsPerCall.toFixed(2)} Redis commands${row.requestsPerCall === undefined ? '' : `, ${row.requestsPerCall.toFixed(2)} HTTP requests`} a call`,
      );
    }
    return rows;
  } finally {
    await simulator.close();
    await bridge.close();
    redisServer.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The rows as a markdown table. */
export function storeTable(rows: readonly StoreRow[]): string {
  const us = (value: number): string => `${Math.round(value).toLocaleString('en-US')} µs`;
  return [
    '| store | added per call (median) | p90 | Redis commands a call | HTTP requests a call | bare call (median) |',
    '|---|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${LABELS[row.store]} | ${us(row.addedMedianUs)} | ${us(row.addedP90Us)} | ${row.commandsPerCall.toFixed(2)} | ${row.requestsPerCall === undefined ? '—' : row.requestsPerCall.toFixed(2)} | ${us(row.bareMedianUs)} |`,
    ),
  ].join('\n');
}

// Run as a script: measure, print, and write bench/results/stores.md.
if (process.argv[1]?.endsWith('stores.ts')) {
  const started = Date.now();
  const log = (line: string): void => {
    process.stdout.write(`[${((Date.now() - started) / 1_000).toFixed(0).padStart(4)} s] ${line}\n`);
  };
  const pairsFlag = process.argv.find((argument) => argument.startsWith('--pairs='));
  const result = await runStoreSection({
    log,
    ...(pairsFlag === undefined ? {} : { pairs: Number(pairsFlag.slice('--pairs='.length)) }),
  });
  const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const machine = `${cpus().length} × ${cpus()[0]?.model.split(' ').slice(0, 2).join(' ') ?? 'cpu'}, Node ${process.version}`;
  const table = typeof result === 'string' ? result : storeTable(result);
  const markdown = `# What each store costs per call\n\nMeasured by \`npm run bench:stores\` on ${when} UTC (${machine}): bare and guarded calls alternate against the simulator in its own process (loopback, no latency, rate-limit headers on every answer); one guard per store, unthrottled. "Added" is guarded − bare per pair. HTTP Redis is \`createUpstashStore\` with the real \`@upstash/redis\` client through the REST bridge (its own process) to the same loopback redis-server: a real HTTP Redis adds its network round trip to each call.\n\n${table}\n`;
  mkdirSync(new URL('results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('results/stores.md', import.meta.url), markdown);
  process.stdout.write(`\n${table}\n`);
}
