/**
 * Starts a throwaway redis-server on a free loopback port for the tests that share limits across
 * processes. Without the binary those tests skip, and this says so once, with the reason.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';

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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

async function waitForPing(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    const ping = spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' });
    if (ping.stdout?.trim() === 'PONG') return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('redis-server did not answer PING within 10 s');
}

export async function setup(project: TestProject): Promise<() => void> {
  const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const binary = which.stdout.trim();
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
  const child = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    {
      stdio: 'ignore',
    },
  );
  await waitForPing(port, child);
  project.provide('redisUrl', `redis://127.0.0.1:${port}`);
  project.provide('redisSkipReason', '');
  project.provide('redisServerPath', binary);
  return () => {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
}
