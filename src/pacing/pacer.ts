/**
 * The pacing engine: per limit key, a lane over a bucket store. A call reserves one request and
 * its estimated tokens before it is sent and waits, first in first out, until every bucket holds
 * its amount; its answer teaches the real limits (`x-ratelimit-*`), corrects the levels and
 * reconciles the reservation; a call that never reached the API gets its reservation back.
 * Time is monotonic (`performance.now()`); idle lanes are evicted.
 */
import { resolveModel, type ResolvedModel } from '../models/resolve.js';
import type { RequestEstimate } from '../tokens/estimate.js';
import type { Amounts, Lane, LaneStats, Ticket } from './lane.js';
import type { Waiter } from './admission-queue.js';
import { learnFromAnswer, type AnswerContext, type Observation } from './answers.js';
import { setUpLane, type LaneAddress } from './lane-setup.js';
import { Scheduler, settleQuietly } from './scheduler.js';
import type { PacerOptions } from './pacer-options.js';
import type { BucketSnapshot, Dimension, LimitSource } from './types.js';
import type { Tier } from '../data/tiers.js';
import { abortReason } from '../util/delay.js';

export type { Ticket } from './lane.js';
export type { Observation } from './answers.js';
export type { LaneAddress } from './lane-setup.js';
export type { PacerEvent, PacerOptions } from './pacer-options.js';

/** A refusal decided before sending: the call can never fit, or the queue is full. */
export class PacingRefusal extends Error {
  readonly kind: 'request_too_large' | 'queue_full';

  constructor(kind: 'request_too_large' | 'queue_full', message: string) {
    super(message);
    this.name = 'PacingRefusal';
    this.kind = kind;
  }
}

/** The pacing engine. One per guard; its lanes are shared by every client the guard wraps. */
export class Pacer {
  readonly #options: PacerOptions;
  readonly #lanes = new Map<string, Lane>();
  readonly #resolved = new Map<string, ResolvedModel>();
  readonly #now: () => number;
  readonly #scheduler: Scheduler;
  readonly #answers: AnswerContext;
  #closed = false;
  #sweeper: ReturnType<typeof setInterval> | undefined;

