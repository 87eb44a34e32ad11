/**
 * Metrics through OpenTelemetry: the guard's events become counters and a histogram, and its
 * `stats()` feeds observable gauges read at each collection. The meter is the caller's (`meter`)
 * or the global API's (`metrics: true`, `@opentelemetry/api` loaded only then); the types here
 * are structural, so no type of the package reaches tierguard's own. Attributes carry models,
 * causes, buckets and readable limit keys — never a key, a prompt or a URL.
 *
 * | instrument | kind | unit | attributes |
 * |---|---|---|---|
 * | `tierguard.calls` | counter | `{call}` | `outcome` (served, failed), `model`, and for a failure `cause`, `origin` |
 * | `tierguard.queue.wait` | histogram | `ms` | `model`, `limit_key` (every attempt sent, waits of 0 included) |
 * | `tierguard.rate_limited` | counter | `{response}` | `model`, `cause` (rate-limit 429s from the API or a relay) |
 * | `tierguard.throttled` | counter | `{call}` | `model`, `limit_key`, `bucket` (calls pacing held back) |
 * | `tierguard.tokens` | counter | `{token}` | `kind` (reserved, used), `model`, `limit_key` |
 * | `tierguard.retries` | counter | `{attempt}` | `model`, `cause` |
 * | `tierguard.fallbacks` | counter | `{call}` | `from`, `to`, `cause` |
 * | `tierguard.bucket.level` | gauge | `1` | `limit_key`, `family`, `bucket` |
 * | `tierguard.bucket.capacity` | gauge | `1` | `limit_key`, `family`, `bucket` |
 * | `tierguard.queue.length` | gauge | `{call}` | `limit_key`, `family` |
 * | `tierguard.in_flight` | gauge | `{call}` | `limit_key`, `family` |
 * | `tierguard.spend`, `tierguard.budget` | gauge | `{USD}` | `month` (with a budget only) |
 */
import { CAUSE_CATALOGUE } from '../data/causes.js';
import type { Diagnosis } from '../diagnose/types.js';
import { maskSecrets } from '../util/mask.js';
import type { GuardEvent, GuardEventListener } from './events.js';
import type { GuardStats } from './stats.js';

/** Attributes of a measurement. */
export type MetricAttributes = Readonly<Record<string, string | number | boolean>>;

/** Options of an instrument, as `@opentelemetry/api` takes them. */
export interface InstrumentOptions {
  readonly description?: string;
  readonly unit?: string;
  readonly advice?: { readonly explicitBucketBoundaries?: number[] };
}

/** An observable instrument (its identity is all the guard needs). */
export type ObservableLike = object;

/** What a batch observable callback is given. */
export interface ObservableResultLike {
  observe(observable: ObservableLike, value: number, attributes?: MetricAttributes): void;
}

/** A batch observable callback. */
export type ObservableCallbackLike = (result: ObservableResultLike) => void | Promise<void>;

/**
 * The part of an OpenTelemetry `Meter` (from `@opentelemetry/api` 1.3 or later) the guard uses:
 * `metrics.getMeter('tierguard')` or a `MeterProvider`'s `getMeter` is one.
 */
export interface MeterLike {
  createCounter(
    name: string,
    options?: InstrumentOptions,
  ): {
    add(value: number, attributes?: MetricAttributes): void;
  };
  createHistogram(
    name: string,
    options?: InstrumentOptions,
  ): {
    record(value: number, attributes?: MetricAttributes): void;
  };
  createObservableGauge(name: string, options?: InstrumentOptions): ObservableLike;
  addBatchObservableCallback(callback: ObservableCallbackLike, observables: ObservableLike[]): void;
  removeBatchObservableCallback(callback: ObservableCallbackLike, observables: ObservableLike[]): void;
}

/** What the metrics read: the guard's events, and its snapshot. */
export interface TelemetrySource {
  on(listener: GuardEventListener): () => void;
  stats(): GuardStats;
  /** A budget is set: spend gauges are registered. */
  readonly budget: boolean;
}

/** A running recording; `close()` stops it and unregisters its gauges. */
export interface Telemetry {
  close(): void;
}

// Queue waits in milliseconds, from none to the longest a retry waits by default (a minute).
const QUEUE_WAIT_BOUNDARIES = [0, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000];
// Events kept while `metrics: true` loads the API (a few milliseconds); a burst beyond is dropped.
const MAX_EARLY_EVENTS = 1_000;

