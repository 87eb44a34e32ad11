/**
 * `maxWaitMs`: a call predicted to wait longer than the bound for its rate limit goes to the next
 * model of its chain that can serve it within the bound, before it has waited; without one it is
 * refused at once with the predicted wait in its diagnosis. Fake timers: a call that waited would
 * never settle without the clock being advanced.
 */
import OpenAI, { RateLimitError } from 'openai';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { diagnose } from '../../src/diagnose/diagnose.js';
import { createGuard, type Guard } from '../../src/guard/create-guard.js';
import type { GuardEvent } from '../../src/telemetry/events.js';
import type { GuardOptions } from '../../src/guard/options.js';
import { chatCompletion, scriptedFetch, type ScriptedFetch } from '../../src/testing/scripted-fetch.js';

type Fallback = Extract<GuardEvent, { type: 'fallback' }>;
type Sent = Extract<GuardEvent, { type: 'sent' }>;

// A call that takes 1,500 of a 2,000-token bucket leaves room for no second one: the next waits
// about (1,500 + prompt − what is left) × 60 s / 2,000 ≈ 31 s for its tokens.
const SATURATED = { requests: 1_000, tokens: 2_000 };
const ROOMY = { requests: 1_000, tokens: 1_000_000 };
const BOUND_MS = 5_000;

const guards: Guard[] = [];

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-12-01T00:00:00Z') });
});
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(guards.splice(0).map((created) => created.close()));
});

/** Every gpt-4o-class call is answered after 60 s (it stays in flight); the rest at once. */
function slowBigModels(): ScriptedFetch {
  return scriptedFetch((call) => {
    const model = (call.body as { model: string }).model;
    return model === 'gpt-4o-mini'
      ? chatCompletion({ model })
      : {
          ...chatCompletion({ model, usage: { promptTokens: 20, completionTokens: 1_500 } }),
          delayMs: 60_000,
        };
  });
}

function setUp(options: GuardOptions): { client: OpenAI; fetch: ScriptedFetch; events: GuardEvent[] } {
  const events: GuardEvent[] = [];
  const guard = createGuard({ tier: 'tier-1', ...options, onEvent: (event) => events.push(event) });
  guards.push(guard);
  const fetch = slowBigModels();
  const client = guard.wrap(new OpenAI({ apiKey: 'sk-test', baseURL: 'https://api.openai.test/v1', fetch }));
  return { client, fetch, events };
}

const ask = (client: OpenAI, model: string) =>
  client.chat.completions.create({
    model,
    messages: [{ role: 'user', content: 'Summarise the history of rivers in one paragraph.' }],
    max_tokens: 1_500,
  });

/** Lets every promise that can settle without the clock settle; reports whether `promise` did. */
async function settledWithoutWaiting(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await vi.advanceTimersByTimeAsync(0);
  return settled;
}

const modelsSent = (fetch: ScriptedFetch): string[] =>
  fetch.calls.map((call) => (call.body as { model: string }).model);

