/**
 * A lane's waiting calls, first in first out. A waiter holds what its admission needs and nothing
 * more (a service may hold 100,000 of them); an aborted waiter leaves the queue at once.
 */
import { abortReason } from '../util/delay.js';
import type { RequestEstimate } from '../tokens/estimate.js';
import { Fifo } from './queue.js';
import type { Dimension } from './types.js';

/** A call waiting for its place on a lane; it resolves to the lane's admission (`T`). */
export interface Waiter<T> {
  readonly estimate: RequestEstimate;
  readonly model: string | undefined;
  readonly enqueuedAtMs: number;
  readonly resolve: (ticket: T) => void;
  readonly reject: (reason: unknown) => void;
  readonly signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  settled: boolean;
}

/** What can hold a lane's head back. */
export type HeldBy = Dimension | 'concurrency' | 'pause';

/** A FIFO of waiters with abort handling. */
export class AdmissionQueue<T> {
  readonly #items = new Fifo<Waiter<T>>();
  #waiting = 0;
  /** The head the lane last reported as held back, and by what (a `throttled` event each). */
  stalledOn: Waiter<T> | undefined;
  stalledBy: HeldBy | undefined;

  /** Calls waiting (aborted ones leave the count at once). */
  get waiting(): number {
    return this.#waiting;
  }

  /** The first call still waiting, if any. */
  head(): Waiter<T> | undefined {
    for (;;) {
      const head = this.#items.peek();
      if (head === undefined || !head.settled) return head;
      this.#items.shift();
    }
  }

  /** Adds a waiter at the tail. */
  push(waiter: Waiter<T>): void {
    this.#items.push(waiter);
    this.#waiting += 1;
  }

  /**
   * `onAbort` runs when the waiter's signal aborts while it still waits. Called once the waiter is
   * known to wait: one admitted at once never listens.
   */
  listen(waiter: Waiter<T>, onAbort: () => void): void {
    if (waiter.settled || waiter.signal === undefined) return;
    waiter.onAbort = onAbort;
    waiter.signal.addEventListener('abort', onAbort, { once: true });
  }

  /** Removes the head and hands it its ticket. */
  admitHead(ticket: T): void {
    const head = this.head();
    if (head === undefined) return;
    this.#items.shift();
    this.#settle(head);
    head.resolve(ticket);
  }

  /** Removes the head and rejects it with `error` (its store failed). */
  fail(head: Waiter<T>, error: unknown): void {
    if (head.settled) return;
    if (this.#items.peek() === head) this.#items.shift();
    this.#settle(head);
    head.reject(error);
  }

  /** Rejects a waiter that aborted (it stays in the list, settled, until it reaches the head). */
  abandon(waiter: Waiter<T>): boolean {
    if (waiter.settled) return false;
    this.#settle(waiter);
    waiter.reject(abortReason(waiter.signal as AbortSignal));
    return true;
  }

  /** Rejects every waiter with `reason`. */
  rejectAll(reason: unknown): void {
    for (const waiter of this.#items.drain()) {
      if (waiter.settled) continue;
      this.#settle(waiter);
      waiter.reject(reason);
    }
  }

  /** The waiters still waiting, head first (for a wait prediction). */
  *pending(): IterableIterator<Waiter<T>> {
    for (const waiter of this.#items.values()) if (!waiter.settled) yield waiter;
  }

  #settle(waiter: Waiter<T>): void {
    waiter.settled = true;
    this.#waiting -= 1;
    if (this.stalledOn === waiter) this.stalledOn = undefined;
    if (waiter.onAbort !== undefined) waiter.signal?.removeEventListener('abort', waiter.onAbort);
    waiter.onAbort = undefined;
  }
}
