import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { diagnose } from '../../src/diagnose/diagnose.js';
import { createGuard, type Guard } from '../../src/guard/create-guard.js';
import type { GuardOptions } from '../../src/guard/options.js';
import { OPENAI_MAJORS } from '../support/openai-majors.js';
import {
  createSimulator,
  type Simulator,
  type SimulatorOptions,
} from '../../src/testing/simulator/simulator.js';

// Each fault: the guarded call settles (served, or refused with the right diagnosis) within
// retry.maxElapsedMs, and the guard is idle afterwards (nothing waiting, nothing in flight).
const MAX_ELAPSED_MS = 3_000;
const opened: { sim: Simulator; guard: Guard }[] = [];

afterEach(async () => {
  for (const { sim, guard } of opened.splice(0)) {
    await guard.close();
    await sim.close();
  }
});

async function setUp(
  simulator: SimulatorOptions,
  options: GuardOptions = {},
  clientTimeoutMs = 10_000,
): Promise<{ sim: Simulator; guard: Guard; client: OpenAI }> {
  const sim = await createSimulator({ tier: 'tier-5', ...simulator });
  const guard = createGuard({
    tier: 'tier-5',
    retry: { maxAttempts: 3, maxElapsedMs: MAX_ELAPSED_MS, maxDelayMs: 1_000 },
    ...options,
  });
  opened.push({ sim, guard });
  return {
    sim,
    guard,
    client: guard.wrap(new OpenAI({ apiKey: 'sk-test', baseURL: sim.baseURL, timeout: clientTimeoutMs })),
  };
}

const ask = (client: OpenAI, signal?: AbortSignal) =>
  client.chat.completions.create(
    { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 10 },
    signal === undefined ? {} : { signal },
  );

/** Settles a call and measures how long it took. */
async function settle(promise: Promise<unknown>): Promise<{ ok: boolean; error: unknown; ms: number }> {
  const at = performance.now();
  try {
    await promise;
    return { ok: true, error: undefined, ms: performance.now() - at };
  } catch (error) {
    return { ok: false, error, ms: performance.now() - at };
  }
}

function expectIdle(guard: Guard): void {
  const stats = guard.stats();
  expect(stats.waiting).toBe(0);
  expect(stats.inFlight).toBe(0);
  for (const lane of stats.limits) expect(lane).toMatchObject({ waiting: 0, inFlight: 0 });
}

