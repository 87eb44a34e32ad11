/**
 * Issue 16's goal for the budget: 50 concurrent calls against a budget that holds 10 never spend
 * more than the budget — in memory, through Redis from two guards and from two processes, with
 * and without clamping the output to what is left.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { monthOf } from '../../src/budget/budget.js';
import { createGuard, type Guard } from '../../src/guard/create-guard.js';
import type { GuardEvent } from '../../src/telemetry/events.js';
import type { GuardOptions } from '../../src/guard/options.js';
import { burst, CALL_USD, MAX_TOKENS, worstCaseTransport, type BurstResult } from './support/burst.js';

const run = promisify(execFile);
const redisUrl = inject('redisUrl');
const root = new URL('../../', import.meta.url).pathname;
// The budget holds ten calls that use their whole output.
const BUDGET_USD = 10 * CALL_USD;
const LIMITS = { '*': { requests: 100_000, tokens: 100_000_000 } };

const guards: Guard[] = [];
afterEach(async () => {
  await Promise.all(guards.splice(0).map((guard) => guard.close()));
});

function budgeted(options: GuardOptions, events: GuardEvent[] = []): Guard {
  const guard = createGuard({ limits: LIMITS, onEvent: (event) => events.push(event), ...options });
  guards.push(guard);
  return guard;
}

function expectAllAccountedFor(results: readonly BurstResult[], calls: number): void {
  const served = results.reduce((sum, result) => sum + result.served, 0);
  const refused = results.reduce((sum, result) => sum + result.refused, 0);
  expect(results.every((result) => result.other === 0)).toBe(true);
  expect(served + refused).toBe(calls);
  expect(served).toBeGreaterThan(0);
}

describe('50 concurrent calls against a budget that holds 10', () => {
  it('in memory: spend stays within the budget, and no call that fitted was refused', async () => {
    const guard = budgeted({ budget: { monthlyUsd: BUDGET_USD } });
    const sent: number[] = [];
    const result = await burst(guard, worstCaseTransport(20, sent), 50);
    await guard.close();
    expectAllAccountedFor([result], 50);
    const { spentUsd = Number.NaN, reservedUsd } = guard.stats().budget ?? {};
    expect(spentUsd).toBeLessThanOrEqual(BUDGET_USD);
    // Each call reserves a little more than it costs (a margin on its prompt estimate): nine fit.
    expect(BUDGET_USD - spentUsd).toBeLessThan(2 * CALL_USD);
    expect(result.served).toBe(sent.length);
    expect(reservedUsd).toBe(0);
  });

  it('in memory, clamping: the last call is sent with what is left, and spend stays within the budget', async () => {
    const events: GuardEvent[] = [];
    const guard = budgeted(
      { budget: { monthlyUsd: BUDGET_USD, clampOutput: true, minOutputTokens: 100 } },
      events,
    );
    const sent: number[] = [];
    const result = await burst(guard, worstCaseTransport(20, sent), 50);
    await guard.close();
    expectAllAccountedFor([result], 50);
    expect(guard.stats().budget?.spentUsd).toBeLessThanOrEqual(BUDGET_USD);
    const clamped = sent.filter((maxTokens) => maxTokens < MAX_TOKENS);
    expect(clamped.length).toBeGreaterThan(0);
    expect(clamped.every((maxTokens) => maxTokens >= 100)).toBe(true);
    const clampEvents = events.filter((event) => event.type === 'budget-clamped');
    expect(clampEvents).toHaveLength(clamped.length);
    expect(clampEvents[0]).toMatchObject({
      model: 'gpt-4o',
      field: 'max_tokens',
      requestedMaxTokens: MAX_TOKENS,
    });
    // What a clamp cannot leave room for is less than a call with the floor's output.
    expect(BUDGET_USD - (guard.stats().budget?.spentUsd ?? 0)).toBeLessThan(CALL_USD);
  });
});

describe.skipIf(redisUrl === '')('50 concurrent calls against a budget that holds 10, through Redis', () => {
  /** The month's spend in Redis; every reservation must have been settled. */
  const spentInRedis = async (prefix: string): Promise<number> => {
    const client = new Redis(redisUrl);
    const key = `${prefix}spend:${monthOf(Date.now())}`;
    const value = Number((await client.get(key)) ?? 0);
    expect(await client.hlen(`{${key}}:reserved`)).toBe(0);
    await client.quit();
    return value;
  };

  it.each([
    ['without clamping', false],
    ['clamping', true],
  ])('two guards (%s): the shared spend stays within the budget', async (_name, clampOutput) => {
    const prefix = `tg-burst:${randomUUID()}:`;
    const budget = { monthlyUsd: BUDGET_USD, clampOutput, minOutputTokens: 100 };
    const pair = [
      budgeted({ redis: redisUrl, keyPrefix: prefix, budget }),
      budgeted({ redis: redisUrl, keyPrefix: prefix, budget }),
    ];
    const results = await Promise.all(pair.map((guard) => burst(guard, worstCaseTransport(20), 25)));
    await Promise.all(pair.map((guard) => guard.close()));
    expectAllAccountedFor(results, 50);
    const spent = await spentInRedis(prefix);
    expect(spent).toBeLessThanOrEqual(BUDGET_USD);
    expect(BUDGET_USD - spent).toBeLessThan(2 * CALL_USD);
    expect(pair[0]?.stats().budget).toMatchObject({ shared: true });
  });

  it.each([
    ['without clamping', 'none'],
    ['clamping', 'clamp'],
  ])(
    'two processes (%s): the shared spend stays within the budget',
    async (_name, clamp) => {
      const prefix = `tg-burst:${randomUUID()}:`;
      const worker = `${root}test/budget/workers/burst-worker.ts`;
      const outputs = await Promise.all(
        [0, 1].map(() =>
          run(
            process.execPath,
            ['--import', 'tsx', worker, redisUrl, prefix, String(BUDGET_USD), '25', clamp],
            {
              cwd: root,
              timeout: 30_000,
            },
          ),
        ),
      );
      const results = outputs.map((output) => JSON.parse(output.stdout) as BurstResult & { sent: number[] });
      expectAllAccountedFor(results, 50);
      const spent = await spentInRedis(prefix);
      expect(spent).toBeLessThanOrEqual(BUDGET_USD);
      if (clamp === 'clamp')
        expect(results.flatMap((result) => result.sent).some((sent) => sent < MAX_TOKENS)).toBe(true);
    },
    40_000,
  );
});
