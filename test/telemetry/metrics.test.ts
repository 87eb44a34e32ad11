import { metrics } from '@opentelemetry/api';
import {
  DataPointType,
  MeterProvider,
  MetricReader,
  type CollectionResult,
} from '@opentelemetry/sdk-metrics';
import OpenAI from 'openai';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createGuard, type Guard } from '../../src/guard/create-guard.js';
import { EventHub, type GuardEvent } from '../../src/telemetry/events.js';
import type { Logger } from '../../src/telemetry/logging.js';
import { startTelemetry, type MeterLike } from '../../src/telemetry/metrics.js';
import { apiErrors, fakeApiKey, fixtures } from '../../src/testing/fixtures.js';
import {
  chatCompletion,
  chatCompletionStream,
  limitHeaders,
  scriptedFetch,
  type Script,
  type ScriptedFetch,
} from '../../src/testing/scripted-fetch.js';
import { TierguardOptionsError } from '../../src/util/options.js';

const KEY = fakeApiKey('t3lm');
const BACKUP_KEY = fakeApiKey('b4ck', 'sk-backup-');
const PROMPT = 'Write one line about rivers that meet the sea.';

/** A reader the test collects from when it wants (no export interval, no exporter). */
class TestReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

/** One data point of a collection, flattened. */
interface Point {
  readonly name: string;
  readonly unit: string;
  readonly attributes: Readonly<Record<string, unknown>>;
  /** A sum's or a gauge's value; a histogram's count. */
  readonly value: number;
  /** A histogram's sum. */
  readonly sum?: number;
}

function pointsOf(result: CollectionResult): Point[] {
  expect(result.errors).toEqual([]);
  return result.resourceMetrics.scopeMetrics.flatMap((scope) =>
    scope.metrics.flatMap((metric) =>
      metric.dataPoints.map((point): Point => {
        const base = {
          name: metric.descriptor.name,
          unit: metric.descriptor.unit,
          attributes: point.attributes,
        };
        if (metric.dataPointType === DataPointType.HISTOGRAM) {
          const value = point.value as { count: number; sum?: number };
          return { ...base, value: value.count, ...(value.sum === undefined ? {} : { sum: value.sum }) };
        }
        return { ...base, value: point.value as number };
      }),
    ),
  );
}

const providers: MeterProvider[] = [];
const guards: Guard[] = [];

function meterProvider(): { meter: MeterLike; collect: () => Promise<Point[]>; provider: MeterProvider } {
  const reader = new TestReader();
  const provider = new MeterProvider({ readers: [reader] });
  providers.push(provider);
  // A real Meter is a MeterLike: the structural type accepts it without a cast.
  const meter: MeterLike = provider.getMeter('tierguard');
  return { meter, provider, collect: async () => pointsOf(await reader.collect()) };
}

function tracked(options: Parameters<typeof createGuard>[0]): Guard {
  const created = createGuard(options);
  guards.push(created);
  return created;
}

function client(created: Guard, fetch: ScriptedFetch): OpenAI {
  return created.wrap(new OpenAI({ apiKey: KEY, baseURL: 'https://api.openai.test/v1', fetch }));
}

const ask = (openai: OpenAI, model = 'gpt-4o') =>
  openai.chat.completions.create({ model, messages: [{ role: 'user', content: PROMPT }], max_tokens: 50 });

const named = (points: readonly Point[], name: string): Point[] =>
  points.filter((point) => point.name === name);

afterEach(async () => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  await Promise.all(guards.splice(0).map((created) => created.close()));
  await Promise.all(providers.splice(0).map((provider) => provider.shutdown()));
  metrics.disable();
});

const HEADERS = limitHeaders({
  requests: 500,
  remainingRequests: 499,
  tokens: 30_000,
  remainingTokens: 29_000,
});