describe('faults, through the guard and the simulator', () => {
  it.each([
    ['server-error', 'server_error'],
    ['overloaded', 'overloaded'],
  ] as const)('a burst of %s: every call settles in time, served or diagnosed %s', async (fault, cause) => {
    const { client, guard, sim } = await setUp({ seed: 3, faults: [{ fault, rate: 0.5 }] });
    const results = await Promise.all(Array.from({ length: 20 }, () => settle(ask(client))));
    for (const result of results) {
      expect(result.ms).toBeLessThan(MAX_ELAPSED_MS + 1_000);
      if (!result.ok) expect(diagnose(result.error).cause).toBe(cause);
    }
    // Retries served most of them; none was tried more than maxAttempts times.
    expect(results.filter((result) => result.ok).length).toBeGreaterThan(12);
    expect(sim.stats().requests).toBeLessThanOrEqual(60);
    expectIdle(guard);
  });

  it('a mix of faults under a short client timeout: most calls served, every failure named', async () => {
    // Each request: 11 % each of a 500, a reset, a hang, an HTML 502 and a truncated JSON body
    // (the rates below are conditional on the rules before them not firing); 45 % served.
    const { client, guard, sim } = await setUp(
      {
        seed: 11,
        faults: [
          { fault: 'server-error', rate: 0.11 },
          { fault: 'reset', rate: 0.11 / 0.89 },
          { fault: 'hang', rate: 0.11 / 0.78 },
          { fault: 'relay-html', rate: 0.11 / 0.67 },
          { fault: 'malformed-json', rate: 0.11 / 0.56 },
        ],
      },
      { retry: { maxAttempts: 4, maxElapsedMs: 10_000, maxDelayMs: 1_000 } },
      300,
    );
    const results = await Promise.all(Array.from({ length: 100 }, () => settle(ask(client))));
    const served = results.filter((result) => result.ok).length;
    // Four attempts each, 55 % failing: about 91 in 100 served. The client's timeout bounds each
    // attempt, so a hang costs one attempt, not the call.
    expect(served).toBeGreaterThanOrEqual(85);
    for (const result of results)
      if (!result.ok)
        expect(['server_error', 'connection_error', 'timeout', 'relay_error']).toContain(
          diagnose(result.error).cause,
        );
    expect(sim.stats().faults).toMatchObject({ hang: expect.any(Number), reset: expect.any(Number) });
    expectIdle(guard);
  });

  it('a connection reset mid-body is retried and served', async () => {
    const { client, guard } = await setUp({ faults: [{ fault: 'reset', count: 1 }] });
    const result = await settle(ask(client));
    expect(result.ok).toBe(true);
    expect(guard.stats().retries).toBe(1);
    expectIdle(guard);
  });

  it('a server that never answers ends at the client timeout, diagnosed', async () => {
    const { client, guard } = await setUp({ faults: [{ fault: 'hang' }] }, {}, 300);
    const result = await settle(ask(client));
    expect(result.ok).toBe(false);
    expect(diagnose(result.error)).toMatchObject({ cause: 'timeout', retryable: true });
    expect(result.ms).toBeLessThan(MAX_ELAPSED_MS);
    expectIdle(guard);
  });

  it('an HTML 502 page is retried, and diagnosed relay_error when it persists', async () => {
    const once = await setUp({ faults: [{ fault: 'relay-html', count: 1 }] });
    expect((await settle(ask(once.client))).ok).toBe(true);
    const always = await setUp({ faults: [{ fault: 'relay-html' }] });
    const result = await settle(ask(always.client));
    expect(diagnose(result.error)).toMatchObject({ cause: 'relay_error', origin: 'network', status: 502 });
    expect(always.sim.stats().requests).toBe(3);
    expectIdle(always.guard);
  });

  it('malformed JSON with a 200 is diagnosed relay_error, retried and served; when it persists the caller gets that diagnosis', async () => {
    const once = await setUp({ faults: [{ fault: 'malformed-json', count: 1 }] });
    const diagnosed: string[] = [];
    once.guard.on((event) => {
      if (event.type === 'diagnosed') diagnosed.push(event.diagnosis.cause);
    });
    expect((await settle(ask(once.client))).ok).toBe(true);
    expect(diagnosed).toEqual(['relay_error']);
    expectIdle(once.guard);
    const always = await setUp({ faults: [{ fault: 'malformed-json' }] });
    const result = await settle(ask(always.client));
    expect(result.ok).toBe(false);
    expect(diagnose(result.error)).toMatchObject({
      cause: 'relay_error',
      retries: { attempts: 3, stoppedBy: 'attempts' },
    });
    expectIdle(always.guard);
  });

  it.each(['no-rate-headers', 'minus-one-headers', 'garbage-headers'] as const)(
    '%s: calls keep flowing and the limits stay sane',
    async (fault) => {
      const { client, guard } = await setUp({ faults: [{ fault }] }, { tier: 'auto' });
      const results = await Promise.all(Array.from({ length: 10 }, () => settle(ask(client))));
      expect(results.every((result) => result.ok)).toBe(true);
      for (const lane of guard.stats().limits) {
        for (const bucket of Object.values(lane.buckets)) {
          expect(Number.isFinite(bucket.capacity)).toBe(true);
          expect(Number.isFinite(bucket.level)).toBe(true);
        }
      }
      expectIdle(guard);
    },
  );

  it('a retry-after of a day fails fast with the wait in the diagnosis', async () => {
    const { client, guard } = await setUp({ faults: [{ fault: 'retry-after-day' }] });
    const result = await settle(ask(client));
    expect(result.ms).toBeLessThan(1_000);
    expect(diagnose(result.error)).toMatchObject({
      cause: 'rate_limited_requests',
      retryAfterMs: 86_400_000,
    });
    expectIdle(guard);
  });

  it('…unless the caller allowed such a wait (maxDelayMs), and then it still ends at the caller’s abort', async () => {
    const { client, guard } = await setUp(
      { faults: [{ fault: 'retry-after-day' }] },
      { retry: { maxDelayMs: 90_000_000, maxElapsedMs: 90_000_000 } },
    );
    const controller = new AbortController();
    const pending = settle(ask(client, controller.signal));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(
      guard.stats().limits[0]?.pausedForMs ?? guard.stats().limits[0]?.buckets.requests?.level,
    ).toBeDefined();
    controller.abort();
    const result = await pending;
    expect(diagnose(result.error).cause).toBe('aborted');
    expect(result.ms).toBeLessThan(1_000);
    expectIdle(guard);
  });

  it('a 429 storm from a relay without headers: calls settle, fewer kept in flight, bounded attempts', async () => {
    const { client, guard, sim } = await setUp(
      { faults: [{ fault: 'rate-limit-no-headers', count: 30 }] },
      { tier: 'auto' },
    );
    const results = await Promise.all(Array.from({ length: 10 }, () => settle(ask(client))));
    for (const result of results) {
      expect(result.ms).toBeLessThan(MAX_ELAPSED_MS + 1_000);
      // new-api's words for its saturated upstream: the relay's capacity, not the caller's RPM.
      if (!result.ok) expect(diagnose(result.error).cause).toBe('overloaded');
    }
    expect(sim.stats().requests).toBeLessThanOrEqual(30);
    expect(guard.stats().limits[0]?.concurrency).toBe(1);
    expectIdle(guard);
  });

  it('the caller aborts while queued, while in flight, and while waiting to retry: each settles at once', async () => {
    // The simulator has the same one-request limit: its headers would otherwise teach the guard a bigger one.
    const queued = await setUp(
      { limits: { 'gpt-4o-mini': { requests: 1, tokens: 1_000_000 } } },
      { limits: { 'gpt-4o-mini': { requests: 1, tokens: 1_000_000 } } },
    );
    await ask(queued.client);
    const queuedController = new AbortController();
    const waiting = settle(ask(queued.client, queuedController.signal));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(queued.guard.stats().waiting).toBe(1);
    queuedController.abort();
    const queuedResult = await waiting;
    expect(diagnose(queuedResult.error).cause).toBe('aborted');
    expect(queuedResult.ms).toBeLessThan(500);
    expectIdle(queued.guard);

    const hanging = await setUp({ faults: [{ fault: 'hang' }] });
    const flightController = new AbortController();
    const inFlight = settle(ask(hanging.client, flightController.signal));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(hanging.guard.stats().inFlight).toBe(1);
    flightController.abort();
    expect(diagnose((await inFlight).error).cause).toBe('aborted');
    expectIdle(hanging.guard);

    const retrying = await setUp(
      { faults: [{ fault: 'overloaded' }] },
      { retry: { maxAttempts: 5, maxDelayMs: 60_000, maxElapsedMs: 60_000 } },
    );
    const retryController = new AbortController();
    const backingOff = settle(ask(retrying.client, retryController.signal));
    await new Promise((resolve) => setTimeout(resolve, 150));
    retryController.abort();
    const retryResult = await backingOff;
    expect(diagnose(retryResult.error).cause).toBe('aborted');
    expect(retryResult.ms).toBeLessThan(600);
    expectIdle(retrying.guard);
  });

  it('close() while calls are queued rejects them with a clear error, and the guard ends idle', async () => {
    const { client, guard } = await setUp(
      { limits: { 'gpt-4o-mini': { requests: 1, tokens: 1_000_000 } } },
      { limits: { 'gpt-4o-mini': { requests: 1, tokens: 1_000_000 } } },
    );
    await ask(client);
    const waiting = [settle(ask(client)), settle(ask(client))];
    await new Promise((resolve) => setTimeout(resolve, 50));
    await guard.close();
    for (const result of await Promise.all(waiting)) {
      expect(String((result.error as { cause?: unknown }).cause)).toContain('the guard was closed');
      expect(diagnose(result.error)).toMatchObject({ cause: 'aborted', origin: 'local' });
    }
    expectIdle(guard);
  });

  it('requests the API would reject pass through to its own answer, diagnosed', async () => {
    const { sim, guard } = await setUp({});
    const noModel = await guard.fetch(`${sim.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-test' },
      body: JSON.stringify({ messages: [] }),
    });
    expect(noModel.status).toBe(400);
    const unknownPath = await guard.fetch(`${sim.baseURL}/nowhere`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-test' },
      body: '{}',
    });
    expect(unknownPath.status).toBe(404);
    const notJson = await guard.fetch(`${sim.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-test' },
      body: 'not json',
    });
    expect(notJson.status).toBe(400);
    expect(diagnose({ status: notJson.status, body: await notJson.text() }).cause).toBe('invalid_request');
    expectIdle(guard);
  });
});

