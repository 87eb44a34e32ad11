/**
 * Sentences the English hints share: waits and limits in words, what a tier takes, what a higher
 * tier gives, what pacing and retries do, who else may be why a model is refused, and the frame a
 * guarded call's final diagnosis gets (how its retries ended, what `x-should-retry` decided).
 */
import { TIER_CHANGE_DELAY, type TierQualification } from '../tiers.js';
import type { HintContext, HintFrame } from './types.js';

export const theModel = (c: HintContext): string =>
  c.model === undefined ? 'the model' : c.format.code(c.model);

export const waitSentence = (c: HintContext): string =>
  c.waitMs === undefined
    ? 'The API did not say how long to wait.'
    : `The API asked to wait ${c.format.wait(c.waitMs)}${c.waitSource === undefined ? '' : ` (from ${c.waitSource})`}.`;

export const limitSentence = (c: HintContext): string => {
  const limit = c.limit;
  if (limit === undefined) return '';
  const unit = limit.kind === 'tokens' ? 'tokens' : 'requests';
  const per = limit.window === 'day' ? 'per day' : 'per minute';
  const parts = [
    limit.limit === undefined ? undefined : `limit ${c.format.number(limit.limit)} ${unit} ${per}`,
    limit.used === undefined ? undefined : `used ${c.format.number(limit.used)}`,
    limit.requested === undefined ? undefined : `this request ${c.format.number(limit.requested)}`,
    limit.remaining === undefined ? undefined : `remaining ${c.format.number(limit.remaining)}`,
  ].filter((part): part is string => part !== undefined);
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
};

export const reach = (c: HintContext, q: TierQualification): string =>
  q.paidUsd === 0
    ? 'available on every account'
    : `reached after paying at least ${c.format.usd(q.paidUsd)} in total${q.daysSinceFirstPayment > 0 ? ` and ${q.daysSinceFirstPayment} days after the first successful payment` : ''}`;

export const TIER_DELAY = `new limits can take ${TIER_CHANGE_DELAY.minHours}–${TIER_CHANGE_DELAY.maxHours} h to apply after the tier changes, not the moment you pay`;

const limitUnit = (c: HintContext): string => {
  if (/\(IPM\)|\bimages per min/i.test(c.message)) return 'images per minute';
  const unit = c.limit?.kind === 'tokens' ? 'tokens' : 'requests';
  return `${unit} per ${c.limit?.window === 'day' ? 'day' : 'minute'}`;
};

/** What the next tier would give: "Tier 2 raises `gpt-4o` to 450,000 tokens per minute (…)". */
export const higherTierSentence = (c: HintContext): string | undefined => {
  const higher = c.higherTier;
  if (higher === undefined) return undefined;
  const tier = c.format.tier(higher.tier);
  const how = reach(c, higher.qualification);
  if (higher.limit === undefined)
    return `${tier} publishes no daily request limit for ${theModel(c)} (${how}); ${TIER_DELAY}.`;
  if (c.cause === 'request_too_large')
    return `${tier} gives ${theModel(c)} ${c.format.number(higher.limit)} ${limitUnit(c)}, enough for this request (${how}); ${TIER_DELAY}.`;
  return `${tier} raises ${theModel(c)} to ${c.format.number(higher.limit)} ${limitUnit(c)} (${how}); ${TIER_DELAY}.`;
};

/** Where a higher limit comes from when no higher tier gives one: the account, Azure or a relay. */
export const moreRoomSentence = (c: HintContext): string => {
  if (c.provider === 'azure')
    return "The limit is the deployment's quota (TPM, and RPM in proportion): raise the deployment's TPM in the Azure portal (Quotas), or request more quota for the region (aka.ms/oai/quotaincrease). OpenAI's usage tiers do not apply to Azure.";
  if (c.provider === 'other')
    return "The endpoint is a relay or gateway with its own limits: check its plan or dashboard. OpenAI's usage tiers do not apply to it.";
  if (c.tier === 'tier-5')
    return 'Tier 5 is the highest usage tier: move work that can wait to the Batch API, spread the load over time, or ask OpenAI (help.openai.com) for higher limits.';
  if (c.tier !== undefined)
    return `No tier above ${c.format.tier(c.tier)} publishes a larger limit for ${theModel(c)} than the one you hit: spread the load, use the Batch API for work that can wait, or fall back to a model with higher limits.`;
  return 'Open Limits to see your tier and its limits; limits rise with the tier.';
};

/** The account tier publishes more than the API reported: a project limit, or a tier change not applied yet. */
export const tierLimitSentence = (c: HintContext): string | undefined =>
  c.tierLimit === undefined || c.limit?.limit === undefined
    ? undefined
    : `${c.format.tier(c.tierLimit.tier)} publishes ${c.format.number(c.tierLimit.limit)} ${limitUnit(c)} for ${theModel(c)}, more than the ${c.format.number(c.limit.limit)} the API reported: the project may have a lower rate limit of its own (Projects → the project → Limits), or the new tier is not applied yet (${TIER_CHANGE_DELAY.minHours}–${TIER_CHANGE_DELAY.maxHours} h).`;

/** A step that says tierguard retries, unless the server's `x-should-retry: false` said not to. */
export const retried = (c: HintContext, step: string): string => {
  if (c.retryHeader === false)
    return 'The server answered x-should-retry: false: it says not to retry this request, so tierguard does not; fall back to another model or endpoint, or retry later yourself.';
  // The guard gave up already (the first step says why): what is left is a later call.
  if (c.retries?.stoppedBy !== undefined)
    return `A later call can still succeed${c.waitMs === undefined ? '' : ` once the wait the API asked for is over (${c.format.wait(c.waitMs)})`}: retry it later, or fall back to another model or endpoint.`;
  return step;
};

