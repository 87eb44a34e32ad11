/**
 * One continuously refilled bucket, the unit of the simulator's rate limiter: `capacity` is the
 * per-window limit and it refills `capacity / windowMs` per ms (openai-api.md note B: limits
 * replenish continuously, `x-ratelimit-reset-*` is the time until the bucket is full again).
 */

/** A bucket of requests, tokens or images. Its level is computed from elapsed time, no timer. */
export class SimBucket {
  readonly capacity: number;
  readonly windowMs: number;
  #level: number;
  #updatedAtMs: number;

  constructor(capacity: number, windowMs: number, nowMs: number) {
    this.capacity = capacity;
    this.windowMs = windowMs;
    this.#level = capacity;
    this.#updatedAtMs = nowMs;
  }

  /** The level at `nowMs`, refilled since the last look. */
  level(nowMs: number): number {
    if (nowMs > this.#updatedAtMs) {
      this.#level = Math.min(
        this.capacity,
        this.#level + ((nowMs - this.#updatedAtMs) * this.capacity) / this.windowMs,
      );
      this.#updatedAtMs = nowMs;
    }
    return this.#level;
  }

  /** What the `x-ratelimit-remaining-*` header says: the whole units left. */
  remaining(nowMs: number): number {
    return Math.max(0, Math.floor(this.level(nowMs)));
  }

  /** Milliseconds until `amount` fits; 0 when it fits now. */
  waitFor(amount: number, nowMs: number): number {
    const missing = amount - this.level(nowMs);
    return missing <= 0 ? 0 : (missing * this.windowMs) / this.capacity;
  }

  /** Takes `amount`; callers check that it fits first. */
  take(amount: number, nowMs: number): void {
    this.#level = this.level(nowMs) - amount;
  }

  /** Milliseconds until the bucket is full again (the `x-ratelimit-reset-*` header). */
  resetMs(nowMs: number): number {
    return ((this.capacity - this.level(nowMs)) * this.windowMs) / this.capacity;
  }
}
