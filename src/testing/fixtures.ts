/**
 * Faithful OpenAI error responses: for every cause the API can answer with, the status, headers and
 * body it really sends (openai-api.md Table 1, 1b and 2, each with its source). `apiErrors` builds
 * them with your own numbers (the simulator uses it); `fixtures` holds one or more ready examples
 * per cause for tests.
 */
import type { Cause } from '../data/causes.js';
import { formatGoDuration } from '../util/duration.js';
import { maskKey } from '../util/mask.js';

/** One HTTP answer of the API (or of a relay in front of it). */
export interface ErrorFixture {
  /** What `diagnose` names this answer. */
  readonly cause: Cause;
  /** HTTP status; 200 for errors that arrive inside a stream. */
  readonly status: number;
  /** Response headers, lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
  /** The raw body: JSON text, an HTML page, or an SSE stream when `stream` is true. */
  readonly body: string;
  /** The body is a `text/event-stream` whose error event comes after a 200. */
  readonly stream?: boolean;
  /** Where the status and wording come from. */
  readonly source: string;
  /** What is not confirmed about this shape. */
  readonly note?: string;
}

/** The JSON error body every OpenAI error uses: `{ error: { message, type, param, code } }`. */
export interface ApiErrorBody {
  readonly error: {
    readonly message: string;
    readonly type: string | null;
    readonly param: string | null;
    readonly code: string | null;
  };
}

const JSON_HEADERS = { 'content-type': 'application/json' } as const;
let requestCounter = 0;

/**
 * An API key for tests: shaped like a real one (`sk-proj-…`, long enough that masking and the API's
 * echo treat it as a key) and plainly fake: `prefix`, a repeated `FAKE`, then `ending` — the four
 * characters a masked key shows (`sk-proj-…abcd`). Built at run time, so no key-shaped literal
 * sits in a test file; give two keys of one test different endings.
 */
export function fakeApiKey(ending = '0000', prefix = 'sk-proj-'): string {
  return `${prefix}${'FAKE'.repeat(9)}${ending}`;
}

/** A request id in the API's form (`req_` + 32 hex). Deterministic, so snapshots stay stable. */
export function fakeRequestId(seed?: number): string {
  const value = seed ?? ++requestCounter;
  return `req_${value.toString(16).padStart(32, '0')}`;
}

function errorBody(
  message: string,
  type: string | null,
  code: string | null,
  param: string | null = null,
): string {
  const body: ApiErrorBody = { error: { message, type, param, code } };
  return JSON.stringify(body, null, 2);
}

function json(
  cause: Cause,
  status: number,
  body: string,
  source: string,
  extraHeaders: Readonly<Record<string, string>> = {},
  note?: string,
): ErrorFixture {
  return {
    cause,
    status,
    headers: { ...JSON_HEADERS, 'x-request-id': fakeRequestId(), ...extraHeaders },
    body,
    source,
    ...(note === undefined ? {} : { note }),
  };
}

/** Options of a rate-limit 429. */
export interface RateLimitOptions {
  readonly model: string;
  readonly organization?: string;
  readonly kind: 'requests' | 'tokens';
  readonly window?: 'minute' | 'day';
  readonly limit: number;
  readonly used: number;
  readonly requested: number;
  /** The wait the message and the headers announce. */
  readonly retryAfterMs: number;
  /** Add `retry-after` / `retry-after-ms` headers (OpenAI does not confirm sending them; Azure does). */
  readonly retryAfterHeaders?: boolean;
  /** Extra headers, e.g. the `x-ratelimit-*` set. */
  readonly headers?: Readonly<Record<string, string>>;
}

const windowLabel = (kind: 'requests' | 'tokens', window: 'minute' | 'day'): string =>
  `${kind} per ${window === 'minute' ? 'min' : 'day'} (${kind === 'requests' ? 'R' : 'T'}P${window === 'minute' ? 'M' : 'D'})`;

/** The `x-ratelimit-*` headers the API sends on every answer (openai-api.md Table 2). */
export function rateLimitHeaders(state: {
  readonly limitRequests: number;
  readonly remainingRequests: number;
  readonly resetRequestsMs: number;
  readonly limitTokens: number;
  readonly remainingTokens: number;
  readonly resetTokensMs: number;
}): Record<string, string> {
  return {
    'x-ratelimit-limit-requests': String(state.limitRequests),
    'x-ratelimit-limit-tokens': String(state.limitTokens),
    'x-ratelimit-remaining-requests': String(Math.max(0, Math.floor(state.remainingRequests))),
    'x-ratelimit-remaining-tokens': String(Math.max(0, Math.floor(state.remainingTokens))),
    'x-ratelimit-reset-requests': formatGoDuration(state.resetRequestsMs),
    'x-ratelimit-reset-tokens': formatGoDuration(state.resetTokensMs),
  };
}

