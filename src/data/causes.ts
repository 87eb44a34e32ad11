/**
 * The cause catalogue: every failure tierguard can name, with what a retry or a fallback can do
 * about it. Pure data; `src/diagnose/recognize.ts` holds the logic that picks a cause.
 *
 * Source of the retry / fallback columns: ../shared/DESIGN.md ("Causes"), grounded in
 * openai-api.md Table 1 and notes A–C (for example: quota and billing 429s never recover by
 * retrying, HELP-QUOTA / HELP-429; "Request too large" can never fit the TPM, Table 1 #19).
 */

/** Every cause id, in catalogue order. The runtime list and the `Cause` type are one source. */
export const CAUSES = [
  'invalid_api_key',
  'organization_mismatch',
  'account_deactivated',
  'ip_not_allowed',
  'missing_scope',
  'region_unsupported',
  'model_not_found',
  'model_access_denied',
  'verification_required',
  'insufficient_quota',
  'spend_limit_reached',
  'billing_not_active',
  'rate_limited_requests',
  'rate_limited_tokens',
  'request_too_large',
  'slow_down',
  'context_length_exceeded',
  'content_policy',
  'invalid_request',
  'server_error',
  'overloaded',
  'timeout',
  'connection_error',
  'relay_error',
  'aborted',
  'budget_exhausted',
  'queue_full',
  'unknown',
] as const;

/** A named failure cause. */
export type Cause = (typeof CAUSES)[number];

/**
 * Where a fallback may send the request:
 * - `model`: another model (on the same or another endpoint) can serve;
 * - `endpoint`: only a chain entry with its own `baseURL` / `apiKey` can serve (the account is the problem);
 * - `none`: the request itself must change; no fallback helps.
 */
export type FallbackScope = 'model' | 'endpoint' | 'none';

/** Where a failure was decided. */
export type Origin = 'api' | 'network' | 'local';

/** What the catalogue says of one cause. */
export interface CauseEntry {
  /** A retry of the same request, after the right wait, can succeed. */
  readonly retryable: boolean;
  /** Which fallback can serve instead. */
  readonly fallbackTo: FallbackScope;
  /** Where this cause is decided when nothing more specific is known. */
  readonly origin: Origin;
  /** Account-level: a key, billing, quota or region problem that no other model on the same account fixes. */
  readonly accountLevel: boolean;
}

const entry = (
  retryable: boolean,
  fallbackTo: FallbackScope,
  origin: Origin = 'api',
  accountLevel = false,
): CauseEntry => ({ retryable, fallbackTo, origin, accountLevel });

/** The catalogue. `satisfies` ties it to `CAUSES`: a cause without an entry does not compile. */
export const CAUSE_CATALOGUE = {
  invalid_api_key: entry(false, 'endpoint', 'api', true),
  organization_mismatch: entry(false, 'none', 'api', true),
  account_deactivated: entry(false, 'endpoint', 'api', true),
  ip_not_allowed: entry(false, 'none', 'api', true),
  missing_scope: entry(false, 'none', 'api', true),
  region_unsupported: entry(false, 'endpoint', 'api', true),
  model_not_found: entry(false, 'model'),
  model_access_denied: entry(false, 'model'),
  verification_required: entry(false, 'model'),
  insufficient_quota: entry(false, 'endpoint', 'api', true),
  spend_limit_reached: entry(false, 'endpoint', 'api', true),
  billing_not_active: entry(false, 'endpoint', 'api', true),
  rate_limited_requests: entry(true, 'model'),
  rate_limited_tokens: entry(true, 'model'),
  request_too_large: entry(false, 'model'),
  slow_down: entry(true, 'model'),
  context_length_exceeded: entry(false, 'model'),
  content_policy: entry(false, 'none'),
  invalid_request: entry(false, 'none'),
  server_error: entry(true, 'model'),
  overloaded: entry(true, 'model'),
  timeout: entry(true, 'model', 'network'),
  connection_error: entry(true, 'endpoint', 'network'),
  relay_error: entry(true, 'endpoint', 'network'),
  aborted: entry(false, 'none', 'local'),
  budget_exhausted: entry(false, 'model', 'local'),
  queue_full: entry(false, 'none', 'local'),
  unknown: entry(false, 'none'),
} as const satisfies Record<Cause, CauseEntry>;

/** Is `value` one of the cause ids? */
export function isCause(value: unknown): value is Cause {
  return typeof value === 'string' && (CAUSES as readonly string[]).includes(value);
}
