// The public surface of tierguard, listed by name. Everything else in src/ is internal.
// Left out on purpose: the testing kit (`tierguard/testing`), the CLI (`bin`), and the
// pacing engine's internals (stores, lanes), which `guard.stats()` describes instead.

// Diagnose
export { diagnose, describeDiagnosis } from './diagnose/diagnose.js';
export type {
  Attempt,
  DiagnoseOptions,
  Diagnosis,
  Hint,
  HintLink,
  Locale,
  RateLimitInfo,
} from './diagnose/types.js';
export { LOCALES } from './diagnose/types.js';
export { CAUSES, CAUSE_CATALOGUE, isCause } from './data/causes.js';
export type { Cause, CauseEntry, FallbackScope, Origin } from './data/causes.js';

// Guard
export { createGuard, guard, GuardClosedError } from './guard/create-guard.js';
export type { Guard, GuardStats, WrappableClient } from './guard/create-guard.js';
export { TierguardOptionsError } from './util/options.js';
export type {
  BudgetExhaustedPolicy,
  BudgetOptions,
  FallbackTarget,
  GuardOptions,
  LimitOptions,
  RetryOptions,
} from './guard/options.js';
export type { GuardEvent, GuardEventListener, GuardEventType } from './guard/events.js';
export type { LaneStats } from './pacing/pacer.js';
export type { BucketSnapshot, Dimension, LimitSource } from './pacing/types.js';
export type { RedisLike } from './pacing/redis-store.js';

// Tiers, prices and models
export { TIERS, TIER_QUALIFICATIONS, MODEL_TIER_LIMITS, VERIFICATION_REQUIREMENTS } from './data/tiers.js';
export type { Tier, TierLimits, TierQualification, TierRow, VerificationNeed } from './data/tiers.js';
export { TOKEN_PRICES, IMAGE_PRICES } from './data/prices.js';
export type { TokenPrice } from './data/prices.js';
export { resolveModel } from './models/resolve.js';
export { estimateRequest, countTextTokens } from './pacing/estimate.js';
export type {
  CountMethod,
  Endpoint,
  EstimateOptions,
  RequestEstimate,
  TokenCounter,
} from './pacing/estimate.js';
export { estimateCost } from './advisor/estimate-cost.js';
export type { CostEstimate } from './advisor/estimate-cost.js';
export type { ResolvedModel } from './models/resolve.js';
export { requiredTier } from './advisor/required-tier.js';
export type { ModelRequirement } from './advisor/required-tier.js';
export { tierFor } from './advisor/tier-for.js';
export type { PaymentHistory, TierStanding } from './advisor/tier-for.js';
export { upgradePlan } from './advisor/upgrade-plan.js';
export type { PlanStep, UpgradePlan, UpgradePlanOptions } from './advisor/upgrade-plan.js';

// Utilities
export { maskKey, maskSecrets } from './util/mask.js';
