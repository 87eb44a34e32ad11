/**
 * The simulator's rate limiter: per organization and model family, continuously refilled buckets
 * of requests and tokens (and requests per day, images), charged at request time as the API does
 * (openai-api.md note B).
 */

/** One bucket of the simulated account. */
export class SimBucket {
  readonly capacity: number;
  readonly windowMs: number;
  #level: number;
  #updatedAtMs: number;

  constructor(capacity: number, windowMs: number, now: number) {
    this.capacity = capacity;
    this.windowMs = windowMs;
    this.#level = capacity;
    this.#updatedAtMs = now;
  }

  /** The level at `now`, refilled. */
  level(now: number): number {
    if (now > this.#updatedAtMs) {
      this.#level = Math.min(
        this.capacity,
        this.#level + ((now - this.#updatedAtMs) * this.capacity) / this.windowMs,
      );
      this.#updatedAtMs = now;
    }
    return this.#level;
  }

  /** Milliseconds until `amount` fits. */
  waitFor(amount: number, now: number): number {
    const missing = amount - this.level(now);
    return missing <= 0 ? 0 : (missing * this.windowMs) / this.capacity;
  }

  take(amount: number, now: number): void {
    this.#level = this.level(now) - amount;
  }

  /** Milliseconds until the bucket is full again (the `x-ratelimit-reset-*` header). */
  resetMs(now: number): number {
    return ((this.capacity - this.level(now)) * this.windowMs) / this.capacity;
  }
}

/** The buckets of one (organization, family). */
export interface SimLimits {
  readonly requests?: SimBucket;
  readonly tokens?: SimBucket;
  readonly requestsPerDay?: SimBucket;
  readonly images?: SimBucket;
}