describe.each(OPENAI_MAJORS)('a transport that throws, in its own words ($name)', (major) => {
  // What runtimes' and custom fetches throw when they cannot connect (Bun's and Deno's as measured
  // on this machine; a browser's or a Worker's words; a custom fetch's own TypeError). The client
  // makes each an APIConnectionError and retries it: the guard diagnoses and retries it the same.
  const THROWN: readonly [string, () => Error][] = [
    ['Failed to fetch', () => new TypeError('Failed to fetch')],
    ['Load failed', () => new TypeError('Load failed')],
    [
      'Bun, refused',
      () =>
        Object.assign(new TypeError('Unable to connect. Is the computer able to access the url?'), {
          code: 'ECONNREFUSED',
        }),
    ],
    ['Deno, blocked port', () => new TypeError('Fetch failed: Requests to port 1 are blocked')],
    [
      'a custom fetch’s own TypeError',
      () => new TypeError("Cannot read properties of undefined (reading 'agent')"),
    ],
  ];

  it.each(THROWN)(
    '%s: a connection_error, tried as often as the retries allow, like the bare client',
    async (_name, make) => {
      let sent = 0;
      const transport = async (): Promise<Response> => {
        sent += 1;
        throw make();
      };
      const body = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hi' }] };
      const bare = new major.OpenAI({ apiKey: 'sk-test-0123456789', fetch: transport, maxRetries: 0 });
      const bareError = await bare.chat.completions.create(body).catch((caught: unknown) => caught);
      sent = 0;
      const guard = createGuard({ tier: 'tier-5', retry: { maxAttempts: 3, maxDelayMs: 1 } });
      opened.push({ sim: { close: async () => {} } as Simulator, guard });
      const wrapped = guard.wrap(new major.OpenAI({ apiKey: 'sk-test-0123456789', fetch: transport }));
      const error = await wrapped.chat.completions.create(body).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(major.OpenAI.APIConnectionError);
      expect(sent).toBe(3);
      expect(diagnose(error)).toMatchObject({
        cause: 'connection_error',
        origin: 'network',
        retryable: true,
      });
      expect(diagnose(bareError).cause).toBe('connection_error');
      expect(diagnose(error).attempts?.map((attempt) => attempt.cause)).toEqual([
        'connection_error',
        'connection_error',
        'connection_error',
      ]);
    },
  );
});