/**
 * A 429 of a rate limit, as pacing counts them: a quota or a too-large request answers 429 too and
 * is no rate limit; a local refusal (a predicted wait too long) is no answer of the API.
 */
function isRateLimit(diagnosis: Diagnosis): boolean {
  if (diagnosis.status !== 429 || diagnosis.origin === 'local') return false;
  return CAUSE_CATALOGUE[diagnosis.cause].rateLimitKind !== undefined || diagnosis.cause === 'unknown';
}

const withModel = (model: string | undefined): { model?: string } => (model === undefined ? {} : { model });

/** Creates the instruments on `meter` and returns the recorder of events and the gauges' callback. */
function instrument(
  meter: MeterLike,
  source: TelemetrySource,
  fault: (what: string, error: unknown) => void,
) {
  const calls = meter.createCounter('tierguard.calls', {
    description: 'Calls the guard finished, by outcome (served or failed) and, for a failure, its cause.',
    unit: '{call}',
  });
  const queueWait = meter.createHistogram('tierguard.queue.wait', {
    description: 'How long each attempt waited in the guard’s queue before it was sent.',
    unit: 'ms',
    advice: { explicitBucketBoundaries: QUEUE_WAIT_BOUNDARIES },
  });
  const rateLimited = meter.createCounter('tierguard.rate_limited', {
    description:
      'Rate-limit 429s answered by the API or a relay (a quota 429 or a request too large is not counted), by cause.',
    unit: '{response}',
  });
  const throttled = meter.createCounter('tierguard.throttled', {
    description:
      'Calls pacing held back at the head of their queue, by the limit that held them (not all of them would have met a 429).',
    unit: '{call}',
  });
  const tokens = meter.createCounter('tierguard.tokens', {
    description:
      'Tokens of answers that reported their usage: what the guard reserved for them (kind=reserved) and what they used (kind=used).',
    unit: '{token}',
  });
  const retries = meter.createCounter('tierguard.retries', {
    description: 'Attempts the guard retried, by the cause of the failed attempt.',
    unit: '{attempt}',
  });
  const fallbacks = meter.createCounter('tierguard.fallbacks', {
    description: 'Moves of a call to the next model of its fallback chain.',
    unit: '{call}',
  });
  const level = meter.createObservableGauge('tierguard.bucket.level', {
    description: 'What is left in a rate-limit bucket (requests or tokens; below 0 is a debt).',
    unit: '1',
  });
  const capacity = meter.createObservableGauge('tierguard.bucket.capacity', {
    description: 'The size of a rate-limit bucket: the limit per window the guard paces to.',
    unit: '1',
  });
  const queueLength = meter.createObservableGauge('tierguard.queue.length', {
    description: 'Calls waiting in the guard’s queue.',
    unit: '{call}',
  });
  const inFlight = meter.createObservableGauge('tierguard.in_flight', {
    description: 'Calls sent and not yet answered (a stream counts until it ends).',
    unit: '{call}',
  });
  const spend = source.budget
    ? {
        spent: meter.createObservableGauge('tierguard.spend', {
          description: 'The month’s spend, priced from the answers’ usage.',
          unit: '{USD}',
        }),
        budget: meter.createObservableGauge('tierguard.budget', {
          description: 'The month’s budget.',
          unit: '{USD}',
        }),
      }
    : undefined;

  const record = (event: GuardEvent): void => {
    switch (event.type) {
      case 'served':
        calls.add(1, { outcome: 'served', ...withModel(event.model) });
        return;
      case 'failed': {
        const { diagnosis } = event;
        calls.add(1, {
          outcome: 'failed',
          cause: diagnosis.cause,
          origin: diagnosis.origin,
          ...withModel(diagnosis.model),
        });
        return;
      }
      case 'sent':
        queueWait.record(event.queuedMs, { limit_key: event.key, ...withModel(event.model) });
        return;
      case 'diagnosed': {
        const { diagnosis } = event;
        if (isRateLimit(diagnosis))
          rateLimited.add(1, { cause: diagnosis.cause, ...withModel(diagnosis.model) });
        return;
      }
      case 'throttled':
        throttled.add(1, { limit_key: event.key, bucket: event.bucket, ...withModel(event.model) });
        return;
      case 'usage': {
        const attributes = { limit_key: event.key, ...withModel(event.model) };
        tokens.add(event.reservedTokens, { kind: 'reserved', ...attributes });
        tokens.add((event.inputTokens ?? 0) + (event.outputTokens ?? 0), { kind: 'used', ...attributes });
        return;
      }
      case 'retry':
        retries.add(1, { cause: event.cause, ...withModel(event.model) });
        return;
      case 'fallback':
        fallbacks.add(1, { from: event.from, to: event.to, cause: event.cause });
        return;
      default:
        return;
    }
  };

  const gauges: ObservableLike[] = [level, capacity, queueLength, inFlight];
  if (spend !== undefined) gauges.push(spend.spent, spend.budget);
  const observe: ObservableCallbackLike = (result) => {
    let stats: GuardStats;
    try {
      stats = source.stats();
    } catch (error) {
      fault('the metrics could not read the guard’s stats', error);
      return;
    }
    for (const lane of stats.limits) {
      const attributes = { limit_key: lane.key, family: lane.family };
      result.observe(queueLength, lane.waiting, attributes);
      result.observe(inFlight, lane.inFlight, attributes);
      for (const [bucket, snapshot] of Object.entries(lane.buckets)) {
        if (snapshot === undefined) continue;
        result.observe(level, snapshot.level, { ...attributes, bucket });
        result.observe(capacity, snapshot.capacity, { ...attributes, bucket });
      }
    }
    if (spend !== undefined && stats.budget !== undefined) {
      result.observe(spend.spent, stats.budget.spentUsd, { month: stats.budget.month });
      result.observe(spend.budget, stats.budget.monthlyUsd, { month: stats.budget.month });
    }
  };
  meter.addBatchObservableCallback(observe, gauges);
  return {
    record,
    close: () => meter.removeBatchObservableCallback(observe, gauges),
  };
}

