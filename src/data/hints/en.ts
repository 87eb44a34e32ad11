/**
 * English hints, one per cause. Each names what happened using what the error said, the page to
 * open, and the steps that fix it, for the account at hand: the tier it has (never a step to reach
 * it), the endpoint it called (Azure and relays get their own words and pages), the kind of model
 * name (fine-tune, deployment, relay, retired). Warnings come from field-guides.md where users go wrong.
 */
import type { Cause } from '../causes.js';
import { TIERS, TIER_QUALIFICATIONS, VERIFICATION_PROPAGATION_MINUTES } from '../tiers.js';
import {
  higherTierSentence,
  limitSentence,
  moreRoomSentence,
  pacingSentence,
  reach,
  residencySentence,
  retried,
  retryStep,
  theModel,
  tierLimitSentence,
  waitSentence,
} from './en-parts.js';
import { pageLink } from './links.js';
import { accessHint, notFoundHint } from './en-models.js';
import { relayErrorHint, relayOverloadedHint } from './en-relays.js';
import type { Hint } from '../types.js';
import type { HintContext, HintTemplate } from './types.js';

export { FRAME_EN } from './en-parts.js';

const link = (id: Parameters<typeof pageLink>[0]) => pageLink(id, 'en');
const present = (...steps: (string | undefined)[]): string[] =>
  steps.filter((step): step is string => step !== undefined);

/** The organization's tier usage limit: what raises it for this account. */
function usageLimitStep(c: HintContext): string {
  if (c.tier === undefined)
    return 'A higher tier raises this limit (Limits shows your tier); or contact support (help.openai.com) for a higher approved limit.';
  const next = TIER_QUALIFICATIONS.rows[TIERS.indexOf(c.tier) + 1];
  if (next === undefined)
    return `${c.format.tier(c.tier)}'s usage limit is the highest a tier gives: contact support (help.openai.com) for a higher approved limit.`;
  return `${c.format.tier(next.tier)} raises it to ${c.format.usd(next.monthlyUsageLimitUsd)} a month (${reach(c, next)}); or contact support (help.openai.com) for a higher approved limit.`;
}

/** A call tierguard kept back: its predicted wait for the rate limit was above `maxWaitMs`. */
function localWait(c: HintContext, bucket: 'tokens' | 'requests') {
  const wait = c.waitMs === undefined ? 'longer' : c.format.wait(c.waitMs);
  return {
    title: `${theModel(c)} would wait too long for its ${bucket === 'tokens' ? 'tokens' : 'requests'}-per-minute limit`,
    why: `tierguard did not send the call: from its buckets and the calls queued ahead of it, it predicted a wait of ${wait} for ${theModel(c)}'s ${bucket === 'tokens' ? 'TPM' : 'RPM'} limit, more than the maxWaitMs you set. Nothing reached the API, so nothing counted against the limit.`,
    steps: present(
      `Retry after about ${wait}, or raise maxWaitMs (without it, calls wait their turn in the queue).`,
      `Give ${theModel(c)} a fallback chain (fallback: { model: ['gpt-4o-mini'] }, or fallback: 'cheaper'): a call predicted to wait too long goes to the first model of its chain that can serve it within maxWaitMs.`,
      bucket === 'tokens'
        ? 'Lower max_tokens / max_output_tokens: the limit counts the largest possible output, not what is produced.'
        : 'Spread bursts: fewer calls in parallel, or batch several inputs per call.',
      higherTierSentence(c) ?? moreRoomSentence(c),
    ),
    links: [link('limits'), link('rateLimitsGuide')],
  };
}

/** An Azure resource that accepts no keys (`AuthenticationTypeDisabled`, 403): only Microsoft Entra ID tokens. */
const keyAuthDisabled = (): Hint => ({
  title: 'The Azure resource accepts no API keys',
  why: 'Key authentication is disabled on this Azure OpenAI resource (`disableLocalAuth`): it accepts only Microsoft Entra ID tokens, whatever key is sent. A retry with a key cannot succeed.',
  steps: [
    "Authenticate with Microsoft Entra ID: new AzureOpenAI({ azureADTokenProvider: getBearerTokenProvider(new DefaultAzureCredential(), 'https://cognitiveservices.azure.com/.default') }), from @azure/identity; the identity needs the Cognitive Services OpenAI User role on the resource.",
    "Or ask the resource's administrator to allow key authentication (`disableLocalAuth: false`), if your organization's policy permits it.",
  ],
  links: [link('azureEntraId'), link('errorCodes')],
});