  constructor(options: PacerOptions) {
    this.#options = options;
    const now = options.now ?? (() => performance.now());
    this.#now = now;
    this.#scheduler = new Scheduler(options.store, now, options.emit, options);
    this.#answers = {
      store: options.store,
      now,
      emit: options.emit,
      windowMs: options.windowMs,
      maxUnknownConcurrency: options.maxUnknownConcurrency,
      maxPauseMs: options.maxPauseMs,
    };
  }

  /** Calls waiting in every lane. */
  get waiting(): number {
    return this.#scheduler.waiting;
  }

  /** Calls admitted and not yet finished, in every lane. */
  get inFlight(): number {
    let sum = 0;
    for (const lane of this.#lanes.values()) sum += lane.inFlight;
    return sum;
  }

  /** Lanes alive now (evicted ones no longer count). */
  get lanes(): number {
    return this.#lanes.size;
  }

  /** The lane of an address, created with its starting limits when new. */
  lane(address: LaneAddress): Lane {
    const resolved = address.model === undefined ? undefined : this.#resolve(address.model);
    const family =
      address.deployment !== undefined
        ? `deployment:${address.deployment}`
        : resolved === undefined
          ? '*'
          : (resolved.limitsFamily ?? resolved.family);
    const key = `${address.baseURL}|${address.organization ?? ''}|${address.project ?? ''}|${address.account ?? ''}|${family}`;
    let lane = this.#lanes.get(key);
    if (lane === undefined) lane = this.#createLane(key, address, family, resolved);
    lane.lastUsedMs = this.#now();
    return lane;
  }

  /**
   * Reserves what a call needs on its lane, waiting (FIFO) until it fits. Rejects at once with a
   * `PacingRefusal` when the call can never fit or the queue is full, and with the signal's reason
   * when aborted (the reservation, if any, is returned).
   */
  admit(
    lane: Lane,
    estimate: RequestEstimate,
    signal: AbortSignal | undefined,
    model: string | undefined,
  ): Promise<Ticket> {
    if (this.#closed)
      return Promise.reject(new Error('tierguard: the guard is closed; no new calls are accepted'));
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const tooLarge = lane.tooLarge(lane.amounts(estimate), estimate);
    if (tooLarge !== undefined) {
      const [dimension, capacity, amount] = tooLarge;
      return Promise.reject(
        new PacingRefusal(
          'request_too_large',
          `Request too large for ${model ?? lane.family} on ${dimension}: Limit ${capacity}, Requested ${amount} (estimated by tierguard before sending; the API would refuse it).`,
        ),
      );
    }
    const waiting = this.#scheduler.waiting;
    if (waiting >= this.#options.maxQueued && lane.queue.waiting + lane.inFlight > 0)
      return Promise.reject(
        new PacingRefusal(
          'queue_full',
          `tierguard queue is full: ${waiting} calls are already waiting (maxQueued ${this.#options.maxQueued}).`,
        ),
      );
    return new Promise<Ticket>((resolve, reject) => {
      const waiter: Waiter<Ticket> = {
        estimate,
        model,
        enqueuedAtMs: this.#now(),
        resolve,
        reject,
        signal,
        onAbort: undefined,
        settled: false,
      };
      this.#scheduler.enqueue(lane, waiter);
    });
  }

  /**
   * Admits a call now, whatever its buckets hold: a retry the server itself said may go (its
   * `retry-after` has passed). What it takes may leave a debt the next calls wait for, until its
   * answer's headers say what the server holds.
   */
  async admitNow(lane: Lane, estimate: RequestEstimate, model: string | undefined): Promise<Ticket> {
    if (this.#closed) throw new Error('tierguard: the guard is closed; no new calls are accepted');
    const amounts = lane.amounts(estimate);
    const now = this.#now();
    const items = lane.items(amounts, estimate, now).map((item) => ({ ...item, force: true }));
    const store = this.#options.store;
    let result = items.length === 0 ? undefined : await store.take(lane.key, items);
    if (result?.ok === false) {
      // A store written before `force` refused it as any take: debit the buckets instead (with no
      // mark, this answer's headers do not correct them).
      for (const item of items)
        await store.adjust(lane.key, item.dimension, -Math.min(item.amount, item.capacity));
      result = undefined;
    }
    return this.#scheduler.ticket(
      lane,
      amounts,
      estimate,
      model,
      result ?? { ok: true, atMs: now, marks: {}, levels: {} },
      now,
      undefined,
    );
  }

  /**
   * How long a call with `estimate` would wait behind the calls already queued, from the buckets'
   * levels and refill: 0 when it fits now. An estimate for deciding between waiting and rerouting,
   * not a promise; a shared store's levels are the last this process saw.
   */
  predictWaitMs(lane: Lane, estimate: RequestEstimate): number {
    const now = this.#now();
    const levels = this.#options.store.peek(lane.key);
    const ahead: Amounts = {};
    for (const waiter of lane.queue.pending()) {
      for (const [dimension, amount] of Object.entries(lane.amounts(waiter.estimate)) as [
        Dimension,
        number,
      ][])
        ahead[dimension] = (ahead[dimension] ?? 0) + amount;
    }
    let waitMs = Math.max(0, lane.pausedUntilMs - now);
    const amounts = lane.amounts(estimate);
    // The margin a take must leave while estimates are a guess delays it as much as an amount.
    const reserves = new Map(
      lane.items(amounts, estimate, now).map((item) => [item.dimension, item.reserve ?? 0]),
    );
    for (const [dimension, amount] of Object.entries(amounts) as [Dimension, number][]) {
      const limit = lane.limits.get(dimension);
      const level = levels[dimension]?.level ?? limit?.capacity;
      if (limit === undefined || level === undefined) continue;
      const needed =
        (ahead[dimension] ?? 0) + Math.min(amount, limit.capacity) + (reserves.get(dimension) ?? 0) - level;
      if (needed > 0) waitMs = Math.max(waitMs, (needed * limit.windowMs) / limit.capacity);
    }
    return Math.ceil(waitMs);
  }

  /** Notes that a ticket's call left for the server now. */
  sent(ticket: Ticket): void {
    ticket.sentAtMs = this.#now();
    ticket.send.atMs = ticket.sentAtMs;
  }

  /** Learns from an answer: limits and levels from headers, tokens from usage, waits from a 429. */
  observe(ticket: Ticket, observation: Observation): void {
    learnFromAnswer(this.#answers, ticket, observation);
    this.#scheduler.pump(ticket.lane);
  }

  /**
   * Ends a reservation. `reachedApi: false` (a connection never made, an abort before sending)
   * returns what it took; otherwise `observe` has already corrected the buckets.
   */
  finish(ticket: Ticket, reachedApi: boolean): void {
    if (ticket.finished) return;
    ticket.finished = true;
    const lane = ticket.lane;
    lane.answered(ticket);
    lane.inFlight = Math.max(0, lane.inFlight - 1);
    lane.lastUsedMs = this.#now();
    if (!reachedApi) ticket.send.uncounted = true;
    if (!reachedApi)
      for (const [dimension, amount] of Object.entries(ticket.amounts) as [Dimension, number][])
        if (ticket.marks[dimension] !== undefined)
          settleQuietly(this.#options.store.adjust(lane.key, dimension, amount));
    this.#scheduler.pump(lane);
  }

  /** What every lane looks like now. */
  stats(): LaneStats[] {
    const now = this.#now();
    return [...this.#lanes.values()].map((lane) => {
      const levels = this.#options.store.peek(lane.key);
      const buckets: Partial<Record<Dimension, BucketSnapshot & { source: LimitSource }>> = {};
      for (const [dimension, limit] of lane.limits) {
        const level = levels[dimension];
        buckets[dimension] = {
          capacity: level?.capacity ?? limit.capacity,
          windowMs: level?.windowMs ?? limit.windowMs,
          level: level?.level ?? limit.capacity,
          source: limit.source,
        };
      }
      return {
        key: lane.label,
        family: lane.family,
        waiting: lane.queue.waiting,
        inFlight: lane.inFlight,
        concurrency: Number.isFinite(lane.concurrency) ? lane.concurrency : null,
        buckets,
        rateLimited: lane.rateLimited,
        pausedForMs: Math.max(0, Math.round(lane.pausedUntilMs - now)),
        ...(lane.learning.tierDetected === undefined ? {} : { tier: lane.learning.tierDetected }),
      };
    });
  }

  /** The tier read off a lane's headers, if any lane matched one. */
  detectedTier(): Tier | undefined {
    for (const lane of this.#lanes.values())
      if (lane.learning.tierDetected !== undefined) return lane.learning.tierDetected;
    return undefined;
  }

  /** Rejects every waiting call with `reason`, stops every timer and forgets every lane. */
  close(reason: unknown): void {
    this.#closed = true;
    this.#scheduler.closed = true;
    if (this.#sweeper !== undefined) clearInterval(this.#sweeper);
    this.#sweeper = undefined;
    for (const lane of this.#lanes.values()) this.#scheduler.stop(lane, reason);
    this.#lanes.clear();
    this.#resolved.clear();
  }

  /** Forgets lanes that are idle and whose buckets are full again (they are rebuilt when used). */
  sweep(): void {
    const now = this.#now();
    const store = this.#options.store;
    for (const [key, lane] of this.#lanes) {
      if (lane.queue.waiting > 0 || lane.inFlight > 0 || lane.timer !== undefined) continue;
      if (now - lane.lastUsedMs < this.#options.idleLaneMs) continue;
      if (!store.shared) {
        const levels = store.peek(key);
        const full = [...lane.limits.entries()].every(
          ([dimension, limit]) => (levels[dimension]?.level ?? limit.capacity) >= limit.capacity * 0.999,
        );
        if (!full) continue;
      }
      this.#lanes.delete(key);
      store.drop(key);
    }
    if (this.#lanes.size === 0 && this.#sweeper !== undefined) {
      clearInterval(this.#sweeper);
      this.#sweeper = undefined;
    }
  }

  #resolve(model: string): ResolvedModel {
    let resolved = this.#resolved.get(model);
    if (resolved === undefined) {
      resolved = resolveModel(model, this.#options.deployments);
      if (this.#resolved.size < 1_024) this.#resolved.set(model, resolved);
    }
    return resolved;
  }

  #createLane(key: string, address: LaneAddress, family: string, resolved: ResolvedModel | undefined): Lane {
    const lane = setUpLane(this.#options, { key, address, family, resolved, nowMs: this.#now() });
    this.#lanes.set(key, lane);
    if (this.#sweeper === undefined && !this.#closed) {
      this.#sweeper = setInterval(
        () => this.sweep(),
        Math.max(1_000, Math.min(60_000, this.#options.idleLaneMs / 2)),
      );
      (this.#sweeper as { unref?: () => void }).unref?.();
    }
    return lane;
  }
}