/**
 * A fault of metrics the caller asked for, without a logger to tell: on the console, once per
 * kind (metrics that fail must not fail silently, nor flood the console at every collection).
 */
function consoleOnce(): (what: string, error: unknown) => void {
  const told = new Set<string>();
  return (what, error) => {
    if (told.has(what)) return;
    told.add(what);
    console.error(maskSecrets(`tierguard: ${what}: ${String(error)}`));
  };
}

/**
 * Records the guard's metrics on `meter` until `close()`. A meter still loading (a promise) gets
 * the events seen meanwhile once it is ready; one that fails to load is reported to `fault`
 * (without one, to the console, once per kind).
 */
export function startTelemetry(
  meter: MeterLike | Promise<MeterLike>,
  source: TelemetrySource,
  fault: (what: string, error: unknown) => void = consoleOnce(),
): Telemetry {
  let recorder: ReturnType<typeof instrument> | undefined;
  let early: GuardEvent[] | undefined = [];
  let closed = false;
  const stop = source.on((event) => {
    if (recorder !== undefined) recorder.record(event);
    else if (early !== undefined && early.length < MAX_EARLY_EVENTS) early.push(event);
  });
  const begin = (ready: MeterLike): void => {
    if (closed) return;
    try {
      recorder = instrument(ready, source, fault);
    } catch (error) {
      stop();
      fault('the metrics could not start', error);
      return;
    }
    const seen = early ?? [];
    early = undefined;
    for (const event of seen) recorder.record(event);
  };
  if (meter instanceof Promise)
    meter.then(begin, (error: unknown) => {
      stop();
      early = undefined;
      fault('the `metrics` option could not start', error);
    });
  else begin(meter);
  return {
    close() {
      closed = true;
      stop();
      early = undefined;
      recorder?.close();
    },
  };
}

/** The global API's meter, `metrics.getMeter('tierguard')`, with `@opentelemetry/api` loaded now. */
export async function globalMeter(): Promise<MeterLike> {
  // A variable specifier: bundlers leave the package out of builds that never set `metrics`.
  const name = '@opentelemetry/api';
  let api: { metrics?: { getMeter?: (name: string) => MeterLike } };
  try {
    api = (await import(name)) as typeof api;
  } catch {
    throw new Error(
      '`metrics: true` needs the @opentelemetry/api package (npm install @opentelemetry/api), or pass `meter`.',
    );
  }
  const getMeter = api.metrics?.getMeter;
  if (typeof getMeter !== 'function')
    throw new Error('@opentelemetry/api has no `metrics.getMeter`: version 1.3 or later is needed.');
  return getMeter.call(api.metrics, 'tierguard');
}
