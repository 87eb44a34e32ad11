/**
 * What the simulator counts, for tests and the benchmark: requests and answers by status and code,
 * 429s by the limit that refused, tokens charged, usage, money, faults, per model, and a bounded
 * timeline of answers (oldest dropped first) for tokens-per-second charts.
 */
import type { RefusalKind } from './limiter.js';

/** One answer to a model call. */
export interface TimelineEntry {
  /** Ms since the simulator started (or since `resetStats`). */
  readonly atMs: number;
  /** The model as the request named it. */
  readonly model: string;
  /** The HTTP status sent (200 for a stream, even one that broke). */
  readonly status: number;
  /** Tokens the rate limiter charged for it (0 when refused). */
  readonly tokens: number;
}

/** Per-model counts. */
export interface ModelStats {
  requests: number;
  served: number;
  /** 429s of the rate limiter (a "Request too large" included). */
  rateLimited: number;
  tokensCharged: number;
}

/** A snapshot of the simulator's counts; a copy, safe to keep. */
export interface SimulatorStats {
  /** Every request received, faults and refusals included. */
  requests: number;
  /** Model calls answered with a completion, embedding or image (not `GET /v1/models`). */
  served: number;
  byStatus: Record<string, number>;
  /** The rate limiter's 429s by the limit that refused; `total` is their sum. */
  rateLimited: {
    requests: number;
    tokens: number;
    requestsPerDay: number;
    images: number;
    tooLarge: number;
    total: number;
  };
  /** Error answers by `error.code` (by `error.type` when the code is null). */
  errorsByCode: Record<string, number>;
  /** Injected faults, by kind. */
  faults: Record<string, number>;
  /** What the rate limiter charged (served calls: prompt × factor + max output × n). */
  tokensCharged: number;
  /** The usage the answers reported. */
  usage: { promptTokens: number; completionTokens: number };
  /** What the served calls cost, USD (`TOKEN_PRICES`, `IMAGE_PRICES`). */
  spentUsd: number;
  perModel: Record<string, ModelStats>;
  /** Answers to model calls, oldest first, at most `timelineLimit` of the latest. */
  timeline: TimelineEntry[];
}

const REFUSAL_FIELDS = {
  requests: 'requests',
  requestsPerDay: 'requestsPerDay',
  tokens: 'tokens',
  images: 'images',
  tooLarge: 'tooLarge',
} as const satisfies Record<RefusalKind | 'tooLarge', keyof SimulatorStats['rateLimited']>;

function emptyStats(): Omit<SimulatorStats, 'timeline'> {
  return {
    requests: 0,
    served: 0,
    byStatus: {},
    rateLimited: { requests: 0, tokens: 0, requestsPerDay: 0, images: 0, tooLarge: 0, total: 0 },
    errorsByCode: {},
    faults: {},
    tokensCharged: 0,
    usage: { promptTokens: 0, completionTokens: 0 },
    spentUsd: 0,
    perModel: {},
  };
}

/** The key an error answer is counted under: its body's `error.code`, or `error.type` when the code is null. */
export function errorCodeOf(body: string): string | undefined {
  try {
    const error = (JSON.parse(body) as { error?: { code?: unknown; type?: unknown } }).error;
    const code = error?.code ?? error?.type;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

/** The counters of one simulator. */
export class StatsRecorder {
  readonly #timelineLimit: number;
  #counts = emptyStats();
  // A ring: `#timelineStart` is the oldest entry once the ring is full.
  #timeline: TimelineEntry[] = [];
  #timelineStart = 0;
  #startedAtMs: number;

  constructor(timelineLimit: number, nowMs: number) {
    this.#timelineLimit = timelineLimit;
    this.#startedAtMs = nowMs;
  }

  /** A request arrived. */
  request(): void {
    this.#counts.requests += 1;
  }

  /** An answer was decided: its status, its error code, and for model calls the model and tokens charged. */
  answer(
    model: string | undefined,
    status: number,
    code: string | undefined,
    tokens: number,
    nowMs: number,
  ): void {
    const counts = this.#counts;
    const key = String(status);
    counts.byStatus[key] = (counts.byStatus[key] ?? 0) + 1;
    if (code !== undefined) counts.errorsByCode[code] = (counts.errorsByCode[code] ?? 0) + 1;
    if (model === undefined) return;
    this.#model(model).requests += 1;
    if (this.#timelineLimit === 0) return;
    const entry: TimelineEntry = { atMs: nowMs - this.#startedAtMs, model, status, tokens };
    if (this.#timeline.length < this.#timelineLimit) this.#timeline.push(entry);
    else {
      this.#timeline[this.#timelineStart] = entry;
      this.#timelineStart = (this.#timelineStart + 1) % this.#timelineLimit;
    }
  }

  /** The rate limiter refused a call. */
  rateLimited(model: string, refusal: RefusalKind | 'tooLarge'): void {
    this.#counts.rateLimited[REFUSAL_FIELDS[refusal]] += 1;
    this.#counts.rateLimited.total += 1;
    this.#model(model).rateLimited += 1;
  }

  /** A call was served: what it was charged, its usage and its cost. */
  served(
    model: string,
    tokensCharged: number,
    promptTokens: number,
    completionTokens: number,
    usd: number,
  ): void {
    const counts = this.#counts;
    counts.served += 1;
    counts.tokensCharged += tokensCharged;
    counts.usage.promptTokens += promptTokens;
    counts.usage.completionTokens += completionTokens;
    counts.spentUsd += usd;
    const perModel = this.#model(model);
    perModel.served += 1;
    perModel.tokensCharged += tokensCharged;
  }

  /** A fault was injected. */
  fault(kind: string): void {
    this.#counts.faults[kind] = (this.#counts.faults[kind] ?? 0) + 1;
  }

  snapshot(): SimulatorStats {
    const timeline =
      this.#timelineStart === 0
        ? this.#timeline.slice()
        : [...this.#timeline.slice(this.#timelineStart), ...this.#timeline.slice(0, this.#timelineStart)];
    return { ...structuredClone(this.#counts), timeline };
  }

  reset(nowMs: number): void {
    this.#counts = emptyStats();
    this.#timeline = [];
    this.#timelineStart = 0;
    this.#startedAtMs = nowMs;
  }

  #model(model: string): ModelStats {
    let perModel = this.#counts.perModel[model];
    if (perModel === undefined) {
      perModel = { requests: 0, served: 0, rateLimited: 0, tokensCharged: 0 };
      this.#counts.perModel[model] = perModel;
    }
    return perModel;
  }
}
