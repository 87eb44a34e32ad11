/**
 * Buckets in this process's memory: continuous refill computed at read time, so no timer runs
 * while nothing waits (toolchain.md §4: a timer-driven refill loses ticks under load). Time is
 * monotonic: a wall clock stepped back or forward changes nothing.
 */
import type {
  BucketSnapshot,
  BucketSpec,
  BucketStore,
  Dimension,
  SyncInput,
  TakeItem,
  TakeResult,
} from '../pacing/types.js';

interface BucketState {
  capacity: number;
  windowMs: number;
  /** Tokens (or requests) per millisecond. */
  refillPerMs: number;
  level: number;
  updatedAtMs: number;
  /** Everything ever taken: header corrections subtract what was taken after the answered call. */
  taken: number;
  priority: number;
}

/** Options of a memory store. */
export interface MemoryStoreOptions {
  /** The clock, in milliseconds; `performance.now()` read at call time, so fake timers drive it. */
  readonly now?: () => number;
  /** Scale every capacity (a process's share while a shared store is away). */
  readonly share?: () => number;
}

/** A level between one capacity of debt and a full bucket: no single correction locks a bucket for longer than two windows. */
function bounded(state: BucketState, level: number): number {
  return Math.max(-state.capacity, Math.min(state.capacity, level));
}

/** The in-process bucket store. */
export class MemoryStore implements BucketStore {
  readonly shared = false;
  readonly #buckets = new Map<string, Map<Dimension, BucketState>>();
  readonly #now: () => number;
  readonly #share: () => number;

  constructor(options: MemoryStoreOptions = {}) {
    this.#now = options.now ?? (() => performance.now());
    this.#share = options.share ?? (() => 1);
  }

  take(key: string, items: readonly TakeItem[]): TakeResult {
    const now = this.#now();
    const lane = this.#lane(key);
    let waitMs = 0;
    let limiting: Dimension | undefined;
    for (const item of items) {
      const state = this.#refilled(lane, item.dimension, item, now);
      // What must be there: the amount, and the reserve it must leave (never above a full bucket).
      const needed = Math.min(Math.min(item.amount, state.capacity) + (item.reserve ?? 0), state.capacity);
      if (state.level < needed && item.force !== true) {
        const wait = (needed - state.level) / state.refillPerMs;
        if (wait > waitMs) {
          waitMs = wait;
          limiting = item.dimension;
        }
      }
    }
    if (limiting !== undefined) return { ok: false, waitMs: Math.ceil(waitMs), limiting, atMs: now };
    const marks: Partial<Record<Dimension, number>> = {};
    const levels: Partial<Record<Dimension, number>> = {};
    for (const item of items) {
      // Refilled just above, in the same tick.
      const state = lane.get(item.dimension) as BucketState;
      const amount = Math.min(item.amount, state.capacity);
      // Bounded for a forced take; any other found the amount there.
      state.level = bounded(state, state.level - amount);
      state.taken += amount;
      marks[item.dimension] = state.taken;
      levels[item.dimension] = state.level;
    }
    return { ok: true, atMs: now, marks, levels };
  }

  adjust(key: string, dimension: Dimension, delta: number): void {
    const state = this.#existing(key, dimension);
    if (state === undefined) return;
    state.level = bounded(state, state.level + delta);
  }

