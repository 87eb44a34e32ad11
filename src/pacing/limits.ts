/**
 * The limits a limit key starts with, before the API's headers say better: the caller's explicit
 * `limits`, else the tier table for the configured tier, else a conservative default.
 */
import {
  DEFAULT_LIMITS_FAMILIES,
  MODEL_TIER_LIMITS,
  TIERS,
  type Tier,
  type TierLimits,
  type TierRow,
} from '../data/tiers.js';
import type { ResolvedModel } from '../models/resolve.js';
import type { BucketSpec, Dimension, LimitSource } from './types.js';

/** A limit the caller sets for a model or family: amounts per window. */
export interface ExplicitLimit {
  readonly requests?: number | undefined;
  readonly tokens?: number | undefined;
  readonly requestsPerDay?: number | undefined;
  readonly images?: number | undefined;
  /** The window the amounts are per; one minute by default. */
  readonly windowMs?: number | undefined;
}

/** One dimension's starting limit and where it came from. */
export interface StartingLimit extends BucketSpec {
  readonly source: LimitSource;
}

/** What a key starts with: its dimensions, or none when the tier is learned (`auto`). */
export interface StartingLimits {
  readonly dimensions: Partial<Record<Dimension, StartingLimit>>;
  /** The window was given by the caller, so the engine must not infer another from headers. */
  readonly windowFixed: boolean;
  /** The model has no table and no explicit limit: the default applies (an event tells the caller). */
  readonly defaulted: boolean;
  /** The tier table marks the model "not supported" on the configured tier. */
  readonly notSupportedOnTier: boolean;
}

// Looked up by names callers give (`constructor`, `__proto__`…): a Map, never an object's prototype.
const rows = new Map<string, TierRow>(Object.entries(MODEL_TIER_LIMITS.models));

/** `record[name]` when `record` has it as its own property. */
function own<T>(record: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.hasOwn(record, name) ? record[name] : undefined;
}
const DAY_WINDOWS = 1_440;

/** A per-window limit and a window length → one dimension's spec. */
function spec(capacity: number, windowMs: number, source: LimitSource): StartingLimit {
  return { capacity, windowMs, source };
}

function fromTierLimits(
  limits: TierLimits,
  windowMs: number,
  source: LimitSource,
): Partial<Record<Dimension, StartingLimit>> {
  const dimensions: Partial<Record<Dimension, StartingLimit>> = {};
  if (limits.requestsPerMinute !== undefined)
    dimensions.requests = spec(limits.requestsPerMinute, windowMs, source);
  if (limits.tokensPerMinute !== undefined)
    dimensions.tokens = spec(limits.tokensPerMinute, windowMs, source);
  if (limits.requestsPerDay !== undefined)
    dimensions['requests-day'] = spec(limits.requestsPerDay, windowMs * DAY_WINDOWS, source);
  if (limits.imagesPerMinute !== undefined)
    dimensions.images = spec(limits.imagesPerMinute, windowMs, source);
  return dimensions;
}

/**
 * What an unknown model gets on a tier (an unknown model never crashes pacing, DESIGN.md
 * "Limits"): the first of `DEFAULT_LIMITS_FAMILIES` the tier supports.
 */
export function conservativeTierLimits(tier: Tier): TierLimits {
  for (const family of DEFAULT_LIMITS_FAMILIES) {
    const row = rows.get(family);
    const limits = row === undefined ? undefined : own(row, tier);
    if (limits !== undefined && limits !== null) return limits;
  }
  return {};
}

/** The published limits of `family` on `tier`, falling back to the nearest lower published tier. */
export function tierLimitsFor(family: string, tier: Tier): TierLimits | null | undefined {
  const row = rows.get(family);
  if (row === undefined) return undefined;
  const exact = own(row, tier);
  if (exact !== undefined) return exact;
  // Some 2026 rows publish only Tier 1 and Tier 5: below the asked tier is a safe floor.
  for (let index = TIERS.indexOf(tier) - 1; index >= 0; index -= 1) {
    const lower = own(row, TIERS[index] as Tier);
    if (lower !== undefined && lower !== null) return lower;
  }
  return undefined;
}

/** Looks up an explicit limit by the model as written, its family, or `*`. */
export function explicitLimitFor(
  limits: Readonly<Record<string, ExplicitLimit>>,
  model: ResolvedModel | undefined,
): ExplicitLimit | undefined {
  if (model !== undefined) {
    const exact = own(limits, model.name) ?? own(limits, model.family);
    if (exact !== undefined) return exact;
    if (model.limitsFamily !== undefined && own(limits, model.limitsFamily) !== undefined)
      return own(limits, model.limitsFamily);
  }
  return own(limits, '*');
}

/** The starting limits of a key for `model` under the configured tier and explicit limits. */
export function startingLimits(options: {
  readonly model: ResolvedModel | undefined;
  readonly tier: Tier | 'auto';
  readonly limits: Readonly<Record<string, ExplicitLimit>>;
  readonly windowMs: number;
}): StartingLimits {
  const explicit = explicitLimitFor(options.limits, options.model);
  const windowMs = explicit?.windowMs ?? options.windowMs;
  const dimensions: Partial<Record<Dimension, StartingLimit>> = {};
  if (explicit !== undefined) {
    if (explicit.requests !== undefined) dimensions.requests = spec(explicit.requests, windowMs, 'limits');
    if (explicit.tokens !== undefined) dimensions.tokens = spec(explicit.tokens, windowMs, 'limits');
    if (explicit.requestsPerDay !== undefined)
      dimensions['requests-day'] = spec(explicit.requestsPerDay, windowMs * DAY_WINDOWS, 'limits');
    if (explicit.images !== undefined) dimensions.images = spec(explicit.images, windowMs, 'limits');
  }
  const windowFixed = explicit?.windowMs !== undefined;
  if (options.tier === 'auto' || options.model === undefined) {
    return { dimensions, windowFixed, defaulted: false, notSupportedOnTier: false };
  }
  const family = options.model.limitsFamily ?? options.model.family;
  const published = tierLimitsFor(family, options.tier);
  const fromTable =
    published === undefined || published === null
      ? fromTierLimits(conservativeTierLimits(options.tier), windowMs, 'default')
      : fromTierLimits(published, windowMs, 'tier');
  // Explicit limits win dimension by dimension; the table fills the rest.
  return {
    dimensions: { ...fromTable, ...dimensions },
    windowFixed,
    defaulted: published === undefined && explicit === undefined,
    notSupportedOnTier: published === null,
  };
}