/** Builders of the API's error answers, with your numbers and names. */
export const apiErrors = {
  /** 401 `invalid_api_key`: the API echoes the key masked (Table 1 #1). */
  invalidApiKey(key = fakeApiKey('6789')): ErrorFixture {
    const shown = `${key.slice(0, 8)}${'*'.repeat(Math.max(4, key.length - 12))}${key.slice(-4)}`;
    return json(
      'invalid_api_key',
      401,
      errorBody(
        `Incorrect API key provided: ${shown}. You can find your API key at https://platform.openai.com/account/api-keys.`,
        'invalid_request_error',
        'invalid_api_key',
      ),
      'openai-api.md Table 1 #1 (chatanywhere/GPT_API_free#62; OAI-ERR)',
    );
  },
  /** 401 with no key sent (Table 1 #5b). */
  missingApiKey(): ErrorFixture {
    return json(
      'invalid_api_key',
      401,
      errorBody(
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username. You can obtain an API key from https://platform.openai.com/account/api-keys.",
        'invalid_request_error',
        null,
      ),
      'openai-api.md Table 1 #5b (intitni/CopilotForXcode#573)',
    );
  },
  /** 401 organization / project header problems (Table 1 #3–6). */
  organization(
    code: 'no_organization' | 'mismatched_organization' | 'mismatched_project' | 'invalid_organization',
    organization = 'org-example',
  ): ErrorFixture {
    const messages = {
      no_organization:
        'You must be a member of an organization to use the API. Please contact us through our help center at help.openai.com.',
      mismatched_organization: 'OpenAI-Organization header should match organization for API key',
      mismatched_project: 'OpenAI-Project header should match project for API key',
      invalid_organization: `No such organization: ${organization}.`,
    } as const;
    return json(
      'organization_mismatch',
      401,
      errorBody(messages[code], 'invalid_request_error', code),
      `openai-api.md Table 1 #${{ no_organization: 3, mismatched_organization: 4, mismatched_project: 5, invalid_organization: 6 }[code]}`,
      {},
      code === 'mismatched_project' ? 'wording seen only in third-party fixtures' : undefined,
    );
  },
  /** 401 `account_deactivated` (Table 1 #7, 2024 wording). */
  accountDeactivated(): ErrorFixture {
    return json(
      'account_deactivated',
      401,
      errorBody(
        'The OpenAI account associated with this API key has been deactivated. If you are the developer for this OpenAI app, please check your email for more information. If you are seeing this error while using another app or site, please reach out to them for more help.',
        'invalid_request_error',
        'account_deactivated',
      ),
      'openai-api.md Table 1 #7 (ChatGPTNextWeb/NextChat#4176)',
    );
  },
  /** 401 request from an IP outside the project's allowlist (Table 1 #8). */
  ipNotAllowed(ip = '203.0.113.7'): ErrorFixture {
    return json(
      'ip_not_allowed',
      401,
      errorBody(
        `IP not authorized: requests from ${ip} are not allowed by the IP allowlist of this organization or project.`,
        'invalid_request_error',
        null,
      ),
      'openai-api.md Table 1 #8 (OAI-ERR: "IP not authorized")',
      {},
      'the error code and the exact message are not confirmed; only the phrase "IP not authorized" is documented',
    );
  },
  /** 401 restricted key or role without the needed scope. */
  missingScope(scope = 'model.request'): ErrorFixture {
    return json(
      'missing_scope',
      401,
      errorBody(
        `You have insufficient permissions for this operation. Missing scopes: ${scope}. Check that you have the correct role in your organization (Reader, Writer, Owner) and project (Member, Owner), and if you're using a restricted API key, that it has the necessary scopes.`,
        'invalid_request_error',
        'missing_scope',
      ),
      'Wei-Shaw/sub2api#1566 (401 body, 2026-04); openclaw/openclaw#47372',
    );
  },
  /** 403 `unsupported_country_region_territory` (Table 1 #9). */
  regionUnsupported(): ErrorFixture {
    return json(
      'region_unsupported',
      403,
      errorBody(
        'Country, region, or territory not supported',
        'request_forbidden',
        'unsupported_country_region_territory',
      ),
      'openai-api.md Table 1 #9 (home-assistant/core#120072; OAI-ERR)',
    );
  },
  /** 404 `model_not_found` (Table 1 #10); the cause depends on whether the model exists. */
  modelNotFound(
    model: string,
    cause: 'model_not_found' | 'model_access_denied' = 'model_not_found',
  ): ErrorFixture {
    return json(
      cause,
      404,
      errorBody(
        `The model \`${model}\` does not exist or you do not have access to it.`,
        'invalid_request_error',
        'model_not_found',
      ),
      'openai-api.md Table 1 #10 (timkmecl/chatgpt-vscode#45)',
    );
  },
  /** 403 project allowed-models restriction (Table 1 #11). */
  projectModelDenied(model: string, project = 'proj_abc123'): ErrorFixture {
    return json(
      'model_access_denied',
      403,
      errorBody(
        `Project \`${project}\` does not have access to model \`${model}\``,
        'invalid_request_error',
        'model_not_found',
      ),
      'openai-api.md Table 1 #11 (NousResearch/hermes-agent#60748)',
    );
  },
  /** Azure 401: a key of another resource, or the wrong endpoint (Azure's API gateway answers, `apim-request-id`). */
  azureInvalidKey(): ErrorFixture {
    return json(
      'invalid_api_key',
      401,
      JSON.stringify({
        error: {
          code: '401',
          message:
            'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
        },
      }),
      'SciSharp/BotSharp#386 (body and apim-request-id header); microsoft/semantic-kernel#10337',
      { 'apim-request-id': '3a1e7c7e-4f5b-4d6a-9b8c-0d1e2f3a4b5c' },
    );
  },
  /** Azure 404 `DeploymentNotFound` (Table 1b). */
  azureDeploymentNotFound(): ErrorFixture {
    return json(
      'model_not_found',
      404,
      JSON.stringify({
        error: {
          code: 'DeploymentNotFound',
          message:
            'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.',
        },
      }),
      'openai-api.md Table 1b (Azure-Samples/azure-search-openai-demo#391)',
    );
  },
  /** Organization verification needed: 403 for a model, 400 `unsupported_value` on `stream` or `reasoning.summary` (Table 1 #12–15). */
  verificationRequired(model: string, on: 'model' | 'stream' | 'reasoning.summary' = 'model'): ErrorFixture {
    const tail =
      'Please go to: https://platform.openai.com/settings/organization/general and click on Verify Organization. If you just verified, it can take up to 15 minutes for access to propagate.';
    if (on === 'model') {
      return json(
        'verification_required',
        403,
        errorBody(
          `Your organization must be verified to use the model \`${model}\`. ${tail}`,
          'invalid_request_error',
          null,
        ),
        'openai-api.md Table 1 #12 (openai-php/client#565; 403: Code-with-Beto/snapai#9)',
      );
    }
    const what = on === 'stream' ? 'stream this model' : 'generate reasoning summaries';
    return json(
      'verification_required',
      400,
      errorBody(
        `Your organization must be verified to ${what}. ${tail}`,
        'invalid_request_error',
        'unsupported_value',
        on,
      ),
      `openai-api.md Table 1 #${on === 'stream' ? 14 : 15} (${on === 'stream' ? 'LibreChat#6926' : 'continuedev/continue#9753'})`,
    );
  },
  /** 429 `insufficient_quota` (Table 1 #21). */
  insufficientQuota(): ErrorFixture {
    return json(
      'insufficient_quota',
      429,
      errorBody(
        'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
        'insufficient_quota',
        'insufficient_quota',
      ),
      'openai-api.md Table 1 #21 (OpenHands/OpenHands#998; OAI-ERR-2025)',
    );
  },
  /** 429 prepaid credits used up (Table 1 #22). */
  creditBalanceExhausted(): ErrorFixture {
    return json(
      'insufficient_quota',
      429,
      errorBody(
        'You have no credits remaining. Please add credits to your account to continue using the API.',
        'insufficient_quota',
        'credit_balance_exhausted',
      ),
      'openai-api.md Table 1 #22 (HELP-QUOTA; MS-IQ; UKGovernmentBEIS/inspect_ai#5340)',
      {},
      'the message is truncated in the source ("You have no credits remaining..."); the tail is ours',
    );
  },
  /** 429 spend or usage limits (Table 1 #23–25). */
  spendLimit(
    code:
      | 'organization_spend_limit_exceeded'
      | 'project_spend_limit_exceeded'
      | 'organization_usage_limit_exceeded',
  ): ErrorFixture {
    const messages = {
      organization_spend_limit_exceeded:
        'Your organization has reached its monthly spend limit. Raise the limit in your organization settings or wait until the next month.',
      project_spend_limit_exceeded:
        'This project has reached its monthly spend limit. Raise the project budget in the project settings or wait until the next month.',
      organization_usage_limit_exceeded:
        'Your organization has reached its monthly usage limit for its usage tier. Request a higher limit or wait until the next month.',
    } as const;
    return json(
      'spend_limit_reached',
      429,
      errorBody(messages[code], 'insufficient_quota', code),
      `openai-api.md Table 1 #${{ organization_spend_limit_exceeded: 23, project_spend_limit_exceeded: 24, organization_usage_limit_exceeded: 25 }[code]} (OAI-SPEND; HELP-QUOTA; MS-IQ)`,
      {},
      'the code is documented; the message wording is not (ours)',
    );
  },
  /** 400 `billing_hard_limit_reached` (Table 1 #27, images, 2023–2024). */
  billingHardLimit(): ErrorFixture {
    return json(
      'spend_limit_reached',
      400,
      errorBody('Billing hard limit has been reached', 'invalid_request_error', 'billing_hard_limit_reached'),
      'openai-api.md Table 1 #27 (dfinke/PowerShellAI#127)',
    );
  },
  /** 429 `billing_not_active` (Table 1 #26). */
  billingNotActive(): ErrorFixture {
    return json(
      'billing_not_active',
      429,
      errorBody(
        'Your account is not active, please check your billing details on our website.',
        'billing_not_active',
        'billing_not_active',
      ),
      'openai-api.md Table 1 #26 (lifan0127/ai-research-assistant#174; BerriAI/litellm#2743)',
    );
  },
  /** 429 `rate_limit_exceeded` on requests or tokens, per minute or per day (Table 1 #16–18). */
  rateLimited(options: RateLimitOptions): ErrorFixture {
    const window = options.window ?? 'minute';
    const organization = options.organization ?? 'org-example';
    const message =
      `Rate limit reached for ${options.model} in organization ${organization} on ${windowLabel(options.kind, window)}: ` +
      `Limit ${options.limit}, Used ${options.used}, Requested ${options.requested}. ` +
      `Please try again in ${formatGoDuration(options.retryAfterMs)}. Visit https://platform.openai.com/account/rate-limits to learn more.`;
    const retryHeaders: Record<string, string> =
      options.retryAfterHeaders === true
        ? {
            'retry-after-ms': String(Math.ceil(options.retryAfterMs)),
            'retry-after': String(Math.ceil(options.retryAfterMs / 1000)),
          }
        : {};
    return json(
      options.kind === 'tokens' ? 'rate_limited_tokens' : 'rate_limited_requests',
      429,
      errorBody(message, options.kind, 'rate_limit_exceeded'),
      'openai-api.md Table 1 #16 (TPM, MetaGPT#523), #17 (RPM, MS-RLR), #18 (RPD, openai-agents-js#1022)',
      { ...retryHeaders, ...options.headers },
      options.kind === 'requests' ? 'type "requests" for RPM/RPD 429s is not confirmed' : undefined,
    );
  },
  /** 429 "Request too large": one request above the TPM limit; never retried (Table 1 #19). */
  requestTooLarge(options: {
    model: string;
    organization?: string;
    limit: number;
    requested: number;
  }): ErrorFixture {
    return json(
      'request_too_large',
      429,
      errorBody(
        `Request too large for ${options.model} in organization ${options.organization ?? 'org-example'} on tokens per min (TPM): Limit ${options.limit}, Requested ${options.requested}. The input or output tokens must be reduced in order to run successfully. Visit https://platform.openai.com/account/rate-limits to learn more.`,
        'tokens',
        'rate_limit_exceeded',
      ),
      'openai-api.md Table 1 #19 (TheR1D/shell_gpt#653)',
    );
  },
  /** 429 `slow_down`: traffic ramped too fast (Table 1 #20, #37). */
  slowDown(): ErrorFixture {
    return json(
      'slow_down',
      429,
      errorBody(
        'Please reduce your rate of requests: your traffic increased too quickly. Ramp up gradually and try again.',
        'rate_limit_error',
        'slow_down',
      ),
      'openai-api.md Table 1 #20 (MS-RLR; OAI-ERR)',
      {},
      'code and type are documented; the message wording is ours',
    );
  },
  /** Azure 429 on the deployment's token rate (Table 1b). */
  azureTokenRateLimit(retryAfterSeconds = 33): ErrorFixture {
    return json(
      'rate_limited_tokens',
      429,
      JSON.stringify({
        error: {
          code: '429',
          message: `Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-02-01 have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after ${retryAfterSeconds} seconds. Please go here: https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit.`,
        },
      }),
      'openai-api.md Table 1b (openai/openai-node#1108; MS-AZ429)',
      { 'retry-after': String(retryAfterSeconds), 'retry-after-ms': String(retryAfterSeconds * 1000) },
    );
  },
  /**
   * 400 `context_length_exceeded` (Table 1 #28 chat, #29 Responses). With `completion`, the chat
   * message takes its second form: "you requested T tokens (P in the messages, C in the completion)".
   */
  contextLengthExceeded(options: {
    limit: number;
    requested: number;
    completion?: number;
    /** gpt-5's wording, a limit on the input alone: "Input tokens exceed the configured limit of N tokens". */
    input?: boolean;
    api?: 'chat' | 'responses';
  }): ErrorFixture {
    if (options.input === true) {
      return json(
        'context_length_exceeded',
        400,
        errorBody(
          `Input tokens exceed the configured limit of ${options.limit} tokens. Your messages resulted in ${options.requested} tokens. Please reduce the length of the messages.`,
          'invalid_request_error',
          'context_length_exceeded',
          'messages',
        ),
        'cline/cline#5474 (gpt-5-2025-08-07: "400 Input tokens exceed the configured limit of 272000 tokens. Your messages resulted in 289650 tokens.")',
        {},
        'the message and the 400 are from the report; the type, code and param are assumed from Table 1 #28',
      );
    }
    if (options.api === 'responses') {
      return json(
        'context_length_exceeded',
        400,
        errorBody(
          'Your input exceeds the context window of this model. Please adjust your input and try again.',
          'invalid_request_error',
          'context_length_exceeded',
          'input',
        ),
        'openai-api.md Table 1 #29 (dyad-sh/dyad#1672)',
      );
    }
    if (options.completion !== undefined) {
      return json(
        'context_length_exceeded',
        400,
        errorBody(
          `This model's maximum context length is ${options.limit} tokens. However, you requested ${options.requested} tokens (${options.requested - options.completion} in the messages, ${options.completion} in the completion). Please reduce the length of the messages or completion.`,
          'invalid_request_error',
          'context_length_exceeded',
          'messages',
        ),
        'openai-api.md Table 1 #28, second form (Chanzhaoyu/chatgpt-web#354)',
      );
    }
    return json(
      'context_length_exceeded',
      400,
      errorBody(
        `This model's maximum context length is ${options.limit} tokens. However, your messages resulted in ${options.requested} tokens. Please reduce the length of the messages.`,
        'invalid_request_error',
        'context_length_exceeded',
        'messages',
      ),
      'openai-api.md Table 1 #28 (crewAIInc/crewAI-examples#121)',
    );
  },
  /**
   * 429 Resource Unavailable: Flex processing (`service_tier: "flex"`) lacked capacity; not billed
   * (openai-api.md §E3).
   */
  flexResourceUnavailable(): ErrorFixture {
    return json(
      'resource_unavailable',
      429,
      errorBody(
        'Resource unavailable: there is not enough capacity to serve this request with flex processing right now. Retry later, or send it with service_tier "auto".',
        null,
        'resource_unavailable',
      ),
      'openai-api.md §E3 (platform.openai.com/docs/guides/flex-processing: "429 Resource Unavailable"; apps match the code resource_unavailable)',
      {},
      'the status and the code are documented; the message wording and the null type are ours',
    );
  },
  /** A model gated by usage tier: "Your organization must qualify for at least usage tier N to access <model>" (§E5). */
  tierRequired(model = 'o1-mini', tier = 5): ErrorFixture {
    return json(
      'model_access_denied',
      404,
      errorBody(
        `Your organization must qualify for at least usage tier ${tier} to access '${model}'.`,
        'invalid_request_error',
        'model_not_found',
      ),
      'openai-api.md §E5 (karthink/gptel#382: "Your organization must qualify for at least usage tier 5 to access \'o1-mini\'")',
      {},
      'the wording is from a user report; the 404 status and the model_not_found code are not confirmed',
    );
  },
  /** Any answer with the server's `x-should-retry` header (openai-api.md §E6, Table 2). */
  withShouldRetry(fixture: ErrorFixture, shouldRetry: boolean): ErrorFixture {
    return {
      ...fixture,
      headers: { ...fixture.headers, 'x-should-retry': String(shouldRetry) },
      source: `${fixture.source}; x-should-retry: openai-api.md §E6 (openai-node honours it when present)`,
      note: 'OpenAI itself is not confirmed to send x-should-retry; gateways do',
    };
  },
  /** 400 `invalid_prompt`: a reasoning model's usage-policy flag (Table 1 #30). */
  invalidPrompt(): ErrorFixture {
    return json(
      'content_policy',
      400,
      errorBody(
        'Invalid prompt: your prompt was flagged as potentially violating our usage policy. Please try again with a different prompt: https://platform.openai.com/docs/guides/reasoning#advice-on-prompting',
        'invalid_request_error',
        'invalid_prompt',
      ),
      'openai-api.md Table 1 #30 (usestrix/strix#1162)',
    );
  },
  /** 400 image safety-system rejection (Table 1 #31). */
  imageSafety(): ErrorFixture {
    return json(
      'content_policy',
      400,
      errorBody(
        'Your request was rejected as a result of our safety system. Your prompt may contain text that is not allowed by our safety system.',
        'invalid_request_error',
        'content_policy_violation',
      ),
      'openai-api.md Table 1 #31 (RanFeng/clipsketch-ai#6)',
      {},
      'content_policy_violation vs moderation_blocked is not confirmed',
    );
  },
  /** Azure 400 `content_filter` (Table 1b). */
  azureContentFilter(): ErrorFixture {
    return json(
      'content_policy',
      400,
      JSON.stringify({
        error: {
          message:
            "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry. To learn more about our content filtering policies please read our documentation: https://go.microsoft.com/fwlink/?linkid=2198766",
          type: null,
          param: 'prompt',
          code: 'content_filter',
          status: 400,
          innererror: {
            code: 'ResponsibleAIPolicyViolation',
            content_filter_result: {
              hate: { filtered: false, severity: 'safe' },
              violence: { filtered: true, severity: 'medium' },
            },
          },
        },
      }),
      'openai-api.md Table 1b (openai/openai-python#331)',
    );
  },
  /** 400 for a request the API does not accept (Table 1 #32 as an example). */
  invalidRequest(
    message = 'Invalid service_tier argument: The requested service tier is not allowed for this project.',
    param: string | null = 'service_tier',
  ): ErrorFixture {
    return json(
      'invalid_request',
      400,
      errorBody(message, 'invalid_request_error', null, param),
      'openai-api.md Table 1 #32 (OAI-ERR)',
    );
  },
  /** 500 `server_error` (Table 1 #33). */
  serverError(requestId = fakeRequestId()): ErrorFixture {
    return json(
      'server_error',
      500,
      errorBody(
        `The server had an error processing your request. Sorry about that! You can retry your request, or contact us through our help center at help.openai.com if you keep seeing this error. (Please include the request ID ${requestId} in your email.)`,
        'server_error',
        null,
      ),
      'openai-api.md Table 1 #33 (ai-genie/chatgpt-vscode#100; OAI-ERR-2025)',
      { 'x-request-id': requestId },
    );
  },
  /** 503 `server_is_overloaded` (Table 1 #35). */
  overloaded(): ErrorFixture {
    return json(
      'overloaded',
      503,
      errorBody(
        'Our servers are currently overloaded. Please try again later.',
        'service_unavailable_error',
        'server_is_overloaded',
      ),
      'openai-api.md Table 1 #35 (MS-RLR; Wei-Shaw/sub2api#6631)',
    );
  },
  /** A relay's or proxy's HTML error page instead of the API's JSON. */
  relayHtml(status = 502): ErrorFixture {
    const title = status === 520 ? '520: Web server is returning an unknown error' : `${status} Bad Gateway`;
    return {
      cause: 'relay_error',
      status,
      headers: { 'content-type': 'text/html; charset=UTF-8', server: 'cloudflare' },
      body: `<!DOCTYPE html>\n<html>\n<head><title>${title}</title></head>\n<body>\n<center><h1>${title}</h1></center>\n<hr><center>cloudflare</center>\n</body>\n</html>\n`,
      source: 'peers.md §4 (relay-originated failures); langchain-ai/langchainjs#11573',
    };
  },
  /** An error that arrives inside a 200 stream, as chat completions (`data: {"error":…}`) or Responses (`event: error`) send it. */
  streamError(options: {
    code: string;
    message: string;
    type?: string | null;
    cause: Cause;
    api?: 'chat' | 'responses';
    source: string;
    note?: string;
  }): ErrorFixture {
    const frame =
      options.api === 'responses'
        ? `event: error\ndata: ${JSON.stringify({ type: 'error', code: options.code, message: options.message, param: null, sequence_number: 1 })}\n\n`
        : `data: ${JSON.stringify({ error: { message: options.message, type: options.type ?? null, param: null, code: options.code } })}\n\n`;
    return {
      cause: options.cause,
      status: 200,
      headers: { 'content-type': 'text/event-stream; charset=utf-8', 'x-request-id': fakeRequestId() },
      body: frame,
      stream: true,
      source: options.source,
      ...(options.note === undefined ? {} : { note: options.note }),
    };
  },
  /** 404 for a path the API does not serve: `Invalid URL (POST /v1/xyz)`. */
  invalidUrl(method: string, path: string): ErrorFixture {
    return json(
      'invalid_request',
      404,
      errorBody(`Invalid URL (${method} ${path})`, 'invalid_request_error', null),
      'openai/openai-python#263 (InvalidRequestError "Invalid URL (POST /v1/chat/completions)"); corca-ai/EVAL#46',
      {},
      'the 404 status is how the API answers unknown paths; the issues show the message and type only',
    );
  },
  /** 400 for a body that is not valid JSON. */
  invalidJson(): ErrorFixture {
    return json(
      'invalid_request',
      400,
      errorBody(
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)",
        'invalid_request_error',
        null,
      ),
      'ChatGPTNextWeb/NextChat#4064 (body); microsoft/graphrag#2286 (400, same body)',
    );
  },
  /** 400 for a request without a `model`. */
  missingModel(): ErrorFixture {
    return json(
      'invalid_request',
      400,
      errorBody('you must provide a model parameter', 'invalid_request_error', null),
      'danielmiessler/Fabric#239 (400 body); lss233/kirara-ai#800',
    );
  },
  /**
   * A relay's own 429 (one-api / new-api style): the upstream error's type and code with the relay's
   * message, and none of the API's headers — no `x-ratelimit-*`, no `retry-after`, no request id.
   */
  relayRateLimited(relayRequestId = '20250423020142736330894dLoIRrS6'): ErrorFixture {
    return {
      // The relay's upstream pool is saturated, whatever the upstream's type and code: not the caller's limit.
      cause: 'overloaded',
      status: 429,
      headers: { 'content-type': 'application/json' },
      body: errorBody(
        `当前分组上游负载已饱和，请稍后再试 (request id: ${relayRequestId})`,
        'requests',
        'rate_limit_exceeded',
      ),
      source:
        'QuantumNous/new-api#991 (message "当前分组上游负载已饱和，请稍后再试 (request id: …)"); one-hub FilterOpenAIErr (a 429 keeps the upstream type and code, the message is replaced)',
      note: 'the relay forwards none of the API headers here; whether a given relay does is not confirmed',
    };
  },
  /** 429 on images per minute (IPM), worded like the API's RPM/TPM 429s (Table 1 #16–17). */
  imagesRateLimited(options: {
    model: string;
    organization?: string;
    limit: number;
    used: number;
    requested: number;
    retryAfterMs: number;
  }): ErrorFixture {
    return json(
      'rate_limited_requests',
      429,
      errorBody(
        `Rate limit reached for ${options.model} in organization ${options.organization ?? 'org-example'} on images per min (IPM): Limit ${options.limit}, Used ${options.used}, Requested ${options.requested}. Please try again in ${formatGoDuration(options.retryAfterMs)}. Visit https://platform.openai.com/account/rate-limits to learn more.`,
        'images',
        'rate_limit_exceeded',
      ),
      'openai-api.md note B (IPM is one of the five limits) and Table 1 #16–17 (the wording of RPM/TPM 429s)',
      {},
      'no IPM 429 was captured in the sources: the wording and the type "images" follow the RPM/TPM answers',
    );
  },
} as const;

