/**
 * Step 5a of diagnose: what a hint is written from — the diagnosis's own fields; what the tier data
 * says about the model against the account's tier (the tier it needs, whether the account has it,
 * the tier that would raise the limit that was hit); the model's kind (fine-tune, deployment, relay,
 * retired); for a context-length error, the window, the excess and the models whose window holds
 * the request; and the names the message carries (organization, project, scope, the key's end).
 */
import { requiredTier, tierQualification } from '../advisor/required-tier.js';
import { CAUSE_CATALOGUE } from '../data/causes.js';
import type { ContextFacts, HigherTier, HintContext, ModelSort, TierStanding } from '../data/hints/types.js';
import { MODEL_TIER_LIMITS, TIERS, type Tier, type TierLimits, type TierRow } from '../data/tiers.js';
import { contextWindowOf, modelsWithWindow, resolveModel, type ResolvedModel } from '../models/resolve.js';
import { tableOf } from '../models/table.js';
import type { ErrorFacts } from './normalize.js';
import { tierInMessage } from './recognize.js';
import type { ContextLimitInfo, Diagnosis, RateLimitInfo } from './types.js';

const rows = tableOf<TierRow>(MODEL_TIER_LIMITS.models);

/** Which column of the tier table a rate limit is about. */
function limitColumn(limit: RateLimitInfo, message: string): keyof TierLimits | undefined {
  // IPM 429s are worded like RPM ones and parsed as requests (fixtures: imagesRateLimited).
  if (/\(IPM\)|\bimages per min/i.test(message)) return 'imagesPerMinute';
  if (limit.window === 'day') return limit.kind === 'requests' ? 'requestsPerDay' : undefined;
  return limit.kind === 'requests' ? 'requestsPerMinute' : 'tokensPerMinute';
}

const rank = (tier: Tier): number => TIERS.indexOf(tier);

/**
 * The lowest tier above the account's whose published limit for `model` is above what the error
 * reported — and, for one request above the TPM (`request_too_large`), large enough for that
 * request. With the account's tier unknown, the tier whose published limit equals the reported one
 * stands in for it. A tier that publishes no daily limit where a lower one did comes back without
 * `limit` (none published).
 */
export function higherTierFor(
  model: string,
  limit: RateLimitInfo,
  message: string,
  tooLarge: boolean,
  accountTier?: Tier,
): HigherTier | undefined {
  const resolved = resolveModel(model);
  const row = rows.get(resolved.limitsFamily ?? resolved.family);
  const column = limitColumn(limit, message);
  const needed = tooLarge ? limit.requested : limit.limit;
  if (row === undefined || column === undefined || needed === undefined) return undefined;
  const matching = TIERS.find((tier) => row[tier]?.[column] === limit.limit);
  const floor = accountTier ?? matching;
  let seenColumn = false;
  for (const tier of TIERS) {
    const limits = row[tier];
    if (limits === undefined || limits === null) continue;
    const value = limits[column];
    if (value !== undefined) seenColumn = true;
    if (floor !== undefined && rank(tier) <= rank(floor)) continue;
    if (value === undefined) {
      if (seenColumn && column === 'requestsPerDay') return { tier, qualification: tierQualification(tier) };
      continue;
    }
    // Too large: a tier above the current limit (when known) that also holds the whole request.
    const fits = tooLarge
      ? value >= needed && (limit.limit === undefined || value > limit.limit)
      : value > needed;
    if (fits) return { tier, limit: value, qualification: tierQualification(tier) };
  }
  return undefined;
}

/** The account tier's published limit, when it is above the limit the API reported. */
function tierLimitFor(
  model: string,
  limit: RateLimitInfo,
  message: string,
  accountTier: Tier | undefined,
): { tier: Tier; limit: number } | undefined {
  if (accountTier === undefined || limit.limit === undefined) return undefined;
  const resolved = resolveModel(model);
  const column = limitColumn(limit, message);
  const value =
    column === undefined
      ? undefined
      : rows.get(resolved.limitsFamily ?? resolved.family)?.[accountTier]?.[column];
  return value !== undefined && value > limit.limit ? { tier: accountTier, limit: value } : undefined;
}

