/**
 * The simulated account's rate limiter (openai-api.md note B): per (organization, model family)
 * buckets of requests, tokens, requests per day and images, whichever is hit first refuses; a
 * call is charged at request time (its prompt plus its largest output × n); a refused call still
 * takes one request from the per-minute bucket; a call larger than the TPM limit never fits and is
 * not charged (Table 1 #19).
 */
import { SimBucket } from './buckets.js';
import type { CatalogueEntry } from './catalogue.js';

/** The buckets of one budget (one organization and shared-limit family). */
export interface Lane {
  readonly requests: SimBucket | undefined;
  readonly requestsPerDay: SimBucket | undefined;
  readonly tokens: SimBucket | undefined;
  readonly images: SimBucket | undefined;
}

/** Which limit refused a call. */
export type RefusalKind = 'requests' | 'requestsPerDay' | 'tokens' | 'images';

/** What one call costs the buckets. */
export interface Charge {
  readonly tokens: number;
  readonly images: number;
}

/** The limiter's answer to one call. */
export type Admission =
  | { readonly admitted: true }
  | {
      readonly admitted: false;
      readonly refusal: 'tooLarge';
      readonly limit: number;
      readonly requested: number;
    }
  | {
      readonly admitted: false;
      readonly refusal: RefusalKind;
      readonly limit: number;
      /** `limit − remaining`, as the API's message reports it. */
      readonly used: number;
      readonly requested: number;
      /** Until enough has refilled for this call. */
      readonly waitMs: number;
    };

const ADMITTED: Admission = { admitted: true };
const DAY_IN_WINDOWS = 1_440;

/** Every lane of one simulated organization. */
export class RateLimiter {
  readonly #windowMs: number;
  readonly #lanes = new Map<string, Lane>();

  constructor(windowMs: number) {
    this.#windowMs = windowMs;
  }

  /** The lane a model's calls draw on, created full on first use. */
  lane(entry: CatalogueEntry, nowMs: number): Lane {
    let lane = this.#lanes.get(entry.laneKey);
    if (lane === undefined) {
      const { limits } = entry;
      const bucket = (capacity: number | undefined, windowMs: number): SimBucket | undefined =>
        capacity === undefined ? undefined : new SimBucket(capacity, windowMs, nowMs);
      lane = {
        requests: bucket(limits.requestsPerMinute, this.#windowMs),
        requestsPerDay: bucket(limits.requestsPerDay, this.#windowMs * DAY_IN_WINDOWS),
        tokens: bucket(limits.tokensPerMinute, this.#windowMs),
        images: bucket(limits.imagesPerMinute, this.#windowMs),
      };
      this.#lanes.set(entry.laneKey, lane);
    }
    return lane;
  }

  /** Admits and charges a call, or says which limit refuses it. */
  admit(lane: Lane, charge: Charge, nowMs: number): Admission {
    const { tokens } = lane;
    // One call above the TPM limit can never fit: refused, not charged (Table 1 #19).
    if (tokens !== undefined && charge.tokens > tokens.capacity)
      return { admitted: false, refusal: 'tooLarge', limit: tokens.capacity, requested: charge.tokens };
    // Requests before tokens: the API reports whichever is hit first, and a request-count refusal
    // does not depend on the call's size.
    const refusal =
      this.#refuse(lane.requests, 'requests', 1, nowMs) ??
      this.#refuse(lane.requestsPerDay, 'requestsPerDay', 1, nowMs) ??
      this.#refuse(tokens, 'tokens', charge.tokens, nowMs) ??
      (charge.images > 0 ? this.#refuse(lane.images, 'images', charge.images, nowMs) : undefined);
    if (refusal !== undefined) {
      // Refused calls still count toward the per-minute request limit (note B; MS-AZ429).
      if (lane.requests !== undefined && lane.requests.level(nowMs) >= 1) lane.requests.take(1, nowMs);
      return refusal;
    }
    lane.requests?.take(1, nowMs);
    lane.requestsPerDay?.take(1, nowMs);
    if (tokens !== undefined && charge.tokens > 0) tokens.take(charge.tokens, nowMs);
    if (lane.images !== undefined && charge.images > 0) lane.images.take(charge.images, nowMs);
    return ADMITTED;
  }

  #refuse(
    bucket: SimBucket | undefined,
    refusal: RefusalKind,
    amount: number,
    nowMs: number,
  ): Admission | undefined {
    if (bucket === undefined) return undefined;
    const waitMs = bucket.waitFor(amount, nowMs);
    if (waitMs <= 0) return undefined;
    return {
      admitted: false,
      refusal,
      limit: bucket.capacity,
      used: bucket.capacity - bucket.remaining(nowMs),
      requested: amount,
      waitMs,
    };
  }
}
