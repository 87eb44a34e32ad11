import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RequestEstimate } from '../../src/tokens/estimate.js';
import { MemoryStore } from '../../src/stores/memory.js';
import {
  Pacer,
  PacingRefusal,
  type PacerEvent,
  type PacerOptions,
  type Ticket,
} from '../../src/pacing/pacer.js';
import type { Lane } from '../../src/pacing/lane.js';
import type { BucketStore } from '../../src/pacing/types.js';

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
    calibrationStepMs: 1_000,
    maxPauseMs: 60_000,
    idleLaneMs: 600_000,
    deployments: {},
    store,
    emit: (event) => events.push(event),
    ...overrides,
  });
  return { pacer, events, store };
}

/** `Pacer.admit` with the argument order of the tests: a lane, an estimate, a signal, a model. */
function admit(
  pacer: Pacer,
  lane: Lane,
  value: RequestEstimate,
  signal?: AbortSignal,
  model?: string,
): Promise<Ticket> {
  return pacer.admit(lane, value, signal, model);
}

/** Settles microtasks so that admitted waiters resolve. */
async function flush(): Promise<void> {
  for (let index = 0; index < 100; index += 1) await Promise.resolve();
}

/** A store that hands every operation to `memory`, but those `changes` give (local unless they say shared). */
function over(memory: MemoryStore, changes: Partial<BucketStore>): BucketStore {
  return {
    shared: false,
    take: (key, items) => memory.take(key, items),
    adjust: (key, dimension, delta) => memory.adjust(key, dimension, delta),
    sync: (key, dimension, input) => memory.sync(key, dimension, input),
    holdOff: (key, dimension, amount, waitMs) => memory.holdOff(key, dimension, amount, waitMs),
    configure: (key, dimension, spec, priority) => memory.configure(key, dimension, spec, priority),
    peek: (key) => memory.peek(key),
    drop: (key) => memory.drop(key),
    close: () => memory.close(),
    ...changes,
  };
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
    const key = pacer.lane({ baseURL: BASE, model: 'gpt-4o-2024-08-06' });
    const admitted: Ticket[] = [];
    for (let index = 0; index < 4; index += 1)
      void admit(pacer, key, estimate(200)).then((ticket) => admitted.push(ticket));
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
    const key = pacer.lane({ baseURL: BASE, model: 'gpt-4o-mini' });
    await admit(pacer, key, estimate(6_000));
    let second = false;
    void admit(pacer, key, estimate(600)).then(() => (second = true));
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
    const key = pacer.lane({ baseURL: BASE, model: 'gpt-4o' });
    const order: number[] = [];
    for (let index = 0; index < 5; index += 1)
      void admit(pacer, key, estimate(10)).then(() => order.push(index));
    await vi.advanceTimersByTimeAsync(4 * 60_000);
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });

  it('gives the reservation back when the call never reached the API', async () => {
    const { pacer, store } = makePacer({ limits: { '*': { requests: 10, tokens: 1_000 } } });
    const key = pacer.lane({ baseURL: BASE, model: 'gpt-4o' });
    const ticket = await admit(pacer, key, estimate(800));
    expect(store.peek(key.key).tokens?.level).toBe(200);
    pacer.finish(ticket, false);
    expect(store.peek(key.key).tokens?.level).toBe(1_000);
    expect(store.peek(key.key).requests?.level).toBe(10);
    // Releasing twice changes nothing.
    pacer.finish(ticket, false);
    expect(store.peek(key.key).tokens?.level).toBe(1_000);
  });

  it('reconciles from usage when no headers came: the prompt as counted, the output as charged', async () => {
    const { pacer, store } = makePacer({ limits: { '*': { requests: 10, tokens: 10_000 } } });
    const key = pacer.lane({ baseURL: BASE, model: 'gpt-4o' });
    // No explicit max: the output was a default, so the actual output is what counts.
    const defaulted: RequestEstimate = {
      promptTokens: 100,
      maxOutputTokens: 1_024,
      n: 1,
      totalTokens: 1_124,
      images: 0,
      outputDefaulted: true,
    };
    const ticket = await admit(pacer, key, defaulted);
    expect(store.peek(key.key).tokens?.level).toBe(10_000 - 1_124);
    pacer.observe(ticket, { status: 200, usage: { promptTokens: 120, completionTokens: 30 } });
    pacer.finish(ticket, true);
    expect(store.peek(key.key).tokens?.level).toBe(10_000 - 150);
    // An explicit max_tokens is charged in full (openai-api.md note B), only the prompt is corrected.
    const explicit = await admit(pacer, key, estimate(600, 100));
    pacer.observe(explicit, { status: 200, usage: { promptTokens: 140, completionTokens: 20 } });
    expect(store.peek(key.key).tokens?.level).toBeCloseTo(10_000 - 150 - 640, 0);
  });

  it('learns limits and levels from x-ratelimit-* headers, and ignores -1', async () => {
    const { pacer, events, store } = makePacer({ tier: 'tier-1' });
    const key = pacer.lane({ baseURL: BASE, model: 'gpt-4o' });
    expect(pacer.stats()[0]?.buckets.tokens).toMatchObject({ capacity: 30_000, source: 'tier' });
    const ticket = await admit(pacer, key, estimate(1_000));
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
    expect(store.peek(key.key).tokens?.level).toBe(700_000);
    expect(
      events
        .filter((event) => event.type === 'limits-learned')
        .map((event) => event.type === 'limits-learned' && event.bucket),
    ).toEqual(['requests', 'tokens']);
    expect(events.some((event) => event.type === 'tier-detected' && event.tier === 'tier-3')).toBe(true);

    const next = await admit(pacer, key, estimate(1_000));
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

  it('ignores a tokens limit below what the answered call itself used (a relay’s invention)', async () => {
    const { pacer } = makePacer({ tier: 'tier-1' });
    const key = pacer.lane({ baseURL: BASE, model: 'gpt-4o' });
    const ticket = await admit(pacer, key, estimate(1_000));
    pacer.observe(ticket, {
      status: 200,
      headers: headers({
        'x-ratelimit-limit-requests': '500',
        'x-ratelimit-limit-tokens': '1',
        'x-ratelimit-remaining-tokens': '0',
        'x-ratelimit-reset-tokens': '86400s',
      }),
      usage: { promptTokens: 5, completionTokens: 1 },
    });
    // The server served 6 tokens: a limit of 1 cannot be its own. The requests limit is kept.
    const stats = pacer.stats()[0];
    expect(stats?.buckets.tokens).toMatchObject({ capacity: 30_000, source: 'tier' });
    expect(stats?.buckets.requests).toMatchObject({ capacity: 500, source: 'headers' });
    pacer.finish(ticket, true);
  });

  it('corrects a level from late headers without losing what was taken after the answered call', async () => {
    const { pacer, store } = makePacer({
      initialConcurrency: Number.POSITIVE_INFINITY,
      limits: { '*': { requests: 1_000, tokens: 10_000 } },
    });
    const key = pacer.lane({ baseURL: BASE, model: 'gpt-4o' });
    const first = await admit(pacer, key, estimate(1_000));
    const second = await admit(pacer, key, estimate(1_000));
    const third = await admit(pacer, key, estimate(1_000));
    expect(store.peek(key.key).tokens?.level).toBe(7_000);
    // The server counted the first call as 1,500 (it counts more than we estimate): it had
    // 8,500 left; the second and third calls were sent after, so our level must be 6,500.
    pacer.observe(first, {
      status: 200,
      headers: headers({ 'x-ratelimit-limit-tokens': '10000', 'x-ratelimit-remaining-tokens': '8500' }),
    });
    expect(store.peek(key.key).tokens?.level).toBe(6_500);
    // A stale answer that says more room than we have does not raise past what the later calls took.
    pacer.observe(second, {
      status: 200,
      headers: headers({ 'x-ratelimit-limit-tokens': '10000', 'x-ratelimit-remaining-tokens': '7000' }),
    });
    expect(store.peek(key.key).tokens?.level).toBe(6_000);
    pacer.finish(first, true);
    pacer.finish(second, true);
    pacer.finish(third, true);
  });

  describe('raising a level from an answer that says the server holds more', () => {
    const told = { '*': { requests: 1_000, tokens: 60_000, windowMs: 60_000 } };
    const answer = (remaining: number, prompt: number) => ({
      status: 200,
      headers: headers({
        'x-ratelimit-limit-tokens': '60000',
        'x-ratelimit-remaining-tokens': String(remaining),
      }),
      usage: { promptTokens: prompt, completionTokens: 0 },
    });
    /** Shared buckets (in memory) whose store counts `processes` sharing them, or cannot. */
    const shared = (memory: MemoryStore, processes: number | undefined): BucketStore =>
      over(memory, { shared: true, processes });

    /**
     * A lane that has seen how the server counts (one answer with usage), its bucket full again; on
     * shared buckets (in memory) when `sharing` says how many processes the store counts.
     */
    async function counted(sharing?: {
      processes: number | undefined;
    }): Promise<{ pacer: Pacer; store: MemoryStore; key: Lane }> {
      const store = new MemoryStore();
      const { pacer } = makePacer({
        initialConcurrency: Number.POSITIVE_INFINITY,
        limits: told,
        store: sharing === undefined ? store : shared(store, sharing.processes),
      });
      const key = pacer.lane({ baseURL: BASE, model: 'gpt-4o' });
      const first = await admit(pacer, key, estimate(1_000));
      pacer.sent(first);
      pacer.observe(first, answer(59_000, 500));
      pacer.finish(first, true);
      await vi.advanceTimersByTimeAsync(1_000);
      return { pacer, store, key };
    }

    /** Two calls of 5,000 tokens sent 10 ms apart; the server answers the later one first (59,000 left). */
    async function answeredOutOfOrder(pacer: Pacer, key: Lane): Promise<{ earlier: Ticket; later: Ticket }> {
      const earlier = await admit(pacer, key, estimate(5_000, 500));
      pacer.sent(earlier);
      await vi.advanceTimersByTimeAsync(10);
      const later = await admit(pacer, key, estimate(5_000, 500));
      pacer.sent(later);
      pacer.observe(later, answer(59_000, 500));
      return { earlier, later };
    }

    it('raises it to what the server said, less a margin for floored counts', async () => {
      const { pacer, store, key } = await counted();
      // Reserved 5,000; the server charged 1,000 (the estimate's output was never used).
      const call = await admit(pacer, key, estimate(5_000, 500));
      pacer.sent(call);
      const before = store.peek(key.key).tokens?.level ?? Number.NaN;
      expect(before).toBe(55_000);
      pacer.observe(call, answer(59_000, 500));
      // 59,000 less 2 % of the bucket (1,200); nothing was sent since, no time passed.
      expect(store.peek(key.key).tokens?.level).toBe(57_800);
      pacer.finish(call, true);
    });

    it('does not raise past the calls sent just before the answered one (they may reach the server after it)', async () => {
      const { pacer, store, key } = await counted();
      // The server counted `later` first and had not yet counted `earlier`.
      const { earlier, later } = await answeredOutOfOrder(pacer, key);
      // 59,000 less the margin (1,200) and `earlier` (5,000); no time passed since `later` left.
      expect(store.peek(key.key).tokens?.level).toBe(52_800);
      pacer.finish(earlier, true);
      pacer.finish(later, true);
    });

    it('never raises from a call taken before the server refused one (the view was off)', async () => {
      const { pacer, store, key } = await counted();
      const older = await admit(pacer, key, estimate(5_000, 500));
      pacer.sent(older);
      await vi.advanceTimersByTimeAsync(200);
      const refused = await admit(pacer, key, estimate(5_000, 500));
      pacer.sent(refused);
      pacer.observe(refused, {
        status: 429,
        headers: headers({}),
        rateLimited: 'tokens',
        retryAfterMs: 0,
      });
      pacer.finish(refused, true);
      const level = store.peek(key.key).tokens?.level ?? Number.NaN;
      pacer.observe(older, answer(59_000, 500));
      expect(store.peek(key.key).tokens?.level).toBe(level);
      pacer.finish(older, true);
    });

    it('on shared buckets, raises with a margin for every process the store counts', async () => {
      const alone = await counted({ processes: 3 });
      const call = await admit(alone.pacer, alone.key, estimate(5_000, 500));
      alone.pacer.sent(call);
      alone.pacer.observe(call, answer(59_000, 500));
      // As a process alone: 59,000 less 2 % of the bucket; nothing was sent just before.
      expect(alone.store.peek(alone.key.key).tokens?.level).toBe(57_800);
      alone.pacer.finish(call, true);

      const { pacer, store, key } = await counted({ processes: 3 });
      const { earlier, later } = await answeredOutOfOrder(pacer, key);
      // The margin counts `earlier` (5,000) once for each of the 3 processes: 59,000 − 1,200 −
      // 15,000 is under the level (50,000 and 10 ms of refill), which stays; a process alone would raise to 52,800.
      expect(store.peek(key.key).tokens?.level).toBe(50_010);
      pacer.finish(earlier, true);
      pacer.finish(later, true);
    });

    it('on shared buckets, never raises when the store cannot count the processes, or from an old answer', async () => {
      const uncounted = await counted({ processes: undefined });
      const call = await admit(uncounted.pacer, uncounted.key, estimate(5_000, 500));
      uncounted.pacer.sent(call);
      uncounted.pacer.observe(call, answer(59_000, 500));
      expect(uncounted.store.peek(uncounted.key.key).tokens?.level).toBe(55_000);
      uncounted.pacer.finish(call, true);

      const { pacer, store, key } = await counted({ processes: 3 });
      const old = await admit(pacer, key, estimate(20_000, 500));
      pacer.sent(old);
      // Answered 7 s after it left: older than a tenth of the 60 s window.
      await vi.advanceTimersByTimeAsync(7_000);
      const level = store.peek(key.key).tokens?.level ?? Number.NaN;
      expect(level).toBeCloseTo(47_000, -1);
      pacer.observe(old, answer(59_000, 500));
      expect(store.peek(key.key).tokens?.level).toBeCloseTo(level, -1);
      pacer.finish(old, true);
    });

    it('does not raise before an answer has said how the server counts', async () => {
      const { pacer, store } = makePacer({ initialConcurrency: Number.POSITIVE_INFINITY, limits: told });
      const key = pacer.lane({ baseURL: BASE, model: 'gpt-4o' });
      const call = await admit(pacer, key, estimate(5_000, 500));
      pacer.sent(call);
      pacer.observe(call, { status: 200, headers: answer(59_000, 500).headers });
      expect(store.peek(key.key).tokens?.level).toBe(55_000);
      pacer.finish(call, true);
    });
  });

  describe('at long latencies', () => {
    const told = { '*': { requests: 1_000, tokens: 20_000, windowMs: 2_000 } };

    it('a wave of answers whose headers are one latency old does not stop a lane that has room', async () => {
      const { pacer, store } = makePacer({ initialConcurrency: Number.POSITIVE_INFINITY, limits: told });
      const key = pacer.lane({ baseURL: BASE, model: 'gpt-4o' });
      // A burst empties the bucket at t = 0; the server counts each call on arrival.
      const burst: Ticket[] = [];
      for (let index = 0; index < 10; index += 1) {
        const ticket = await admit(pacer, key, estimate(2_000, 1_000));
        pacer.sent(ticket);
        burst.push(ticket);
      }
      // For 2 s, one call each 200 ms takes what refilled (10 tokens a millisecond).
      for (let index = 0; index < 10; index += 1) {
        await vi.advanceTimersByTimeAsync(200);
        const ticket = await admit(pacer, key, estimate(2_000, 1_000));
        pacer.sent(ticket);
      }
      // The burst's answers arrive 2 s late, each with the level the server had when it counted it.
      burst.forEach((ticket, index) => {
        pacer.observe(ticket, {
          status: 200,
          headers: headers({
            'x-ratelimit-limit-tokens': '20000',
            'x-ratelimit-remaining-tokens': String(20_000 - 2_000 * (index + 1)),
          }),
          usage: { promptTokens: 1_000, completionTokens: 0 },
        });
        pacer.finish(ticket, true);
      });
      // Taken as current, those levels would put the lane 20,000 tokens in debt (a 2 s stall); the
      // refill since each call was counted and the calls sent after it say the bucket is just empty.
      expect(store.peek(key.key).tokens?.level).toBeGreaterThan(-100);
      let next = false;
      void admit(pacer, key, estimate(2_000, 1_000)).then(() => (next = true));
      await vi.advanceTimersByTimeAsync(210);
      expect(next).toBe(true);
    });

    it('with nothing known, first calls that hang do not hold the lane: the calls in flight double each step', async () => {
      const { pacer } = makePacer({ tier: 'auto', initialConcurrency: 2, calibrationStepMs: 250 });
      const key = pacer.lane({ baseURL: BASE, model: 'gpt-4o-mini' });
      const admitted: Ticket[] = [];
      for (let index = 0; index < 20; index += 1)
        void admit(pacer, key, estimate(100)).then((ticket) => {
          pacer.sent(ticket);
          admitted.push(ticket);
        });
      await flush();
      // None of these calls is ever answered.
      expect(admitted).toHaveLength(2);
      await vi.advanceTimersByTimeAsync(250);
      expect(admitted).toHaveLength(4);
      await vi.advanceTimersByTimeAsync(250);
      expect(admitted).toHaveLength(8);
      await vi.advanceTimersByTimeAsync(250);
      expect(admitted).toHaveLength(16);
      await vi.advanceTimersByTimeAsync(250);
      expect(admitted).toHaveLength(20);
      pacer.close(new Error('closed'));
    });

    it('told the limits, does not calibrate: a burst goes at once even while the first calls hang', async () => {
      const { pacer } = makePacer({ initialConcurrency: 2, limits: told });
      const key = pacer.lane({ baseURL: BASE, model: 'gpt-4o' });
      const admitted: Ticket[] = [];
      for (let index = 0; index < 9; index += 1)
        void admit(pacer, key, estimate(2_000, 1_000)).then((ticket) => admitted.push(ticket));
      await flush();
      // The first window holds back part of the bucket until an answer says how the server counts.
      expect(admitted.length).toBeGreaterThanOrEqual(7);
      pacer.close(new Error('closed'));
    });
  });

  it('refuses at once a call that can never fit, instead of blocking the queue', async () => {
    const { pacer } = makePacer({ tier: 'tier-1' });
    const key = pacer.lane({ baseURL: BASE, model: 'gpt-4o' });
    const refusal = await pacer
      .admit(key, estimate(31_538, 1_000), undefined, 'gpt-4o')
      .catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(PacingRefusal);
    expect(refusal).toMatchObject({ kind: 'request_too_large' });
    expect((refusal as Error).message).toContain('on tokens: Limit 30000, Requested 31538');
    // The queue is not blocked: a normal call goes at once.
    await expect(admit(pacer, key, estimate(100))).resolves.toMatchObject({ queuedMs: 0 });
  });

  it('bounds the waiting calls with maxQueued', async () => {
    const { pacer } = makePacer({ maxQueued: 2, limits: { '*': { requests: 1, tokens: 1_000 } } });
    const key = pacer.lane({ baseURL: BASE, model: 'gpt-4o' });
    await admit(pacer, key, estimate(10));
    const waiting = [admit(pacer, key, estimate(10)), admit(pacer, key, estimate(10))];
    await expect(admit(pacer, key, estimate(10))).rejects.toMatchObject({ kind: 'queue_full' });
    expect(pacer.waiting).toBe(2);
    pacer.close(new Error('closed'));
    await expect(Promise.all(waiting)).rejects.toThrow('closed');
  });

  it('lets an aborted call leave the queue at once and the next call take its place', async () => {
    const { pacer } = makePacer({ limits: { '*': { requests: 1_000, tokens: 1_000 } } });
    const key = pacer.lane({ baseURL: BASE, model: 'gpt-4o' });
    await admit(pacer, key, estimate(1_000));
    const controller = new AbortController();
    const big = admit(pacer, key, estimate(900), controller.signal);
    let small = false;
    void admit(pacer, key, estimate(100)).then(() => (small = true));
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

  it('admits a call that fits in the same turn, and listens to its signal only while it waits', async () => {
    const { pacer } = makePacer({ limits: { '*': { requests: 1_000, tokens: 1_000 } } });
    const key = pacer.lane({ baseURL: BASE, model: 'gpt-4o' });
    const first = new AbortController();
    let admitted = false;
    const ticket = admit(pacer, key, estimate(1_000), first.signal).then((value) => {
      admitted = true;
      return value;
    });
    // The memory store answers at once: nothing is left waiting, and no listener was added.
    expect(pacer.waiting).toBe(0);
    expect(getEventListeners(first.signal, 'abort')).toHaveLength(0);
    await ticket;
    expect(admitted).toBe(true);
    const second = new AbortController();
    const waiting = admit(pacer, key, estimate(500), second.signal);
    expect(pacer.waiting).toBe(1);
    expect(getEventListeners(second.signal, 'abort')).toHaveLength(1);
    second.abort(new Error('gave up'));
    await expect(waiting).rejects.toThrow('gave up');
    expect(getEventListeners(second.signal, 'abort')).toHaveLength(0);
  });

  it('with an asynchronous store, a call aborted while its take is out leaves, and the take is given back', async () => {
    const memory = new MemoryStore();
    const slow = over(memory, {
      take: async (key, items) => {
        await Promise.resolve();
        return memory.take(key, items);
      },
    });
    const { pacer } = makePacer({ limits: { '*': { requests: 1_000, tokens: 1_000 } }, store: slow });
    const key = pacer.lane({ baseURL: BASE, model: 'gpt-4o' });
    const controller = new AbortController();
    const call = admit(pacer, key, estimate(600), controller.signal);
    // The take is out: the waiter listens meanwhile.
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort(new Error('gave up'));
    await expect(call).rejects.toThrow('gave up');
    await flush();
    // What the take held came back: a call of 1,000 tokens fits at once.
    const after = await admit(pacer, key, estimate(1_000));
    expect(after.amounts.tokens).toBe(1_000);
  });

  it('with tier auto, keeps a small number in flight until headers say the limits', async () => {
    const { pacer, events } = makePacer({ tier: 'auto' });
    const key = pacer.lane({ baseURL: BASE, model: 'gpt-4o-mini' });
    const tickets: Ticket[] = [];
    for (let index = 0; index < 5; index += 1)
      void admit(pacer, key, estimate(100)).then((ticket) => tickets.push(ticket));
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
    pacer.finish(tickets[0] as Ticket, true);
    await flush();
    expect(tickets).toHaveLength(5);
    expect(events.find((event) => event.type === 'tier-detected')).toMatchObject({
      tier: 'tier-1',
      family: 'gpt-4o-mini',
    });
  });

  it('with tier auto, the first answer does not count the calls sent with it as already counted', async () => {
    const { pacer, store } = makePacer({ tier: 'auto', initialConcurrency: 4 });
    const key = pacer.lane({ baseURL: BASE, model: 'gpt-4o-mini' });
    // Four calls at once to a server allowing six a minute; it counts each on arrival, so the first
    // call's answer says 5 left while the other three are already on their way.
    const tickets: Ticket[] = [];
    for (let index = 0; index < 4; index += 1) {
      const ticket = await admit(pacer, key, estimate(100));
      pacer.sent(ticket);
      tickets.push(ticket);
    }
    pacer.observe(tickets[0] as Ticket, {
      status: 200,
      headers: headers({
        'x-ratelimit-limit-requests': '6',
        'x-ratelimit-limit-tokens': '200000',
        'x-ratelimit-remaining-requests': '5',
        'x-ratelimit-remaining-tokens': '199900',
      }),
    });
    // 5 less the three calls sent with it (they counted as 2 left when they arrived).
    expect(store.peek(key.key).requests?.level).toBeCloseTo(2, 1);
    for (const ticket of tickets) pacer.finish(ticket, true);
  });

  it('infers the window from reset headers when answers agree (a scaled minute)', async () => {
    const { pacer, events } = makePacer({ tier: 'auto' });
    const key = pacer.lane({ baseURL: BASE, model: 'gpt-4o' });
    // A server whose "minute" is 1 s: 100 of 1,000 tokens used → full again in 100 ms.
    for (let index = 0; index < 5; index += 1) {
      const ticket = await admit(pacer, key, estimate(10));
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
      pacer.finish(ticket, true);
    }
    expect(pacer.stats()[0]?.buckets.tokens?.windowMs).toBe(1_000);
    expect(pacer.stats()[0]?.buckets.requests?.windowMs).toBe(1_000);
    expect(events.some((event) => event.type === 'limits-learned' && event.windowMs === 1_000)).toBe(true);
  });

  it('never infers a window the caller fixed', async () => {
    const { pacer } = makePacer({ tier: 'auto', windowFixed: true });
    const key = pacer.lane({ baseURL: BASE, model: 'gpt-4o' });
    for (let index = 0; index < 6; index += 1) {
      const ticket = await admit(pacer, key, estimate(10));
      pacer.observe(ticket, {
        status: 200,
        headers: headers({
          'x-ratelimit-limit-tokens': '1000',
          'x-ratelimit-remaining-tokens': '900',
          'x-ratelimit-reset-tokens': '100ms',
        }),
      });
      pacer.finish(ticket, true);
    }
    expect(pacer.stats()[0]?.buckets.tokens?.windowMs).toBe(60_000);
  });

  describe('a call the server said may go (admitNow)', () => {
    /** A lane whose token bucket a 429 held off, and a call admitted now anyway. */
    async function heldOff(store?: (memory: MemoryStore) => BucketStore) {
      const memory = new MemoryStore();
      const { pacer } = makePacer({
        initialConcurrency: Number.POSITIVE_INFINITY,
        limits: { '*': { requests: 1_000, tokens: 10_000 } },
        store: store === undefined ? memory : store(memory),
      });
      const key = pacer.lane({ baseURL: BASE, model: 'gpt-4o' });
      // A call served first: the lane has seen how the server counts.
      const served = await admit(pacer, key, estimate(1_000));
      pacer.sent(served);
      pacer.observe(served, {
        status: 200,
        headers: headers({ 'x-ratelimit-limit-tokens': '10000', 'x-ratelimit-remaining-tokens': '9000' }),
        usage: { promptTokens: 500, completionTokens: 500 },
      });
      pacer.finish(served, true);
      const refused = await admit(pacer, key, estimate(1_000));
      pacer.sent(refused);
      pacer.observe(refused, {
        status: 429,
        rateLimited: 'tokens',
        rateLimit: { kind: 'tokens', window: 'minute', limit: 10_000, used: 9_900 },
        retryAfterMs: 3_000,
      });
      pacer.finish(refused, true);
      const ticket = await pacer.admitNow(key, estimate(1_000), 'gpt-4o');
      pacer.sent(ticket);
      return { pacer, key, memory, ticket };
    }

    it('takes its amount whatever the bucket holds, and its answer’s headers correct the debt', async () => {
      const { pacer, key, memory, ticket } = await heldOff();
      // The 429's "Used 9,900" left 100; then 1,000 taken: a debt of 900.
      expect(memory.peek(key.key).tokens?.level).toBe(-900);
      expect(ticket.marks.tokens).toBe(3_000);
      pacer.observe(ticket, {
        status: 200,
        headers: headers({ 'x-ratelimit-limit-tokens': '10000', 'x-ratelimit-remaining-tokens': '6000' }),
      });
      // Raised to the 6,000 the server holds, less the calls sent in the 100 ms before this one
      // (2,000: no time passed here) and 2 % for floored counts (200): the debt is gone.
      expect(memory.peek(key.key).tokens?.level).toBe(3_800);
      pacer.finish(ticket, true);
    });

    it('with a store that does not know `force` (it refuses the take), debits the buckets instead', async () => {
      const { key, memory, ticket } = await heldOff((inner) =>
        over(inner, {
          take: (k, items) =>
            inner.take(
              k,
              items.map(({ force: _force, ...item }) => item),
            ),
        }),
      );
      expect(memory.peek(key.key).tokens?.level).toBe(-900);
      expect(ticket.marks).toEqual({});
    });
  });

  it('after a 429 holds the queue for the wait the API asked for', async () => {
    const { pacer } = makePacer({ limits: { '*': { requests: 100, tokens: 10_000 } } });
    const key = pacer.lane({ baseURL: BASE, model: 'gpt-4o' });
    const ticket = await admit(pacer, key, estimate(1_000));
    pacer.observe(ticket, {
      status: 429,
      rateLimited: 'tokens',
      rateLimit: { kind: 'tokens', window: 'minute', limit: 10_000, used: 9_500 },
      retryAfterMs: 3_000,
    });
    pacer.finish(ticket, true);
    let next = false;
    void admit(pacer, key, estimate(1_000)).then(() => (next = true));
    await vi.advanceTimersByTimeAsync(2_999);
    expect(next).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(next).toBe(true);
    expect(pacer.stats()[0]?.rateLimited).toBe(1);
  });

  it('pauses a key whose relay sends bare 429s, and halves what it keeps in flight', async () => {
    const { pacer } = makePacer({ tier: 'auto' });
    const key = pacer.lane({ baseURL: 'https://relay.example/v1', model: 'gpt-4o' });
    const ticket = await admit(pacer, key, estimate(100));
    pacer.observe(ticket, { status: 429, rateLimited: 'unknown', retryAfterMs: 2_000 });
    pacer.finish(ticket, true);
    expect(pacer.stats()[0]).toMatchObject({ concurrency: 1, pausedForMs: 2_000 });
    let next = false;
    void admit(pacer, key, estimate(100)).then(() => (next = true));
    await vi.advanceTimersByTimeAsync(1_999);
    expect(next).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(next).toBe(true);
  });

  it('with known limits, releases a burst at once: no call waits for a first answer', async () => {
    const { pacer, store } = makePacer({ limits: { '*': { requests: 1_000, tokens: 100_000 } } });
    const key = pacer.lane({ baseURL: BASE, model: 'gpt-4o' });
    const tickets: Ticket[] = [];
    for (let index = 0; index < 10; index += 1)
      void admit(pacer, key, estimate(200, 100)).then((ticket) => tickets.push(ticket));
    await flush();
    expect(tickets).toHaveLength(10);
    // The server counted 150 prompt tokens where we estimated 100: later calls reserve at its count.
    pacer.observe(tickets[0] as Ticket, { status: 200, usage: { promptTokens: 150, completionTokens: 5 } });
    const before = store.peek(key.key).tokens?.level ?? 0;
    await admit(pacer, key, estimate(200, 100));
    expect(before - (store.peek(key.key).tokens?.level ?? 0)).toBe(250);
  });

  it('keeps a small number in flight and pauses while a relay answers without any limits', async () => {
    const { pacer } = makePacer({ tier: 'auto' });
    const key = pacer.lane({ baseURL: BASE, model: 'gpt-4o' });
    const tickets: Ticket[] = [];
    for (let index = 0; index < 6; index += 1)
      void admit(pacer, key, estimate(100)).then((ticket) => tickets.push(ticket));
    await flush();
    expect(tickets).toHaveLength(2);
    pacer.observe(tickets[0] as Ticket, { status: 200 });
    pacer.finish(tickets[0] as Ticket, true);
    await flush();
    // No limits known: one more in flight per success, never a flood.
    expect(pacer.stats()[0]?.concurrency).toBe(3);
    expect(tickets).toHaveLength(4);
  });

  it('gives an unknown model conservative limits and says so', () => {
    const { pacer, events } = makePacer({ tier: 'tier-1' });
    pacer.lane({ baseURL: BASE, model: 'my-company-model' });
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'model-unknown',
        model: 'my-company-model',
        requestsPerMinute: 500,
        tokensPerMinute: 30_000,
      }),
    );
  });

  it('settles on how the server counts: prompts that count ±20 % around it move the scale less and less', async () => {
    const { pacer, store } = makePacer({ limits: { '*': { requests: 1_000, tokens: 1_000_000 } } });
    const key = pacer.lane({ baseURL: BASE, model: 'gpt-4o' });
    const taken: number[] = [];
    for (let index = 0; index < 60; index += 1) {
      const before = store.peek(key.key).tokens?.level ?? 0;
      const ticket = await admit(pacer, key, estimate(1_100, 1_000));
      taken.push(before - (store.peek(key.key).tokens?.level ?? 0));
      // The server counts 1,200 and 800 tokens in turn for what we estimate as 1,000: 1,000 on average.
      const promptTokens = index % 2 === 0 ? 1_200 : 800;
      pacer.observe(ticket, { status: 200, usage: { promptTokens, completionTokens: 10 } });
      pacer.finish(ticket, true);
    }
    // Each rise of the scale is charged to the calls in flight, and a fall credits nothing: a scale
    // that keeps swinging by a fifth of each sample ratchets the lane down (docs/decisions.md §28).
    const late = taken.slice(-10);
    expect(Math.max(...late) - Math.min(...late)).toBeLessThanOrEqual(25);
    for (const amount of late) expect(Math.abs(amount - 1_100)).toBeLessThanOrEqual(25);
  });

  it('learns that the server counts more prompt tokens than estimated, and reserves accordingly', async () => {
    const { pacer, store } = makePacer({ limits: { '*': { requests: 1_000, tokens: 100_000 } } });
    const key = pacer.lane({ baseURL: BASE, model: 'gpt-4o' });
    for (let index = 0; index < 30; index += 1) {
      const ticket = await admit(pacer, key, estimate(200, 100));
      pacer.observe(ticket, { status: 200, usage: { promptTokens: 133, completionTokens: 10 } });
      pacer.finish(ticket, true);
    }
    const before = store.peek(key.key).tokens?.level ?? 0;
    await admit(pacer, key, estimate(200, 100));
    const taken = before - (store.peek(key.key).tokens?.level ?? 0);
    expect(taken).toBeGreaterThanOrEqual(232);
    expect(taken).toBeLessThanOrEqual(234);
  });
});