describe('wait or reroute (maxWaitMs)', () => {
  it('sends a call predicted to wait beyond the bound to the next model of its chain, before it waits', async () => {
    const { client, fetch, events } = setUp({
      limits: { 'gpt-4o': SATURATED, 'gpt-4o-mini': ROOMY },
      maxWaitMs: BOUND_MS,
      fallback: { 'gpt-4o': ['gpt-4o-mini'] },
    });
    const first = ask(client, 'gpt-4o');
    await vi.advanceTimersByTimeAsync(0);
    expect(modelsSent(fetch)).toEqual(['gpt-4o']);

    const second = ask(client, 'gpt-4o');
    expect(await settledWithoutWaiting(second)).toBe(true);
    const completion = await second;
    expect(completion.model).toBe('gpt-4o-mini');
    expect(modelsSent(fetch)).toEqual(['gpt-4o', 'gpt-4o-mini']);

    const fallback = events.find((event): event is Fallback => event.type === 'fallback');
    expect(fallback).toMatchObject({ from: 'gpt-4o', to: 'gpt-4o-mini', cause: 'rate_limited_tokens' });
    // The wait it would have had: above the bound, and no more than a full refill of the bucket.
    expect(fallback?.predictedWaitMs).toBeGreaterThan(BOUND_MS);
    expect(fallback?.predictedWaitMs).toBeLessThanOrEqual(60_000);
    const sent = events.filter((event): event is Sent => event.type === 'sent');
    expect(sent.map((event) => [event.model, event.queuedMs])).toEqual([
      ['gpt-4o', 0],
      ['gpt-4o-mini', 0],
    ]);
    // Nothing was sent for it before: the fallback is its first attempt on the wire.
    expect(fetch.calls[1]?.headers['x-stainless-retry-count']).toBe('0');

    await vi.advanceTimersByTimeAsync(60_000);
    await expect(first).resolves.toMatchObject({ model: 'gpt-4o' });
  });

  it('without a chain, refuses at once with the predicted wait in the diagnosis', async () => {
    const { client, fetch, events } = setUp({
      limits: { 'gpt-4o': SATURATED },
      maxWaitMs: BOUND_MS,
    });
    const first = ask(client, 'gpt-4o');
    await vi.advanceTimersByTimeAsync(0);

    const second = ask(client, 'gpt-4o').catch((error: unknown) => error);
    expect(await settledWithoutWaiting(second)).toBe(true);
    const error = await second;
    expect(error).toBeInstanceOf(RateLimitError);
    const diagnosis = diagnose(error);
    expect(diagnosis).toMatchObject({ cause: 'rate_limited_tokens', origin: 'local', model: 'gpt-4o' });
    expect(diagnosis.retryAfterMs).toBeGreaterThan(BOUND_MS);
    expect(diagnosis.retryAfterMs).toBeLessThanOrEqual(60_000);
    // The hint says the guard kept the call back for its predicted wait, not that the API refused it.
    expect(diagnosis.hint.why).toMatch(/tierguard did not send the call/);
    expect(diagnosis.hint.why).toMatch(/predicted a wait of \d+(?:\.\d)? s/);
    expect(diagnosis.hint.why).not.toMatch(/The API asked/);
    expect(diagnosis.hint.steps[0]).toMatch(/refused this call before sending it/);
    expect((error as RateLimitError).headers?.get('retry-after-ms')).toBe(String(diagnosis.retryAfterMs));
    expect(modelsSent(fetch)).toEqual(['gpt-4o']);
    expect(events.filter((event) => event.type === 'fallback')).toHaveLength(0);

    await vi.advanceTimersByTimeAsync(60_000);
    await first;
  });

  it('passes over a chain model that would wait too, to one that can serve within the bound', async () => {
    const { client, fetch, events } = setUp({
      limits: { 'gpt-4o': SATURATED, 'gpt-4.1': SATURATED, 'gpt-4o-mini': ROOMY },
      maxWaitMs: BOUND_MS,
      fallback: { 'gpt-4o': ['gpt-4.1', 'gpt-4o-mini'] },
    });
    const busy = [ask(client, 'gpt-4o'), ask(client, 'gpt-4.1')];
    await vi.advanceTimersByTimeAsync(0);

    const rerouted = ask(client, 'gpt-4o');
    expect(await settledWithoutWaiting(rerouted)).toBe(true);
    expect((await rerouted).model).toBe('gpt-4o-mini');
    expect(modelsSent(fetch)).toEqual(['gpt-4o', 'gpt-4.1', 'gpt-4o-mini']);
    const moves = events.filter((event): event is Fallback => event.type === 'fallback');
    expect(moves.map((event) => [event.from, event.to])).toEqual([
      ['gpt-4o', 'gpt-4.1'],
      ['gpt-4.1', 'gpt-4o-mini'],
    ]);
    for (const move of moves) expect(move.predictedWaitMs).toBeGreaterThan(BOUND_MS);

    await vi.advanceTimersByTimeAsync(60_000);
    await Promise.all(busy);
  });

  it('does not reroute to a model without a bound of its own that would wait longer still', async () => {
    // Only gpt-4o has a bound; gpt-4o-mini is saturated too. Moving there would trade a long wait
    // for a longer one: the bound that made the call move holds on the model it moves to.
    const { client, fetch } = setUp({
      limits: { 'gpt-4o': SATURATED, 'gpt-4o-mini': { requests: 1_000, tokens: 1_600 } },
      maxWaitMs: { 'gpt-4o': BOUND_MS },
      fallback: { 'gpt-4o': ['gpt-4o-mini'] },
    });
    const busy = [ask(client, 'gpt-4o'), ask(client, 'gpt-4o-mini')];
    await vi.advanceTimersByTimeAsync(0);
    expect(modelsSent(fetch)).toEqual(['gpt-4o', 'gpt-4o-mini']);

    const call = ask(client, 'gpt-4o').catch((error: unknown) => error);
    expect(await settledWithoutWaiting(call)).toBe(true);
    const diagnosis = diagnose(await call);
    expect(diagnosis).toMatchObject({ cause: 'rate_limited_tokens', origin: 'local', model: 'gpt-4o-mini' });
    expect(diagnosis.attempts?.map((attempt) => attempt.model)).toEqual(['gpt-4o', 'gpt-4o-mini']);
    expect(modelsSent(fetch)).toEqual(['gpt-4o', 'gpt-4o-mini']);

    await vi.advanceTimersByTimeAsync(60_000);
    await Promise.all(busy);
  });

  it('lets a call whose predicted wait is within the bound wait its turn on its own model', async () => {
    const { client, fetch, events } = setUp({
      limits: { 'gpt-4o': { requests: 1_000, tokens: 3_200 } },
      maxWaitMs: 60_000,
      fallback: { 'gpt-4o': ['gpt-4o-mini'] },
    });
    const first = ask(client, 'gpt-4o');
    await vi.advanceTimersByTimeAsync(0);
    const second = ask(client, 'gpt-4o');
    expect(await settledWithoutWaiting(second)).toBe(false);
    expect(modelsSent(fetch)).toEqual(['gpt-4o']);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(modelsSent(fetch)).toEqual(['gpt-4o', 'gpt-4o']);
    expect(events.filter((event) => event.type === 'fallback')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(60_000);
    await expect(Promise.all([first, second])).resolves.toHaveLength(2);
  });
});
