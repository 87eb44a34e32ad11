import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import OpenAI, { RateLimitError } from 'openai';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { estimateCost } from '../../src/advisor/estimate-cost.js';
import { createBudget, monthOf } from '../../src/budget/budget.js';
import { diagnose } from '../../src/diagnose/diagnose.js';
import { createGuard } from '../../src/guard/create-guard.js';
import type { GuardEvent } from '../../src/guard/events.js';
import type { RedisLike } from '../../src/stores/redis.js';
import { chatCompletion, scriptedFetch } from '../../src/testing/scripted-fetch.js';

const run = promisify(execFile);
const redisUrl = inject('redisUrl');
const root = new URL('../../', import.meta.url).pathname;
type Alert = Extract<GuardEvent, { type: 'budget-alert' }>;

// 1M prompt tokens of gpt-4o cost $2.50 (openai-api.md Table 6).
const MILLION_GPT_4O_PROMPT = { prompt_tokens: 1_000_000, completion_tokens: 0 };

afterEach(() => {
  vi.useRealTimers();
});

describe('estimateCost', () => {
  it('prices chat, Responses and embeddings usage, cached input at its own price', () => {
    expect(
      estimateCost('gpt-4o', { prompt_tokens: 1_000_000, completion_tokens: 1_000_000 }).usd,
    ).toBeCloseTo(12.5, 10);
    expect(
      estimateCost('gpt-4o-2024-08-06', {
        prompt_tokens: 1_000_000,
        prompt_tokens_details: { cached_tokens: 400_000 },
      }).usd,
    ).toBeCloseTo(0.6 * 2.5 + 0.4 * 1.25, 10);
    expect(
      estimateCost('gpt-4o-mini', {
        input_tokens: 2_000_000,
        output_tokens: 1_000_000,
        input_tokens_details: { cached_tokens: 0 },
      }).usd,
    ).toBeCloseTo(0.3 + 0.6, 10);
    expect(
      estimateCost('text-embedding-3-small', { prompt_tokens: 1_000_000, total_tokens: 1_000_000 }).usd,
    ).toBeCloseTo(0.02, 10);
    expect(estimateCost('my-own-model', { prompt_tokens: 10 })).toMatchObject({ usd: 0, known: false });
    expect(estimateCost('gpt-4o', null)).toMatchObject({ usd: 0, known: true });
  });
});

describe('budget (memory)', () => {
  it('alerts once per threshold and is exhausted at the limit', () => {
    const alerts: Alert[] = [];
    const budget = createBudget({
      monthlyUsd: 10,
      alertAt: [0.5, 0.8, 1],
      onExhausted: 'refuse',
      redis: undefined,
      keyPrefix: 't:',
      deployments: {},
      emit: (event) => alerts.push(event),
    });
    budget.record('gpt-4o', MILLION_GPT_4O_PROMPT); // $2.50
    expect(alerts).toHaveLength(0);
    budget.record('gpt-4o', MILLION_GPT_4O_PROMPT); // $5.00
    budget.record('gpt-4o', MILLION_GPT_4O_PROMPT); // $7.50
    expect(alerts.map((alert) => alert.threshold)).toEqual([0.5]);
    budget.record('gpt-4o', MILLION_GPT_4O_PROMPT); // $10.00
    expect(alerts.map((alert) => alert.threshold)).toEqual([0.5, 0.8, 1]);
    expect(alerts[2]).toMatchObject({ exhausted: true, spentUsd: 10, monthlyUsd: 10 });
    budget.record('gpt-4o', MILLION_GPT_4O_PROMPT);
    expect(alerts).toHaveLength(3);
    expect(budget.state()).toBe('exhausted');
  });

  it('starts again at the next UTC month', () => {
    vi.useFakeTimers({ now: new Date('2026-11-30T23:59:00Z') });
    const alerts: Alert[] = [];
    const budget = createBudget({
      monthlyUsd: 5,
      alertAt: [1],
      onExhausted: 'refuse',
      redis: undefined,
      keyPrefix: 't:',
      deployments: {},
      emit: (event) => alerts.push(event),
    });
    budget.record('gpt-4o', { prompt_tokens: 2_000_000 });
    expect(budget.state()).toBe('exhausted');
    expect(budget.month()).toBe('2026-11');
    vi.setSystemTime(new Date('2026-12-01T00:00:01Z'));
    expect(budget.state()).toBe('ok');
    expect(budget.snapshot()).toMatchObject({ month: '2026-12', spentUsd: 0 });
    budget.record('gpt-4o', { prompt_tokens: 2_000_000 });
    expect(alerts.map((alert) => alert.month)).toEqual(['2026-11', '2026-12']);
    expect(monthOf(Date.parse('2026-12-31T23:59:59Z'))).toBe('2026-12');
  });

  it('picks the cheapest model of a chain', () => {
    const budget = createBudget({
      monthlyUsd: 5,
      alertAt: [1],
      onExhausted: 'fallback',
      redis: undefined,
      keyPrefix: 't:',
      deployments: {},
      emit: () => undefined,
    });
    expect(budget.cheapest(['gpt-4o', 'gpt-4.1-mini', 'gpt-4o-mini', 'unknown-model'])).toBe(2);
  });
});

