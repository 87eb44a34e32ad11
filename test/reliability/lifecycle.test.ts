import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { describe, expect, inject, it } from 'vitest';
import { createGuard } from '../../src/guard/create-guard.js';
import type { GuardEvent } from '../../src/telemetry/events.js';
import { createSimulator } from '../../src/testing/simulator/simulator.js';
import { freePort, startRedisServer } from '../support/redis-server.js';

const root = new URL('../../', import.meta.url).pathname;
const redisServer = inject('redisServerPath');

describe('a process using the guard', () => {
  it('exits by itself after faults and aborts: no stray timer or socket, nothing unhandled', async () => {
    const started = Date.now();
    const output = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'test/reliability/workers/settle-and-exit.ts'],
        { cwd: root, timeout: 30_000 },
        (error, stdout) => (error === null ? resolve(stdout) : reject(error)),
      );
    });
    expect(JSON.parse(output)).toMatchObject({ settled: 12, unhandled: 0, waiting: 0, inFlight: 0 });
    expect(Date.now() - started).toBeLessThan(25_000);
  }, 40_000);
});

describe.skipIf(redisServer === '')('Redis stopped mid-run and restarted', () => {
  it('calls keep flowing on local buckets, shared accounting resumes, the month’s spend is kept', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'tierguard-redis-restart-'));
    let redis = await startRedisServer(redisServer, port, dir);
    const sim = await createSimulator({ tier: 'tier-1' });
    const events: GuardEvent[] = [];
    const guard = createGuard({
      tier: 'tier-1',
      redis: `redis://127.0.0.1:${port}`,
      keyPrefix: `tg-restart-${port}:`,
      budget: { monthlyUsd: 1_000, alertAt: [1] },
      retry: { maxAttempts: 2, maxElapsedMs: 5_000 },
      onEvent: (event) => events.push(event),
    });
    const client = guard.wrap(new OpenAI({ apiKey: 'sk-test', baseURL: sim.baseURL }));
    const ask = () =>
      client.chat.completions.create({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'hello '.repeat(200) }],
        max_tokens: 50,
      });
    try {
      for (let index = 0; index < 3; index += 1) await ask();
      expect(guard.stats().store).toEqual({ kind: 'redis', health: 'healthy' });
      const spentBefore = guard.stats().budget?.spentUsd ?? 0;
      expect(spentBefore).toBeGreaterThan(0);

      redis.kill('SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 200));
      // Calls keep flowing on local buckets while Redis is away.
      for (let index = 0; index < 3; index += 1) await ask();
      expect(guard.stats().store).toEqual({ kind: 'redis', health: 'degraded' });
      expect(events.some((event) => event.type === 'store-degraded')).toBe(true);

      redis = await startRedisServer(redisServer, port, dir);
      for (
        let tries = 0;
        tries < 50 &&
        guard.stats().store.kind === 'redis' &&
        (guard.stats().store as { health: string }).health !== 'healthy';
        tries += 1
      ) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(events.some((event) => event.type === 'store-restored')).toBe(true);
      await ask();
      await new Promise((resolve) => setTimeout(resolve, 300));
      // The restarted Redis lost its keys; the spend this process recorded, before and during the
      // outage, is put back.
      const spentAfter = guard.stats().budget?.spentUsd ?? 0;
      expect(spentAfter).toBeGreaterThan(spentBefore);
      const { Redis } = await import('ioredis');
      const direct = new Redis(`redis://127.0.0.1:${port}`);
      const month = new Date().toISOString().slice(0, 7);
      expect(Number(await direct.get(`tg-restart-${port}:spend:${month}`))).toBeCloseTo(spentAfter, 9);
      await direct.quit();
    } finally {
      await guard.close();
      await sim.close();
      redis.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