  sync(key: string, dimension: Dimension, input: SyncInput): void {
    const state = this.#existing(key, dimension);
    if (state === undefined) return;
    if (input.serverLevel !== undefined) {
      const level = bounded(state, input.serverLevel * this.#share());
      if (level < state.level) state.level = level;
      return;
    }
    // The most the server can hold now: what it said, plus its refill since, less what was taken
    // after the call; capped once, at the end (capping before subtracting would take a whole
    // window's refill as lost, and stall a lane at every wave of answers from a slow model).
    const serverNow = Math.min(
      state.capacity,
      input.remaining * this.#share() +
        Math.max(0, input.ageMs) * state.refillPerMs -
        Math.max(0, state.taken - input.mark),
    );
    if (serverNow < state.level) {
      state.level = bounded(state, serverNow);
      return;
    }
    if (input.raiseMargin === undefined) return;
    // The least the server holds: as if its refill had all come before the calls sent since.
    const least =
      Math.min(
        state.capacity,
        input.remaining * this.#share() + Math.max(0, input.ageMs) * state.refillPerMs,
      ) -
      Math.max(0, state.taken - input.mark) -
      input.raiseMargin;
    if (least > state.level) state.level = Math.min(serverNow, least);
  }

  holdOff(key: string, dimension: Dimension, amount: number, waitMs: number): void {
    const state = this.#existing(key, dimension);
    if (state === undefined) return;
    const target = Math.min(amount, state.capacity) - waitMs * state.refillPerMs;
    if (target < state.level) state.level = bounded(state, target);
  }

  configure(key: string, dimension: Dimension, spec: BucketSpec, priority: number): void {
    const now = this.#now();
    const scaled = this.#scaled(spec);
    const existing = this.#existing(key, dimension);
    if (existing === undefined) {
      this.#lane(key).set(dimension, { ...this.#fresh(scaled, now), priority });
      return;
    }
    if (priority < existing.priority) return;
    existing.priority = priority;
    if (existing.capacity === scaled.capacity && existing.windowMs === scaled.windowMs) return;
    // A higher limit adds its difference; a lower one only caps the level (a wrong, low limit
    // heard once must not leave a debt that outlives its correction).
    existing.level =
      scaled.capacity > existing.capacity
        ? Math.min(scaled.capacity, existing.level + (scaled.capacity - existing.capacity))
        : Math.min(scaled.capacity, existing.level);
    existing.capacity = scaled.capacity;
    existing.windowMs = scaled.windowMs;
    existing.refillPerMs = scaled.capacity / scaled.windowMs;
  }

  peek(key: string): Partial<Record<Dimension, BucketSnapshot>> {
    const lane = this.#buckets.get(key);
    const snapshot: Partial<Record<Dimension, BucketSnapshot>> = {};
    if (lane === undefined) return snapshot;
    const now = this.#now();
    for (const [dimension, state] of lane) {
      this.#refill(state, now);
      snapshot[dimension] = { capacity: state.capacity, windowMs: state.windowMs, level: state.level };
    }
    return snapshot;
  }

  drop(key: string): void {
    this.#buckets.delete(key);
  }

  close(): void {
    this.#buckets.clear();
  }

  #lane(key: string): Map<Dimension, BucketState> {
    let lane = this.#buckets.get(key);
    if (lane === undefined) {
      lane = new Map();
      this.#buckets.set(key, lane);
    }
    return lane;
  }

  #scaled(spec: BucketSpec): BucketSpec {
    // A share below one applies while a shared store is unreachable: each process takes its part.
    const share = this.#share();
    return share === 1
      ? spec
      : { capacity: Math.max(1, Math.floor(spec.capacity * share)), windowMs: spec.windowMs };
  }

  #fresh(spec: BucketSpec, now: number): Omit<BucketState, 'priority'> {
    return {
      capacity: spec.capacity,
      windowMs: spec.windowMs,
      refillPerMs: spec.capacity / spec.windowMs,
      level: spec.capacity,
      updatedAtMs: now,
      taken: 0,
    };
  }

  #existing(key: string, dimension: Dimension): BucketState | undefined {
    const state = this.#buckets.get(key)?.get(dimension);
    if (state !== undefined) this.#refill(state, this.#now());
    return state;
  }

  #refilled(
    lane: Map<Dimension, BucketState>,
    dimension: Dimension,
    spec: BucketSpec,
    now: number,
  ): BucketState {
    let state = lane.get(dimension);
    if (state === undefined) {
      state = { ...this.#fresh(this.#scaled(spec), now), priority: 0 };
      lane.set(dimension, state);
      return state;
    }
    this.#refill(state, now);
    return state;
  }

  #refill(state: BucketState, now: number): void {
    const elapsed = now - state.updatedAtMs;
    if (elapsed > 0) {
      state.level = Math.min(state.capacity, state.level + elapsed * state.refillPerMs);
      state.updatedAtMs = now;
    }
  }
}