describe('metrics of served calls', () => {
  it('count a served call, its queue wait, its tokens and the buckets its headers taught', async () => {
    const { meter, collect } = meterProvider();
    const created = tracked({ tier: 'tier-1', meter });
    const fetch = scriptedFetch(
      chatCompletion({ usage: { promptTokens: 12, completionTokens: 7 }, headers: HEADERS }),
    );
    await ask(client(created, fetch));
    const points = await collect();

    expect(named(points, 'tierguard.calls')).toEqual([
      {
        name: 'tierguard.calls',
        unit: '{call}',
        attributes: { outcome: 'served', model: 'gpt-4o' },
        value: 1,
      },
    ]);
    const [wait] = named(points, 'tierguard.queue.wait');
    const laneKey = created.stats().limits[0]?.key;
    expect(laneKey).toMatch(/api\.openai\.test\/v1\|.*\|key:[0-9a-f]{8}\|gpt-4o$/);
    expect(wait).toMatchObject({ unit: 'ms', attributes: { model: 'gpt-4o', limit_key: laneKey }, value: 1 });

    const tokens = named(points, 'tierguard.tokens');
    expect(tokens.find((point) => point.attributes.kind === 'used')?.value).toBe(19);
    const reserved = tokens.find((point) => point.attributes.kind === 'reserved')?.value;
    // The reservation is the prompt's estimate plus the call's max_tokens of 50.
    expect(reserved).toBeGreaterThan(50);
    expect(tokens.every((point) => point.attributes.limit_key === laneKey)).toBe(true);

    const capacity = named(points, 'tierguard.bucket.capacity');
    expect(capacity).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          attributes: { limit_key: laneKey, family: 'gpt-4o', bucket: 'requests' },
          value: 500,
        }),
        expect.objectContaining({
          attributes: { limit_key: laneKey, family: 'gpt-4o', bucket: 'tokens' },
          value: 30_000,
        }),
      ]),
    );
    const tokenLevel = named(points, 'tierguard.bucket.level').find(
      (point) => point.attributes.bucket === 'tokens',
    );
    // What the headers said was left, refilled since by the milliseconds the test took.
    expect(tokenLevel?.value).toBeGreaterThan(28_900);
    expect(tokenLevel?.value).toBeLessThan(29_500);
    expect(named(points, 'tierguard.queue.length')).toEqual([
      expect.objectContaining({ attributes: { limit_key: laneKey, family: 'gpt-4o' }, value: 0 }),
    ]);
    expect(named(points, 'tierguard.in_flight')[0]?.value).toBe(0);
    // Nothing failed, nothing was limited: those counters have no points yet.
    expect(named(points, 'tierguard.rate_limited')).toEqual([]);
    expect(named(points, 'tierguard.retries')).toEqual([]);
  });

  it('count a stream’s tokens once it has ended', async () => {
    const { meter, collect } = meterProvider();
    const created = tracked({ tier: 'tier-1', meter });
    const fetch = scriptedFetch(
      chatCompletionStream({ content: 'one two three', usage: { promptTokens: 20, completionTokens: 3 } }),
    );
    const stream = await client(created, fetch).chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: PROMPT }],
      stream: true,
      stream_options: { include_usage: true },
    });
    // Served at the first token; the usage chunk is not read yet.
    expect(named(await collect(), 'tierguard.calls')[0]?.attributes).toEqual({
      outcome: 'served',
      model: 'gpt-4o',
    });
    expect(named(await collect(), 'tierguard.tokens')).toEqual([]);
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('one two three');
    const used = named(await collect(), 'tierguard.tokens').find((point) => point.attributes.kind === 'used');
    expect(used?.value).toBe(23);
  });

  it('count calls pacing held back, by the bucket that held them', async () => {
    vi.useFakeTimers();
    const { meter, collect } = meterProvider();
    // One request per second: the second call waits for the first's request to refill.
    const created = tracked({ meter, windowMs: 1_000, limits: { 'gpt-4o': { requests: 1 } } });
    const openai = client(created, scriptedFetch(chatCompletion()));
    const both = Promise.all([ask(openai), ask(openai)]);
    await vi.advanceTimersByTimeAsync(1_000);
    await both;
    const points = await collect();
    expect(named(points, 'tierguard.throttled')).toEqual([
      expect.objectContaining({
        unit: '{call}',
        attributes: { limit_key: created.stats().limits[0]?.key, model: 'gpt-4o', bucket: 'requests' },
        value: 1,
      }),
    ]);
    const [wait] = named(points, 'tierguard.queue.wait');
    expect(wait?.value).toBe(2);
    // The held call waited for the request to refill: a window, less the first call's few steps.
    expect(wait?.sum).toBeGreaterThan(900);
    expect(wait?.sum).toBeLessThanOrEqual(1_000);
  });

  it('report the month’s spend and budget when a budget is set', async () => {
    const { meter, collect } = meterProvider();
    const created = tracked({ tier: 'tier-1', meter, budget: { monthlyUsd: 25 } });
    await ask(
      client(
        created,
        scriptedFetch(chatCompletion({ usage: { promptTokens: 1_000, completionTokens: 500 } })),
      ),
    );
    const points = await collect();
    const month = new Date().toISOString().slice(0, 7);
    const [spend] = named(points, 'tierguard.spend');
    expect(spend).toMatchObject({ unit: '{USD}', attributes: { month } });
    expect(spend?.value).toBeCloseTo(created.stats().budget?.spentUsd ?? Number.NaN, 12);
    expect(spend?.value).toBeGreaterThan(0);
    expect(named(points, 'tierguard.budget')).toEqual([
      expect.objectContaining({ attributes: { month }, value: 25 }),
    ]);
  });

  it('have no spend gauges without a budget', async () => {
    const { meter, collect } = meterProvider();
    const created = tracked({ tier: 'tier-1', meter });
    await ask(client(created, scriptedFetch(chatCompletion())));
    const names = new Set((await collect()).map((point) => point.name));
    expect(names.has('tierguard.calls')).toBe(true);
    expect(names.has('tierguard.spend')).toBe(false);
    expect(names.has('tierguard.budget')).toBe(false);
  });
});

