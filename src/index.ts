// The public surface of tierguard, listed by name. Everything else in src/ is internal.
// Left out on purpose: the testing kit (`tierguard/testing`), the CLI (`bin`); the pacing engine's
// internals (lanes, the scheduler), which `guard.stats()` describes instead; and the raw data
// tables (tier limits, prices, model lists), which the functions below read for you
// (`requiredTier`, `tierFor`, `upgradePlan`, `estimateCost`, `contextWindowOf`) — their rows change
// with OpenAI's pages, their shape is not a promise.

// Guard: wrap a client, or use the guarded fetch.
export { createGuard, guard, guardOf, GuardClosedError } from './guard/create-guard.js';
export type { Guard, WrappableClient } from './guard/create-guard.js';
export type { GuardStats } from './telemetry/stats.js';
export { TierguardOptionsError } from './util/options.js';
export type {
  BudgetExhaustedPolicy,
  BudgetOptions,
  FallbackTarget,
  GuardOptions,
  LimitOptions,
  RetryOptions,
} from './guard/options.js';
export type { GuardEvent, GuardEventListener, GuardEventType } from './telemetry/events.js';
export type { Logger, LogLevel } from './telemetry/logging.js';
export type {
  InstrumentOptions,
  MeterLike,
  MetricAttributes,
  ObservableCallbackLike,
  ObservableLike,
  ObservableResultLike,
} from './telemetry/metrics.js';
export type { LaneStats } from './pacing/lane.js';

// Stores: where bucket levels live (the `store` and `redis` options): Redis over TCP for pods, over
// HTTP (Upstash's REST protocol) for serverless functions and Workers.
export { createRedisStore } from './stores/redis-backend.js';
export type { RedisStoreFactoryOptions } from './stores/redis-backend.js';
export { createUpstashStore } from './stores/upstash-backend.js';
export type { UpstashConnection, UpstashLike, UpstashStoreOptions } from './stores/upstash-backend.js';
export type { FailoverEvent, StoreHealth } from './stores/failover.js';
export type { RedisLike } from './stores/redis.js';
export type {
  BucketSnapshot,
  BucketSpec,
  BucketStore,
  Dimension,
  LimitSource,
  SyncInput,
  TakeItem,
  TakeResult,
} from './pacing/types.js';

// Diagnose: whatever was caught → a named cause and the steps that fix it.
export { diagnose, describeDiagnosis } from './diagnose/diagnose.js';
export type { DescribeOptions } from './diagnose/diagnose.js';
export type {
  Attempt,
  ContextLimitInfo,
  DiagnoseOptions,
  Diagnosis,
  Hint,
  HintLink,
  Locale,
  Provider,
  RateLimitInfo,
  RetryStop,
  RetrySummary,
} from './diagnose/types.js';
export { LOCALES } from './diagnose/types.js';
export { CAUSES, CAUSE_CATALOGUE, isCause } from './data/causes.js';
export type { Cause, CauseEntry, FallbackScope, Origin } from './data/causes.js';

// Tiers, models, tokens and prices.
export { TIERS } from './data/tiers.js';
export type { Tier, TierLimits, TierQualification, VerificationNeed } from './data/tiers.js';
export { resolveModel, contextWindowOf, fitsContextWindow, modelsWithWindow } from './models/resolve.js';
export type { ResolvedModel, RoomyModel } from './models/resolve.js';
export { requiredTier } from './advisor/required-tier.js';
export type { ModelRequirement } from './advisor/required-tier.js';
export { tierFor } from './advisor/tier-for.js';
export type { PaymentHistory, TierStanding } from './advisor/tier-for.js';
export { upgradePlan } from './advisor/upgrade-plan.js';
export type { PlanStep, UpgradePlan, UpgradePlanOptions } from './advisor/upgrade-plan.js';
export { estimateRequest, countTextTokens } from './tokens/estimate.js';
export type {
  CountMethod,
  Endpoint,
  EstimateOptions,
  RequestEstimate,
  TokenCounter,
} from './tokens/estimate.js';
export { estimateCost } from './advisor/estimate-cost.js';
export type {
  CostAssumption,
  CostEstimate,
  EstimateCostOptions,
  ServiceTier,
} from './advisor/estimate-cost.js';

// Keys: never shown in full.
export { maskKey, maskSecrets } from './util/mask.js';
