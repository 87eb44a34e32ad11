import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import OpenAI, { RateLimitError } from 'openai';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { estimateCost } from '../../src/advisor/estimate-cost.js';
import { createBudget, monthOf, type BudgetConfig, type BudgetEvent } from '../../src/budget/budget.js';
import type { SharedSpend } from '../../src/budget/spend-ledger.js';
import { diagnose } from '../../src/diagnose/diagnose.js';
import type { BudgetGate, SpendRequest } from '../../src/budget/gate.js';
import { createGuard } from '../../src/guard/create-guard.js';
import type { GuardEvent } from '../../src/telemetry/events.js';
import { ScriptRunner } from '../../src/stores/script-runner.js';
import { chatCompletion, scriptedFetch } from '../../src/testing/scripted-fetch.js';
import { estimateRequest } from '../../src/tokens/estimate.js';

const run = promisify(execFile);
const redisUrl = inject('redisUrl');
const root = new URL('../../', import.meta.url).pathname;
type Alert = Extract<GuardEvent, { type: 'budget-alert' }>;

// 1M prompt tokens of gpt-4o cost $2.50 (openai-api.md Table 6).
const MILLION_GPT_4O_PROMPT = { prompt_tokens: 1_000_000, completion_tokens: 0 };

afterEach(() => {
  vi.useRealTimers();
});

function budgetOf(overrides: Partial<BudgetConfig> = {}): { gate: BudgetGate; events: BudgetEvent[] } {
  const events: BudgetEvent[] = [];
  const gate = createBudget({
    monthlyUsd: 10,
    alertAt: [0.5, 0.8, 1],
    onExhausted: 'refuse',
    clampOutput: false,
    minOutputTokens: 256,
    shared: undefined,
    keyPrefix: 't:',
    deployments: {},
    emit: (event) => events.push(event),
    ...overrides,
  });
  return { gate, events };
}

/** A chat call to `model` with `max_tokens` as given (none when undefined). */
function chatRequest(model: string, maxTokens?: number, extra: Record<string, unknown> = {}): SpendRequest {
  const body = {
    model,
    messages: [{ role: 'user', content: 'Write one line about rivers.' }],
    ...(maxTokens === undefined ? {} : { max_tokens: maxTokens }),
    ...extra,
  };
  return {
    model,
    endpoint: 'chat',
    body,
    estimate: estimateRequest('chat', body, model),
    baseURL: 'https://api.openai.com/v1',
  };
}

/** Reserves and commits `usage` as the answer's, as the guard does for one call. */
async function spend(gate: BudgetGate, usage: Record<string, unknown>, serviceTier?: string): Promise<void> {
  const decision = await gate.reserve(chatRequest('gpt-4o', 1), false);
  if (decision.kind !== 'reserved') throw new Error(decision.message);
  decision.reservation.commit(usage, serviceTier);
  await gate.close();
}

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
      estimateCost('text-embedding-3-small', { prompt_tokens: 1_000_000, total_tokens: 1_000_000 }).usd,
    ).toBeCloseTo(0.02, 10);
    expect(estimateCost('my-own-model', { prompt_tokens: 10 })).toMatchObject({ usd: 0, known: false });
  });
});