/** The English hint of every cause. */
export const HINTS_EN = {
  invalid_api_key: (c) =>
    c.code?.toLowerCase() === 'authenticationtypedisabled'
      ? keyAuthDisabled()
      : {
          title: 'The API key was not accepted',
          why:
            c.message.includes("didn't provide") || c.message.includes('did not provide')
              ? 'No API key reached the API: the Authorization header was missing or empty (is OPENAI_API_KEY set in this process?).'
              : c.provider === 'azure'
                ? `Azure OpenAI rejected the key${c.status === undefined ? '' : ` (${c.status})`}: it is not a key of this resource, or it was regenerated.`
                : `The ${c.provider === 'other' ? 'endpoint' : 'API'} rejected the key${c.keyEnding === undefined ? '' : ` ending in ${c.keyEnding}`}${c.status === undefined ? '' : ` (${c.status})`}: it is mistyped, revoked, belongs to another organization or project, or is a key for another provider or relay.`,
          steps: present(
            c.provider === 'azure'
              ? 'Copy a key of this Azure OpenAI resource (Azure portal → the resource → Keys and Endpoint); AzureOpenAI sends it as the api-key header, to the same resource’s endpoint.'
              : c.keyEnding === undefined
                ? 'Open API keys and check that the key in use exists and is active (compare the last four characters).'
                : `Open API keys and look for a key ending in ${c.keyEnding}: if none is listed, the key was deleted or belongs to another organization.`,
            'Make sure the process reads the key you think: print OPENAI_API_KEY masked, and look for stray spaces or quotes.',
            c.provider === 'other'
              ? 'The base URL is a relay or gateway: use the key it issued (not an OpenAI key).'
              : 'If you use a relay or Azure, use the key that endpoint issued, and its base URL.',
            residencySentence(c),
            'If the key was revoked or leaked, create a new one and replace it everywhere; never commit keys.',
          ),
          links: [
            c.provider === 'azure' ? link('azureDeployments') : link('apiKeys'),
            link('errorCodes'),
            ...(c.region === undefined ? [] : [link('residency')]),
          ],
        },
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
      'Do not keep changing networks or regions: it is no fix, and it can trip risk controls.',
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
  model_not_found: (c) => notFoundHint(c),
  model_access_denied: (c) => accessHint(c),
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
      `After verifying, wait up to ${VERIFICATION_PROPAGATION_MINUTES} minutes before calling again: access takes that long to propagate, and a call before that fails the same way.`,
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
    why: `The ${c.provider === 'other' ? 'endpoint' : 'API'} refused the call for billing, not for speed: there is no credit or quota left on this account. A retry cannot succeed, and the official client retries it anyway — tierguard does not.`,
    steps:
      c.provider === 'other'
        ? [
            "The base URL is a relay or gateway: top up the balance with it (its own billing page); OpenAI's Billing page does not hold this balance.",
            'Until credit is added, only a fallback to another endpoint (another key or account) can serve.',
          ]
        : [
            'Open Billing and check the credit balance; add credit (prepaid) or a payment method.',
            'If you just paid, check that the payment succeeded (Invoices) and that the card is verified: activation and quota are separate steps.',
            'Open Usage to see what consumed the quota, then set usage alerts so it does not surprise you again.',
            'Until credit is added, only a fallback to another endpoint (another key or account) can serve.',
          ],
    // A relay's balance is not on OpenAI's pages.
    links:
      c.provider === 'other'
        ? []
        : [link('billing'), link('paymentMethods'), link('usage'), link('helpQuota')],
  }),
  spend_limit_reached: (c) =>
    c.code === 'organization_usage_limit_exceeded'
      ? {
          title: "The organization's monthly usage limit for its tier is reached",
          why: `OpenAI caps monthly usage per usage tier (${TIER_QUALIFICATIONS.rows
            .filter((row) => row.tier !== 'free')
            .map((row) => `${c.format.tier(row.tier)} ${c.format.usd(row.monthlyUsageLimitUsd)}`)
            .join(', ')}). This cap is set by OpenAI, not by you: no setting of yours raises it.`,
          steps: [
            'Open Limits to see the usage limit and this month’s usage; it resets with the month.',
            usageLimitStep(c),
            'Until then, only another endpoint (another account, Azure) can serve; for the months ahead, set usage alerts below the cap.',
          ],
          links: [link('limits'), link('usage'), link('helpQuota')],
        }
      : c.code === 'project_spend_limit_exceeded'
        ? {
            title: "The project's spend limit is reached",
            why: "The project's budget (a hard limit set on the project) is used up for this month. Other projects of the organization keep working.",
            steps: [
              'Open Projects → the project → Limits to see its budget and this month’s spend.',
              'Raise or remove the project budget, or wait for the monthly reset; a change is not instant.',
              'Meanwhile, a key of another project with budget left can serve; for the months ahead, set alerts below the budget.',
            ],
            links: [link('projects'), link('usage'), link('helpQuota')],
          }
        : c.provider === 'other'
          ? {
              // A gateway's own budget (a LiteLLM proxy caps spend per key, team, user or proxy).
              title: "The endpoint's budget for this key is used up",
              why: 'The gateway at the base URL refused the call before any provider was called: a budget set there (on the key, its team or user, or the whole proxy) is spent. A retry cannot succeed until it resets or is raised.',
              steps: [
                "Ask whoever runs the gateway to raise or reset the budget, or to tell you when it resets; OpenAI's Limits page does not hold it.",
                'Meanwhile, only another endpoint (another key or account) can serve.',
              ],
              links: [],
            }
          : {
              title: 'A spend limit is reached',
              why: 'A hard spend limit set on the organization is used up for this month. The quota does not come back by itself before the month resets.',
              steps: [
                'Open Limits to see the limit and this month’s spend.',
                'Raise or remove the limit, or wait for the monthly reset; a change is not instant, and spend can slightly overshoot a hard limit.',
                'Meanwhile, only another endpoint (another account, Azure) can serve; for the months ahead, set usage alerts below the limit.',
              ],
              links: [link('limits'), link('usage'), link('helpQuota')],
            },
  billing_not_active: () => ({
    title: 'Billing is not active on this account',
    why: 'The account has no active billing (no payment method, a failed payment, or a plan that ended). Every model is refused until billing works.',
    steps: [
      'Open Billing → Payment methods; add or re-add a card and make sure it is verified.',
      'Check Invoices for a failed payment and settle it.',
      'Right after adding a card, a small test payment confirms it works; then call again.',
      'Check the three separately — an active payment method, prepaid credit, access to the model: "The payment succeeded, so the model works" is a common misconception.',
    ],
    links: [link('paymentMethods'), link('billing')],
  }),
  rate_limited_requests: (c) =>
    c.origin === 'local'
      ? localWait(c, 'requests')
      : {
          title: `Too many requests${c.limit?.window === 'day' ? ' today' : ' per minute'} for ${theModel(c)}`,
          why: `The ${c.provider === 'azure' ? 'deployment' : c.organization === undefined ? 'organization' : `organization ${c.organization}`} hit its ${c.limit?.window === 'day' ? 'requests-per-day (RPD)' : 'requests-per-minute (RPM)'} limit${limitSentence(c)}. ${waitSentence(c)}`,
          steps: present(
            retryStep(c),
            pacingSentence(c),
            c.limit?.window === 'day'
              ? 'A daily limit resets slowly: fall back to another model for the rest of the day.'
              : 'Spread bursts: fewer calls in parallel, or batch several inputs per call.',
            tierLimitSentence(c),
            higherTierSentence(c) ?? moreRoomSentence(c),
            'Do not add a tight retry loop of your own: failed requests count toward the limit too, and keep you throttled.',
          ),
          links:
            c.provider === 'azure'
              ? [link('azureQuota')]
              : [link('limits'), link('rateLimitsGuide'), link('help429')],
        },
  rate_limited_tokens: (c) =>
    c.origin === 'local'
      ? localWait(c, 'tokens')
      : {
          title: `Too many tokens${c.limit?.window === 'day' ? ' today' : ' per minute'} for ${theModel(c)}`,
          why: `The ${c.provider === 'azure' ? 'deployment' : c.organization === undefined ? 'organization' : `organization ${c.organization}`} hit its ${c.limit?.window === 'day' ? 'tokens-per-day (TPD)' : 'tokens-per-minute (TPM)'} limit${limitSentence(c)}. The API counts the prompt plus max_tokens (the largest possible output) when the request arrives. ${waitSentence(c)}`,
          steps: present(
            retryStep(c),
            pacingSentence(c),
            'Set max_tokens / max_output_tokens close to the output you expect: the limit counts the maximum, not what is produced.',
            'Shorten prompts, or fall back to a model with a higher TPM.',
            tierLimitSentence(c),
            higherTierSentence(c) ?? moreRoomSentence(c),
          ),
          links:
            c.provider === 'azure'
              ? [link('azureQuota')]
              : [link('limits'), link('rateLimitsGuide'), link('help429')],
        },
  request_too_large: (c) => ({
    title: `One request is larger than ${theModel(c)}'s token limit`,
    why: `This single request needs more tokens than the per-minute limit allows at all${limitSentence(c)}. It can never succeed as it is, so it is not retried${c.origin === 'local' ? ' (tierguard refused it before sending, from its own estimate)' : ''}. Pacing cannot help: the request is larger than the whole bucket.`,
    steps: [
      'Lower max_tokens / max_output_tokens (the limit counts the maximum output), or shorten the prompt.',
      'Split the input into several smaller requests.',
      higherTierSentence(c) ?? `Or fall back to a model with a larger TPM limit. ${moreRoomSentence(c)}`,
    ],
    links: c.provider === 'azure' ? [link('azureQuota')] : [link('limits'), link('rateLimitsGuide')],
  }),
  slow_down: (c) => ({
    title: 'Traffic ramped up too fast',
    why: `The API asked to slow down: the request rate grew too quickly, even within the limits. ${waitSentence(c)}`,
    steps: [
      'Reduce the rate to where it was, hold it for about 15 minutes, then ramp up gradually (above 1M input TPM, grow by at most 50% per 15 minutes).',
      retried(
        c,
        'Let tierguard pace it rather than a retry loop of your own: it halves the calls it keeps in flight for this model and retries after the delay.',
      ),
    ],
    links: [link('errorCodes'), link('rateLimitsGuide')],
  }),
  resource_unavailable: (c) => ({
    title: 'Flex processing has no capacity for this request right now',
    why: `${c.provider === 'other' ? `The endpoint answered ${c.status ?? 429}: its flex tier is out of capacity` : 'The API answered 429 Resource Unavailable'}: service_tier "flex" trades availability for a lower price, and there was not enough capacity for ${theModel(c)}. This is not your rate limit, and the refused request is not billed. ${waitSentence(c)}`,
    steps: [
      retried(
        c,
        'Retry with exponential backoff (tierguard does): a flex request can complete once capacity frees up.',
      ),
      'If it must complete now, send it with service_tier: "auto" (or without service_tier) for standard processing, at standard prices.',
      'Give flex requests a long timeout (the guide suggests 15 minutes): they are slower, and timeouts are more likely.',
    ],
    // Another provider's flex tier (Groq's 498) is not described by OpenAI's guide.
    links: c.provider === 'other' ? [] : [link('flexProcessing')],
  }),
  context_length_exceeded: (c) => {
    const facts = c.context;
    const window = facts?.window;
    const larger = facts?.larger ?? [];
    const cut =
      facts?.excess === undefined
        ? 'Trim or summarize earlier messages, or retrieve less context.'
        : `Cut at least ${c.format.number(facts.excess)} tokens: trim or summarize earlier messages, or retrieve less context.`;
    return {
      title: `The request does not fit ${theModel(c)}'s context window`,
      why: `${
        window === undefined
          ? 'The prompt plus the requested output is longer than the model can take.'
          : facts?.inputLimit === true
            ? `${theModel(c)} takes at most ${c.format.number(window)} input tokens, whatever its window${facts.requested === undefined ? '' : `; this prompt came to ${c.format.number(facts.requested)}`}.`
            : `${theModel(c)}'s context window is ${c.format.number(window)} tokens${facts?.windowFromTable === true ? ' (its model page)' : ''}${facts?.requested === undefined ? '' : `; this request came to ${c.format.number(facts.requested)} (prompt plus max_tokens)`}.`
      } The same request will fail again.`,
      steps: present(
        cut,
        facts?.inputLimit === true
          ? undefined
          : facts?.completion === undefined
            ? 'Lower max_tokens so that prompt + output fits.'
            : `Or lower max_tokens: it asked for ${c.format.number(facts.completion)} tokens of output, and the window counts them.`,
        larger.length === 0
          ? 'Or fall back to a model with a longer context window.'
          : `Or fall back to a model whose window holds it: ${larger.map((entry) => `${c.format.code(entry.model)} (${c.format.number(entry.tokens)})`).join(', ')}. A context-length fallback helps only to such a model.`,
      ),
      links: [link('models')],
    };
  },
  content_policy: (c) => ({
    title:
      c.code === 'invalid_prompt'
        ? 'The prompt was flagged by the usage policy check'
        : 'The request was blocked by a content filter',
    why:
      c.code === 'invalid_prompt'
        ? 'Reasoning models check prompts against the usage policy; false positives happen.'
        : c.provider === 'azure'
          ? "Azure OpenAI's content filter rejected the prompt or the output (the error lists the categories)."
          : c.provider === 'other'
            ? "The endpoint's moderation (or its upstream's content filter) rejected the prompt or the output; the error may list the categories."
            : 'The safety system (or Azure content filtering) rejected the prompt or the output.',
    steps: [
      'Rephrase the request; remove content that could read as disallowed.',
      c.code === 'invalid_prompt'
        ? 'A retry sometimes passes; a non-reasoning model is another option.'
        : c.provider === 'other'
          ? 'A gateway may moderate some models only (OpenRouter does): another model there may take a legitimate request.'
          : 'On Azure, check the content filter configuration of the deployment.',
      'Log the request id to review it, but do not retry in a loop.',
    ],
    links:
      c.code === 'invalid_prompt'
        ? [link('reasoningPrompting')]
        : c.provider === 'azure'
          ? [link('azureContentFilter')]
          : c.provider === 'other'
            ? []
            : [link('errorCodes')],
  }),
  invalid_request: (c) =>
    c.code === 'data_residency_mismatch'
      ? {
          title: "The request does not match the project's data-residency region",
          why: `The API refused the call because its data-residency region does not match the project's${c.region === undefined ? '' : ` (this call went to ${c.endpointHost ?? c.region})`}. The same request will fail again.`,
          steps: [
            "Send the project's calls to its regional host (https://<region>.api.openai.com/v1), or use a project without data residency for this call.",
            'Check that the key belongs to the project set up for that region.',
          ],
          links: [link('residency'), link('projects')],
        }
      : {
          title: 'The API refused the request as invalid',
          why: `${c.status === undefined ? '' : `${c.status}: `}${c.message === '' ? 'the request is malformed' : c.message}${c.param === undefined ? '' : ` (parameter ${c.format.code(c.param)})`}. The same request will fail again.`,
          steps: [
            'Fix the request: the message and the parameter above say what the API objects to.',
            c.provider === 'azure'
              ? 'On Azure, a 404 or an unknown parameter often means an api-version that does not support the model or the feature, or a wrong deployment path.'
              : c.status === 404
                ? 'A 404 on a URL usually means a wrong base URL or path (does it end in /v1?).'
                : 'Check the parameter against the API reference for this endpoint and model.',
          ],
          links: [c.provider === 'azure' ? link('azureApiVersions') : link('errorCodes')],
        },
  server_error: (c) => ({
    title: c.status === 409 ? 'The request conflicted with another one' : 'The API had an internal error',
    why:
      c.status === 409
        ? 'The API answered 409 Conflict: another request changed the same resource at the same time. It is transient; the official client retries it too.'
        : `The server failed to process the request${c.status === undefined ? ' (the stream broke off with an error)' : ` (${c.status})`}. It is usually transient.`,
    steps: [
      retried(c, 'Retry after a short backoff (tierguard does, a bounded number of times).'),
      'If it persists, check the OpenAI status page and contact support with the request id.',
      c.requestId === undefined
        ? 'Keep the x-request-id header of failing calls for support.'
        : `Request id for support: ${c.requestId}.`,
    ],
    links: [link('status')],
  }),
  overloaded: (c) =>
    c.provider === 'other'
      ? relayOverloadedHint(c)
      : {
          title: 'The API is overloaded',
          why: `The servers are busy${c.status === undefined ? '' : ` (${c.status})`}; more quota would not help. ${waitSentence(c)}`,
          steps: [
            retried(c, 'Retry with a longer backoff (tierguard does).'),
            c.provider === 'azure'
              ? "Fall back to a deployment in another region (or a Global Standard deployment) for latency-sensitive paths: the region's capacity is short."
              : 'Fall back to another model or endpoint for latency-sensitive paths.',
            'Check the OpenAI status page.',
          ],
          links: [link('status')],
        },
  timeout: (c) => ({
    title: c.status === 408 ? 'The server timed out waiting for the request' : 'The request timed out',
    why:
      c.status === 408
        ? 'The API (or a proxy in front of it) answered 408 Request Timeout: the request did not arrive in full in time. It is transient.'
        : 'No answer arrived within the client timeout.',
    steps: [
      retried(c, 'Retry (tierguard does, a bounded number of times).'),
      'For long outputs, stream the response or raise the client timeout (flex processing needs a longer one).',
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
  relay_error: relayErrorHint,
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
  queue_full: (c) => ({
    title: 'Too many calls are waiting in tierguard’s queue',
    why: 'tierguard refused the call before sending it: the number of waiting calls reached maxQueued. The rate limit cannot absorb the incoming load.',
    steps: [
      'Send fewer calls at once, or raise maxQueued if waiting longer is acceptable.',
      c.tier === 'tier-5' || c.provider === 'azure' || c.provider === 'other'
        ? 'Fall back to a model with higher limits for part of the load, or move work that can wait to the Batch API.'
        : 'Fall back to a model with higher limits for part of the load, or reach a higher tier (Limits shows yours).',
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
