/**
 * Three processes share a limit through Redis while Redis fails: killed and restarted empty, or
 * frozen and thawed. Together they stay within the limit a token bucket allows (a full bucket, then
 * its refill), as the API would count them.
 */
import { execFile, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { freePort, startRedisServer } from '../support/redis-server.js';

const root = new URL('../../', import.meta.url).pathname;
const redisServer = inject('redisServerPath');
const CAPACITY = 40;
const WINDOW_MS = 4_000;
const DURATION_MS = 9_000;

function worker(url: string, prefix: string): Promise<{ sent: number[]; events: string[] }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [
        '--import',
        'tsx',
        'test/reliability/workers/shared-limit-load.ts',
        url,
        prefix,
        String(DURATION_MS),
        String(CAPACITY),
        String(WINDOW_MS),
      ],
      { cwd: root, timeout: 30_000 },
      (error, stdout) =>
        error === null ? resolve(JSON.parse(stdout) as { sent: number[]; events: string[] }) : reject(error),
    );
  });
}

/**
 * Resolves once `count` processes have announced themselves in Redis and one probe interval more
 * has passed, so that each knows the others: a process that joined after another's last probe
 * is not yet in that one's share (a gap of one probe interval that the guard accepts).
 */
async function allAnnounced(port: number, prefix: string, count: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const members = spawnSync('redis-cli', ['-p', String(port), 'zcard', `${prefix}members`], {
      encoding: 'utf8',
    }).stdout;
    if (Number(members) >= count) break;
    if (Date.now() > deadline) throw new Error(`only ${members.trim()} of ${count} processes announced`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await new Promise((resolve) => setTimeout(resolve, 1_500));
}

/**
 * The largest excess over what a bucket of `capacity` refilling over `windowMs` allows: for every
 * span of sends, their count minus (capacity + the refill over the span).
 */
function excessOverBucket(times: readonly number[]): number {
  const sorted = [...times].sort((left, right) => left - right);
  const rate = CAPACITY / WINDOW_MS;
  let worst = Number.NEGATIVE_INFINITY;
  for (let first = 0; first < sorted.length; first += 1)
    for (let last = first; last < sorted.length; last += 1) {
      const excess =
        last - first + 1 - (CAPACITY + rate * ((sorted[last] as number) - (sorted[first] as number)));
      if (excess > worst) worst = excess;
    }
  return worst;
}

describe.skipIf(redisServer === '')('three processes share a limit while Redis fails', () => {
  it.each([
    ['killed and restarted empty', 'kill'],
    ['frozen and thawed', 'stop'],
  ] as const)(
    'Redis %s: together within the limit',
    async (_name, failure) => {
      const port = await freePort();
      const dir = mkdtempSync(join(tmpdir(), 'tierguard-failover-'));
      let redis: ChildProcess = await startRedisServer(redisServer, port, dir);
      const url = `redis://127.0.0.1:${port}`;
      const prefix = `tg-failover-${port}:`;
      try {
        const running = Promise.all([worker(url, prefix), worker(url, prefix), worker(url, prefix)]);
        // Under load the workers start seconds apart: fail Redis once all three share it.
        await allAnnounced(port, prefix, 3);
        if (failure === 'kill') {
          redis.kill('SIGKILL');
          await new Promise((resolve) => setTimeout(resolve, 1_500));
          redis = await startRedisServer(redisServer, port, dir);
        } else {
          redis.kill('SIGSTOP');
          await new Promise((resolve) => setTimeout(resolve, 2_000));
          redis.kill('SIGCONT');
        }
        const results = await running;
        const sent = results.flatMap((result) => result.sent);
        expect(results.some((result) => result.events.includes('store-degraded'))).toBe(true);
        const seen = `sent ${results.map((result) => result.sent.length).join(' + ')}, excess ${excessOverBucket(sent).toFixed(1)}`;
        // Served about the limit's worth (not starved while Redis was away)…
        expect(sent.length, seen).toBeGreaterThan(CAPACITY + (CAPACITY * DURATION_MS) / WINDOW_MS / 2);
        // …and never more than a bucket allows, give or take a few calls in flight when Redis failed.
        expect(excessOverBucket(sent), seen).toBeLessThanOrEqual(CAPACITY * 0.25);
      } finally {
        redis.kill('SIGKILL');
        rmSync(dir, { recursive: true, force: true });
      }
    },
    60_000,
  );
});