describe('budget (memory)', () => {
  it('alerts once per threshold and is exhausted at the limit', async () => {
    const { gate, events } = budgetOf();
    await spend(gate, MILLION_GPT_4O_PROMPT); // $2.50
    expect(events).toHaveLength(0);
    await spend(gate, MILLION_GPT_4O_PROMPT); // $5.00
    await spend(gate, MILLION_GPT_4O_PROMPT); // $7.50
    expect(events.map((event) => (event as Alert).threshold)).toEqual([0.5]);
    await spend(gate, MILLION_GPT_4O_PROMPT); // $10.00
    expect(events.map((event) => (event as Alert).threshold)).toEqual([0.5, 0.8, 1]);
    expect(events[2]).toMatchObject({ exhausted: true, spentUsd: 10, monthlyUsd: 10 });
    expect(gate.state()).toBe('exhausted');
    expect(gate.snapshot()).toMatchObject({ spentUsd: 10, reservedUsd: 0, shared: false });
  });

  it('starts again at the next UTC month', async () => {
    vi.useFakeTimers({ now: new Date('2026-11-30T23:59:00Z') });
    const { gate, events } = budgetOf({ monthlyUsd: 5, alertAt: [1] });
    await spend(gate, { prompt_tokens: 2_000_000 });
    expect(gate.state()).toBe('exhausted');
    expect(gate.month()).toBe('2026-11');
    vi.setSystemTime(new Date('2026-12-01T00:00:01Z'));
    expect(gate.state()).toBe('ok');
    expect(gate.snapshot()).toMatchObject({ month: '2026-12', spentUsd: 0 });
    await spend(gate, { prompt_tokens: 2_000_000 });
    expect(events.map((event) => (event as Alert).month)).toEqual(['2026-11', '2026-12']);
    expect(monthOf(Date.parse('2026-12-31T23:59:59Z'))).toBe('2026-12');
  });

  it('picks the cheapest model of a chain', () => {
    const { gate } = budgetOf({ onExhausted: 'fallback' });
    expect(gate.cheapest(['gpt-4o', 'gpt-4.1-mini', 'gpt-4o-mini', 'unknown-model'])).toBe(2);
  });

  it('reserves the worst case, refuses what does not fit, and gives back what was not spent', async () => {
    // gpt-4o: 1,000 output tokens at $10 per 1M = $0.01, plus the prompt.
    const { gate } = budgetOf({ monthlyUsd: 0.035 });
    const decisions = await Promise.all(
      [1, 2, 3, 4].map(() => gate.reserve(chatRequest('gpt-4o', 1_000), false)),
    );
    expect(decisions.map((decision) => decision.kind)).toEqual([
      'reserved',
      'reserved',
      'reserved',
      'refused',
    ]);
    const refused = decisions[3] as Extract<(typeof decisions)[number], { kind: 'refused' }>;
    expect(refused.message).toMatch(
      /largest possible cost \(\$0\.01\d+.*does not fit what the month's budget of \$0\.035 has left/,
    );
    const reserved = decisions.flatMap((decision) =>
      decision.kind === 'reserved' ? [decision.reservation] : [],
    );
    expect(reserved[0]?.reservedUsd).toBeGreaterThan(0.01);
    expect(reserved[0]?.reservedUsd).toBeLessThan(0.0102);
    expect(gate.snapshot().reservedUsd).toBeCloseTo(3 * (reserved[0]?.reservedUsd ?? 0), 10);

    // One answer used 100 output tokens; one failed; one was refused by the API before any output.
    reserved[0]?.commit({ prompt_tokens: 14, completion_tokens: 100 }, 'default');
    reserved[1]?.release();
    reserved[2]?.release();
    reserved[2]?.commit({ prompt_tokens: 14, completion_tokens: 1_000 }, 'default');
    await gate.close();
    expect(gate.snapshot().spentUsd).toBeCloseTo((14 * 2.5 + 100 * 10) / 1e6, 12);
    expect(gate.snapshot().reservedUsd).toBe(0);
    // What was given back fits new calls again.
    expect((await gate.reserve(chatRequest('gpt-4o', 1_000), false)).kind).toBe('reserved');
  });

  it('takes the most the model can produce when the call sets no maximum, × n choices', async () => {
    const { gate } = budgetOf({ monthlyUsd: 100 });
    const unbounded = await gate.reserve(chatRequest('gpt-4o'), false);
    // gpt-4o produces at most 16,384 tokens (its page): $0.16384 of output.
    expect(unbounded.kind === 'reserved' && unbounded.reservation.reservedUsd).toBeGreaterThan(0.16384);
    expect(unbounded.kind === 'reserved' && unbounded.reservation.reservedUsd).toBeLessThan(0.1641);
    const choices = await gate.reserve(chatRequest('gpt-4o', 100, { n: 3 }), false);
    expect(choices.kind === 'reserved' && choices.reservation.reservedUsd).toBeGreaterThan(0.003);
    expect(choices.kind === 'reserved' && choices.reservation.reservedUsd).toBeLessThan(0.0031);
    const unpriced = await gate.reserve(chatRequest('my-own-model', 100), false);
    expect(unpriced.kind === 'reserved' && unpriced.reservation.reservedUsd).toBe(0);
  });

  it('reserves at the prices of the service tier the call asks for', async () => {
    const { gate } = budgetOf({ monthlyUsd: 100 });
    const usd = async (tier?: string): Promise<number> => {
      const decision = await gate.reserve(
        chatRequest('gpt-4o', 1_000_000, tier === undefined ? {} : { service_tier: tier }),
        false,
      );
      return decision.kind === 'reserved' ? decision.reservation.reservedUsd : Number.NaN;
    };
    // 1M output tokens of gpt-4o: Standard $10, Priority $17, Flex (not listed: Batch rate) $5.
    expect(await usd()).toBeCloseTo(10, 3);
    expect(await usd('auto')).toBeCloseTo(10, 3);
    expect(await usd('priority')).toBeCloseTo(17, 3);
    expect(await usd('flex')).toBeCloseTo(5, 3);
  });

  it('prices each answer at the service tier it says it was served with', async () => {
    const usage = { prompt_tokens: 1_000_000, completion_tokens: 1_000_000 };
    const cases: [string | undefined, number][] = [
      // gpt-4o per 1M: Standard 2.50 + 10; Priority 4.25 + 17; Flex at Batch rates 1.25 + 5; `scale`
      // has no table of its own and is priced at Standard.
      [undefined, 12.5],
      ['default', 12.5],
      ['priority', 21.25],
      ['flex', 6.25],
      ['scale', 12.5],
    ];
    for (const [tier, expected] of cases) {
      const { gate } = budgetOf({ monthlyUsd: 1_000 });
      await spend(gate, usage, tier);
      expect(gate.snapshot().spentUsd, String(tier)).toBeCloseTo(expected, 8);
    }
  });

  it('clamps the output maximum to what is left, never below the floor, and says so', async () => {
    const { gate, events } = budgetOf({ monthlyUsd: 0.015, clampOutput: true, minOutputTokens: 100 });
    const first = await gate.reserve(chatRequest('gpt-4o', 1_000), false);
    expect(first.kind === 'reserved' && first.reservation.clamp).toBeUndefined();
    const second = await gate.reserve(chatRequest('gpt-4o', 1_000), false);
    expect(second.kind).toBe('reserved');
    const clamp = second.kind === 'reserved' ? second.reservation.clamp : undefined;
    expect(clamp?.field).toBe('max_tokens');
    // About $0.005 is left: some 490 output tokens at $10 per 1M, after the prompt.
    expect(clamp?.maxOutputTokens).toBeGreaterThan(450);
    expect(clamp?.maxOutputTokens).toBeLessThan(500);
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'budget-clamped',
        model: 'gpt-4o',
        field: 'max_tokens',
        requestedMaxTokens: 1_000,
      }),
    );
    // Nothing is left: below the floor, the call is refused.
    expect((await gate.reserve(chatRequest('gpt-4o', 1_000), false)).kind).toBe('refused');
    expect(gate.snapshot().reservedUsd).toBeLessThanOrEqual(0.015);
    // A call without a maximum gets `max_completion_tokens` (reasoning models refuse `max_tokens`).
    const { gate: other } = budgetOf({ monthlyUsd: 0.005, clampOutput: true, minOutputTokens: 100 });
    const unbounded = await other.reserve(chatRequest('gpt-4o'), false);
    expect(unbounded.kind === 'reserved' && unbounded.reservation.clamp?.field).toBe('max_completion_tokens');
  });

  it('lets a reservation expire when its call never settles (a process that died)', async () => {
    let nowMs = 0;
    const { gate } = budgetOf({ monthlyUsd: 0.015, monotonicNow: () => nowMs, reservationTtlMs: 60_000 });
    expect((await gate.reserve(chatRequest('gpt-4o', 1_000), false)).kind).toBe('reserved');
    expect((await gate.reserve(chatRequest('gpt-4o', 1_000), false)).kind).toBe('refused');
    nowMs = 59_999;
    expect((await gate.reserve(chatRequest('gpt-4o', 1_000), false)).kind).toBe('refused');
    nowMs = 60_000;
    expect((await gate.reserve(chatRequest('gpt-4o', 1_000), false)).kind).toBe('reserved');
  });

  it("admits past the budget when it only warns, or as the 'fallback' policy's last resort", async () => {
    const warn = budgetOf({ monthlyUsd: 0.001, onExhausted: 'warn' }).gate;
    expect((await warn.reserve(chatRequest('gpt-4o', 1_000), false)).kind).toBe('reserved');
    const fallback = budgetOf({ monthlyUsd: 0.001, onExhausted: 'fallback' }).gate;
    expect((await fallback.reserve(chatRequest('gpt-4o', 1_000), false)).kind).toBe('refused');
    expect((await fallback.reserve(chatRequest('gpt-4o-mini', 1_000), true)).kind).toBe('reserved');
  });
});

