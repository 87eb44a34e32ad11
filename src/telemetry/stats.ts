/**
 * What `guard.stats()` reports: the queue, the calls in flight, what was served and what failed,
 * each limit key's buckets, where they live, and the month's spend.
 */
import type { Cause } from '../data/causes.js';
import type { Tier } from '../data/tiers.js';
import type { LaneStats } from '../pacing/lane.js';
import type { StoreHealth } from '../stores/failover.js';

/** A snapshot of a guard. */
export interface GuardStats {
  /** Calls waiting in the queue. */
  readonly waiting: number;
  /** Calls sent and not yet answered (streams count until they end). */
  readonly inFlight: number;
  /** 429s the API (or a relay) answered. */
  readonly rateLimited: number;
  readonly retries: number;
  readonly fallbacks: number;
  /**
   * Calls served, by the model that served them: up to 1,000 names, then the calls of further
   * models count under `'(other models)'`.
   */
  readonly servedByModel: Readonly<Record<string, number>>;
  /** Failed attempts, by cause. */
  readonly failuresByCause: Readonly<Partial<Record<Cause, number>>>;
  /** Per limit key: bucket levels and limits (and where they came from), waiting, in flight. */
  readonly limits: readonly LaneStats[];
  /** Where the buckets live. */
  readonly store:
    | { readonly kind: 'memory' }
    | { readonly kind: 'custom'; readonly shared: boolean }
    | { readonly kind: 'redis'; readonly health: StoreHealth };
  /** The month's spend, when a budget is set: spent, and held by calls in flight (their worst case). */
  readonly budget?: {
    readonly month: string;
    readonly spentUsd: number;
    readonly reservedUsd: number;
    readonly monthlyUsd: number;
    readonly shared: boolean;
  };
  /**
   * With `fallback: 'cheaper'`: the chain built for each model asked for so far, and the tier it
   * was built for (`tierAssumed`: not configured nor detected yet, the lowest paid tier assumed).
   */
  readonly cheaperChains: Readonly<
    Record<string, { readonly chain: readonly string[]; readonly tier: Tier; readonly tierAssumed: boolean }>
  >;
}

/** How many model names `servedByModel` keeps apart. */
export const MAX_MODEL_NAMES = 1_000;
/** Where `servedByModel` counts the calls of models beyond `MAX_MODEL_NAMES`. */
export const OTHER_MODELS = '(other models)';
