/**
 * Turning things off (issue 18): `pacing: false`, `retry: false` (and `maxRetries`), `fallback:
 * false`, no `budget`, and a call's own `x-tierguard-fallback` header — each through the real
 * client of openai 6 and of openai 7, over a scripted fetch, with fake timers (no real waits).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { Redis } from 'ioredis';
import type OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createGuard, diagnose, type Guard, type GuardEvent, type GuardOptions } from '../../src/index.js';
import {
  chatCompletion,
  fakeApiKey,
  fixtures,
  rateLimitHeaders,
  scriptedFetch,
  type ScriptedFetch,
} from '../../src/testing/index.js';
import { OPENAI_MAJORS, type OpenAIMajor } from '../support/openai-majors.js';

const KEY = fakeApiKey('0ff5');
// The Redis cases are about the guard, not the major: openai 6 is enough.
const OPENAI_6 = OPENAI_MAJORS[0] as OpenAIMajor;
const BASE_URL = 'https://api.openai.test/v1';
const BODY = {
  model: 'gpt-4o',
  messages: [{ role: 'user' as const, content: 'One line about rivers.' }],
  max_tokens: 50,
};
/** Rate-limit headers that would teach a pacer a 2-request window, if it listened. */
const TIGHT_HEADERS = rateLimitHeaders({
  limitRequests: 2,
  remainingRequests: 0,
  resetRequestsMs: 30_000,
  limitTokens: 1_000,
  remainingTokens: 0,
  resetTokensMs: 30_000,
});
/** A 429 on requests that names no wait: no `retry-after`, no "try again in". */
const BARE_429 = {
  status: 429,
  json: {
    error: {
      message: 'Rate limit reached for requests',
      type: 'requests',
      param: null,
      code: 'rate_limit_exceeded',
    },
  },
};

const guards: Guard[] = [];
function tracked(options: GuardOptions): Guard {
  const created = createGuard(options);
  guards.push(created);
  return created;
}
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(guards.splice(0).map((created) => created.close()));
});

function clientOf(major: OpenAIMajor, fetch: ScriptedFetch): OpenAI {
  return new major.OpenAI({ apiKey: KEY, baseURL: BASE_URL, fetch });
}

function settle<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