describe('budget through the guard', () => {
  const expensive = () => chatCompletion({ usage: { promptTokens: 1_000_000, completionTokens: 0 } });
  const client = (fetch: typeof globalThis.fetch, guard: ReturnType<typeof createGuard>) =>
    guard.wrap(new OpenAI({ apiKey: 'sk-test', baseURL: 'https://api.openai.test/v1', fetch }));

  it("refuses with a local budget_exhausted error once spent ('refuse')", async () => {
    const events: GuardEvent[] = [];
    const fetch = scriptedFetch(expensive(), { afterLast: 'repeat-last' });
    const guard = createGuard({
      limits: { '*': { requests: 1_000, tokens: 10_000_000 } },
      budget: { monthlyUsd: 5 },
      onEvent: (event) => events.push(event),
    });
    const openai = client(fetch, guard);
    await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'a' }] });
    await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'b' }] });
    const error = await openai.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'c' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(diagnose(error)).toMatchObject({ cause: 'budget_exhausted', origin: 'local' });
    expect(fetch.calls).toHaveLength(2);
    expect(
      events.filter((event): event is Alert => event.type === 'budget-alert').map((event) => event.threshold),
    ).toEqual([0.5, 0.8, 1]);
    expect(guard.stats().budget).toMatchObject({ spentUsd: 5, reservedUsd: 0, monthlyUsd: 5 });
    await guard.close();
  });

  it("serves from the cheapest model of the chain once spent ('fallback')", async () => {
    const fetch = scriptedFetch(expensive(), { afterLast: 'repeat-last' });
    const guard = createGuard({
      limits: { '*': { requests: 1_000, tokens: 10_000_000 } },
      budget: { monthlyUsd: 2, onExhausted: 'fallback' },
      fallback: { 'gpt-4o': ['gpt-4.1-mini', 'gpt-4o-mini'] },
    });
    const openai = client(fetch, guard);
    await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'a' }] });
    await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'b' }] });
    expect(fetch.calls.map((call) => (call.body as { model: string }).model)).toEqual([
      'gpt-4o',
      'gpt-4o-mini',
    ]);
    await guard.close();
  });

  it("moves a call whose worst case does not fit to a cheaper model of its chain ('fallback')", async () => {
    const fetch = scriptedFetch((call) => chatCompletion({ model: (call.body as { model: string }).model }));
    const guard = createGuard({
      limits: { '*': { requests: 1_000, tokens: 10_000_000 } },
      // 1,000 output tokens cost $0.01 on gpt-4o, $0.0016 on gpt-4.1-mini, $0.0006 on gpt-4o-mini.
      budget: { monthlyUsd: 0.005, onExhausted: 'fallback' },
      fallback: { 'gpt-4o': ['gpt-4.1-mini', 'gpt-4o-mini'] },
    });
    const completion = await client(fetch, guard).chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'a' }],
      max_tokens: 1_000,
    });
    expect(completion.model).toBe('gpt-4.1-mini');
    expect(fetch.calls).toHaveLength(1);
    await guard.close();
  });

  it('gives back the reservation of a call the API refused, and of one that never reached it', async () => {
    const fetch = scriptedFetch([
      { status: 500, body: { error: { message: 'boom', type: 'server_error', param: null, code: null } } },
      { networkError: 'refused' },
    ]);
    const guard = createGuard({
      limits: { '*': { requests: 1_000, tokens: 10_000_000 } },
      retry: { maxAttempts: 1 },
      budget: { monthlyUsd: 1 },
    });
    const openai = client(fetch, guard);
    const ask = () =>
      openai.chat.completions
        .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'a' }], max_tokens: 1_000 })
        .catch((error: unknown) => error);
    expect(diagnose(await ask()).cause).toBe('server_error');
    expect(diagnose(await ask()).cause).toBe('connection_error');
    await guard.close();
    expect(guard.stats().budget).toMatchObject({ spentUsd: 0, reservedUsd: 0 });
  });

  it('counts the worst case of a call that timed out after it was sent', async () => {
    const fetch = scriptedFetch({ hang: true });
    const guard = createGuard({
      limits: { '*': { requests: 1_000, tokens: 10_000_000 } },
      retry: { maxAttempts: 1 },
      budget: { monthlyUsd: 1 },
    });
    const openai = guard.wrap(
      new OpenAI({ apiKey: 'sk-test', baseURL: 'https://api.openai.test/v1', fetch, timeout: 50 }),
    );
    const error = await openai.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'a' }], max_tokens: 1_000 })
      .catch((caught: unknown) => caught);
    expect(diagnose(error).cause).toBe('timeout');
    await guard.close();
    const { spentUsd, reservedUsd } = guard.stats().budget ?? { spentUsd: 0, reservedUsd: 1 };
    // The API may have produced all of it: 1,000 output tokens ($0.01) and the prompt.
    expect(spentUsd).toBeGreaterThan(0.01);
    expect(spentUsd).toBeLessThan(0.0101);
    expect(reservedUsd).toBe(0);
  });

  it('prices a stream from its usage and its service tier; one cancelled early from what it delivered', async () => {
    const words = Array.from({ length: 40 }, (_, index) => `word${index} `).join('');
    /** A stream of `words`; with `usage`, its usage and its end; without, open until cancelled. */
    const stream = (serviceTier: string, usage: boolean): Response => {
      const chunk = (payload: object): string =>
        `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', model: 'gpt-4o', service_tier: serviceTier, ...payload })}\n\n`;
      const text = [
        ...words
          .split(/(?<= )/)
          .map((word) => chunk({ choices: [{ index: 0, delta: { content: word }, finish_reason: null }] })),
        ...(usage
          ? [
              chunk({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }),
              chunk({
                choices: [],
                usage: { prompt_tokens: 1_000_000, completion_tokens: 0, total_tokens: 1_000_000 },
              }),
              'data: [DONE]\n\n',
            ]
          : []),
      ].join('');
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(text));
          if (usage) controller.close();
        },
      });
      return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
    };
    // A fetch of its own: scriptedFetch clones a Response, and a cancelled clone waits for the original.
    const answers = [stream('priority', true), stream('default', false)];
    const fetch = (): Promise<Response> => Promise.resolve(answers.shift() as Response);
    const guard = createGuard({
      limits: { '*': { requests: 1_000, tokens: 10_000_000 } },
      budget: { monthlyUsd: 100 },
    });
    const openai = client(fetch, guard);
    const request = {
      model: 'gpt-4o',
      messages: [{ role: 'user' as const, content: 'a' }],
      max_tokens: 1_000,
      stream: true as const,
    };
    for await (const _ of await openai.chat.completions.create(request)) void _;
    // 1M prompt tokens at Priority: $4.25.
    await vi.waitFor(() => expect(guard.stats().budget?.spentUsd).toBeCloseTo(4.25, 8));

    // Cancelled after its first chunks: the prompt and what was delivered, not its 1,000 tokens.
    const cut = await openai.chat.completions.create(request);
    let seen = 0;
    for await (const _ of cut) if (++seen === 3) break;
    await guard.close();
    const added = (guard.stats().budget?.spentUsd ?? 0) - 4.25;
    expect(added).toBeGreaterThan(0);
    expect(added).toBeLessThan(0.005);
    expect(guard.stats().budget?.reservedUsd).toBe(0);
  });
});

