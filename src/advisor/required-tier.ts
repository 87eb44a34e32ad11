/**
 * Which usage tier a model needs, from the tier data: the lowest tier whose published row
 * supports it, what reaching that tier takes, and whether the organization must be verified.
 */
import {
  MODEL_TIER_LIMITS,
  TIERS,
  TIER_QUALIFICATIONS,
  VERIFICATION_REQUIREMENTS,
  type Tier,
  type TierLimits,
  type TierQualification,
  type TierRow,
  type VerificationNeed,
} from '../data/tiers.js';
import { resolveModel } from '../models/resolve.js';

/** What a model needs. */
export interface ModelRequirement {
  /** The model as asked. */
  readonly model: string;
  /** The family whose tier table applies (the model itself when it has none). */
  readonly family: string;
  /** The model is one tierguard knows. */
  readonly known: boolean;
  /** A published tier table exists for the family. */
  readonly published: boolean;
  /** The lowest tier that can use the model; absent when no table is published. */
  readonly tier?: Tier;
  /** What reaching `tier` takes. */
  readonly qualification?: TierQualification;
  /** The tiers the table marks "not supported". */
  readonly notSupportedOn: readonly Tier[];
  /** The limits `tier` gives the model. */
  readonly limits?: TierLimits;
  /** A verified organization is needed (to use the model, to stream it, or for reasoning summaries). */
  readonly verification?: VerificationNeed;
}

const rows: Readonly<Record<string, TierRow>> = MODEL_TIER_LIMITS.models;
const verification: Readonly<Record<string, VerificationNeed>> = VERIFICATION_REQUIREMENTS.models;

/** The qualification row of a tier. */
export function tierQualification(tier: Tier): TierQualification {
  const row = TIER_QUALIFICATIONS.rows.find((candidate) => candidate.tier === tier);
  // TIER_QUALIFICATIONS has a row for every tier; the fallback keeps the type honest.
  return row ?? TIER_QUALIFICATIONS.rows[0];
}

/** The lowest tier that can use `model`, and what else it needs. Never throws. */
export function requiredTier(model: string): ModelRequirement {
  const resolved = resolveModel(model);
  const family = resolved.limitsFamily ?? resolved.family;
  const row = rows[family];
  const needs = verification[resolved.family] ?? verification[family];
  const base = {
    model,
    family,
    known: resolved.known,
    ...(needs === undefined ? {} : { verification: needs }),
  };
  if (row === undefined) return { ...base, published: false, notSupportedOn: [] };
  const notSupportedOn = TIERS.filter((tier) => row[tier] === null);
  const tier = TIERS.find((candidate) => row[candidate] !== undefined && row[candidate] !== null);
  if (tier === undefined) return { ...base, published: true, notSupportedOn };
  const limits = row[tier];
  return {
    ...base,
    published: true,
    tier,
    qualification: tierQualification(tier),
    notSupportedOn,
    ...(limits === undefined || limits === null ? {} : { limits }),
  };
}