/** Ready examples: at least one per cause the API (or a relay) can answer with. */
export const fixtures = {
  invalid_api_key: apiErrors.invalidApiKey(),
  missing_api_key: apiErrors.missingApiKey(),
  no_organization: apiErrors.organization('no_organization'),
  mismatched_organization: apiErrors.organization('mismatched_organization'),
  mismatched_project: apiErrors.organization('mismatched_project'),
  invalid_organization: apiErrors.organization('invalid_organization', 'org-doesnotexist'),
  account_deactivated: apiErrors.accountDeactivated(),
  ip_not_allowed: apiErrors.ipNotAllowed(),
  missing_scope: apiErrors.missingScope(),
  region_unsupported: apiErrors.regionUnsupported(),
  model_not_found: apiErrors.modelNotFound('gpt-4o-minii'),
  fine_tune_not_found: apiErrors.modelNotFound('ft:gpt-4o-mini-2024-07-18:acme::AbC123xy'),
  retired_model: apiErrors.modelNotFound('gpt-4-32k'),
  tier_required: apiErrors.tierRequired(),
  model_access_denied: apiErrors.modelNotFound('gpt-4o', 'model_access_denied'),
  project_model_denied: apiErrors.projectModelDenied('gpt-4.1'),
  azure_deployment_not_found: apiErrors.azureDeploymentNotFound(),
  azure_invalid_key: apiErrors.azureInvalidKey(),
  verification_required: apiErrors.verificationRequired('gpt-image-1'),
  verification_required_stream: apiErrors.verificationRequired('o3', 'stream'),
  verification_required_reasoning_summary: apiErrors.verificationRequired('o3', 'reasoning.summary'),
  insufficient_quota: apiErrors.insufficientQuota(),
  credit_balance_exhausted: apiErrors.creditBalanceExhausted(),
  credit_balance_exhausted_stream: apiErrors.streamError({
    cause: 'insufficient_quota',
    api: 'responses',
    code: 'credit_balance_exhausted',
    message: 'You have no credits remaining. Please add credits to your account to continue using the API.',
    source: 'peers.md V3: vercel/ai#21345 (no credit as HTTP 200 + SSE error)',
  }),
  organization_spend_limit_exceeded: apiErrors.spendLimit('organization_spend_limit_exceeded'),
  project_spend_limit_exceeded: apiErrors.spendLimit('project_spend_limit_exceeded'),
  organization_usage_limit_exceeded: apiErrors.spendLimit('organization_usage_limit_exceeded'),
  billing_hard_limit_reached: apiErrors.billingHardLimit(),
  billing_not_active: apiErrors.billingNotActive(),
  rate_limited_tokens: apiErrors.rateLimited({
    model: 'gpt-4o',
    organization: 'org-example',
    kind: 'tokens',
    limit: 30_000,
    used: 29_420,
    requested: 1_538,
    retryAfterMs: 1_916,
    headers: rateLimitHeaders({
      limitRequests: 500,
      remainingRequests: 488,
      resetRequestsMs: 1_440,
      limitTokens: 30_000,
      remainingTokens: 0,
      resetTokensMs: 58_840,
    }),
  }),
  rate_limited_requests: apiErrors.rateLimited({
    model: 'gpt-4o-mini',
    kind: 'requests',
    limit: 500,
    used: 500,
    requested: 1,
    retryAfterMs: 120,
    headers: rateLimitHeaders({
      limitRequests: 500,
      remainingRequests: 0,
      resetRequestsMs: 120,
      limitTokens: 200_000,
      remainingTokens: 180_000,
      resetTokensMs: 6_000,
    }),
  }),
  rate_limited_requests_day: apiErrors.rateLimited({
    model: 'gpt-4o-mini',
    kind: 'requests',
    window: 'day',
    limit: 1_000,
    used: 1_000,
    requested: 1,
    retryAfterMs: 86_400,
  }),
  azure_token_rate_limit: apiErrors.azureTokenRateLimit(),
  request_too_large: apiErrors.requestTooLarge({ model: 'gpt-4o', limit: 30_000, requested: 31_538 }),
  slow_down: apiErrors.slowDown(),
  flex_resource_unavailable: apiErrors.flexResourceUnavailable(),
  context_length_exceeded: apiErrors.contextLengthExceeded({ limit: 128_000, requested: 131_072 }),
  context_length_exceeded_input: apiErrors.contextLengthExceeded({
    limit: 272_000,
    requested: 289_650,
    input: true,
  }),
  context_length_exceeded_requested: apiErrors.contextLengthExceeded({
    limit: 8_192,
    requested: 8_242,
    completion: 4_096,
  }),
  context_length_exceeded_responses: apiErrors.contextLengthExceeded({
    limit: 0,
    requested: 0,
    api: 'responses',
  }),
  invalid_prompt: apiErrors.invalidPrompt(),
  image_safety: apiErrors.imageSafety(),
  azure_content_filter: apiErrors.azureContentFilter(),
  invalid_request: apiErrors.invalidRequest(),
  server_error: apiErrors.serverError(),
  server_error_should_not_retry: apiErrors.withShouldRetry(apiErrors.serverError(), false),
  data_residency_mismatch: apiErrors.streamError({
    cause: 'invalid_request',
    api: 'responses',
    code: 'data_residency_mismatch',
    message: "This request's data residency region does not match the project's.",
    note: 'the code is in the Responses error enum (a failed response carries it in response.error); the message wording and this error-event shape are ours',
    source:
      'openai-api.md Table 1 notes: `data_residency_mismatch` in the Responses `response.error.code` enum (openai-node src/resources/responses/responses.ts); §E2',
  }),
  server_error_stream: apiErrors.streamError({
    cause: 'server_error',
    code: 'server_error',
    type: 'server_error',
    message:
      'An error occurred while processing your request. You can retry your request, or contact us through our help center at help.openai.com if the error persists. Please include the request ID req_0123456789abcdef in your message.',
    source: 'openai-api.md Table 1 #34 (openai/openai-node#1730)',
  }),
  overloaded: apiErrors.overloaded(),
  overloaded_legacy: json(
    'overloaded',
    503,
    errorBody(
      'That model is currently overloaded with other requests. You can retry your request, or contact us through our help center at help.openai.com if the error persists.',
      'server_error',
      null,
    ),
    'openai-api.md Table 1 #36 (openai/openai-python#414)',
  ),
  relay_html_502: apiErrors.relayHtml(502),
  relay_html_520: apiErrors.relayHtml(520),
} as const satisfies Record<string, ErrorFixture>;

/** The name of a ready fixture. */
export type FixtureName = keyof typeof fixtures;

/** Turns a fixture into a `Response`, the way the API's answer reaches `fetch`. */
export function toResponse(fixture: ErrorFixture): Response {
  return new Response(fixture.body, { status: fixture.status, headers: fixture.headers });
}

/** Masks a key the way `tierguard` shows keys (re-exported for tests that build their own bodies). */
export { maskKey };
