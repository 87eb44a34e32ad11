/**
 * The guard's typed events. None carries an API key or any prompt text: models, causes, numbers,
 * limit keys (base URL, organization id, family) and diagnoses only.
 */
import type { Cause } from '../data/causes.js';
import type { Tier } from '../data/tiers.js';
import type { Diagnosis } from '../diagnose/types.js';
import type { Dimension, LimitSource } from '../pacing/types.js';
import type { BudgetEvent } from '../budget/gate.js';

/** Every event the guard emits. */
export type GuardEvent =
  /** A call had to wait in the queue. */
  | { readonly type: 'queued'; readonly key: string; readonly model?: string; readonly waiting: number }
  /** The head of a queue waits for a bucket to refill (or for the API's pause). */
  | {
      readonly type: 'throttled';
      readonly key: string;
      readonly model?: string;
      readonly bucket: Dimension | 'concurrency' | 'pause';
      readonly waitMs: number;
      readonly waiting: number;
    }
  /** An attempt leaves for the API (after its wait in the queue). */
  | {
      readonly type: 'sent';
      /**
       * The limit key the attempt was paced on (a readable lane label, as `guard.stats()` shows it);
       * with `pacing: false`, the endpoint's host and path and the model.
       */
      readonly key: string;
      readonly model?: string;
      readonly endpoint: string;
      readonly attempt: number;
      readonly queuedMs: number;
      /** The tokens reserved for the attempt; 0 with `pacing: false` (nothing is estimated). */
      readonly estimatedTokens: number;
    }
  /** The API's headers (or a 429's numbers) taught a limit. */
  | {
      readonly type: 'limits-learned';
      readonly key: string;
      readonly model?: string;
      readonly bucket: Dimension;
      readonly capacity: number;
      readonly windowMs: number;
      readonly previous?: {
        readonly capacity: number;
        readonly windowMs: number;
        readonly source: LimitSource;
      };
    }
  /** The learned limits match a published tier. */
  | {
      readonly type: 'tier-detected';
      readonly key: string;
      readonly model?: string;
      readonly family: string;
      readonly tier: Tier;
      readonly requestsPerMinute: number;
      readonly tokensPerMinute: number;
    }
  /** A model without published limits is paced by conservative defaults until headers arrive. */
  | {
      readonly type: 'model-unknown';
      readonly key: string;
      readonly model: string;
      readonly family: string;
      readonly requestsPerMinute?: number;
      readonly tokensPerMinute?: number;
    }
  /** An attempt failed with a retryable cause; the next starts after `waitMs`. */
  | {
      readonly type: 'retry';
      readonly model?: string;
      readonly cause: Cause;
      readonly status?: number;
      readonly attempt: number;
      readonly waitMs: number;
      /** Where the wait came from: the API's word, or the guard's backoff. */
      readonly waitSource: 'api' | 'backoff' | 'pacing';
    }
  /**
   * The request moves to the next model of its chain: its model failed, or (a `predictedWaitMs`
   * above `maxWaitMs`) it would have waited too long for its rate limit.
   */
  | {
      readonly type: 'fallback';
      readonly from: string;
      readonly to: string;
      readonly cause: Cause;
      /** The host of the fallback's own endpoint, when it has one. */
      readonly endpoint?: string;
      /** The wait the guard predicted on the model it left, when that is why it moved. */
      readonly predictedWaitMs?: number;
    }
  /** An attempt's failure, diagnosed. */
  | { readonly type: 'diagnosed'; readonly diagnosis: Diagnosis }
  /** A call failed for good (once per call): the diagnosis the caller's `diagnose(err)` returns. */
  | { readonly type: 'failed'; readonly diagnosis: Diagnosis }
  /** A call was served. `model` is the model that served; `requestedModel` the one asked for. */
  | {
      readonly type: 'served';
      readonly model?: string;
      readonly requestedModel?: string;
      readonly status: number;
      readonly attempts: number;
      readonly latencyMs: number;
    }
  /**
   * An answer's token usage, as the API reported it, beside what the guard reserved for it: once per
   * answer that reports usage (a JSON answer when it is read, a stream at its end, after `served`).
   */
  | {
      readonly type: 'usage';
      readonly key: string;
      readonly model?: string;
      /**
       * The tokens the attempt took from its lane's token bucket (its prompt estimate plus its largest
       * output); 0 when the lane paces no tokens or pacing is off.
       */
      readonly reservedTokens: number;
      readonly inputTokens?: number;
      readonly outputTokens?: number;
    }
  | BudgetEvent
  /** Redis went away: buckets run locally at this process's share of the limit. */
  | { readonly type: 'store-degraded'; readonly reason: string; readonly share: number }
  /** Redis is back: buckets are shared again. */
  | { readonly type: 'store-restored'; readonly processes: number };

/** The name of an event. */
export type GuardEventType = GuardEvent['type'];

/** A listener of guard events. */
export type GuardEventListener = (event: GuardEvent) => void;

/**
 * A small synchronous emitter; a listener that throws never breaks a call (`onListenerError` hears
 * of it).
 */
export class EventHub {
  readonly #listeners = new Set<GuardEventListener>();
  readonly #onListenerError: ((error: unknown) => void) | undefined;

  constructor(onListenerError?: (error: unknown) => void) {
    this.#onListenerError = onListenerError;
  }

  on(listener: GuardEventListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  emit(event: GuardEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        // A listener's bug must not fail the caller's request.
        try {
          this.#onListenerError?.(error);
        } catch {
          // Nor may the report of it.
        }
      }
    }
  }

  get size(): number {
    return this.#listeners.size;
  }
}