describe.each(OPENAI_MAJORS)('pacing: false ($name)', (major) => {
  it('sends a burst far over the limits at once: no queue, no lanes, nothing learned', async () => {
    vi.useFakeTimers();
    const fetch = scriptedFetch(chatCompletion({ headers: TIGHT_HEADERS }), { afterLast: 'repeat-last' });
    const events: GuardEvent['type'][] = [];
    const created = tracked({
      pacing: false,
      limits: { 'gpt-4o': { requests: 1, tokens: 100 } },
      maxQueued: 1,
      onEvent: (event) => events.push(event.type),
    });
    const client = created.wrap(clientOf(major, fetch));
    const calls = Array.from({ length: 6 }, () => settle(client.chat.completions.create(BODY)));
    // Only callbacks already due run: a paced call would wait for its bucket or be refused.
    await vi.advanceTimersByTimeAsync(0);
    expect(fetch.calls).toHaveLength(6);
    const results = await Promise.all(calls);
    expect(results.map((result) => result.error)).toEqual(Array(6).fill(undefined));
    const stats = created.stats();
    expect(stats.limits).toEqual([]);
    expect(stats.waiting).toBe(0);
    expect(stats.servedByModel).toEqual({ 'gpt-4o': 6 });
    expect(events.filter((type) => type === 'sent')).toHaveLength(6);
    for (const type of ['queued', 'throttled', 'limits-learned', 'tier-detected'] as const)
      expect(events).not.toContain(type);
  });

  it('counts a call in flight while it is out, and not after', async () => {
    vi.useFakeTimers();
    const fetch = scriptedFetch({ hang: true });
    const created = tracked({ pacing: false });
    const controller = new AbortController();
    const pending = settle(
      created.wrap(clientOf(major, fetch)).chat.completions.create(BODY, { signal: controller.signal }),
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(created.stats().inFlight).toBe(1);
    controller.abort();
    const { error } = await pending;
    expect(error).toBeInstanceOf(major.OpenAI.APIUserAbortError);
    expect(created.stats().inFlight).toBe(0);
  });

  it('retries a 429 that names no wait after a backoff, not at once', async () => {
    vi.useFakeTimers();
    const fetch = scriptedFetch([BARE_429, chatCompletion({ content: 'after the backoff' })]);
    const created = tracked({ pacing: false });
    const pending = settle(created.wrap(clientOf(major, fetch)).chat.completions.create(BODY));
    await vi.advanceTimersByTimeAsync(0);
    expect(fetch.calls).toHaveLength(1);
    // The first backoff is between 250 ms and 500 ms (equal jitter on a 500 ms ceiling).
    await vi.advanceTimersByTimeAsync(249);
    expect(fetch.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(251);
    expect(fetch.calls).toHaveLength(2);
    expect((await pending).value?.choices[0]?.message.content).toBe('after the backoff');
  });

  it('still diagnoses and falls back', async () => {
    const fetch = scriptedFetch([fixtures.model_access_denied, chatCompletion({ content: 'from mini' })]);
    const created = tracked({ pacing: false, fallback: { 'gpt-4o': ['gpt-4o-mini'] } });
    const completion = await created.wrap(clientOf(major, fetch)).chat.completions.create(BODY);
    expect(completion.choices[0]?.message.content).toBe('from mini');
    expect(fetch.calls.map((call) => (call.body as { model: string }).model)).toEqual([
      'gpt-4o',
      'gpt-4o-mini',
    ]);
    expect(created.stats().failuresByCause).toEqual({ model_access_denied: 1 });
  });
});

describe.each(OPENAI_MAJORS)('retry: false and retry.maxRetries ($name)', (major) => {
  const cases: readonly {
    readonly name: string;
    readonly retry: GuardOptions['retry'];
    readonly sends: number;
  }[] = [
    { name: 'retry: false', retry: false, sends: 1 },
    { name: '{ maxRetries: 0 }', retry: { maxRetries: 0 }, sends: 1 },
    { name: '{ maxAttempts: 1 }', retry: { maxAttempts: 1 }, sends: 1 },
    { name: '{ maxRetries: 2 }', retry: { maxRetries: 2 }, sends: 3 },
    { name: 'the default (maxAttempts 3)', retry: undefined, sends: 3 },
  ];
  it.each(cases)('$name: a persistent 500 is sent $sends time(s), whatever the call passes', async (row) => {
    vi.useFakeTimers();
    const fetch = scriptedFetch(fixtures.server_error, { afterLast: 'repeat-last' });
    const created = tracked(
      row.retry === undefined ? { tier: 'tier-5' } : { tier: 'tier-5', retry: row.retry },
    );
    const pending = settle(
      created.wrap(clientOf(major, fetch)).chat.completions.create(BODY, { maxRetries: 5 }),
    );
    await vi.advanceTimersByTimeAsync(120_000);
    const { error } = await pending;
    expect(error).toBeInstanceOf(major.OpenAI.InternalServerError);
    expect(fetch.calls).toHaveLength(row.sends);
    expect(diagnose(error).retries?.attempts).toBe(row.sends);
  });
});

describe.each(OPENAI_MAJORS)('fallback: false and the x-tierguard-fallback header ($name)', (major) => {
  it('fallback: false never moves to another model', async () => {
    const fetch = scriptedFetch(fixtures.model_access_denied, { afterLast: 'repeat-last' });
    const created = tracked({ fallback: false });
    const error = await created
      .wrap(clientOf(major, fetch))
      .chat.completions.create(BODY)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(major.OpenAI.NotFoundError);
    expect(diagnose(error).cause).toBe('model_access_denied');
    expect(fetch.calls).toHaveLength(1);
    expect(created.stats().fallbacks).toBe(0);
  });

  it('x-tierguard-fallback: off turns a configured chain off for that call only, and is never sent', async () => {
    const fetch = scriptedFetch(
      [fixtures.model_access_denied, fixtures.model_access_denied, chatCompletion({ content: 'from mini' })],
      { afterLast: 'repeat-last' },
    );
    const client = tracked({ fallback: { 'gpt-4o': ['gpt-4o-mini'] } }).wrap(clientOf(major, fetch));
    const error = await client.chat.completions
      .create(BODY, { headers: { 'x-tierguard-fallback': 'off' } })
      .catch((caught: unknown) => caught);
    expect(diagnose(error).cause).toBe('model_access_denied');
    expect(fetch.calls).toHaveLength(1);
    expect(fetch.calls[0]?.headers).not.toHaveProperty('x-tierguard-fallback');
    // The next call, without the header, has its chain.
    const completion = await client.chat.completions.create(BODY);
    expect(completion.choices[0]?.message.content).toBe('from mini');
    expect(fetch.calls.slice(1).map((call) => (call.body as { model: string }).model)).toEqual([
      'gpt-4o',
      'gpt-4o-mini',
    ]);
  });

  it('the header works from a client’s defaultHeaders and through guard.fetch', async () => {
    const fetch = scriptedFetch(fixtures.model_access_denied, { afterLast: 'repeat-last' });
    const created = tracked({ fallback: { 'gpt-4o': ['gpt-4o-mini'] } });
    const client = created.wrap(
      new major.OpenAI({
        apiKey: KEY,
        baseURL: BASE_URL,
        fetch,
        defaultHeaders: { 'x-tierguard-fallback': 'off' },
      }),
    );
    expect(
      diagnose(await client.chat.completions.create(BODY).catch((caught: unknown) => caught)).cause,
    ).toBe('model_access_denied');
    expect(fetch.calls).toHaveLength(1);
    const plain = createGuard({ fallback: { 'gpt-4o': ['gpt-4o-mini'] }, fetch });
    guards.push(plain);
    const response = await plain.fetch(`${BASE_URL}/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${KEY}`,
        'x-tierguard-fallback': 'off',
      },
      body: JSON.stringify(BODY),
    });
    expect(response.status).toBe(404);
    expect(fetch.calls).toHaveLength(2);
    for (const call of fetch.calls) expect(call.headers).not.toHaveProperty('x-tierguard-fallback');
  });

  it('a call names its own chain in the header, even with fallback: false', async () => {
    const fetch = scriptedFetch([
      fixtures.model_access_denied,
      fixtures.model_access_denied,
      chatCompletion({ content: 'from 4.1-mini' }),
    ]);
    const client = tracked({ fallback: false }).wrap(clientOf(major, fetch));
    const completion = await client.chat.completions.create(BODY, {
      headers: { 'x-tierguard-fallback': 'gpt-4o-mini, gpt-4.1-mini' },
    });
    expect(completion.choices[0]?.message.content).toBe('from 4.1-mini');
    expect(fetch.calls.map((call) => (call.body as { model: string }).model)).toEqual([
      'gpt-4o',
      'gpt-4o-mini',
      'gpt-4.1-mini',
    ]);
    for (const call of fetch.calls) expect(call.headers).not.toHaveProperty('x-tierguard-fallback');
  });

  it.each([
    ['the model itself', 'gpt-4o-mini, gpt-4o'],
    ['an empty name', 'gpt-4o-mini,,gpt-4.1-mini'],
    ['nine models', Array.from({ length: 9 }, (_, index) => `model-${index}`).join(',')],
  ])('a header naming %s is refused before anything is sent (400, local)', async (_, value) => {
    const fetch = scriptedFetch(chatCompletion());
    const client = tracked({}).wrap(clientOf(major, fetch));
    const error = await client.chat.completions
      .create(BODY, { headers: { 'x-tierguard-fallback': value } })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(major.OpenAI.BadRequestError);
    const diagnosis = diagnose(error);
    expect(diagnosis).toMatchObject({
      cause: 'invalid_request',
      origin: 'local',
      param: 'x-tierguard-fallback',
    });
    expect(diagnosis.message).toContain('x-tierguard-fallback');
    expect(fetch.calls).toHaveLength(0);
  });
});