function sortOf(resolved: ResolvedModel | undefined, diagnosis: Omit<Diagnosis, 'hint'>): ModelSort {
  if (diagnosis.code?.toLowerCase() === 'deploymentnotfound') return 'deployment';
  if (resolved === undefined) return 'unknown';
  if (resolved.retired) return 'retired';
  if (resolved.form === 'fine-tune') return 'fine-tune';
  if (resolved.form === 'deployment') return 'deployment';
  if (resolved.form === 'relay') return 'relay';
  if (diagnosis.provider === 'azure') return 'deployment';
  return resolved.known ? 'openai' : 'unknown';
}

/** The tier a refused model needs against the account's tier. */
function standingOf(
  diagnosis: Omit<Diagnosis, 'hint'>,
  requirementTier: Tier | undefined,
): TierStanding | undefined {
  if (diagnosis.provider === 'azure' || diagnosis.provider === 'other') return undefined;
  const named = tierInMessage(diagnosis.message);
  const needed = named ?? requirementTier;
  if (needed === undefined) return undefined;
  const account = diagnosis.tier;
  return {
    needed,
    named: named !== undefined,
    qualification: tierQualification(needed),
    ...(account === undefined ? {} : { account, allows: rank(account) >= rank(needed) }),
  };
}

function contextFacts(model: string | undefined, limit: ContextLimitInfo | undefined): ContextFacts {
  const fromTable = model === undefined ? undefined : contextWindowOf(model);
  const window = limit?.limit ?? fromTable;
  const requested = limit?.requested;
  const excess =
    window !== undefined && requested !== undefined && requested > window ? requested - window : undefined;
  const family = model === undefined ? undefined : resolveModel(model).family;
  const needs = requested ?? (window === undefined ? undefined : window + 1);
  const larger =
    needs === undefined
      ? []
      : modelsWithWindow(needs, 4, limit?.input === true)
          .filter((candidate) => candidate.model !== family)
          .slice(0, 3);
  return {
    ...(window === undefined ? {} : { window }),
    windowFromTable: limit === undefined && fromTable !== undefined,
    ...(limit?.input === true ? { inputLimit: true } : {}),
    ...(requested === undefined ? {} : { requested }),
    ...(limit?.completion === undefined ? {} : { completion: limit.completion }),
    ...(excess === undefined ? {} : { excess }),
    larger,
  };
}

const ORGANIZATION = /\bin organization (org-[A-Za-z0-9_-]{1,64})/;
// "Incorrect API key provided: sk-proj-****…6789." — the API shows the key masked; keep its ending.
const SHOWN_KEY = /\bAPI key provided:\s{0,8}(\S{1,256})/i;
const SCOPE = /missing scopes?:\s{0,8}([\w.]{1,128}(?:,\s{0,8}[\w.]{1,128}){0,16})/i;
// What a hint quotes of a message: enough to read, never a page of text.
const QUOTED = 600;

/** `text` without the dots that end it (a loop, not `/\.+$/`: that pattern is quadratic on "….a"). */
function trimDots(text: string): string {
  let end = text.length;
  while (end > 0 && text.charAt(end - 1) === '.') end -= 1;
  return text.slice(0, end);
}

