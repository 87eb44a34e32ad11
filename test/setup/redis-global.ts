/**
 * Starts a throwaway redis-server on a free loopback port for the tests that share limits across
 * processes. Without the binary those tests skip, and this says so once, with the reason.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { freePort, redisServerBinary, startRedisServer } from '../support/redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `redis://127.0.0.1:PORT` of the test server, or '' when none runs. */
    redisUrl: string;
    /** Why there is no Redis, when there is none. */
    redisSkipReason: string;
    /** Path of the redis-server binary, for tests that stop and restart it. */
    redisServerPath: string;
  }
}

export async function setup(project: TestProject): Promise<() => void> {
  const binary = redisServerBinary();
  if (process.env.TIERGUARD_TEST_REDIS_URL) {
    project.provide('redisUrl', process.env.TIERGUARD_TEST_REDIS_URL);
    project.provide('redisSkipReason', '');
    project.provide('redisServerPath', binary);
    return () => undefined;
  }
  if (binary === '') {
    const reason =
      'redis-server is not installed, so the multi-process (Redis) tests are SKIPPED. Install it (apt-get install -y redis-server) or set TIERGUARD_TEST_REDIS_URL.';
    console.warn(`\n[tierguard tests] ${reason}\n`);
    project.provide('redisUrl', '');
    project.provide('redisSkipReason', reason);
    project.provide('redisServerPath', '');
    return () => undefined;
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tierguard-redis-'));
  const child = await startRedisServer(binary, port, dir);
  project.provide('redisUrl', `redis://127.0.0.1:${port}`);
  project.provide('redisSkipReason', '');
  project.provide('redisServerPath', binary);
  return () => {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
}
