/**
 * The vocabulary of the pacing engine: limit dimensions, bucket specs, and the store interface
 * that the memory and Redis stores implement with the same semantics.
 */

/** One limit dimension of a limit key. Day dimensions use 1,440 windows. */
export type Dimension = 'requests' | 'tokens' | 'requests-day' | 'tokens-day' | 'images';

/** Every dimension, in the order a 429 is reported when several are hit (requests first). */
export const DIMENSIONS = [
  'requests',
  'tokens',
  'requests-day',
  'tokens-day',
  'images',
] as const satisfies readonly Dimension[];

/** Where a limit came from, strongest first. */
export type LimitSource = 'headers' | 'limits' | 'tier' | 'default';

/** How strong a source is; a weaker source never overrides a stronger one. */
export const SOURCE_PRIORITY: Readonly<Record<LimitSource, number>> = {
  headers: 4,
  limits: 3,
  tier: 2,
  default: 1,
};

/** A bucket's size and the window over which it refills completely. */
export interface BucketSpec {
  /** Capacity: the limit per window. */
  readonly capacity: number;
  /** Time to refill from empty to full, in milliseconds. */
  readonly windowMs: number;
}

/** One dimension of a take: how much to take, and the spec to create the bucket with if new. */
export interface TakeItem extends BucketSpec {
  readonly dimension: Dimension;
  readonly amount: number;
  /**
   * What the take must leave in the bucket (not taken): a margin held while the amounts are
   * still uncertain. A take that would leave less waits.
   */
  readonly reserve?: number;
  /**
   * Taken whatever the bucket holds, down to a debt of one capacity: a call the server itself said
   * may go now (its `retry-after` has passed). It never waits, and its mark lets the answer's
   * headers correct the level as any take's does.
   */
  readonly force?: boolean;
}

/** The result of trying to take from every dimension of a key at once. */
export type TakeResult =
  | {
      readonly ok: true;
      /** Store clock at the take, ms. */
      readonly atMs: number;
      /** Per dimension: the monotonic count of everything taken so far, this take included. */
      readonly marks: Readonly<Partial<Record<Dimension, number>>>;
      /** Per dimension: the level left after the take. */
      readonly levels: Readonly<Partial<Record<Dimension, number>>>;
      /** Which store's counters `marks` refer to, when a store switches between several. */
      readonly origin?: string;
    }
  | {
      readonly ok: false;
      /** How long until every dimension holds its amount, ms. */
      readonly waitMs: number;
      /** The dimension that needs the longest wait. */
      readonly limiting: Dimension;
      readonly atMs: number;
    };

/** What the API's headers said about one dimension, and when the call they answer was taken. */
export interface SyncInput {
  /** The server's remaining amount when it counted the call. */
  readonly remaining: number;
  /**
   * How long ago the server counted the call, credited as refill: the time since the call was
   * sent (the server counts a call when it arrives, so its `remaining` is that old when the answer
   * comes back; docs/decisions.md, latency-proof pacing).
   */
  readonly ageMs: number;
  /** The take's mark: everything taken after it was sent after the call the headers answer. */
  readonly mark: number;
  /**
   * `undefined`: only lower. Otherwise the store may also raise the level, to the least the server
   * can hold — its remaining plus its refill since, capped, less everything taken after the call —
   * less this margin (calls sent together with the answered one may have reached the server
   * after it). Only a store whose takes are the server's only traffic may raise.
   */
  readonly raiseMargin: number | undefined;
  /** The `origin` of the take whose mark this is (`TakeResult`). */
  readonly origin?: string | undefined;
  /**
   * The server's level now, when the caller worked it out itself from its own sends (a process
   * alone on its limit, `replay.ts`): the store lowers the level to it, and `remaining`, `ageMs`
   * and `mark` are not used.
   */
  readonly serverLevel?: number | undefined;
}

/** A snapshot of one bucket. */
export interface BucketSnapshot extends BucketSpec {
  readonly level: number;
}

/**
 * Where bucket levels live: the seam a new backend implements (memory, Redis, an HTTP Redis…), in
 * one file, with these semantics. Every operation is atomic per key; levels refill continuously
 * and may go below zero (a debt that delays the next take). A synchronous answer is used as is; a
 * promise is awaited. An operation that fails rejects: the pacer's caller decides what then (see
 * `FailoverStore`).
 */
export interface BucketStore {
  /**
   * Whether other processes take from the same buckets. The pacer then cannot see their calls in
   * flight, and raises a level from an answer's headers only when the store says how many
   * processes share it (`processes`).
   */
  readonly shared: boolean;
  /**
   * How many processes take from these buckets now, when a shared store knows (it counts them);
   * `undefined` when it does not, or while it runs on local buckets.
   */
  readonly processes?: number | undefined;
  /** Takes every item's amount if all fit now; otherwise takes nothing and says how long to wait. */
  take(key: string, items: readonly TakeItem[]): TakeResult | Promise<TakeResult>;
  /** Adds `delta` (negative to debit) to one bucket, capped at its capacity. */
  adjust(key: string, dimension: Dimension, delta: number): void | Promise<void>;
  /** Moves the level toward what the server said (down always, up when allowed). */
  sync(key: string, dimension: Dimension, input: SyncInput): void | Promise<void>;
  /** Lowers the level so that `amount` fits only after `waitMs` (the API asked us to wait). */
  holdOff(key: string, dimension: Dimension, amount: number, waitMs: number): void | Promise<void>;
  /** Sets the capacity and window; the level moves by the change in capacity. */
  configure(key: string, dimension: Dimension, spec: BucketSpec, priority: number): void | Promise<void>;
  /** The last known level of each bucket of a key (local view; may lag for shared stores). */
  peek(key: string): Readonly<Partial<Record<Dimension, BucketSnapshot>>>;
  /** Forgets a key whose lane was evicted (a shared store may keep it: its TTL ends it). */
  drop(key: string): void;
  close(): void | Promise<void>;
}