describe('budget through the guard', () => {
  const expensive = () => chatCompletion({ usage: { promptTokens: 1_000_000, completionTokens: 0 } });

  it("refuses with a local budget_exhausted error once spent ('refuse')", async () => {
    const events: GuardEvent[] = [];
    const fetch = scriptedFetch(expensive(), { afterLast: 'repeat-last' });
    const guard = createGuard({
      limits: { '*': { requests: 1_000, tokens: 10_000_000 } },
      budget: { monthlyUsd: 5 },
      onEvent: (event) => events.push(event),
    });
    const client = guard.wrap(
      new OpenAI({ apiKey: 'sk-test', baseURL: 'https://api.openai.test/v1', fetch }),
    );
    await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'a' }] });
    await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'b' }] });
    const error = await client.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'c' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(diagnose(error)).toMatchObject({ cause: 'budget_exhausted', origin: 'local' });
    expect(fetch.calls).toHaveLength(2);
    expect(
      events.filter((event) => event.type === 'budget-alert').map((event) => (event as Alert).threshold),
    ).toEqual([0.5, 0.8, 1]);
    expect(guard.stats().budget).toMatchObject({ spentUsd: 5, monthlyUsd: 5 });
    await guard.close();
  });

  it("serves from the cheapest model of the chain once spent ('fallback')", async () => {
    const fetch = scriptedFetch(expensive(), { afterLast: 'repeat-last' });
    const guard = createGuard({
      limits: { '*': { requests: 1_000, tokens: 10_000_000 } },
      budget: { monthlyUsd: 2, onExhausted: 'fallback' },
      fallback: { 'gpt-4o': ['gpt-4.1-mini', 'gpt-4o-mini'] },
    });
    const client = guard.wrap(
      new OpenAI({ apiKey: 'sk-test', baseURL: 'https://api.openai.test/v1', fetch }),
    );
    await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'a' }] });
    await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'b' }] });
    expect(fetch.calls.map((call) => (call.body as { model: string }).model)).toEqual([
      'gpt-4o',
      'gpt-4o-mini',
    ]);
    await guard.close();
  });
});

describe.skipIf(redisUrl === '')('budget shared through Redis', () => {
  it('two processes add to one month, a restart keeps the spend, and each threshold alerts once', async () => {
    const prefix = `tg-budget:${randomUUID()}:`;
    const worker = `${root}test/budget/workers/spend-worker.ts`;
    // Two processes each record 3 × $2.50 against a $20 budget with thresholds at 50% and 80%.
    const outputs = await Promise.all(
      [0, 1].map(() =>
        run(process.execPath, ['--import', 'tsx', worker, redisUrl, prefix, '3'], {
          cwd: root,
          timeout: 30_000,
        }),
      ),
    );
    const results = outputs.map(
      (output) => JSON.parse(output.stdout) as { alerts: number[]; spentUsd: number },
    );
    expect(Math.max(...results.map((result) => result.spentUsd))).toBeCloseTo(15, 6);
    // 50% ($10) and 80% ($16 — not reached at $15): one alert in all, from whichever process crossed it.
    expect(results.flatMap((result) => result.alerts)).toEqual([0.5]);

    // A restarted process reads the month's spend back.
    const restarted = JSON.parse(
      (
        await run(process.execPath, ['--import', 'tsx', worker, redisUrl, prefix, '1'], {
          cwd: root,
          timeout: 30_000,
        })
      ).stdout,
    ) as {
      alerts: number[];
      spentUsd: number;
    };
    expect(restarted.spentUsd).toBeCloseTo(17.5, 6);
    expect(restarted.alerts).toEqual([0.8]);

    const client = new Redis(redisUrl);
    expect(Number(await client.get(`${prefix}spend:${monthOf(Date.now())}`))).toBeCloseTo(17.5, 6);
    await client.quit();
  }, 40_000);

  it('keeps the spend recorded while Redis is away and adds it when Redis is back', async () => {
    const prefix = `tg-budget:${randomUUID()}:`;
    const client = new Redis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
    await new Promise((resolve) => client.once('ready', resolve));
    let away = false;
    const backend = {
      ready: Promise.resolve(),
      redisClient: () => (away ? undefined : (client as unknown as RedisLike)),
    };
    const budget = createBudget({
      monthlyUsd: 100,
      alertAt: [1],
      onExhausted: 'refuse',
      redis: backend,
      keyPrefix: prefix,
      deployments: {},
      emit: () => undefined,
    });
    budget.record('gpt-4o', MILLION_GPT_4O_PROMPT);
    await budget.close();
    away = true;
    budget.record('gpt-4o', MILLION_GPT_4O_PROMPT);
    budget.record('gpt-4o', MILLION_GPT_4O_PROMPT);
    await budget.close();
    expect(Number(await client.get(`${prefix}spend:${monthOf(Date.now())}`))).toBeCloseTo(2.5, 6);
    away = false;
    budget.record('gpt-4o', { prompt_tokens: 0, completion_tokens: 1 });
    await budget.close();
    expect(Number(await client.get(`${prefix}spend:${monthOf(Date.now())}`))).toBeCloseTo(7.5 + 0.00001, 6);
    await client.quit();
  });
});