describe('metrics of failures', () => {
  it('count a 429 seen, the retry, and the call served after it', async () => {
    vi.useFakeTimers();
    const { meter, collect } = meterProvider();
    const created = tracked({ tier: 'tier-1', meter });
    const fetch = scriptedFetch([
      apiErrors.rateLimited({
        model: 'gpt-4o',
        kind: 'tokens',
        limit: 30_000,
        used: 29_900,
        requested: 500,
        retryAfterMs: 1_500,
        retryAfterHeaders: true,
      }),
      chatCompletion(),
    ]);
    const pending = ask(client(created, fetch));
    await vi.advanceTimersByTimeAsync(1_500);
    await pending;
    const points = await collect();
    expect(named(points, 'tierguard.rate_limited')).toEqual([
      expect.objectContaining({
        unit: '{response}',
        attributes: { cause: 'rate_limited_tokens', model: 'gpt-4o' },
        value: 1,
      }),
    ]);
    expect(named(points, 'tierguard.retries')).toEqual([
      expect.objectContaining({ attributes: { cause: 'rate_limited_tokens', model: 'gpt-4o' }, value: 1 }),
    ]);
    expect(named(points, 'tierguard.calls')).toEqual([
      expect.objectContaining({ attributes: { outcome: 'served', model: 'gpt-4o' }, value: 1 }),
    ]);
    expect(named(points, 'tierguard.queue.wait')[0]?.value).toBe(2);
  });

  it('count a call that failed for good once, with its cause and origin', async () => {
    const { meter, collect } = meterProvider();
    const created = tracked({ tier: 'tier-1', meter });
    const fetch = scriptedFetch(fixtures.insufficient_quota, { afterLast: 'repeat-last' });
    const openai = client(created, fetch);
    await expect(ask(openai)).rejects.toBeInstanceOf(OpenAI.APIError);
    await expect(ask(openai, 'gpt-4o-mini')).rejects.toBeInstanceOf(OpenAI.APIError);
    const points = await collect();
    expect(named(points, 'tierguard.calls')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          attributes: { outcome: 'failed', cause: 'insufficient_quota', origin: 'api', model: 'gpt-4o' },
          value: 1,
        }),
        expect.objectContaining({
          attributes: { outcome: 'failed', cause: 'insufficient_quota', origin: 'api', model: 'gpt-4o-mini' },
          value: 1,
        }),
      ]),
    );
    expect(named(points, 'tierguard.calls')).toHaveLength(2);
    // A quota error answers 429 but is no rate limit.
    expect(fetch.calls.length).toBe(2);
    expect(named(points, 'tierguard.rate_limited')).toEqual([]);
  });

  it('count a local refusal as a failed call, not as a 429 seen', async () => {
    const { meter, collect } = meterProvider();
    const created = tracked({
      meter,
      windowMs: 60_000,
      limits: { 'gpt-4o': { requests: 1 } },
      maxWaitMs: 100,
    });
    const openai = client(created, scriptedFetch(chatCompletion()));
    await ask(openai);
    await expect(ask(openai)).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    const points = await collect();
    expect(named(points, 'tierguard.calls')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          attributes: { outcome: 'failed', cause: 'rate_limited_requests', origin: 'local', model: 'gpt-4o' },
          value: 1,
        }),
      ]),
    );
    expect(named(points, 'tierguard.rate_limited')).toEqual([]);
  });

  it('count a fallback from one model to the next', async () => {
    const { meter, collect } = meterProvider();
    const created = tracked({ tier: 'tier-5', meter, fallback: { 'gpt-4o': ['gpt-4o-mini'] } });
    const fetch = scriptedFetch([
      apiErrors.modelNotFound('gpt-4o'),
      chatCompletion({ model: 'gpt-4o-mini' }),
    ]);
    await ask(client(created, fetch));
    const points = await collect();
    expect(named(points, 'tierguard.fallbacks')).toEqual([
      expect.objectContaining({
        attributes: { from: 'gpt-4o', to: 'gpt-4o-mini', cause: expect.any(String) },
        value: 1,
      }),
    ]);
    expect(named(points, 'tierguard.calls')).toEqual([
      expect.objectContaining({ attributes: { outcome: 'served', model: 'gpt-4o-mini' }, value: 1 }),
    ]);
  });
});