/** What tierguard's retry does with this wait (src/guard/retry.ts defaults: 3 attempts, 60 s cap). */
export const retryStep = (c: HintContext): string =>
  c.retryHeader === false || c.retries?.stoppedBy !== undefined
    ? retried(c, '')
    : c.waitMs !== undefined && c.waitMs > 60_000
      ? `This wait is longer than tierguard's retry cap (retry.maxDelayMs, 60 s by default), so it fails fast instead of holding the call; fall back to another model or retry later.`
      : 'Retry after the delay: tierguard does (up to 3 attempts by default), re-queuing the call behind its pacing.';

/** Whether tierguard's pacing would have kept this 429 from happening (DESIGN.md "Limits"). */
export const pacingSentence = (c: HintContext): string => {
  if (c.limit?.window === 'day')
    return 'Pacing cannot make a daily limit larger: after this 429 tierguard holds calls to this model until the window frees up instead of sending them into more refusals; a fallback model or a higher limit is what restores service.';
  const bucket =
    c.limit?.kind === 'tokens' ? 'its estimated tokens fit the TPM bucket' : 'a request fits the RPM bucket';
  return `tierguard's pacing prevents this 429: it holds each call until ${bucket} (learned from the x-ratelimit-* headers), so calls wait instead of being refused — provided every process that shares this ${c.provider === 'azure' ? 'deployment' : 'organization'} goes through it (use the Redis store across processes; other apps on the same ${c.provider === 'azure' ? 'deployment' : 'organization'} still count).`;
};

/** A tier change takes time to reach the limits; when to ask support. */
export const pendingTierStep = (): string =>
  `A tier change is not immediate: ${TIER_DELAY}. Contact support (help.openai.com) if nothing changed after ${TIER_CHANGE_DELAY.contactSupportAfterHours} h.`;

/** The steps that reach a tier: pay, wait, check, allow for the delay, then support. */
export const reachSteps = (c: HintContext, q: TierQualification): string[] => [
  `Pay what ${c.format.tier(q.tier)} needs in one go (at least ${c.format.usd(q.paidUsd)} paid in total, not several small top-ups), and note the date of your first successful payment${q.daysSinceFirstPayment > 0 ? `: the ${q.daysSinceFirstPayment}-day wait counts from it` : ''}.`,
  `Then check Limits (reload without the cache); a small top-up often triggers the recalculation (community advice, not documented). ${pendingTierStep()}`,
];

/** Who else may refuse a model the tier allows. */
export const accessSuspects = (c: HintContext): string[] => [
  `Open Projects → the key's project → Limits, and check that ${theModel(c)} is among the project's allowed models.`,
  c.requirement?.verification?.access === true
    ? `${theModel(c)} needs a verified organization: Organization settings → Verify Organization (access can take 15 minutes after).`
    : 'Check Organization settings: some models need a verified organization (Verify Organization).',
  'If the key is a restricted one, open API keys and give it the permission to call models (or try an unrestricted key of the same project).',
  `Check the base URL and organization: a relay, proxy or Azure endpoint in between serves its own models, and a key of another organization has that organization's tier (GET /v1/models with the same key and base URL lists what you can call).`,
];

/** A data-residency host's note: eligible models and keys. */
export const residencySentence = (c: HintContext): string | undefined =>
  c.region === undefined
    ? undefined
    : `This call went to ${c.endpointHost ?? 'a regional host'} (data residency, region ${c.region}): regional endpoints serve only eligible models and endpoints, and expect a key of a project set up for that region; see the data-residency help article.`;

/** The error names another model than the call asked for. */
export const renamedSentence = (c: HintContext): string | undefined =>
  c.requestedModel === undefined || c.model === undefined
    ? undefined
    : `This call asked for ${c.format.code(c.requestedModel)}, but the error names ${theModel(c)}: something in between renamed it (a relay's model mapping, a deployment alias, a wrapper's default model), or the error belongs to another call. Fix the name where it is set.`;

/** The frame of a guarded call's final diagnosis. */
export const FRAME_EN: HintFrame = {
  retries: (c, r) => {
    if (r.attempts === 0) return 'tierguard refused this call before sending it: nothing reached the API.';
    const times = r.attempts === 1 ? 'once' : `${r.attempts} times over ${c.format.wait(r.elapsedMs)}`;
    const sent = `tierguard sent this call ${times}`;
    switch (r.stoppedBy) {
      case 'attempts':
        return `${sent} and stopped: retry.maxAttempts was reached.`;
      case 'elapsed':
        return `${sent} and stopped: retry.maxElapsedMs had passed since the first attempt.`;
      case 'delay-cap':
        return `${sent} and stopped: the API asked to wait ${c.waitMs === undefined ? 'longer' : c.format.wait(c.waitMs)}, more than retry.maxDelayMs allows, so the call failed fast instead of waiting.`;
      case 'body':
        return `${sent} and stopped: the request body is a stream and cannot be sent again.`;
      default:
        return `${sent}: the cause it ended with is not one a retry can fix.`;
    }
  },
  retryHeader: () =>
    'The server answered x-should-retry: true: it says a retry of this request can succeed, so tierguard retries it (a bounded number of times).',
};
