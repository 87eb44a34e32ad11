/**
 * What the caller knows of the account and the endpoint, read once and checked: the usage tier,
 * who served the call (OpenAI, Azure or another endpoint) and the data-residency region; and what
 * the answer's `x-should-retry` header may change (openai-api.md §E2, §E6, Table 1b).
 */
import { providerOfBaseURL, residencyRegionOf } from '../advisor/endpoint.js';
import { isFinalClientError, type CauseEntry } from '../data/causes.js';
import { RELAY_CREDIT_CODES } from '../data/recognition.js';
import { TIERS, type Tier } from '../data/tiers.js';
import { PROVIDERS, type Provider } from '../data/types.js';
import type { ErrorFacts } from './normalize.js';
import type { DiagnoseOptions, RetryStop, RetrySummary } from './types.js';

/** The account and endpoint a diagnosis is written for. */
export interface Account {
  readonly tier?: Tier;
  readonly provider?: Provider;
  readonly region?: string;
}

/** A tier from the options: one of `TIERS` (`'auto'` and anything else are unknown). */
export function tierOption(value: unknown): Tier | undefined {
  return TIERS.find((tier) => tier === value);
}

// What only Azure OpenAI answers with (Table 1b): its deployment and content-filter codes, its
// wording, and the headers of Azure's API front door.
const AZURE_CODES = new Set([
  'deploymentnotfound',
  'responsibleaipolicyviolation',
  'authenticationtypedisabled',
]);
const AZURE_WORDS = /\bAzure OpenAI\b|aka\.ms\/oai|invalid subscription key or wrong API endpoint/i;
const AZURE_HEADERS = ['apim-request-id', 'x-ms-region', 'azureml-model-session'];

function azureAnswer(facts: Partial<ErrorFacts>): boolean {
  const codes = [facts.code, facts.innerCode].map((code) => code?.toLowerCase());
  if (codes.some((code) => code !== undefined && AZURE_CODES.has(code))) return true;
  if (AZURE_HEADERS.some((name) => facts.headers?.[name] !== undefined)) return true;
  return AZURE_WORDS.test(facts.message ?? '');
}

// What only a relay answers with: the error types, credit codes and words of one-api / new-api
// (the relay software most OpenAI-compatible resellers run: its request id appended to the message,
// its upstream's saturation, a model no channel serves), and 402 (the API never sends it).
// Moonshot's `exceeded_current_quota_error` is no type of the API's either.
const RELAY_TYPES = /^(?:one_api_error|new_api_error|shell_api_error|exceeded_current_quota_error)$/i;
const RELAY_CODES: ReadonlySet<string> = new Set(RELAY_CREDIT_CODES);
const RELAY_WORDS = /上游(?:负载)?已饱和|无可用渠道|欠费|\(request id: [^)]{1,80}\)\s*$/;

function relayAnswer(facts: Partial<ErrorFacts>): boolean {
  if (facts.status === 402) return true;
  if (facts.code !== undefined && RELAY_CODES.has(facts.code.toLowerCase())) return true;
  return RELAY_TYPES.test(facts.type ?? '') || RELAY_WORDS.test(facts.message ?? '');
}

/** The account and endpoint, from the options first, then from the base URL and the answer. */
export function accountOf(options: DiagnoseOptions, facts: Partial<ErrorFacts>): Account {
  const tier = tierOption(options.tier);
  const given = PROVIDERS.find((provider) => provider === options.provider);
  const provider =
    given ??
    providerOfBaseURL(options.baseURL) ??
    (azureAnswer(facts) ? 'azure' : relayAnswer(facts) ? 'other' : undefined);
  const region = provider === 'openai' ? residencyRegionOf(options.baseURL) : undefined;
  return {
    ...(tier === undefined ? {} : { tier }),
    ...(provider === undefined ? {} : { provider }),
    ...(region === undefined ? {} : { region }),
  };
}

const STOPS: readonly RetryStop[] = ['attempts', 'elapsed', 'delay-cap', 'body'];

const count = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;

/** The retry summary from the options, checked field by field; `undefined` when it is not one. */
export function retriesOption(value: unknown): RetrySummary | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const summary = value as Partial<Record<keyof RetrySummary, unknown>>;
  const attempts = count(summary.attempts);
  const elapsedMs = count(summary.elapsedMs);
  if (attempts === undefined || elapsedMs === undefined) return undefined;
  const stoppedBy = STOPS.find((stop) => stop === summary.stoppedBy);
  return { attempts: Math.floor(attempts), elapsedMs, ...(stoppedBy === undefined ? {} : { stoppedBy }) };
}

/**
 * Whether a retry can succeed: the catalogue's word (a cause final on a client error is final with
 * `status` 4xx but 408, 409 and 429), unless the answer's `x-should-retry` says otherwise and the
 * cause lets it (`decides`: either way; `stops-only`: only `false`).
 */
export function retryableOf(
  entry: CauseEntry,
  headers: Readonly<Record<string, string>>,
  status?: number,
): boolean {
  const said = headers['x-should-retry']?.trim().toLowerCase();
  if (said !== 'true' && said !== 'false') {
    return entry.retryable && !(entry.finalOnClientError && isFinalClientError(status));
  }
  if (entry.shouldRetryHeader === 'decides') return said === 'true';
  if (entry.shouldRetryHeader === 'stops-only') return entry.retryable && said === 'true';
  return entry.retryable;
}
