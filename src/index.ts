// The public surface of tierguard, listed by name. Everything else in src/ is internal.
// Left out on purpose: the testing kit (`tierguard/testing`) and the CLI (`bin`).

export { CAUSES, CAUSE_CATALOGUE, isCause } from './data/causes.js';
export type { Cause, CauseEntry, FallbackScope, Origin } from './data/causes.js';
export { LOCALES } from './diagnose/types.js';
export type {
  Attempt,
  DiagnoseOptions,
  Diagnosis,
  Hint,
  HintLink,
  Locale,
  RateLimitInfo,
} from './diagnose/types.js';
export { TIERS, TIER_QUALIFICATIONS, MODEL_TIER_LIMITS, VERIFICATION_REQUIREMENTS } from './data/tiers.js';
export type { Tier, TierLimits, TierQualification, TierRow } from './data/tiers.js';
export { TOKEN_PRICES, IMAGE_PRICES } from './data/prices.js';
export type { TokenPrice } from './data/prices.js';
export { resolveModel } from './models/resolve.js';
export type { ResolvedModel } from './models/resolve.js';
export { maskKey, maskSecrets } from './util/mask.js';
