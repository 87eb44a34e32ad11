import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RequestEstimate } from '../../src/pacing/estimate.js';
import { MemoryStore } from '../../src/pacing/memory-store.js';
import { limitHeaders } from '../../src/testing/scripted-fetch.js';
import {
  Pacer,
  PacingRefusal,
  type PacerEvent,
  type PacerOptions,
  type Ticket,
} from '../../src/pacing/pacer.js';

const BASE = 'https://api.openai.com/v1';

function estimate(totalTokens: number, promptTokens = Math.floor(totalTokens / 2)): RequestEstimate {
  return {
    promptTokens,
    maxOutputTokens: totalTokens - promptTokens,
    n: 1,
    totalTokens,
    images: 0,
    outputDefaulted: false,
  };
}

function makePacer(overrides: Partial<PacerOptions> = {}): {
  pacer: Pacer;
  events: PacerEvent[];
  store: MemoryStore;
} {
  const events: PacerEvent[] = [];
  const store = new MemoryStore();
  const pacer = new Pacer({
    tier: 'tier-1',
    limits: {},
    windowMs: 60_000,
    windowFixed: false,
    maxQueued: Number.POSITIVE_INFINITY,
    initialConcurrency: 2,
    maxUnknownConcurrency: 32,
    deployments: {},
    store,
    emit: (event) => events.push(event),
    ...overrides,
  });
  return { pacer, events, store };
}

/** Settles microtasks so that admitted waiters resolve. */
async function flush(): Promise<void> {
  for (let index = 0; index < 5; index += 1) await Promise.resolve();
}

function headers(record: Record<string, string>): Headers {
  return new Headers(record);
}

