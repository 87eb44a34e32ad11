/**
 * English hints, one per cause. Each names what happened using what the error said, the page to
 * open, and the steps that fix it; warnings come from field-guides.md where users go wrong.
 */
import type { Cause } from '../causes.js';
import {
  TIER_CHANGE_DELAY,
  TIER_QUALIFICATIONS,
  VERIFICATION_PROPAGATION_MINUTES,
  type TierQualification,
} from '../tiers.js';
import { pageLink } from './links.js';
import type { HintContext, HintTemplate } from './types.js';

const link = (id: Parameters<typeof pageLink>[0]) => pageLink(id, 'en');

const theModel = (c: HintContext): string => (c.model === undefined ? 'the model' : c.format.code(c.model));

const waitSentence = (c: HintContext): string =>
  c.waitMs === undefined
    ? 'The API did not say how long to wait.'
    : `The API asked to wait ${c.format.wait(c.waitMs)}${c.waitSource === undefined ? '' : ` (from ${c.waitSource})`}.`;

const limitSentence = (c: HintContext): string => {
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

const reach = (c: HintContext, q: TierQualification): string =>
  q.paidUsd === 0
    ? 'available on every account'
    : `reached after paying at least ${c.format.usd(q.paidUsd)} in total${q.daysSinceFirstPayment > 0 ? ` and ${q.daysSinceFirstPayment} days after the first successful payment` : ''}`;

const TIER_DELAY = `new limits can take ${TIER_CHANGE_DELAY.minHours}–${TIER_CHANGE_DELAY.maxHours} h to apply after the tier changes, not the moment you pay`;

const limitUnit = (c: HintContext): string => {
  if (/\(IPM\)|\bimages per min/i.test(c.message)) return 'images per minute';
  const unit = c.limit?.kind === 'tokens' ? 'tokens' : 'requests';
  return `${unit} per ${c.limit?.window === 'day' ? 'day' : 'minute'}`;
};

/** What the next tier would give: "Tier 2 raises `gpt-4o` to 450,000 tokens per minute (…)". */
const higherTierSentence = (c: HintContext): string | undefined => {
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

/** What tierguard's retry does with this wait (src/guard/retry.ts defaults: 3 attempts, 60 s cap). */
const retryStep = (c: HintContext): string =>
  c.waitMs !== undefined && c.waitMs > 60_000
    ? `This wait is longer than tierguard's retry cap (retry.maxDelayMs, 60 s by default), so it fails fast instead of holding the call; fall back to another model or retry later.`
    : 'Retry after the delay: tierguard does (up to 3 attempts by default), re-queuing the call behind its pacing.';

/** Whether tierguard's pacing would have kept this 429 from happening (DESIGN.md "Limits"). */
const pacingSentence = (c: HintContext): string => {
  if (c.limit?.window === 'day')
    return 'Pacing cannot make a daily limit larger: after this 429 tierguard holds calls to this model until the window frees up instead of sending them into more refusals; a fallback model or a higher tier is what restores service.';
  const bucket =
    c.limit?.kind === 'tokens' ? 'its estimated tokens fit the TPM bucket' : 'a request fits the RPM bucket';
  return `tierguard's pacing prevents this 429: it holds each call until ${bucket} (learned from the x-ratelimit-* headers), so calls wait instead of being refused — provided every process that shares this organization goes through it (use the Redis store across processes; other apps on the same organization still count).`;
};

const tierSentence = (c: HintContext): string | undefined => {
  const requirement = c.requirement;
  if (requirement?.tier === undefined || requirement.qualification === undefined) return undefined;
  const notOn =
    requirement.notSupportedOn.length > 0
      ? `; ${requirement.notSupportedOn.map((tier) => c.format.tier(tier)).join(', ')} cannot use it`
      : '';
  return `${theModel(c)} needs at least ${c.format.tier(requirement.tier)} (${reach(c, requirement.qualification)})${notOn}.`;
};

/** The English hint of every cause. */
export const HINTS_EN = {
  invalid_api_key: (c) => ({
    title: 'The API key was not accepted',
    why:
      c.message.includes("didn't provide") || c.message.includes('did not provide')
        ? 'No API key reached the API: the Authorization header was missing or empty (is OPENAI_API_KEY set in this process?).'
        : `The API rejected the key${c.keyEnding === undefined ? '' : ` ending in ${c.keyEnding}`}${c.status === undefined ? '' : ` (${c.status})`}: it is mistyped, revoked, belongs to another organization or project, or is a key for another provider or relay.`,
    steps: [
      c.keyEnding === undefined
        ? 'Open API keys and check that the key in use exists and is active (compare the last four characters).'
        : `Open API keys and look for a key ending in ${c.keyEnding}: if none is listed, the key was deleted or belongs to another organization.`,
      'Make sure the process reads the key you think: print OPENAI_API_KEY masked, and look for stray spaces or quotes.',
      'If you use a relay or Azure, use the key that endpoint issued, and its base URL.',
      'If the key was revoked or leaked, create a new one and replace it everywhere; never commit keys.',
    ],
    links: [link('apiKeys'), link('errorCodes')],
  }),
  organization_mismatch: (c) => ({
    title: 'The organization or project does not match the key',
    why: `The request named an organization or project (${c.code === undefined ? 'OpenAI-Organization / OpenAI-Project headers' : c.format.code(c.code)}) that the key does not belong to, or the account is not a member of any organization.`,
    steps: [
      'Remove the organization and project from the client (and unset OPENAI_ORG_ID and OPENAI_PROJECT_ID, which the SDK reads by itself), then try again: a project key already knows its project.',
      'If you need them, copy the ids from the organization settings and the project page of the same account that issued the key.',
      'If the message says you are not a member of an organization, accept the invitation or create an organization first.',
    ],
    links: [link('organization'), link('projects'), link('apiKeys')],
  }),
  account_deactivated: () => ({
    title: 'The account behind this key is deactivated',
    why: 'OpenAI deactivated the account or organization the key belongs to. No retry or other model on this account will work.',
    steps: [
      'Check the email of the account owner for a message from OpenAI about the deactivation.',
      'Contact OpenAI support through help.openai.com if you think it is a mistake.',
      'Until it is resolved, only a fallback to another endpoint (another account, Azure, a relay) can serve.',
    ],
    links: [link('errorCodes')],
  }),
  ip_not_allowed: (c) => ({
    title: "The request came from an IP address outside the project's allowlist",
    why: `The organization or project restricts API access to listed IP addresses, and this server's address is not on the list${c.status === undefined ? '' : ` (${c.status})`}.`,
    steps: [
      'Find the public egress IP of this server (NAT gateways and proxies change it).',
      'Add it to the IP allowlist in the organization or project security settings, or call from an allowed network.',
      'Changing networks or regions often is not a fix: it can trip risk controls.',
    ],
    links: [link('organization'), link('projects')],
  }),
  missing_scope: (c) => ({
    title:
      c.scope === undefined
        ? 'The key or role lacks a permission this call needs'
        : `The key or role lacks the scope ${c.format.code(c.scope)}`,
    why: 'Restricted keys and member roles only allow some endpoints. This call needs a permission the key (or your role in the organization or project) does not have.',
    steps: [
      `Open API keys, edit the key and grant${c.scope === undefined ? ' the permission for this endpoint' : ` ${c.format.code(c.scope)}`} (or use an unrestricted key).`,
      'Check your role in the organization (Reader, Writer, Owner) and in the project (Member, Owner).',
      'A new key may be needed: some permission changes apply only to keys created afterwards.',
    ],
    links: [link('apiKeys'), link('members')],
  }),
  region_unsupported: () => ({
    title: 'The API does not serve the country or region this request came from',
    why: 'OpenAI refuses requests from unsupported countries, regions and territories, judged by the egress IP of the server.',
    steps: [
      'Check where this server (or its egress proxy) is located, and the list of supported countries.',
      'Run the service in a supported region, or route through a compliant endpoint (Azure OpenAI, a provider you contract with).',
      'Do not hop between proxies or regions: frequent switching trips risk controls and can get the account reviewed. A free proxy is not a fix.',
    ],
    links: [link('countries')],
  }),
  model_not_found: (c) => ({
    title:
      c.code?.toLowerCase() === 'deploymentnotfound'
        ? `The Azure deployment${c.model === undefined ? '' : ` ${theModel(c)}`} does not exist`
        : c.model === undefined
          ? 'The model or deployment does not exist'
          : c.successor === undefined
            ? `The model ${theModel(c)} does not exist`
            : `The model ${theModel(c)} was retired`,
    why:
      c.code?.toLowerCase() === 'deploymentnotfound'
        ? 'Azure has no deployment with this name on this resource (a deployment created in the last few minutes may not be ready yet).'
        : c.successor === undefined
          ? `The API knows no model named ${theModel(c)}: the name is misspelled, belongs to another provider, or the base URL points to a server that does not have it.`
          : `The API no longer serves ${theModel(c)}.`,
    steps: [
      c.successor === undefined
        ? 'Check the exact model name against the models list (names are case-sensitive and dated snapshots end in -YYYY-MM-DD).'
        : `Switch to a current model such as ${c.format.code(c.successor)}.`,
      'Call GET /v1/models with the same key and base URL to see what this endpoint serves.',
      'On Azure, use the deployment name (not the model name) and check that the deployment exists.',
      'Try the flow on a cheap model first, then switch.',
    ],
    links: [link('models'), link('limits')],
  }),
  model_access_denied: (c) => {
    const tier = tierSentence(c);
    const project = c.message.toLowerCase().includes('project');
    return {
      title: `This account or project cannot use ${theModel(c)}`,
      why: project
        ? `The project${c.project === undefined ? '' : ` ${c.format.code(c.project)}`} restricts which models it may call, and ${theModel(c)} is not allowed.`
        : `${theModel(c)} exists, but this account cannot reach it yet. Paying does not unlock every model: access depends on the usage tier${tier === undefined ? '' : `. ${tier}`}`,
      steps: project
        ? [
            'Open the project settings and add the model to its allowed models (or use a project without the restriction).',
            'Or use a model the project allows.',
          ]
        : [
            'Open Limits to see your current usage tier and which models it includes.',
            ...(tier === undefined ? ['Check the model page for the tier it needs.'] : []),
            'Pay the amount for the target tier in one go rather than in small pieces, and note the date of your first successful payment: the waiting period counts from it.',
            `After the waiting period, check Limits again (reload it without the cache); new limits can take ${TIER_CHANGE_DELAY.minHours}–${TIER_CHANGE_DELAY.maxHours} h to apply. A small top-up often triggers the recalculation (community advice, not documented); contact support after ${TIER_CHANGE_DELAY.contactSupportAfterHours} h.`,
            'Check the model name matches exactly, and test the flow on a cheap model first.',
            'Meanwhile, fall back to a model this tier can use (for example gpt-4o-mini), or to another endpoint.',
          ],
      links: [link('limits'), link('billing'), project ? link('projects') : link('models')],
    };
  },
  verification_required: (c) => ({
    title:
      c.verificationOn === 'stream'
        ? `Streaming ${theModel(c)} needs a verified organization`
        : c.verificationOn === 'reasoning.summary'
          ? 'Reasoning summaries need a verified organization'
          : `${theModel(c)} needs a verified organization`,
    why: 'OpenAI requires organization verification (an ID check of a person in the organization) for this model or feature. Paying or a higher tier does not replace it.',
    steps: [
      'Open the organization settings and click Verify Organization; follow the ID check.',
      `After verifying, access can take up to ${VERIFICATION_PROPAGATION_MINUTES} minutes to propagate; retrying before that fails the same way.`,
      c.verificationOn === 'stream'
        ? 'Until then, call the model with stream: false, which does not need verification.'
        : c.verificationOn === 'reasoning.summary'
          ? 'Until then, drop reasoning.summary from the request.'
          : 'Until then, fall back to a model that does not need verification.',
    ],
    links: [link('organization'), link('helpVerification')],
  }),
  insufficient_quota: (c) => ({
    title:
      c.code === 'credit_balance_exhausted'
        ? 'The prepaid credit is used up'
        : 'The account has no quota left',
    why: 'The API refused the call for billing, not for speed: there is no credit or quota left on this account. A retry cannot succeed, and the official client retries it anyway — tierguard does not.',
    steps: [
      'Open Billing and check the credit balance; add credit (prepaid) or a payment method.',
      'If you just paid, check that the payment succeeded (Invoices) and that the card is verified: activation and quota are separate steps.',
      'Open Usage to see what consumed the quota, then set usage alerts so it does not surprise you again.',
      'Until credit is added, only a fallback to another endpoint (another key or account) can serve.',
    ],
    links: [link('billing'), link('paymentMethods'), link('usage'), link('helpQuota')],
  }),
  spend_limit_reached: (c) => ({
    title:
      c.code === 'project_spend_limit_exceeded'
        ? "The project's spend limit is reached"
        : c.code === 'organization_usage_limit_exceeded'
          ? "The organization's monthly usage limit for its tier is reached"
          : 'A spend limit is reached',
    why:
      c.code === 'organization_usage_limit_exceeded'
        ? `OpenAI caps monthly usage per usage tier (${TIER_QUALIFICATIONS.rows
            .filter((row) => row.tier !== 'free')
            .map((row) => `${c.format.tier(row.tier)} ${c.format.usd(row.monthlyUsageLimitUsd)}`)
            .join(', ')}). This is not a limit you set; it rises with the tier.`
        : 'A hard spend limit set on the organization or project is used up for this month. The quota does not come back by itself before the month resets.',
    steps: [
      'Open Limits (and the project settings for project budgets) to see the limit and this month’s spend.',
      'Raise or remove the limit, or wait for the monthly reset. A change is not instant, and the quota does not come back by itself after overspending.',
      'For the tier usage limit: a higher tier raises it; contact support for a higher approved limit.',
      'Route ordinary work to a lighter model (gpt-4o-mini) and set usage alerts below the limit.',
    ],
    links: [link('limits'), link('usage'), link('projects'), link('helpQuota')],
  }),
  billing_not_active: () => ({
    title: 'Billing is not active on this account',
    why: 'The account has no active billing (no payment method, a failed payment, or a plan that ended). Every model is refused until billing works.',
    steps: [
      'Open Billing → Payment methods; add or re-add a card and make sure it is verified.',
      'Check Invoices for a failed payment and settle it.',
      'Right after adding a card, a small test payment confirms it works; then call again.',
      '"The payment succeeded, so the model works" is a common misconception: an active payment method, prepaid credit and access to a model are separate steps.',
    ],
    links: [link('paymentMethods'), link('billing')],
  }),
  rate_limited_requests: (c) => ({
    title: `Too many requests${c.limit?.window === 'day' ? ' today' : ' per minute'} for ${theModel(c)}`,
    why: `The ${c.organization === undefined ? 'organization' : `organization ${c.organization}`} hit its ${c.limit?.window === 'day' ? 'requests-per-day (RPD)' : 'requests-per-minute (RPM)'} limit${limitSentence(c)}. ${waitSentence(c)}`,
    steps: [
      retryStep(c),
      pacingSentence(c),
      c.limit?.window === 'day'
        ? 'A daily limit resets slowly: fall back to another model for the rest of the day, or move up a tier.'
        : 'Spread bursts: fewer calls in parallel, or batch several inputs per call.',
      higherTierSentence(c) ?? 'Open Limits to see your tier and its limits; limits rise with the tier.',
      'Failed requests also count toward the limit: tight retry loops keep you throttled.',
    ],
    links: [link('limits'), link('rateLimitsGuide'), link('help429')],
  }),
  rate_limited_tokens: (c) => ({
    title: `Too many tokens${c.limit?.window === 'day' ? ' today' : ' per minute'} for ${theModel(c)}`,
    why: `The ${c.organization === undefined ? 'organization' : `organization ${c.organization}`} hit its ${c.limit?.window === 'day' ? 'tokens-per-day (TPD)' : 'tokens-per-minute (TPM)'} limit${limitSentence(c)}. The API counts the prompt plus max_tokens (the largest possible output) when the request arrives. ${waitSentence(c)}`,
    steps: [
      retryStep(c),
      pacingSentence(c),
      'Set max_tokens / max_output_tokens close to the output you expect: the limit counts the maximum, not what is produced.',
      'Shorten prompts, or fall back to a model with a higher TPM.',
      higherTierSentence(c) ?? 'Open Limits to see your tier; limits rise with the tier.',
    ],
    links: [link('limits'), link('rateLimitsGuide'), link('help429')],
  }),
  request_too_large: (c) => ({
    title: `One request is larger than ${theModel(c)}'s token limit`,
    why: `This single request needs more tokens than the per-minute limit allows at all${limitSentence(c)}. It can never succeed as it is, so it is not retried${c.origin === 'local' ? ' (tierguard refused it before sending, from its own estimate)' : ''}.`,
    steps: [
      'Lower max_tokens / max_output_tokens (the limit counts the maximum output), or shorten the prompt.',
      'Split the input into several smaller requests.',
      higherTierSentence(c) ??
        'Or fall back to a model with a larger TPM limit, or move up a tier (limits rise with the tier).',
      'Pacing cannot help: the request is larger than the whole bucket. tierguard refuses such a request before sending it when its estimate already exceeds the limit.',
    ],
    links: [link('limits'), link('rateLimitsGuide')],
  }),
  slow_down: (c) => ({
    title: 'Traffic ramped up too fast',
    why: `The API asked to slow down: the request rate grew too quickly, even within the limits. ${waitSentence(c)}`,
    steps: [
      'Reduce the rate to where it was, hold it for about 15 minutes, then ramp up gradually (above 1M input TPM, grow by at most 50% per 15 minutes).',
      'tierguard halves the calls it keeps in flight for this model and retries after the delay.',
    ],
    links: [link('errorCodes'), link('rateLimitsGuide')],
  }),
  context_length_exceeded: (c) => ({
    title: `The request does not fit ${theModel(c)}'s context window`,
    why: 'The prompt plus the requested output is longer than the model can take. The same request will fail again.',
    steps: [
      'Trim or summarize earlier messages, or retrieve less context.',
      'Lower max_tokens so that prompt + output fits.',
      'Or fall back to a model with a longer context window.',
    ],
    links: [link('models')],
  }),
  content_policy: (c) => ({
    title:
      c.code === 'invalid_prompt'
        ? 'The prompt was flagged by the usage policy check'
        : 'The request was blocked by a content filter',
    why:
      c.code === 'invalid_prompt'
        ? 'Reasoning models check prompts against the usage policy; false positives happen.'
        : 'The safety system (or Azure content filtering) rejected the prompt or the output.',
    steps: [
      'Rephrase the request; remove content that could read as disallowed.',
      c.code === 'invalid_prompt'
        ? 'A retry sometimes passes; a non-reasoning model is another option.'
        : 'On Azure, check the content filter configuration of the deployment.',
      'Log the request id to review it, but do not retry in a loop.',
    ],
    links: [c.code === 'invalid_prompt' ? link('reasoningPrompting') : link('errorCodes')],
  }),
  invalid_request: (c) => ({
    title: 'The API refused the request as invalid',
    why: `${c.status === undefined ? '' : `${c.status}: `}${c.message === '' ? 'the request is malformed' : c.message}${c.param === undefined ? '' : ` (parameter ${c.format.code(c.param)})`}. The same request will fail again.`,
    steps: [
      'Fix the request: the message and the parameter above say what the API objects to.',
      c.status === 404
        ? 'A 404 on a URL usually means a wrong base URL or path (does it end in /v1?).'
        : 'Check the parameter against the API reference for this endpoint and model.',
    ],
    links: [link('errorCodes')],
  }),
  server_error: (c) => ({
    title: c.status === 409 ? 'The request conflicted with another one' : 'The API had an internal error',
    why:
      c.status === 409
        ? 'The API answered 409 Conflict: another request changed the same resource at the same time. It is transient; the official client retries it too.'
        : `The server failed to process the request${c.status === undefined ? ' (the stream broke off with an error)' : ` (${c.status})`}. It is usually transient.`,
    steps: [
      'Retry after a short backoff (tierguard does, a bounded number of times).',
      'If it persists, check the OpenAI status page and contact support with the request id.',
      c.requestId === undefined
        ? 'Keep the x-request-id header of failing calls for support.'
        : `Request id for support: ${c.requestId}.`,
    ],
    links: [link('status')],
  }),
  overloaded: (c) => ({
    title: 'The API is overloaded',
    why: `The servers are busy${c.status === undefined ? '' : ` (${c.status})`}; more quota would not help. ${waitSentence(c)}`,
    steps: [
      'Retry with a longer backoff (tierguard does).',
      'Fall back to another model or endpoint for latency-sensitive paths.',
      'Check the OpenAI status page.',
    ],
    links: [link('status')],
  }),
  timeout: (c) => ({
    title: c.status === 408 ? 'The server timed out waiting for the request' : 'The request timed out',
    why:
      c.status === 408
        ? 'The API (or a proxy in front of it) answered 408 Request Timeout: the request did not arrive in full in time. It is transient.'
        : 'No answer arrived within the client timeout. Note that time spent waiting in the queue counts toward the client timeout.',
    steps: [
      'Retry (tierguard does, a bounded number of times).',
      'For long outputs, stream the response or raise the client timeout.',
      `Check the network path to ${c.host ?? 'the API'} (proxy, firewall).`,
    ],
    links: [link('status')],
  }),
  connection_error: (c) => ({
    title: `Could not connect to ${c.host ?? 'the API'}`,
    why: `The connection failed before the API answered${c.networkCode === undefined ? '' : ` (${c.networkCode})`}: DNS, a refused or reset connection, a proxy, or a region whose network cannot reach the API. This is not an API refusal.`,
    steps: [
      c.networkCode === 'ENOTFOUND' || c.networkCode === 'EAI_AGAIN'
        ? 'The host name did not resolve: check the base URL and DNS.'
        : 'Check that the base URL is right and reachable from this server (curl it).',
      'If you need a proxy, configure it for the client (fetchOptions dispatcher).',
      'In a region where the API is blocked, use a compliant endpoint rather than hopping proxies.',
    ],
    links: [link('status'), link('countries')],
  }),
  relay_error: (c) => ({
    title: 'A proxy or relay answered instead of the API',
    why: `The answer${c.status === undefined ? '' : ` (${c.status})`} was not the API's error: ${c.message === '' ? 'an empty body' : `"${c.message.slice(0, 160)}"`} came from a gateway, proxy, CDN or relay in front of the API${c.status !== undefined && c.status >= 520 && c.status <= 530 ? ' (52x statuses are Cloudflare’s)' : ''}.`,
    steps: [
      'Retry after a short backoff (tierguard does, a bounded number of times).',
      'Check the relay or proxy in front of the API (its status page, its logs); the base URL may be wrong.',
      'If it keeps failing, fall back to another endpoint.',
    ],
    links: [link('status')],
  }),
  aborted: () => ({
    title: 'The request was aborted',
    why: 'The caller aborted the request (an AbortSignal fired), or the guard was closed before the call was sent. Nothing is retried.',
    steps: [
      'If unintended, check what aborts the request (a timeout of your own, a closed client, a shutdown).',
    ],
    links: [],
  }),
  budget_exhausted: () => ({
    title: 'The monthly budget set in tierguard is spent',
    why: 'tierguard refused the call before sending it: this month’s spend reached the budget you configured (the budget option).',
    steps: [
      'Raise budget.monthlyUsd, or wait for the next month (UTC).',
      "Or set budget.onExhausted to 'fallback' to serve from the cheapest model of the chain, or 'warn' to only alert.",
      'Compare with the Usage page: tierguard prices calls from the usage the API reports.',
    ],
    links: [link('usage')],
  }),
  queue_full: () => ({
    title: 'Too many calls are waiting in tierguard’s queue',
    why: 'tierguard refused the call before sending it: the number of waiting calls reached maxQueued. The rate limit cannot absorb the incoming load.',
    steps: [
      'Send fewer calls at once, or raise maxQueued if waiting longer is acceptable.',
      'Move up a tier or fall back to a model with higher limits for part of the load.',
    ],
    links: [link('limits')],
  }),
  unknown: (c) => ({
    title: 'An unrecognised error',
    why: `${c.status === undefined ? '' : `${c.status}: `}${c.message === '' ? 'no message' : c.message}`,
    steps: [
      'Check the status, code and message above against the error codes page.',
      c.requestId === undefined
        ? 'Keep the x-request-id of the call for support.'
        : `Request id for support: ${c.requestId}.`,
    ],
    links: [link('errorCodes'), link('status')],
  }),
} as const satisfies Record<Cause, HintTemplate>;