/** The context a diagnosis's hint is rendered from. `facts` adds what only the raw failure knew. */
export function hintContext(
  diagnosis: Omit<Diagnosis, 'hint'>,
  facts: Partial<ErrorFacts>,
): Omit<HintContext, 'format'> {
  const model = diagnosis.model;
  const resolved = model === undefined ? undefined : resolveModel(model);
  const foreign = diagnosis.provider === 'azure' || diagnosis.provider === 'other';
  const requirement =
    resolved?.known === true && model !== undefined && !foreign ? requiredTier(model) : undefined;
  const standing = standingOf(diagnosis, requirement?.tier);
  const message =
    diagnosis.message.length > QUOTED ? `${diagnosis.message.slice(0, QUOTED)}…` : diagnosis.message;
  const scope = SCOPE.exec(diagnosis.message)?.[1];
  const project = /\b(proj_[A-Za-z0-9]{1,64})\b/.exec(diagnosis.message)?.[1];
  const organization = ORGANIZATION.exec(diagnosis.message)?.[1] ?? diagnosis.headers['openai-organization'];
  const keyEnding = /([A-Za-z0-9]{4})\.?$/.exec(SHOWN_KEY.exec(diagnosis.message)?.[1] ?? '')?.[1];
  const rateLimit =
    diagnosis.limit === undefined || diagnosis.limit.kind === 'context' ? undefined : diagnosis.limit;
  const contextLimit = diagnosis.limit?.kind === 'context' ? diagnosis.limit : undefined;
  const rated = rateLimit !== undefined && model !== undefined && resolved?.known === true && !foreign;
  const higherTier = rated
    ? higherTierFor(
        model,
        rateLimit,
        diagnosis.message,
        diagnosis.cause === 'request_too_large',
        diagnosis.tier,
      )
    : undefined;
  const tierLimit = rated ? tierLimitFor(model, rateLimit, diagnosis.message, diagnosis.tier) : undefined;
  const entry = CAUSE_CATALOGUE[diagnosis.cause];
  // The answer's x-should-retry overruled the catalogue: the hint says so.
  const retryHeader =
    diagnosis.headers['x-should-retry'] !== undefined && entry.retryable !== diagnosis.retryable;
  return {
    cause: diagnosis.cause,
    origin: diagnosis.origin,
    message,
    knownModel: resolved?.known ?? false,
    modelSort: sortOf(resolved, diagnosis),
    ...(diagnosis.status === undefined ? {} : { status: diagnosis.status }),
    ...(diagnosis.code === undefined ? {} : { code: diagnosis.code }),
    ...(diagnosis.type === undefined ? {} : { type: diagnosis.type }),
    ...(diagnosis.param === undefined ? {} : { param: diagnosis.param }),
    ...(model === undefined ? {} : { model }),
    ...(diagnosis.requestedModel === undefined ? {} : { requestedModel: diagnosis.requestedModel }),
    ...(diagnosis.requestId === undefined ? {} : { requestId: diagnosis.requestId }),
    ...(diagnosis.retryAfterMs === undefined ? {} : { waitMs: diagnosis.retryAfterMs }),
    ...(diagnosis.retryAfterSource === undefined ? {} : { waitSource: diagnosis.retryAfterSource }),
    ...(rateLimit === undefined ? {} : { limit: rateLimit }),
    ...(diagnosis.cause === 'context_length_exceeded' ? { context: contextFacts(model, contextLimit) } : {}),
    ...(requirement === undefined ? {} : { requirement }),
    ...(standing === undefined ? {} : { standing }),
    ...(higherTier === undefined ? {} : { higherTier }),
    ...(tierLimit === undefined ? {} : { tierLimit }),
    ...(resolved?.fineTune === undefined
      ? {}
      : {
          fineTune: {
            base: resolved.fineTune.base,
            ...(resolved.fineTune.organization === undefined
              ? {}
              : { organization: resolved.fineTune.organization }),
          },
        }),
    ...(resolved?.vendor === undefined ? {} : { vendor: resolved.vendor }),
    ...(resolved?.successor === undefined ? {} : { successor: resolved.successor }),
    ...(resolved?.retiredOn === undefined ? {} : { retiredOn: resolved.retiredOn }),
    ...(diagnosis.tier === undefined ? {} : { tier: diagnosis.tier }),
    ...(diagnosis.provider === undefined ? {} : { provider: diagnosis.provider }),
    ...(diagnosis.region === undefined
      ? {}
      : { region: diagnosis.region, endpointHost: `${diagnosis.region}.api.openai.com` }),
    ...(diagnosis.retries === undefined ? {} : { retries: diagnosis.retries }),
    ...(retryHeader ? { retryHeader: diagnosis.retryable } : {}),
    ...(scope === undefined ? {} : { scope: trimDots(scope) }),
    ...(project === undefined ? {} : { project }),
    ...(organization === undefined ? {} : { organization }),
    ...(keyEnding === undefined ? {} : { keyEnding }),
    ...(diagnosis.cause === 'verification_required'
      ? {
          verificationOn:
            diagnosis.param === 'stream' || diagnosis.param === 'reasoning.summary'
              ? diagnosis.param
              : 'model',
        }
      : {}),
    ...(facts.networkCode === undefined ? {} : { networkCode: facts.networkCode }),
    ...(facts.host === undefined ? {} : { host: facts.host }),
  };
}