describe('Pacer', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-11-23T00:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts a key from the tier table and admits calls while both buckets hold their amounts', async () => {
    // No gate before the first answer here (calibration has its own test).
    const { pacer } = makePacer({
      initialConcurrency: Number.POSITIVE_INFINITY,
      limits: { 'gpt-4o': { requests: 3, tokens: 1_000 } },
    });
    const key = pacer.laneKey({ baseURL: BASE, model: 'gpt-4o-2024-08-06' });
    const admitted: Ticket[] = [];
    for (let index = 0; index < 4; index += 1)
      void pacer.acquire(key, estimate(200)).then((ticket) => admitted.push(ticket));
    await flush();
    // Requests: capacity 3 → the fourth waits for one request to refill (60 s / 3 = 20 s).
    expect(admitted).toHaveLength(3);
    expect(pacer.stats()[0]).toMatchObject({ waiting: 1, inFlight: 3, family: 'gpt-4o' });
    await vi.advanceTimersByTimeAsync(19_999);
    expect(admitted).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(admitted).toHaveLength(4);
    expect(admitted[3]?.queuedMs).toBe(20_000);
    expect(admitted[3]?.throttledBy).toBe('requests');
  });

  it('refills continuously: a token debt delays the next call by exactly the time to repay it', async () => {
    const { pacer, events } = makePacer({ limits: { 'gpt-4o-mini': { requests: 1_000, tokens: 6_000 } } });
    const key = pacer.laneKey({ baseURL: BASE, model: 'gpt-4o-mini' });
    await pacer.acquire(key, estimate(6_000));
    let second = false;
    void pacer.acquire(key, estimate(600)).then(() => (second = true));
    await flush();
    expect(second).toBe(false);
    // 6,000 tokens per 60 s = 100 per second: 600 tokens need 6 s.
    await vi.advanceTimersByTimeAsync(5_999);
    expect(second).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(second).toBe(true);
    expect(
      events.some(
        (event) => event.type === 'throttled' && event.bucket === 'tokens' && event.waitMs === 6_000,
      ),
    ).toBe(true);
  });

  it('serves waiting calls in FIFO order', async () => {
    const { pacer } = makePacer({
      initialConcurrency: Number.POSITIVE_INFINITY,
      limits: { '*': { requests: 1, tokens: 100_000 } },
    });
    const key = pacer.laneKey({ baseURL: BASE, model: 'gpt-4o' });
    const order: number[] = [];
    for (let index = 0; index < 5; index += 1)
      void pacer.acquire(key, estimate(10)).then(() => order.push(index));
    await vi.advanceTimersByTimeAsync(4 * 60_000);
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });

  it('gives the reservation back when the call never reached the API', async () => {
    const { pacer, store } = makePacer({ limits: { '*': { requests: 10, tokens: 1_000 } } });
    const key = pacer.laneKey({ baseURL: BASE, model: 'gpt-4o' });
    const ticket = await pacer.acquire(key, estimate(800));
    expect(store.peek(key).tokens?.level).toBe(200);
    pacer.release(ticket, false);
    expect(store.peek(key).tokens?.level).toBe(1_000);
    expect(store.peek(key).requests?.level).toBe(10);
    // Releasing twice changes nothing.
    pacer.release(ticket, false);
    expect(store.peek(key).tokens?.level).toBe(1_000);
  });

  it('reconciles from usage when no headers came: the prompt as counted, the output as charged', async () => {
    const { pacer, store } = makePacer({ limits: { '*': { requests: 10, tokens: 10_000 } } });
    const key = pacer.laneKey({ baseURL: BASE, model: 'gpt-4o' });
    // No explicit max: the output was a default, so the actual output is what counts.
    const defaulted: RequestEstimate = {
      promptTokens: 100,
      maxOutputTokens: 1_024,
      n: 1,
      totalTokens: 1_124,
      images: 0,
      outputDefaulted: true,
    };
    const ticket = await pacer.acquire(key, defaulted);
    expect(store.peek(key).tokens?.level).toBe(10_000 - 1_124);
    pacer.observe(ticket, { status: 200, usage: { promptTokens: 120, completionTokens: 30 } });
    pacer.release(ticket, true);
    expect(store.peek(key).tokens?.level).toBe(10_000 - 150);
    // An explicit max_tokens is charged in full (openai-api.md note B), only the prompt is corrected.
    const explicit = await pacer.acquire(key, estimate(600, 100));
    pacer.observe(explicit, { status: 200, usage: { promptTokens: 140, completionTokens: 20 } });
    expect(store.peek(key).tokens?.level).toBeCloseTo(10_000 - 150 - 640, 0);
  });

  it('learns limits and levels from x-ratelimit-* headers, and ignores -1', async () => {
    const { pacer, events, store } = makePacer({ tier: 'tier-1' });
    const key = pacer.laneKey({ baseURL: BASE, model: 'gpt-4o' });
    expect(pacer.stats()[0]?.buckets.tokens).toMatchObject({ capacity: 30_000, source: 'tier' });
    const ticket = await pacer.acquire(key, estimate(1_000));
    pacer.observe(ticket, {
      status: 200,
      headers: headers({
        'x-ratelimit-limit-requests': '5000',
        'x-ratelimit-limit-tokens': '800000',
        'x-ratelimit-remaining-requests': '4990',
        'x-ratelimit-remaining-tokens': '700000',
        'x-ratelimit-reset-requests': '120ms',
        'x-ratelimit-reset-tokens': '7.5s',
      }),
    });
    const stats = pacer.stats()[0];
    expect(stats?.buckets.tokens).toMatchObject({ capacity: 800_000, source: 'headers' });
    expect(stats?.buckets.requests).toMatchObject({ capacity: 5_000, source: 'headers' });
    // The server had 700,000 left when it counted this call; nothing was taken since.
    expect(store.peek(key).tokens?.level).toBe(700_000);
    expect(
      events
        .filter((event) => event.type === 'limits-learned')
        .map((event) => event.type === 'limits-learned' && event.bucket),
    ).toEqual(['requests', 'tokens']);
    expect(events.some((event) => event.type === 'tier-detected' && event.tier === 'tier-3')).toBe(true);

    const next = await pacer.acquire(key, estimate(1_000));
    pacer.observe(next, {
      status: 200,
      headers: headers({
        'x-ratelimit-limit-tokens': '-1',
        'x-ratelimit-remaining-tokens': '-1',
        'x-ratelimit-reset-tokens': '0',
      }),
    });
    expect(pacer.stats()[0]?.buckets.tokens).toMatchObject({ capacity: 800_000, source: 'headers' });
  });

  it('corrects a level from late headers without losing what was taken after the answered call', async () => {
    const { pacer, store } = makePacer({
      initialConcurrency: Number.POSITIVE_INFINITY,
      limits: { '*': { requests: 1_000, tokens: 10_000 } },
    });
    const key = pacer.laneKey({ baseURL: BASE, model: 'gpt-4o' });
    const first = await pacer.acquire(key, estimate(1_000));
    const second = await pacer.acquire(key, estimate(1_000));
    const third = await pacer.acquire(key, estimate(1_000));
    expect(store.peek(key).tokens?.level).toBe(7_000);
    // The server counted the first call as 1,500 (it counts more than we estimate): it had
    // 8,500 left; the second and third calls were sent after, so our level must be 6,500.
    pacer.observe(first, {
      status: 200,
      headers: headers({ 'x-ratelimit-limit-tokens': '10000', 'x-ratelimit-remaining-tokens': '8500' }),
    });
    expect(store.peek(key).tokens?.level).toBe(6_500);
    // A stale answer that says more room than we have does not raise past what the later calls took.
    pacer.observe(second, {
      status: 200,
      headers: headers({ 'x-ratelimit-limit-tokens': '10000', 'x-ratelimit-remaining-tokens': '7000' }),
    });
    expect(store.peek(key).tokens?.level).toBe(6_000);
    pacer.release(first, true);
    pacer.release(second, true);
    pacer.release(third, true);
  });

  it('refuses at once a call that can never fit, instead of blocking the queue', async () => {
    const { pacer } = makePacer({ tier: 'tier-1' });
    const key = pacer.laneKey({ baseURL: BASE, model: 'gpt-4o' });
    const refusal = await pacer
      .acquire(key, estimate(31_538), undefined, 'gpt-4o')
      .catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(PacingRefusal);
    expect(refusal).toMatchObject({
      kind: 'request_too_large',
      dimension: 'tokens',
      limit: 30_000,
      requested: 31_538,
    });
    // The queue is not blocked: a normal call goes at once.
    await expect(pacer.acquire(key, estimate(100))).resolves.toMatchObject({ queuedMs: 0 });
  });

  it('bounds the waiting calls with maxQueued', async () => {
    const { pacer } = makePacer({ maxQueued: 2, limits: { '*': { requests: 1, tokens: 1_000 } } });
    const key = pacer.laneKey({ baseURL: BASE, model: 'gpt-4o' });
    await pacer.acquire(key, estimate(10));
    const waiting = [pacer.acquire(key, estimate(10)), pacer.acquire(key, estimate(10))];
    await expect(pacer.acquire(key, estimate(10))).rejects.toMatchObject({ kind: 'queue_full' });
    expect(pacer.waiting).toBe(2);
    pacer.close(new Error('closed'));
    await expect(Promise.all(waiting)).rejects.toThrow('closed');
  });

  it('lets an aborted call leave the queue at once and the next call take its place', async () => {
    const { pacer } = makePacer({ limits: { '*': { requests: 1_000, tokens: 1_000 } } });
    const key = pacer.laneKey({ baseURL: BASE, model: 'gpt-4o' });
    await pacer.acquire(key, estimate(1_000));
    const controller = new AbortController();
    const big = pacer.acquire(key, estimate(900), controller.signal);
    let small = false;
    void pacer.acquire(key, estimate(100)).then(() => (small = true));
    await flush();
    expect(pacer.waiting).toBe(2);
    controller.abort(new Error('caller gave up'));
    await expect(big).rejects.toThrow('caller gave up');
    expect(pacer.waiting).toBe(1);
    // 100 tokens refill in 6 s; the aborted 900-token call would have needed 54 s.
    await vi.advanceTimersByTimeAsync(6_000);
    expect(small).toBe(true);
    expect(pacer.waiting).toBe(0);
  });

  it('with tier auto, keeps a small number in flight until headers say the limits', async () => {
    const { pacer, events } = makePacer({ tier: 'auto' });
    const key = pacer.laneKey({ baseURL: BASE, model: 'gpt-4o-mini' });
    const tickets: Ticket[] = [];
    for (let index = 0; index < 5; index += 1)
      void pacer.acquire(key, estimate(100)).then((ticket) => tickets.push(ticket));
    await flush();
    expect(tickets).toHaveLength(2);
    pacer.observe(tickets[0] as Ticket, {
      status: 200,
      headers: headers({
        'x-ratelimit-limit-requests': '500',
        'x-ratelimit-limit-tokens': '200000',
        'x-ratelimit-remaining-requests': '499',
        'x-ratelimit-remaining-tokens': '199900',
      }),
    });
    pacer.release(tickets[0] as Ticket, true);
    await flush();
    expect(tickets).toHaveLength(5);
    expect(events.find((event) => event.type === 'tier-detected')).toMatchObject({
      tier: 'tier-1',
      family: 'gpt-4o-mini',
    });
  });

  it('infers the window from reset headers when answers agree (a scaled minute)', async () => {
    const { pacer, events } = makePacer({ tier: 'auto' });
    const key = pacer.laneKey({ baseURL: BASE, model: 'gpt-4o' });
    // A server whose "minute" is 1 s: 100 of 1,000 tokens used → full again in 100 ms.
    for (let index = 0; index < 5; index += 1) {
      const ticket = await pacer.acquire(key, estimate(10));
      pacer.observe(ticket, {
        status: 200,
        headers: headers({
          'x-ratelimit-limit-tokens': '1000',
          'x-ratelimit-remaining-tokens': '900',
          'x-ratelimit-reset-tokens': '100ms',
          'x-ratelimit-limit-requests': '50',
          'x-ratelimit-remaining-requests': '45',
          'x-ratelimit-reset-requests': '100ms',
        }),
      });
      pacer.release(ticket, true);
    }
    expect(pacer.stats()[0]?.buckets.tokens?.windowMs).toBe(1_000);
    expect(pacer.stats()[0]?.buckets.requests?.windowMs).toBe(1_000);
    expect(events.some((event) => event.type === 'limits-learned' && event.windowMs === 1_000)).toBe(true);
  });

  it('never infers a window the caller fixed', async () => {
    const { pacer } = makePacer({ tier: 'auto', windowFixed: true });
    const key = pacer.laneKey({ baseURL: BASE, model: 'gpt-4o' });
    for (let index = 0; index < 6; index += 1) {
      const ticket = await pacer.acquire(key, estimate(10));
      pacer.observe(ticket, {
        status: 200,
        headers: headers({
          'x-ratelimit-limit-tokens': '1000',
          'x-ratelimit-remaining-tokens': '900',
          'x-ratelimit-reset-tokens': '100ms',
        }),
      });
      pacer.release(ticket, true);
    }
    expect(pacer.stats()[0]?.buckets.tokens?.windowMs).toBe(60_000);
  });

  it('after a 429 holds the queue for the wait the API asked for', async () => {
    const { pacer } = makePacer({ limits: { '*': { requests: 100, tokens: 10_000 } } });
    const key = pacer.laneKey({ baseURL: BASE, model: 'gpt-4o' });
    const ticket = await pacer.acquire(key, estimate(1_000));
    pacer.observe(ticket, {
      status: 429,
      rateLimitedCause: 'tokens',
      rateLimit: { kind: 'tokens', window: 'minute', limit: 10_000, used: 9_500 },
      retryAfterMs: 3_000,
    });
    pacer.release(ticket, true);
    let next = false;
    void pacer.acquire(key, estimate(1_000)).then(() => (next = true));
    await vi.advanceTimersByTimeAsync(2_999);
    expect(next).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(next).toBe(true);
    expect(pacer.stats()[0]?.rateLimited).toBe(1);
  });

  it('pauses a key whose relay sends bare 429s, and halves what it keeps in flight', async () => {
    const { pacer } = makePacer({ tier: 'auto' });
    const key = pacer.laneKey({ baseURL: 'https://relay.example/v1', model: 'gpt-4o' });
    const ticket = await pacer.acquire(key, estimate(100));
    pacer.observe(ticket, { status: 429, rateLimitedCause: 'unknown', retryAfterMs: 2_000 });
    pacer.release(ticket, true);
    expect(pacer.stats()[0]).toMatchObject({ concurrency: 1, pausedForMs: 2_000 });
    let next = false;
    void pacer.acquire(key, estimate(100)).then(() => (next = true));
    await vi.advanceTimersByTimeAsync(1_999);
    expect(next).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(next).toBe(true);
  });

  it('holds a burst until the first answer teaches how the server counts, then releases it', async () => {
    const { pacer, store } = makePacer({ limits: { '*': { requests: 1_000, tokens: 100_000 } } });
    const key = pacer.laneKey({ baseURL: BASE, model: 'gpt-4o' });
    const tickets: Ticket[] = [];
    for (let index = 0; index < 10; index += 1)
      void pacer.acquire(key, estimate(200, 100)).then((ticket) => tickets.push(ticket));
    await flush();
    expect(tickets).toHaveLength(2);
    // The server counted 150 prompt tokens where we estimated 100.
    pacer.observe(tickets[0] as Ticket, { status: 200, usage: { promptTokens: 150, completionTokens: 5 } });
    await flush();
    expect(tickets).toHaveLength(10);
    // The burst reserved at the server's count (150 + 100 per call after the first two), and the
    // first call was reconciled from 200 to the 250 the server counted.
    const levelAfter = store.peek(key).tokens?.level ?? 0;
    expect(100_000 - levelAfter).toBeCloseTo(2 * 200 + 8 * 250 + 50, 0);
  });

  it('keeps a small number in flight and pauses while a relay answers without any limits', async () => {
    const { pacer } = makePacer({ tier: 'auto' });
    const key = pacer.laneKey({ baseURL: BASE, model: 'gpt-4o' });
    const tickets: Ticket[] = [];
    for (let index = 0; index < 6; index += 1)
      void pacer.acquire(key, estimate(100)).then((ticket) => tickets.push(ticket));
    await flush();
    expect(tickets).toHaveLength(2);
    pacer.observe(tickets[0] as Ticket, { status: 200 });
    pacer.release(tickets[0] as Ticket, true);
    await flush();
    // No limits known: one more in flight per success, never a flood.
    expect(pacer.stats()[0]?.concurrency).toBe(3);
    expect(tickets).toHaveLength(4);
  });

  it('gives an unknown model conservative limits and says so', () => {
    const { pacer, events } = makePacer({ tier: 'tier-1' });
    pacer.laneKey({ baseURL: BASE, model: 'my-company-model' });
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'model-unknown',
        model: 'my-company-model',
        requestsPerMinute: 500,
        tokensPerMinute: 30_000,
      }),
    );
  });

  it('learns that the server counts more prompt tokens than estimated, and reserves accordingly', async () => {
    const { pacer, store } = makePacer({ limits: { '*': { requests: 1_000, tokens: 100_000 } } });
    const key = pacer.laneKey({ baseURL: BASE, model: 'gpt-4o' });
    for (let index = 0; index < 30; index += 1) {
      const ticket = await pacer.acquire(key, estimate(200, 100));
      pacer.observe(ticket, { status: 200, usage: { promptTokens: 133, completionTokens: 10 } });
      pacer.release(ticket, true);
    }
    const before = store.peek(key).tokens?.level ?? 0;
    await pacer.acquire(key, estimate(200, 100));
    const taken = before - (store.peek(key).tokens?.level ?? 0);
    expect(taken).toBeGreaterThanOrEqual(232);
    expect(taken).toBeLessThanOrEqual(234);
  });

  it('wants the usage of an answer without token headers only when a token bucket can use it', async () => {
    const unlimited = makePacer({ tier: 'auto' }).pacer;
    const open = unlimited.laneKey({ baseURL: 'http://127.0.0.1:8080/v1', model: 'gpt-4o' });
    const limited = makePacer({
      tier: 'auto',
      limits: { '*': { requests: 1_000, tokens: 100_000 } },
    }).pacer;
    const counted = limited.laneKey({ baseURL: 'http://127.0.0.1:8080/v1', model: 'gpt-4o' });
    for (let index = 0; index < 10; index += 1) {
      const free = await unlimited.acquire(open, estimate(200, 100));
      expect(unlimited.wantsUsage(free, false)).toBe(false);
      unlimited.observe(free, { status: 200 });
      unlimited.release(free, true);
      const paced = await limited.acquire(counted, estimate(200, 100));
      expect(limited.wantsUsage(paced, false)).toBe(true);
      limited.observe(paced, { status: 200, usage: { promptTokens: 100, completionTokens: 10 } });
      limited.release(paced, true);
    }
  });

  it('passes unread a success that says what the buckets hold, far from the limits, and reads one in 8', async () => {
    const { pacer } = makePacer({ tier: 'auto' });
    const key = pacer.laneKey({ baseURL: BASE, model: 'gpt-4o' });
    // The server has at least the room the buckets think (it answers full).
    const agreeing = headers(
      limitHeaders({
        requests: 1_000,
        remainingRequests: 1_000,
        tokens: 1_000_000,
        remainingTokens: 1_000_000,
      }),
    );
    const passed: boolean[] = [];
    for (let index = 0; index < 20; index += 1) {
      const ticket = await pacer.acquire(key, estimate(200, 100));
      const unread = pacer.passUnread(ticket, agreeing);
      passed.push(unread);
      if (!unread) pacer.observe(ticket, { status: 200, headers: agreeing });
      pacer.release(ticket, true);
    }
    // The first answer teaches the limits; then seven pass and the eighth is read, again and again.
    expect(passed).toEqual([
      false,
      ...[true, true, true, true, true, true, true, false],
      ...[true, true, true, true, true, true, true, false],
      true,
      true,
      true,
    ]);
    const [lane] = pacer.stats();
    expect(lane?.served).toBe(20);
    expect(lane?.inFlight).toBe(0);
  });

  it('reads a success that says the server holds less than the buckets, however far from the limits', async () => {
    const { pacer } = makePacer({ tier: 'auto' });
    const key = pacer.laneKey({ baseURL: BASE, model: 'gpt-4o' });
    const said = (remainingRequests: number, remainingTokens: number): Headers =>
      headers(limitHeaders({ requests: 1_000, remainingRequests, tokens: 1_000_000, remainingTokens }));
    const first = await pacer.acquire(key, estimate(200, 100));
    pacer.observe(first, { status: 200, headers: said(999, 999_800) });
    pacer.release(first, true);
    // Another consumer of the same limits took 300 requests: 60 % is left, more than half, but 30 %
    // less than the bucket holds.
    const second = await pacer.acquire(key, estimate(200, 100));
    expect(pacer.passUnread(second, said(700, 999_600))).toBe(false);
    pacer.observe(second, { status: 200, headers: said(700, 999_600) });
    pacer.release(second, true);
    expect(pacer.stats()[0]?.buckets.requests?.level).toBeCloseTo(700, 0);
    // The same for tokens, and for an answer that does not say.
    const third = await pacer.acquire(key, estimate(200, 100));
    expect(pacer.passUnread(third, said(699, 700_000))).toBe(false);
    expect(pacer.passUnread(third, headers({ 'x-ratelimit-remaining-requests': '699' }))).toBe(false);
    // Within 2 % of the capacity of what the buckets hold, it passes.
    expect(pacer.passUnread(third, said(690, 999_000))).toBe(true);
    pacer.release(third, true);
  });

  it('reads the answer of a call taken before its lane knew a limit the headers name', async () => {
    const { pacer } = makePacer({ tier: 'auto' });
    const key = pacer.laneKey({ baseURL: BASE, model: 'gpt-4o' });
    const full = headers(
      limitHeaders({
        requests: 1_000,
        remainingRequests: 1_000,
        tokens: 1_000_000,
        remainingTokens: 1_000_000,
      }),
    );
    // Both calls are sent before the first answer teaches the limits.
    const first = await pacer.acquire(key, estimate(200, 100));
    const second = await pacer.acquire(key, estimate(200, 100));
    expect(Object.keys(second.levels)).not.toContain('requests');
    pacer.observe(first, { status: 200, headers: full });
    pacer.release(first, true);
    expect(pacer.passUnread(second, full)).toBe(false);
    pacer.observe(second, { status: 200, headers: full });
    pacer.release(second, true);
    const third = await pacer.acquire(key, estimate(200, 100));
    expect(pacer.passUnread(third, full)).toBe(true);
    pacer.release(third, true);
  });

  it('reads every success once a take leaves a bucket less than half full', async () => {
    const { pacer } = makePacer({ tier: 'auto' });
    const key = pacer.laneKey({ baseURL: BASE, model: 'gpt-4o' });
    const full = headers(
      limitHeaders({ requests: 10, remainingRequests: 10, tokens: 1_000_000, remainingTokens: 1_000_000 }),
    );
    const first = await pacer.acquire(key, estimate(200, 100));
    pacer.observe(first, { status: 200, headers: full });
    pacer.release(first, true);
    const passed: boolean[] = [];
    for (let index = 0; index < 8; index += 1) {
      const ticket = await pacer.acquire(key, estimate(200, 100));
      passed.push(pacer.passUnread(ticket, full));
      pacer.release(ticket, true);
    }
    // The sixth take leaves four requests of ten: from then on every answer is read.
    expect(passed).toEqual([true, true, true, true, true, false, false, false]);
  });

  it('reads usage while learning the scale, then one answer in 8, then one in 64 once it has settled', async () => {
    const { pacer } = makePacer({ limits: { '*': { requests: 100_000, tokens: 1e9 } } });
    const key = pacer.laneKey({ baseURL: BASE, model: 'gpt-4o' });
    const limitHeaders = headers({
      'x-ratelimit-limit-requests': '100000',
      'x-ratelimit-remaining-requests': '99999',
      'x-ratelimit-limit-tokens': '1000000000',
      'x-ratelimit-remaining-tokens': '999999000',
    });
    const wanted: boolean[] = [];
    for (let index = 0; index < 600; index += 1) {
      const ticket = await pacer.acquire(key, estimate(200, 100));
      const wants = pacer.wantsUsage(ticket, true);
      wanted.push(wants);
      pacer.observe(ticket, {
        status: 200,
        headers: limitHeaders,
        ...(wants ? { usage: { promptTokens: 100, completionTokens: 10 } } : {}),
      });
      pacer.release(ticket, true);
    }
    const readAt = wanted.flatMap((wants, index) => (wants ? [index + 1] : []));
    // The first four teach the scale; then every 8th answer until 32 samples; then every 64th.
    expect(readAt.slice(0, 6)).toEqual([1, 2, 3, 4, 8, 16]);
    const settledAt = readAt[31] as number;
    expect(readAt.filter((answer) => answer > settledAt).every((answer) => answer % 64 === 0)).toBe(true);
    expect(readAt.filter((answer) => answer > settledAt).length).toBe(
      Math.floor(600 / 64) - Math.floor(settledAt / 64),
    );
  });

  describe('sendAhead', () => {
    // A lane of 100 requests and 100,000 tokens a minute that has heard back once (not calibrating).
    async function heard(): Promise<{ pacer: Pacer; key: string }> {
      const { pacer } = makePacer({ tier: 'auto' });
      const key = pacer.laneKey({ baseURL: BASE, model: 'gpt-4o' });
      const first = await pacer.acquire(key, estimate(200, 100));
      pacer.observe(first, {
        status: 200,
        headers: headers(
          limitHeaders({ requests: 100, remainingRequests: 99, tokens: 100_000, remainingTokens: 99_800 }),
        ),
      });
      pacer.release(first, true);
      return { pacer, key };
    }

    it('lets nothing go on a lane that has not heard back, nor while a call waits', async () => {
      const { pacer } = makePacer({ tier: 'auto' });
      const key = pacer.laneKey({ baseURL: BASE, model: 'gpt-4o' });
      expect(pacer.sendAhead(key, { promptTokens: 10, outputTokens: 10 })).toBeUndefined();
      const calibrating = await pacer.acquire(key, estimate(200, 100));
      expect(pacer.sendAhead(key, { promptTokens: 10, outputTokens: 10 })).toBeUndefined();
      pacer.release(calibrating, true);
      expect(pacer.stats()[0]?.inFlight).toBe(0);
    });

    it('holds what calls sent ahead may take until they are admitted, and stops at half of a bucket', async () => {
      const { pacer, key } = await heard();
      // 99 requests left: the calls held ahead count against them until admitted.
      const held: number[] = [];
      for (;;) {
        const tokens = pacer.sendAhead(key, { promptTokens: 100, outputTokens: 50 });
        if (tokens === undefined) break;
        held.push(tokens);
      }
      // 99 − 49 = 50 is half the capacity; one more would leave less.
      expect(held).toHaveLength(49);
      expect(held[0]).toBe(150);
      expect(pacer.stats()[0]?.inFlight).toBe(49);
      // Admitted, each takes its own estimate, not the bound it went ahead with.
      const tickets = held.map((tokens) => pacer.admitSent(key, estimate(60, 20), 'gpt-4o', tokens));
      const [lane] = pacer.stats();
      expect(lane?.buckets.requests?.level).toBeCloseTo(50, 0);
      expect(lane?.buckets.tokens?.level).toBeCloseTo(99_800 - 49 * 60, -1);
      expect(pacer.sendAhead(key, { promptTokens: 100, outputTokens: 50 })).toBeUndefined();
      for (const ticket of tickets) pacer.release(ticket, true);
      expect(pacer.stats()[0]?.inFlight).toBe(0);
    });

    it('stops when a call’s bound would take the tokens below half, and when an answer says a bucket is below half', async () => {
      const { pacer, key } = await heard();
      expect(pacer.sendAhead(key, { promptTokens: 49_000, outputTokens: 1_000 })).toBeUndefined();
      const tokens = pacer.sendAhead(key, { promptTokens: 40_000, outputTokens: 1_000 });
      expect(tokens).toBe(41_000);
      const ticket = pacer.admitSent(key, estimate(500, 400), 'gpt-4o', tokens as number);
      // The answer says another consumer took most requests: nothing goes ahead on its word.
      pacer.observe(ticket, {
        status: 200,
        headers: headers(
          limitHeaders({ requests: 100, remainingRequests: 30, tokens: 100_000, remainingTokens: 99_000 }),
        ),
      });
      pacer.release(ticket, true);
      expect(pacer.sendAhead(key, { promptTokens: 10, outputTokens: 10 })).toBeUndefined();
    });

    it('takes what an admitted call needs even when its bound fell short', async () => {
      const { pacer, key } = await heard();
      const tokens = pacer.sendAhead(key, { promptTokens: 10, outputTokens: 10 }) as number;
      // An estimate above every token left: taken all the same (the call is on its way).
      const ticket = pacer.admitSent(key, estimate(150_000, 149_000), 'gpt-4o', tokens);
      const [lane] = pacer.stats();
      expect(lane?.buckets.tokens?.level).toBeLessThan(0);
      expect(lane?.buckets.requests?.level).toBeCloseTo(98, 0);
      expect(pacer.sendAhead(key, { promptTokens: 10, outputTokens: 10 })).toBeUndefined();
      pacer.release(ticket, true);
    });
  });
});
