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
  'resource_unavailable',
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

/**
 * What a server's `x-should-retry` header may do to a cause's `retryable` (openai-api.md §E6, Table 2):
 * - `decides`: `true` makes it retryable, `false` not — the failure can be transient on the server's side;
 * - `stops-only`: `false` is obeyed, `true` is not — the same request with the same account cannot
 *   succeed (quota, billing, spend, keys, a request too large for the window);
 * - `ignored`: decided by tierguard itself, before any server answered.
 */
export type ShouldRetryHeader = 'decides' | 'stops-only' | 'ignored';

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
  /**
   * The HTTP status an error of this cause found inside a 200 stream (before its first token) is
   * delivered with, so that the SDK raises the class it would raise for the same error as a status.
   */
  readonly streamStatus: number;
  /** Which bucket a refusal of this cause speaks for, for the rate-limit causes. */
  readonly rateLimitKind?: 'requests' | 'tokens' | 'slow_down';
  /** What the answer's `x-should-retry` header may change. */
  readonly shouldRetryHeader: ShouldRetryHeader;
  /**
   * With a client-error status other than 408, 409 and 429, the answer is final whatever
   * `retryable` says: the same request gets the same page again (a proxy's 401, 403 or 404), and
   * openai-node does not resend it either.
   */
  readonly finalOnClientError: boolean;
}

// Client errors openai-node resends (client.ts `shouldRetry`); any other 4xx is final for a
// cause `finalOnClientError`.
const RESENT_CLIENT_ERRORS: ReadonlySet<number> = new Set([408, 409, 429]);

/** A client-error status the same request gets again: 4xx but 408, 409 and 429. */
export function isFinalClientError(status: number | undefined): boolean {
  return status !== undefined && status >= 400 && status < 500 && !RESENT_CLIENT_ERRORS.has(status);
}

const entry = (
  retryable: boolean,
  fallbackTo: FallbackScope,
  streamStatus: number,
  more: {
    origin?: Origin;
    accountLevel?: boolean;
    rateLimitKind?: 'requests' | 'tokens' | 'slow_down';
    shouldRetryHeader?: ShouldRetryHeader;
    finalOnClientError?: boolean;
  } = {},
): CauseEntry => ({
  retryable,
  fallbackTo,
  origin: more.origin ?? 'api',
  accountLevel: more.accountLevel ?? false,
  streamStatus,
  ...(more.rateLimitKind === undefined ? {} : { rateLimitKind: more.rateLimitKind }),
  // A cause a retry can fix, or one nothing is known about, is the server's to judge.
  shouldRetryHeader:
    more.shouldRetryHeader ??
    (more.origin === 'local'
      ? 'ignored'
      : retryable || more.accountLevel !== true
        ? 'decides'
        : 'stops-only'),
  finalOnClientError: more.finalOnClientError ?? false,
});
const account = { accountLevel: true } as const;
// The same request on the same account fails the same way, whatever a header says.
const stopsOnly = { shouldRetryHeader: 'stops-only' } as const;

/** The catalogue. `satisfies` ties it to `CAUSES`: a cause without an entry does not compile. */
export const CAUSE_CATALOGUE = {
  invalid_api_key: entry(false, 'endpoint', 401, account),
  organization_mismatch: entry(false, 'none', 401, account),
  account_deactivated: entry(false, 'endpoint', 401, account),
  ip_not_allowed: entry(false, 'none', 401, account),
  missing_scope: entry(false, 'none', 403, account),
  region_unsupported: entry(false, 'endpoint', 403, account),
  model_not_found: entry(false, 'model', 404),
  model_access_denied: entry(false, 'model', 404, stopsOnly),
  verification_required: entry(false, 'model', 400, stopsOnly),
  insufficient_quota: entry(false, 'endpoint', 429, account),
  spend_limit_reached: entry(false, 'endpoint', 429, account),
  billing_not_active: entry(false, 'endpoint', 429, account),
  rate_limited_requests: entry(true, 'model', 429, { rateLimitKind: 'requests' }),
  rate_limited_tokens: entry(true, 'model', 429, { rateLimitKind: 'tokens' }),
  request_too_large: entry(false, 'model', 429, stopsOnly),
  slow_down: entry(true, 'model', 429, { rateLimitKind: 'slow_down' }),
  // Flex processing lacked capacity: not the account's limit (no bucket), not billed (§E3).
  resource_unavailable: entry(true, 'model', 429),
  context_length_exceeded: entry(false, 'model', 400, stopsOnly),
  content_policy: entry(false, 'none', 400),
  invalid_request: entry(false, 'none', 400, stopsOnly),
  server_error: entry(true, 'model', 500),
  overloaded: entry(true, 'model', 503),
  timeout: entry(true, 'model', 500, { origin: 'network' }),
  connection_error: entry(true, 'endpoint', 500, { origin: 'network' }),
  relay_error: entry(true, 'endpoint', 502, { origin: 'network', finalOnClientError: true }),
  // No answer: nothing a server said applies.
  aborted: entry(false, 'none', 400, { origin: 'local' }),
  budget_exhausted: entry(false, 'model', 429, { origin: 'local' }),
  queue_full: entry(false, 'none', 429, { origin: 'local' }),
  unknown: entry(false, 'none', 400),
} as const satisfies Record<Cause, CauseEntry>;

/** Is `value` one of the cause ids? */
export function isCause(value: unknown): value is Cause {
  return typeof value === 'string' && (CAUSES as readonly string[]).includes(value);
}