describe.each(OPENAI_MAJORS)('a relay’s stream that fails in its own words ($name)', (major) => {
  const sse = (...events: readonly unknown[]): Response =>
    new Response(events.map((event) => `data: ${JSON.stringify(event)}\n\n`).join('') + 'data: [DONE]\n\n', {
      headers: { 'content-type': 'text/event-stream' },
    });
  const chunk = (content: string) => ({
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, delta: { content }, finish_reason: null }],
  });

  it('`data: {"error": "…"}` before any output is retried, and the retry serves the stream', async () => {
    // new-api's words for an upstream 429; the bare client throws them as an APIError while iterating.
    let sent = 0;
    const transport = async (): Promise<Response> =>
      (sent += 1) === 1
        ? sse({ error: '当前分组上游负载已饱和，请稍后再试' })
        : sse(chunk('Hello'), chunk(' there'));
    const guard = createGuard({ tier: 'tier-5', retry: { maxAttempts: 3, maxDelayMs: 1 } });
    try {
      const wrapped = guard.wrap(
        new major.OpenAI({
          apiKey: 'sk-test-0123456789',
          baseURL: 'https://relay.example.com/v1',
          fetch: transport,
        }),
      );
      const stream = await wrapped.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'hi' }],
        stream: true,
      });
      let text = '';
      for await (const part of stream) text += part.choices[0]?.delta.content ?? '';
      expect(text).toBe('Hello there');
      expect(sent).toBe(2);
      expect(guard.stats().failuresByCause).toEqual({ overloaded: 1 });
    } finally {
      await guard.close();
    }
  });
});
