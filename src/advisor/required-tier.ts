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
  type TierQualification,
  type TierRow,
  type VerificationNeed,
} from '../data/tiers.js';
import type { ModelRequirement } from '../data/types.js';
import { resolveModel } from '../models/resolve.js';
import { tableOf } from '../models/table.js';

export type { ModelRequirement } from '../data/types.js';

const rows = tableOf<TierRow>(MODEL_TIER_LIMITS.models);
const verification = tableOf<VerificationNeed>(VERIFICATION_REQUIREMENTS.models);

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
  const row = rows.get(family);
  const needs = verification.get(resolved.family) ?? verification.get(family);
  const base = {
    model: resolved.name,
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