describe.skipIf(redisUrl === '')('budget shared through Redis', () => {
  it('two processes add to one month, a restart keeps the spend, and each threshold alerts once', async () => {
    const prefix = `tg-budget:${randomUUID()}:`;
    const worker = `${root}test/budget/workers/spend-worker.ts`;
    // Two processes each spend 3 × $2.50 against a $20 budget with thresholds at 50% and 80%.
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

    const restarted = JSON.parse(
      (
        await run(process.execPath, ['--import', 'tsx', worker, redisUrl, prefix, '1'], {
          cwd: root,
          timeout: 30_000,
        })
      ).stdout,
    ) as { alerts: number[]; spentUsd: number };
    expect(restarted.spentUsd).toBeCloseTo(17.5, 6);
    expect(restarted.alerts).toEqual([0.8]);

    // The same key as before reservations existed: a float that INCRBYFLOAT adds to.
    const client = new Redis(redisUrl);
    expect(Number(await client.get(`${prefix}spend:${monthOf(Date.now())}`))).toBeCloseTo(17.5, 6);
    await client.quit();
  }, 40_000);

  it('keeps the spend made while Redis is away, within its share of what was left, and adds it when Redis is back', async () => {
    const prefix = `tg-budget:${randomUUID()}:`;
    const client = new Redis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
    await new Promise((resolve) => client.once('ready', resolve));
    const runner = new ScriptRunner(async () => ({
      scriptSha: (script) => client.script('LOAD', script).then(String),
      evalsha: (sha, keys, args) => client.evalsha(sha, keys.length, ...keys, ...args),
      eval: (script, keys, args) => client.eval(script, keys.length, ...keys, ...args),
    }));
    let away = false;
    const shared: SharedSpend = {
      ready: Promise.resolve(),
      scripts: () => (away ? undefined : runner),
      share: () => 0.5,
    };
    const { gate } = budgetOf({ monthlyUsd: 10, shared, keyPrefix: prefix });
    await spend(gate, MILLION_GPT_4O_PROMPT); // $2.50 in Redis
    away = true;
    // Away: this process may reserve half of the $7.50 left.
    await spend(gate, MILLION_GPT_4O_PROMPT);
    expect(gate.snapshot()).toMatchObject({ shared: false });
    const big = await gate.reserve(chatRequest('gpt-4o', 400_000), false); // $4 of output: more than $3.75
    expect(big.kind).toBe('refused');
    expect(Number(await client.get(`${prefix}spend:${monthOf(Date.now())}`))).toBeCloseTo(2.5, 6);
    away = false;
    gate.resume();
    await gate.close();
    expect(Number(await client.get(`${prefix}spend:${monthOf(Date.now())}`))).toBeCloseTo(5, 6);
    expect(gate.snapshot()).toMatchObject({ shared: true, spentUsd: 5 });
    await client.quit();
  });
});