describe('what metrics never carry', () => {
  it('no key, no prompt and no URL query in any attribute, through failures, fallbacks and a relay', async () => {
    const { meter, collect } = meterProvider();
    const events: GuardEvent[] = [];
    const created = tracked({
      tier: 'tier-1',
      meter,
      onEvent: (event) => events.push(event),
      fallback: {
        'gpt-4o': [
          {
            model: 'gpt-4o-mini',
            baseURL: `https://relay.example/${BACKUP_KEY}/v1?key=${BACKUP_KEY}`,
            apiKey: BACKUP_KEY,
          },
        ],
      },
    });
    const script: Script = (call) =>
      call.url.startsWith('https://relay.example')
        ? chatCompletion({ model: 'gpt-4o-mini', headers: HEADERS })
        : // A relay that echoes the whole key in its message (the API masks it; relays may not).
          {
            status: 401,
            body: {
              error: {
                message: `Incorrect API key provided: ${KEY}`,
                type: 'invalid_request_error',
                code: 'invalid_api_key',
              },
            },
          };
    const openai = new OpenAI({
      apiKey: KEY,
      baseURL: `https://api.openai.test/${KEY}/v1?api-key=${KEY}`,
      fetch: scriptedFetch(script),
    });
    await ask(created.wrap(openai));
    const points = await collect();
    expect(points.length).toBeGreaterThan(5);
    const attributeText = JSON.stringify(points.map((point) => point.attributes));
    const eventText = JSON.stringify(events);
    for (const text of [attributeText, eventText]) {
      expect(text).not.toContain(KEY);
      expect(text).not.toContain(BACKUP_KEY);
      expect(text).not.toContain(KEY.slice(8, -4));
      expect(text).not.toContain(PROMPT);
      expect(text).not.toContain('?');
    }
    expect(events.map((event) => event.type)).toEqual(
      expect.arrayContaining(['diagnosed', 'fallback', 'sent', 'served']),
    );
  });
});

