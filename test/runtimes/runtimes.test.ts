import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScenarioReport } from './scenario.js';
import { bundleForWorker, createConsumer, repoRoot, type Consumer } from './support/consumer.js';

// The guarded scenario (scenario.ts) on every runtime the library supports, each loading the packed
// package from a consumer directory outside the repository. Bun and Deno come from npm packages
// with their binaries inside (devDependencies, linux-x64); workerd runs through miniflare. A
// runtime whose binary is missing is skipped with the reason, except where
// TIERGUARD_REQUIRE_RUNTIMES is set (CI), where it fails.
const BUN = join(repoRoot, 'node_modules/@oven/bun-linux-x64/bin/bun');
const DENO = join(repoRoot, 'node_modules/@deno/linux-x64-glibc/deno');
const required = process.env.TIERGUARD_REQUIRE_RUNTIMES === '1';

function workerdInstalled(): boolean {
  try {
    const require = createRequire(import.meta.url);
    return existsSync(require.resolve('miniflare')) && existsSync(require.resolve('workerd/package.json'));
  } catch {
    return false;
  }
}

/** Whether a runtime can run here; a test names the missing piece instead of passing. */
function available(name: string, present: boolean, missing: string): boolean {
  if (!present && required) throw new Error(`${name}: ${missing} (TIERGUARD_REQUIRE_RUNTIMES=1)`);
  return present;
}
const hasBun = available('bun', existsSync(BUN), `${BUN} is missing; npm ci installs it on linux-x64`);
const hasDeno = available('deno', existsSync(DENO), `${DENO} is missing; npm ci installs it on linux-x64`);
const hasWorkerd = available('workerd', workerdInstalled(), 'miniflare or workerd is not installed');

let consumer: Consumer;
beforeAll(async () => {
  consumer = await createConsumer();
}, 60_000);
afterAll(() => consumer?.remove());

function runEntry(command: string, args: readonly string[]): ScenarioReport {
  const output = execFileSync(command, args, {
    cwd: consumer.dir,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', DENO_DIR: join(consumer.dir, '.deno') },
  });
  return JSON.parse(output) as ScenarioReport;
}

/** What every runtime must report: the same answers, whatever runs them. */
function expectScenario(report: ScenarioReport, runtime: string): void {
  expect(report.runtime).toMatch(new RegExp(`^${runtime}\\b`));

  // Paced to the learned limit: a burst of three windows' worth of calls against a server that
  // refuses above 6 a window. Unpaced, 12 of the 18 would be refused at once; a cold burst may
  // over-admit by a call or two before the first answers teach the limit, and those are retried.
  expect(report.pacing.served).toBe(report.pacing.calls);
  expect(report.pacing.learnedRequests).toBe(6);
  expect(report.pacing.throttled).toBeGreaterThan(0);
  expect(report.pacing.refusedByServer).toBeLessThanOrEqual(3);
  expect(report.pacing.received).toBe(report.pacing.calls + report.pacing.refusedByServer);

  // A quota error: the SDK's own error, never retried, and no fallback to a model of the same account.
  const { hintTitle, ...quota } = report.quota;
  expect(quota).toEqual({
    rateLimitError: true,
    status: 429,
    cause: 'insufficient_quota',
    retryable: false,
    sent: 1,
  });
  expect(hintTitle).toMatch(/quota/i);

  expect(report.fallback).toEqual({
    content: 'from the mini',
    servedBy: 'gpt-4o-mini',
    modelsSent: ['gpt-4o', 'gpt-4o-mini'],
    event: { type: 'fallback', from: 'gpt-4o', to: 'gpt-4o-mini', cause: 'model_access_denied' },
  });

  expect(report.stream).toEqual({
    text: 'rivers run to the sea',
    chunks: 8,
    totalTokens: 14,
    inFlightAfter: 0,
    servedByModel: { 'gpt-4o': 1 },
  });

  // The consumer has no ioredis: a Redis URL is refused at construction, naming the option.
  expect(report.redisWithoutIoredis).toEqual({ refused: 'options-error', path: 'redis' });
}

describe('the guarded scenario, from the packed package', () => {
  it('runs on Node (import)', () => {
    expectScenario(runEntry(process.execPath, ['entry.mjs']), 'node');
  });

  it('runs on Node (require)', () => {
    expectScenario(runEntry(process.execPath, ['entry.cjs']), 'node');
  });

  it.skipIf(!hasBun)('runs on Bun (import and require)', () => {
    expectScenario(runEntry(BUN, ['entry.mjs']), 'bun');
    expectScenario(runEntry(BUN, ['entry.cjs']), 'bun');
  });

  it.skipIf(!hasDeno)('runs on Deno (import and require), with read and env permissions only', () => {
    // openai reads OPENAI_* variables; nothing else is granted (no network, no writes).
    const flags = ['run', '--no-prompt', '--allow-read', '--allow-env'];
    expectScenario(runEntry(DENO, [...flags, 'entry.mjs']), 'deno');
    expectScenario(runEntry(DENO, [...flags, 'entry.cjs']), 'deno');
  });

  it.skipIf(!hasWorkerd)(
    'runs in a Worker on workerd, bundled the way wrangler does',
    async () => {
      const bundle = await bundleForWorker(
        join(consumer.dir, 'worker.mjs'),
        join(consumer.dir, 'worker.bundle.mjs'),
      );
      // The testing kit's simulator imports node:http (nodejs_compat provides it); nothing else is left out.
      expect(bundle.imports).toEqual(['node:http']);
      expect(bundle.packages).toEqual(['openai', 'tierguard', 'zod']);
      const { Miniflare } = await import('miniflare');
      const worker = new Miniflare({
        // Modules listed, as wrangler does: miniflare's own module walk refuses the variable
        // specifier of tierguard's optional ioredis import.
        modules: [{ type: 'ESModule', path: bundle.outfile }],
        modulesRoot: consumer.dir,
        compatibilityDate: '2026-04-01',
        compatibilityFlags: ['nodejs_compat'],
      });
      try {
        const answer = await worker.dispatchFetch('http://localhost/');
        const text = await answer.text();
        expect(answer.status, text).toBe(200);
        expectScenario(JSON.parse(text) as ScenarioReport, 'workerd');
      } finally {
        await worker.dispose();
      }
    },
    60_000,
  );
});