const redisUrl = inject('redisUrl');
const skipReason = inject('redisSkipReason');

describe.skipIf(redisUrl === '')(
  `what runs when things are off, on Redis${redisUrl === '' ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    let redis: Redis;
    beforeAll(() => {
      redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    });
    afterAll(async () => {
      await redis.quit();
    });
    const keysUnder = (prefix: string): Promise<string[]> => redis.keys(`${prefix}*`);

    it('no budget: nothing priced, stored or reported for one (buckets only)', async () => {
      const prefix = `tg-off:${randomUUID()}:`;
      const fetch = scriptedFetch(chatCompletion(), { afterLast: 'repeat-last' });
      const created = tracked({ redis: redisUrl, keyPrefix: prefix });
      const client = created.wrap(clientOf(OPENAI_6, fetch));
      // Calls run on local buckets until the connection is up: call until the buckets are in Redis.
      await vi.waitFor(async () => {
        await client.chat.completions.create(BODY);
        expect((await keysUnder(prefix)).length).toBeGreaterThan(0);
      });
      expect(created.stats().budget).toBeUndefined();
      const keys = await keysUnder(prefix);
      expect(keys.filter((key) => /spend|alert/.test(key))).toEqual([]);
      // The control: the same calls with a budget store the month's spend.
      const budgetPrefix = `tg-off:${randomUUID()}:`;
      const withBudget = tracked({ redis: redisUrl, keyPrefix: budgetPrefix, budget: { monthlyUsd: 10 } });
      await withBudget.wrap(clientOf(OPENAI_6, fetch)).chat.completions.create(BODY);
      await vi.waitFor(async () =>
        expect((await keysUnder(budgetPrefix)).filter((key) => key.includes('spend'))).toHaveLength(1),
      );
    });
  },
);

describe('pacing: false and no budget: Redis is never connected to', () => {
  let server: Server;
  let connections = 0;
  let url = '';
  beforeAll(async () => {
    // Not a Redis: a loopback port that counts who connects to it.
    server = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `redis://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it.each([
    { pacing: false, connects: false },
    { pacing: true, connects: true },
  ])('pacing: $pacing → connects: $connects', async ({ pacing, connects }) => {
    connections = 0;
    const fetch = scriptedFetch(chatCompletion(), { afterLast: 'repeat-last' });
    const created = tracked({ pacing, redis: url });
    await created.wrap(clientOf(OPENAI_6, fetch)).chat.completions.create(BODY);
    if (connects) await vi.waitFor(() => expect(connections).toBeGreaterThan(0));
    else {
      // Long enough for a connection that was started to arrive on loopback.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(connections).toBe(0);
      expect(created.stats().store).toEqual({ kind: 'memory' });
    }
    expect(fetch.calls).toHaveLength(1);
  });
});
