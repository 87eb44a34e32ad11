/**
 * A lane's queue in motion: admitting waiting calls first in first out while their buckets hold
 * their amounts, one timer per lane for the head's wait, the calibration bound on calls in flight
 * while a lane knows no limit, and the `queued`/`throttled` events.
 */
import type { Waiter } from './admission-queue.js';
import type { RequestEstimate } from '../tokens/estimate.js';
import type { Amounts, Lane, Ticket } from './lane.js';
import type { BucketStore, Dimension, TakeResult } from './types.js';
import type { PacerEvent } from './pacer-options.js';

const MAX_TIMER_MS = 2_147_483_647;

/** Runs a store operation whose result nobody awaits; a shared store reports its own failures. */
export function settleQuietly(result: void | Promise<void>): void {
  if (result instanceof Promise) result.catch(() => undefined);
}

/** The bounds the scheduler needs. */
export interface SchedulerLimits {
  readonly maxUnknownConcurrency: number;
  readonly calibrationStepMs: number;
}

/** Admits waiting calls across a pacer's lanes. */
export class Scheduler {
  readonly #store: BucketStore;
  readonly #now: () => number;
  readonly #emit: (event: PacerEvent) => void;
  readonly #limits: SchedulerLimits;
  /** Calls waiting in every lane. */
  waiting = 0;
  closed = false;

  constructor(
    store: BucketStore,
    now: () => number,
    emit: (event: PacerEvent) => void,
    limits: SchedulerLimits,
  ) {
    this.#store = store;
    this.#now = now;
    this.#emit = emit;
    this.#limits = limits;
  }