describe('the meter', () => {
  it('stops reading stats() once the guard is closed', async () => {
    const { meter, collect } = meterProvider();
    const created = createGuard({ tier: 'tier-1', meter });
    const stats = vi.spyOn(created, 'stats');
    await collect();
    expect(stats).toHaveBeenCalledTimes(1);
    await created.close();
    await collect();
    expect(stats).toHaveBeenCalledTimes(1);
  });

  it('`metrics: true` records on the global API’s meter (loaded when asked)', async () => {
    const { provider, collect } = meterProvider();
    expect(metrics.setGlobalMeterProvider(provider)).toBe(true);
    const created = tracked({ tier: 'tier-1', metrics: true });
    // The call starts before the API is loaded: its early events are kept and recorded.
    await ask(client(created, scriptedFetch(chatCompletion())));
    await vi.waitFor(async () =>
      expect(named(await collect(), 'tierguard.calls')).toEqual([
        expect.objectContaining({ attributes: { outcome: 'served', model: 'gpt-4o' }, value: 1 }),
      ]),
    );
    expect(named(await collect(), 'tierguard.queue.wait')[0]?.value).toBe(1);
  });

  it('a meter still loading gets the events seen meanwhile; one that fails to load is reported', async () => {
    const { meter, collect } = meterProvider();
    const created = tracked({ tier: 'tier-1' });
    const hub = new EventHub();
    let ready: (value: MeterLike) => void = () => {};
    const faults: string[] = [];
    const source = {
      on: (listener: Parameters<EventHub['on']>[0]) => hub.on(listener),
      stats: () => created.stats(),
      budget: false,
    };
    const loading = startTelemetry(new Promise<MeterLike>((resolve) => (ready = resolve)), source, (what) =>
      faults.push(what),
    );
    hub.emit({ type: 'served', model: 'gpt-4o', status: 200, attempts: 1, latencyMs: 5 });
    hub.emit({
      type: 'sent',
      key: 'lane',
      model: 'gpt-4o',
      endpoint: 'chat',
      attempt: 1,
      queuedMs: 30,
      estimatedTokens: 9,
    });
    ready(meter);
    await Promise.resolve();
    const points = await collect();
    expect(named(points, 'tierguard.calls')[0]).toMatchObject({
      attributes: { outcome: 'served', model: 'gpt-4o' },
      value: 1,
    });
    expect(named(points, 'tierguard.queue.wait')[0]).toMatchObject({ value: 1, sum: 30 });

    const failing = startTelemetry(Promise.reject(new Error('no such package')), source, (what) =>
      faults.push(what),
    );
    await vi.waitFor(() => expect(faults).toEqual(['the `metrics` option could not start']));
    // It let go of the events: nothing is kept for a meter that will never come.
    expect(hub.size).toBe(1);
    failing.close();
    loading.close();
    expect(hub.size).toBe(0);
  });

  it('without a logger, metrics that cannot start say so on the console, once per kind', async () => {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {});
    const hub = new EventHub();
    const source = {
      on: (listener: Parameters<EventHub['on']>[0]) => hub.on(listener),
      stats: () => {
        throw new Error('stats broke');
      },
      budget: false,
    };
    const { meter, collect } = meterProvider();
    const running = startTelemetry(meter, source);
    await collect();
    await collect();
    expect(printed).toHaveBeenCalledTimes(1);
    expect(printed.mock.calls[0]?.[0]).toBe(
      'tierguard: the metrics could not read the guard’s stats: Error: stats broke',
    );
    running.close();
    startTelemetry(Promise.reject(new Error(`cannot load, ${KEY}`)), source);
    await vi.waitFor(() => expect(printed).toHaveBeenCalledTimes(2));
    expect(printed.mock.calls[1]?.[0]).toMatch(
      /^tierguard: the `metrics` option could not start: Error: cannot load, sk-proj-…/,
    );
    expect(String(printed.mock.calls[1]?.[0])).not.toContain(KEY);
  });

  it('a meter that throws is the guard’s own fault: logged at error, the calls go on', async () => {
    const logged: string[] = [];
    const logger: Logger = {
      debug: () => {},
      info: () => {},
      warn: () => {},
      error: (message: string) => logged.push(message),
    };
    const { meter } = meterProvider();
    const broken: MeterLike = {
      ...meter,
      createCounter: meter.createCounter.bind(meter),
      createHistogram: () => ({
        record: () => {
          throw new Error(`exporter down (token ${KEY})`);
        },
      }),
      createObservableGauge: meter.createObservableGauge.bind(meter),
      addBatchObservableCallback: meter.addBatchObservableCallback.bind(meter),
      removeBatchObservableCallback: meter.removeBatchObservableCallback.bind(meter),
    };
    const created = tracked({ tier: 'tier-1', meter: broken, logger });
    const completion = await ask(client(created, scriptedFetch(chatCompletion({ content: 'still served' }))));
    expect(completion.choices[0]?.message.content).toBe('still served');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(
      /^tierguard: an event listener threw \(the call went on\): Error: exporter down/,
    );
    expect(logged[0]).not.toContain(KEY);
  });

  it('refuses a meter that is not one, and `meter` with `metrics: true`', () => {
    const { meter } = meterProvider();
    expect(() => createGuard({ meter: {} as MeterLike })).toThrow(TierguardOptionsError);
    expect(() => createGuard({ meter: {} as MeterLike })).toThrow(/`meter`: expected an OpenTelemetry Meter/);
    expect(() => createGuard({ meter, metrics: true })).toThrow(
      /`metrics`: expected either `meter` or `metrics: true`/,
    );
    expect(() => createGuard({ metrics: 'yes' as unknown as boolean })).toThrow(
      /`metrics`: expected true or false/,
    );
  });
});
