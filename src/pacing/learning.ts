/**
 * What a lane learns from the server's answers: the capacity of each bucket (`x-ratelimit-limit-*`
 * or a 429's "Limit N"), the window (from `x-ratelimit-reset-*`), the tier the limits match, and
 * how the server counts prompt tokens against our estimate (`usage`). Each rule refuses values no
 * real limit has, so that one lying header cannot lock a lane (issue: hostile conditions).
 */
import { MODEL_TIER_LIMITS, TIERS, type Tier, type TierRow } from '../data/tiers.js';
import type { RequestEstimate } from '../tokens/estimate.js';
import type { Lane } from './lane.js';
import type { Dimension, LimitSource } from './types.js';

/** What learning tells the outside world. */
export type LearningEvent =
  | {
      type: 'limits-learned';
      key: string;
      model?: string;
      bucket: Dimension;
      capacity: number;
      windowMs: number;
      previous?: { capacity: number; windowMs: number; source: LimitSource };
    }
  | {
      type: 'tier-detected';
      key: string;
      model?: string;
      family: string;
      tier: Tier;
      requestsPerMinute: number;
      tokensPerMinute: number;
    };

const rows = new Map<string, TierRow>(Object.entries(MODEL_TIER_LIMITS.models));
// The largest limit any real account has is far below this: larger numbers are garbage.
const MAX_CAPACITY = 1e12;
const WINDOW_SAMPLES = 7;
const WINDOW_MIN_MS = 100;
const WINDOW_MAX_MS = 86_400_000;
const PROMPT_SCALE_MIN = 0.25;
const PROMPT_SCALE_MAX = 4;
const PROMPT_SCALE_WEIGHT = 0.05;
// Prompts this short say little about how the server counts (fixed overheads dominate).
const MIN_PROMPT_FOR_SCALE = 16;

/** Is `capacity` a limit a server could mean for `dimension`? (`0.5` requests, `NaN` or 1e300 are not.) */
export function plausibleCapacity(dimension: Dimension, capacity: number): boolean {
  if (!Number.isFinite(capacity) || capacity < 1 || capacity > MAX_CAPACITY) return false;
  return dimension.startsWith('requests') || dimension === 'images' ? Number.isInteger(capacity) : true;
}

/**
 * Sets a dimension's capacity from what the server said; `windowMs` for a dimension the lane did
 * not have. Returns whether the dimension was created, and the event to emit when it changed.
 */
export function learnCapacity(
  lane: Lane,
  dimension: Dimension,
  capacity: number,
  windowMs: number,
  model: string | undefined,
): { created: boolean; event: LearningEvent | undefined } {
  const current = lane.limits.get(dimension);
  if (current !== undefined && current.source === 'headers' && current.capacity === capacity) {
    current.confirmations += 1;
    return { created: false, event: undefined };
  }
  const previous =
    current === undefined
      ? undefined
      : { capacity: current.capacity, windowMs: current.windowMs, source: current.source };
  lane.limits.set(dimension, {
    capacity,
    windowMs: current?.windowMs ?? windowMs,
    source: 'headers',
    confirmations: 1,
  });
  if (previous !== undefined && previous.capacity === capacity) return { created: false, event: undefined };
  return {
    created: current === undefined,
    event: {
      type: 'limits-learned',
      key: lane.label,
      ...(model === undefined ? {} : { model }),
      bucket: dimension,
      capacity,
      windowMs: current?.windowMs ?? windowMs,
      ...(previous === undefined ? {} : { previous }),
    },
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/**
 * Infers the window from `reset` = time until full: a bucket of `limit` refilling over W ms with
 * `remaining` left is full after (limit − remaining)·W/limit. The requests and tokens buckets of
 * an answer each give an estimate; a window is adopted once two agree (within 15 % of their
 * median, and a majority of the last seven), and never when the caller fixed the window. Returns
 * the new window, or `undefined`.
 */
export function learnWindow(
  lane: Lane,
  dimension: 'requests' | 'tokens',
  limit: number,
  remaining: number | undefined,
  resetMs: number | undefined,
): number | undefined {
  if (lane.learning.windowFixed || remaining === undefined || resetMs === undefined || resetMs <= 0)
    return undefined;
  const used = limit - remaining;
  // Too little used to read a rate from (rounding of counts and of the duration dominates).
  if (used < Math.max(1, limit * 0.002) || (dimension === 'tokens' && used < 50)) return undefined;
  const estimate = (limit * resetMs) / used;
  if (!Number.isFinite(estimate) || estimate < WINDOW_MIN_MS || estimate > WINDOW_MAX_MS) return undefined;
  const samples = lane.learning.windowSamples;
  samples.push(estimate);
  if (samples.length > WINDOW_SAMPLES) samples.shift();
  if (samples.length < 2) return undefined;
  const middle = median(samples);
  const agree = samples.filter((value) => Math.abs(value - middle) <= middle * 0.15).length;
  if (agree < Math.max(2, Math.ceil(samples.length * 0.6))) return undefined;
  const current = lane.limits.get(dimension);
  if (current === undefined || Math.abs(middle - current.windowMs) <= current.windowMs * 0.2)
    return undefined;
  return Math.round(middle);
}

/** The tier whose published limits for the lane's family are exactly the learned ones, once. */
export function detectTier(lane: Lane): Tier | undefined {
  if (lane.learning.tierDetected !== undefined) return undefined;
  const requests = lane.limits.get('requests');
  const tokens = lane.limits.get('tokens');
  if (requests?.source !== 'headers' || tokens?.source !== 'headers') return undefined;
  const pair = `${requests.capacity}/${tokens.capacity}`;
  if (lane.learning.tierChecked === pair) return undefined;
  lane.learning.tierChecked = pair;
  const row = rows.get(lane.family);
  if (row === undefined) return undefined;
  const tier = TIERS.find((candidate) => {
    const limits = Object.hasOwn(row, candidate) ? row[candidate] : undefined;
    return (
      limits !== undefined &&
      limits !== null &&
      limits.requestsPerMinute === requests.capacity &&
      limits.tokensPerMinute === tokens.capacity
    );
  });
  if (tier !== undefined) lane.learning.tierDetected = tier;
  return tier;
}

/**
 * Learns how the server counts prompts: the ratio of the API's `usage.prompt_tokens` to our
 * estimate: the mean of the samples at first, then a slow moving average (a late change of how
 * the server counts is still learned; the headers' corrections catch it meanwhile).
 */
export function learnScale(lane: Lane, estimate: RequestEstimate, promptTokens: number): void {
  if (estimate.promptTokens < MIN_PROMPT_FOR_SCALE) return;
  const ratio = promptTokens / estimate.promptTokens;
  if (!Number.isFinite(ratio) || ratio <= 0) return;
  const learning = lane.learning;
  // The mean of the samples so far, then a moving average: an average that keeps moving by a fifth
  // jitters, and each rise debits the calls in flight (a fall credits nothing).
  const weight = Math.max(PROMPT_SCALE_WEIGHT, 1 / (learning.scaleSamples + 1));
  const next = learning.promptScale * (1 - weight) + ratio * weight;
  learning.promptScale = Math.min(PROMPT_SCALE_MAX, Math.max(PROMPT_SCALE_MIN, next));
  learning.scaleSamples += 1;
}
