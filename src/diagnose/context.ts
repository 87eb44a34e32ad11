/**
 * Step 5a of diagnose: what a hint is written from — the diagnosis's own fields plus what the
 * tier data says about the model (the tier it needs, the tier that would raise the limit that was
 * hit), and the names the message carries (organization, project, scope, the key's last characters).
 */
import { requiredTier, tierQualification } from '../advisor/required-tier.js';
import type { HigherTier, HintContext } from '../data/hints/types.js';
import { MODEL_TIER_LIMITS, TIERS, type TierLimits, type TierRow } from '../data/tiers.js';
import { resolveModel } from '../models/resolve.js';
import type { ErrorFacts } from './normalize.js';
import type { Diagnosis, RateLimitInfo } from './types.js';

const rows: Readonly<Record<string, TierRow>> = MODEL_TIER_LIMITS.models;

/** Which column of the tier table a rate limit is about. */
function limitColumn(limit: RateLimitInfo, message: string): keyof TierLimits | undefined {
  // IPM 429s are worded like RPM ones and parsed as requests (fixtures: imagesRateLimited).
  if (/\(IPM\)|\bimages per min/i.test(message)) return 'imagesPerMinute';
  if (limit.window === 'day') return limit.kind === 'requests' ? 'requestsPerDay' : undefined;
  return limit.kind === 'requests' ? 'requestsPerMinute' : 'tokensPerMinute';
}

/**
 * The lowest tier whose published limit for `model` is above what the error reported — and, for
 * one request above the TPM (`request_too_large`), large enough for that request. A tier that
 * publishes no daily limit where a lower one did comes back without `limit` (none published).
 */
export function higherTierFor(
  model: string,
  limit: RateLimitInfo,
  message: string,
  tooLarge: boolean,
): HigherTier | undefined {
  const resolved = resolveModel(model);
  const row = rows[resolved.limitsFamily ?? resolved.family];
  const column = limitColumn(limit, message);
  const needed = tooLarge ? limit.requested : limit.limit;
  if (row === undefined || column === undefined || needed === undefined) return undefined;
  let seenColumn = false;
  for (const tier of TIERS) {
    const limits = row[tier];
    if (limits === undefined || limits === null) continue;
    const value = limits[column];
    if (value === undefined) {
      if (seenColumn && column === 'requestsPerDay') return { tier, qualification: tierQualification(tier) };
      continue;
    }
    seenColumn = true;
    // Too large: a tier above the current limit (when known) that also holds the whole request.
    const fits = tooLarge
      ? value >= needed && (limit.limit === undefined || value > limit.limit)
      : value > needed;
    if (fits) return { tier, limit: value, qualification: tierQualification(tier) };
  }
  return undefined;
}

const ORGANIZATION = /\bin organization (org-[A-Za-z0-9_-]+)/;
// "Incorrect API key provided: sk-proj-****…6789." — the API shows the key masked; keep its ending.
const SHOWN_KEY = /\bAPI key provided:\s*(\S+?)\.?(?:\s|$)/i;

/** The context a diagnosis's hint is rendered from. `facts` adds what only the raw failure knew. */
export function hintContext(
  diagnosis: Omit<Diagnosis, 'hint'>,
  facts: Partial<ErrorFacts>,
): Omit<HintContext, 'format'> {
  const model = diagnosis.model;
  const resolved = model === undefined ? undefined : resolveModel(model);
  const requirement = resolved?.known === true && model !== undefined ? requiredTier(model) : undefined;
  const message = diagnosis.message;
  const scope = /missing scopes?:\s*([\w.]+(?:,\s*[\w.]+)*)/i.exec(message)?.[1]?.replace(/\.+$/, '');
  const project = /\b(proj_[A-Za-z0-9]+)\b/.exec(message)?.[1];
  const organization = ORGANIZATION.exec(message)?.[1] ?? diagnosis.headers['openai-organization'];
  const keyEnding = /([A-Za-z0-9]{4})$/.exec(SHOWN_KEY.exec(message)?.[1] ?? '')?.[1];
  const higherTier =
    model === undefined ||
    diagnosis.limit === undefined ||
    diagnosis.limit.kind === 'context' ||
    resolved?.known !== true
      ? undefined
      : higherTierFor(model, diagnosis.limit, message, diagnosis.cause === 'request_too_large');
  return {
    cause: diagnosis.cause,
    origin: diagnosis.origin,
    message,
    knownModel: resolved?.known ?? false,
    ...(diagnosis.status === undefined ? {} : { status: diagnosis.status }),
    ...(diagnosis.code === undefined ? {} : { code: diagnosis.code }),
    ...(diagnosis.type === undefined ? {} : { type: diagnosis.type }),
    ...(diagnosis.param === undefined ? {} : { param: diagnosis.param }),
    ...(model === undefined ? {} : { model }),
    ...(diagnosis.requestId === undefined ? {} : { requestId: diagnosis.requestId }),
    ...(diagnosis.retryAfterMs === undefined ? {} : { waitMs: diagnosis.retryAfterMs }),
    ...(diagnosis.retryAfterSource === undefined ? {} : { waitSource: diagnosis.retryAfterSource }),
    ...(diagnosis.limit === undefined || diagnosis.limit.kind === 'context'
      ? {}
      : { limit: diagnosis.limit }),
    ...(requirement === undefined ? {} : { requirement }),
    ...(higherTier === undefined ? {} : { higherTier }),
    ...(resolved?.successor === undefined ? {} : { successor: resolved.successor }),
    ...(scope === undefined ? {} : { scope }),
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