  /** Queues a waiter on `lane` and admits what fits. */
  enqueue(lane: Lane, waiter: Waiter<Ticket>): void {
    const queued = lane.queue.waiting > 0 || lane.timer !== undefined || lane.inFlight >= lane.concurrency;
    lane.queue.push(waiter);
    this.waiting += 1;
    if (queued)
      this.#emit({
        type: 'queued',
        key: lane.label,
        ...(waiter.model === undefined ? {} : { model: waiter.model }),
        waiting: lane.queue.waiting,
      });
    this.pump(lane);
    // A waiter the drain did not admit at once (it waits, or its take is asynchronous) leaves on abort.
    lane.queue.listen(waiter, () => this.abandon(lane, waiter));
  }

  /** Rejects every waiter of `lane` and stops its timer. */
  stop(lane: Lane, reason: unknown): void {
    if (lane.timer !== undefined) clearTimeout(lane.timer);
    lane.timer = undefined;
    this.waiting -= lane.queue.waiting;
    lane.queue.rejectAll(reason);
  }

  /** Admits what fits of `lane`'s queue now (one drain at a time per lane). */
  pump(lane: Lane): void {
    if (lane.queue.waiting === 0) return;
    if (lane.pumping) {
      lane.repump = true;
      return;
    }
    lane.pumping = true;
    this.#drain(lane).then(
      () => this.#pumped(lane),
      (error: unknown) => {
        // A store that failed: the head call fails with it; the others are tried again.
        const head = lane.queue.head();
        if (head !== undefined) {
          this.waiting -= 1;
          lane.queue.fail(head, error);
        }
        this.#pumped(lane);
      },
    );
  }

  #pumped(lane: Lane): void {
    lane.pumping = false;
    if (lane.repump) {
      lane.repump = false;
      this.pump(lane);
    }
  }

  /** Admits waiting calls while they fit. */
  async #drain(lane: Lane): Promise<void> {
    for (;;) {
      const head = lane.queue.head();
      if (head === undefined || this.closed) return;
      const now = this.#now();
      if (lane.pausedUntilMs > now) return this.#wake(lane, lane.pausedUntilMs - now, 'pause', head);
      if (lane.inFlight >= lane.concurrency) {
        // Calibration (`tier: 'auto'`, nothing heard yet): the bound grows with time, so that
        // first calls that hang hold nothing back for long.
        if (
          !lane.knowsLimits &&
          lane.learning.headerless &&
          lane.concurrency < this.#limits.maxUnknownConcurrency
        ) {
          const dueMs = lane.concurrencyRaisedAtMs + this.#limits.calibrationStepMs;
          if (now >= dueMs) {
            lane.concurrency = Math.min(this.#limits.maxUnknownConcurrency, lane.concurrency * 2);
            lane.concurrencyRaisedAtMs = now;
            continue;
          }
          return this.#wake(lane, dueMs - now, 'concurrency', head);
        }
        return this.#stall(lane, head, 'concurrency', 0);
      }
      const amounts = lane.amounts(head.estimate);
      const items = lane.items(amounts, head.estimate, now);
      const taken: TakeResult | Promise<TakeResult> =
        items.length === 0
          ? { ok: true, atMs: now, marks: {}, levels: {} }
          : this.#store.take(lane.key, items);
      // A synchronous store's answer is used in the same turn: a call that fits is admitted at once.
      const result = taken instanceof Promise ? await taken : taken;
      if (head.settled) {
        // Aborted while an asynchronous take ran: give back what it took.
        if (result.ok)
          for (const item of items)
            settleQuietly(this.#store.adjust(lane.key, item.dimension, Math.min(item.amount, item.capacity)));
        continue;
      }
      if (!result.ok) return this.#wake(lane, result.waitMs, result.limiting, head);
      const throttledBy = lane.queue.stalledOn === head ? lane.queue.stalledBy : undefined;
      this.waiting -= 1;
      lane.queue.admitHead(
        this.ticket(lane, amounts, head.estimate, head.model, result, head.enqueuedAtMs, throttledBy),
      );
    }
  }

  /** A ticket for what `result` took for a call. */
  ticket(
    lane: Lane,
    amounts: Amounts,
    estimate: RequestEstimate,
    model: string | undefined,
    result: Extract<TakeResult, { ok: true }>,
    enqueuedAtMs: number,
    throttledBy: Ticket['throttledBy'],
  ): Ticket {
    lane.inFlight += 1;
    if (!lane.learning.usageSeen) lane.tokensOnGuess += amounts.tokens ?? 0;
    const now = this.#now();
    lane.lastUsedMs = now;
    const sequence = (lane.admissions += 1);
    const send = lane.logSend(sequence, estimate, now);
    const ticket: Ticket = {
      lane,
      amounts,
      estimate,
      model,
      marks: result.marks,
      origin: result.origin,
      queuedMs: Math.max(0, Math.round(this.#now() - enqueuedAtMs)),
      throttledBy,
      sentAtMs: undefined,
      answered: false,
      sequence,
      send,
      finished: false,
    };
    lane.unanswered.add(ticket);
    return ticket;
  }

  #stall(
    lane: Lane,
    head: Waiter<Ticket>,
    bucket: Dimension | 'concurrency' | 'pause',
    waitMs: number,
  ): void {
    if (lane.queue.stalledOn === head && lane.queue.stalledBy === bucket) return;
    lane.queue.stalledOn = head;
    lane.queue.stalledBy = bucket;
    this.#emit({
      type: 'throttled',
      key: lane.label,
      ...(head.model === undefined ? {} : { model: head.model }),
      bucket,
      waitMs: Math.round(waitMs),
      waiting: lane.queue.waiting,
    });
  }

  /** Sets the lane's one timer to try its head again after `waitMs`. */
  #wake(lane: Lane, waitMs: number, bucket: Dimension | 'concurrency' | 'pause', head: Waiter<Ticket>): void {
    const delayMs = Math.min(MAX_TIMER_MS, Math.max(1, Math.ceil(waitMs)));
    this.#stall(lane, head, bucket, delayMs);
    const dueMs = this.#now() + delayMs;
    if (lane.timer !== undefined && lane.timerDueMs <= dueMs) return;
    if (lane.timer !== undefined) clearTimeout(lane.timer);
    lane.timerDueMs = dueMs;
    lane.timer = setTimeout(() => {
      lane.timer = undefined;
      this.pump(lane);
    }, delayMs);
  }

  /** A waiter aborted: it leaves at once, and the next one may fit sooner. */
  abandon(lane: Lane, waiter: Waiter<Ticket>): void {
    const wasHead = lane.queue.head() === waiter;
    if (!lane.queue.abandon(waiter)) return;
    this.waiting -= 1;
    if (wasHead) {
      // The wait was computed for this call; the next one may fit sooner.
      if (lane.timer !== undefined) clearTimeout(lane.timer);
      lane.timer = undefined;
      this.pump(lane);
    }
  }
}
