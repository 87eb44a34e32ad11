/**
 * How each cause is recognised: an ordered table, first match wins. A rule matches when every field
 * it sets matches. Codes come first, then types, then statuses; message patterns only where the
 * API gives nothing better (org verification, "Request too large", Azure wording) — house style §3.
 * Sources are rows of openai-api.md (Table 1 #N, Table 1b).
 */
import type { Cause } from './causes.js';

/** What kind of failure the facts describe before any rule applies. */
export type FailureKind = 'http' | 'stream' | 'connection' | 'timeout' | 'abort' | 'unknown';

/** One recognition rule. */
export interface RecognitionRule {
  readonly cause: Cause;
  /** `error.code` is one of these (case-insensitive). */
  readonly codes?: readonly string[];
  /** `error.type` is one of these. */
  readonly types?: readonly string[];
  readonly statuses?: readonly number[];
  /**
   * The error message (or a non-JSON body) matches; with several patterns, every one matches
   * somewhere. Each pattern must run in linear time on any text (no `A.*B` over the message:
   * split it into `[A, B]`), and the text is capped before any pattern runs.
   */
  readonly message?: RegExp | readonly RegExp[];
  readonly kinds?: readonly FailureKind[];
  /** The body was not JSON (an HTML or text page from a proxy or relay). */
  readonly nonJsonBody?: boolean;
  /** The answer carried (`true`) or lacked (`false`) the API's error object. */
  readonly apiErrorBody?: boolean;
  /** The status is (`true`) or is not (`false`: a 5xx, or none, as in a stream) a client error (4xx). */
  readonly clientStatus?: boolean;
  /**
   * The refusal speaks of the endpoint's own model list (Azure deployments, another provider's
   * catalogue, a proxy's model groups, a self-hosted server): a model OpenAI has stays not found
   * there, where OpenAI's own 404 for it would mean this key may not use it.
   */
  readonly endpointCatalogue?: boolean;
  /** Where this rule comes from. */
  readonly source: string;
}

/** The codes one-api / new-api relays refuse a key or user with when its credit there is used up. */
export const RELAY_CREDIT_CODES = ['insufficient_user_quota', 'pre_consume_token_quota_failed'] as const;

const SPEND_CODES = [
  'organization_spend_limit_exceeded',
  'project_spend_limit_exceeded',
  'organization_usage_limit_exceeded',
  'billing_hard_limit_reached',
] as const;

/** The rules, in the order they are tried. */
export const RECOGNITION_RULES: readonly RecognitionRule[] = [
  // Local refusals the guard synthesizes (src/guard/local-response.ts).
  { cause: 'queue_full', types: ['tierguard_local'], codes: ['queue_full'], source: 'tierguard' },
  { cause: 'budget_exhausted', types: ['tierguard_local'], codes: ['budget_exhausted'], source: 'tierguard' },
  {
    cause: 'request_too_large',
    types: ['tierguard_local'],
    codes: ['request_too_large'],
    source: 'tierguard',
  },
  { cause: 'aborted', types: ['tierguard_local'], codes: ['aborted', 'guard_closed'], source: 'tierguard' },
  // A wait longer than `maxWaitMs`, predicted from the buckets before sending.
  {
    cause: 'rate_limited_requests',
    types: ['tierguard_local'],
    codes: ['requests_wait_exceeded'],
    source: 'tierguard',
  },
  {
    cause: 'rate_limited_tokens',
    types: ['tierguard_local'],
    codes: ['tokens_wait_exceeded'],
    source: 'tierguard',
  },

  // Failures without an answer.
  { cause: 'aborted', kinds: ['abort'], source: 'SDK APIUserAbortError; AbortError' },
  { cause: 'timeout', kinds: ['timeout'], source: 'SDK APIConnectionTimeoutError; undici connect timeouts' },
  {
    cause: 'connection_error',
    kinds: ['connection'],
    source: 'SDK APIConnectionError; undici "fetch failed"',
  },

  // An HTML or text page instead of the API's JSON: a gateway, proxy, CDN or relay answered (its own
  // 429 included: "Too Many Requests" from nginx or Cloudflare is not the account's rate limit).
  // Before every message rule, so that words on such a page never pass for an API refusal.
  { cause: 'relay_error', nonJsonBody: true, source: 'a proxy or relay page instead of the API error body' },

  // Organization verification: 403 for a model, 400 unsupported_value on stream / reasoning.summary (Table 1 #12–15).
  { cause: 'verification_required', message: /organi[sz]ation must be verified/i, source: 'Table 1 #12–15' },

  // A model gated by usage tier names the tier it needs (§E5: "must qualify for at least usage tier 5 to access 'o1-mini'").
  {
    cause: 'model_access_denied',
    message: /\b(?:qualify for|be on|reach) (?:at least )?usage tier \d/i,
    source: 'openai-api.md §E5 (karthink/gptel#382)',
  },

  // One request above the TPM limit: never fits, never retried (Table 1 #19).
  { cause: 'request_too_large', message: /\brequest too large\b/i, source: 'Table 1 #19' },

  // Spend and usage limits, even when the type says insufficient_quota (Table 1 #23–25, #27; note A).
  { cause: 'spend_limit_reached', codes: SPEND_CODES, source: 'Table 1 #23–25, #27' },
  {
    cause: 'insufficient_quota',
    codes: ['insufficient_quota', 'credit_balance_exhausted'],
    source: 'Table 1 #21–22',
  },
  // Relays built on one-api / new-api refuse a key or user whose credit there is used up (403).
  {
    cause: 'insufficient_quota',
    codes: RELAY_CREDIT_CODES,
    source: 'one-api / new-api relays (403 "user quota is not enough", 用户额度不足)',
  },
  { cause: 'billing_not_active', codes: ['billing_not_active'], source: 'Table 1 #26' },
  { cause: 'billing_not_active', types: ['billing_not_active'], source: 'Table 1 #26' },
  { cause: 'insufficient_quota', types: ['insufficient_quota'], source: 'Table 1 #21; openai-python#1671' },
  // Moonshot (Kimi) suspends an account whose balance is used up with a 429 of this type, worded
  // "Your account … is suspended, please check your plan and billing details": billing, not speed.
  {
    cause: 'insufficient_quota',
    types: ['exceeded_current_quota_error'],
    source:
      'Moonshot / Kimi API 429 exceeded_current_quota_error (forum.moonshot.ai/t/api-billing-behaviour/111: "Your account {organization-id}<{ak-id}> is suspended, please check your plan…")',
  },
  {
    cause: 'billing_not_active',
    message: /your account is not active/i,
    source: 'Table 1 #26 (code null in older reports)',
  },
  {
    cause: 'insufficient_quota',
    message: /exceeded your current quota|no credits remaining|credit balance/i,
    source: 'Table 1 #21–22',
  },
  {
    cause: 'insufficient_quota',
    message:
      /额度不足|额度已用尽|余额不足|已欠费|quota is not enough|insufficient (?:credits|balance)|balance is insufficient/i,
    source:
      'relays: one-api / new-api (用户额度不足, 该令牌额度已用尽), OpenRouter and DeepSeek (402); Zhipu 429 code 1113 您的账户已欠费，请充值后重试 (docs.bigmodel.cn/cn/api/api-code); SiliconFlow 403 code 30001 "Sorry, your account balance is insufficient" (public client code recording it for 硅基流动; no issue or doc page found)',
  },
  // xAI refuses a team without credit with a 403 (its code is "The caller does not have permission…",
  // which must not read as a missing scope).
  {
    cause: 'insufficient_quota',
    message: /\b(?:doesn['’]t|does not) have any credits\b|\bha(?:s|ve) run out of credits\b/i,
    source:
      'xAI API 403 ("Your newly created team doesn\'t have any credits or licenses yet", continuedev/continue#12670; "You have run out of credits or need a Grok subscription", Wei-Shaw/sub2api#4069)',
  },
  // A LiteLLM proxy's budget (key, team, user, whole proxy) refuses before any provider is called:
  // 422 by default, 400 or 429 in older releases, always type budget_exceeded.
  {
    cause: 'spend_limit_reached',
    types: ['budget_exceeded'],
    source: 'LiteLLM proxy (docs.litellm.ai/docs/proxy/budget_exceeded_errors; BerriAI/litellm#4606)',
  },
  {
    cause: 'spend_limit_reached',
    message: /\bBudget has been exceeded!/i,
    source:
      'LiteLLM proxy "Budget has been exceeded! Current cost: …, Max budget: …" (BerriAI/litellm#22726, #20615)',
  },
  {
    cause: 'spend_limit_reached',
    message: /billing hard limit|spend(ing)? limit/i,
    statuses: [400, 429],
    source: 'Table 1 #23–27',
  },

  // Rate limits (Table 1 #16–18, #20; Table 1b).
  { cause: 'slow_down', codes: ['slow_down'], source: 'Table 1 #20, #37' },
  // Flex processing short of capacity: "429 Resource Unavailable", not the account's limit (§E3).
  { cause: 'resource_unavailable', codes: ['resource_unavailable'], source: 'openai-api.md §E3' },
  {
    cause: 'resource_unavailable',
    statuses: [429],
    message: /\bresource unavailable\b/i,
    source: 'openai-api.md §E3 (the flex guide: "429 Resource Unavailable")',
  },
  // Groq's flex tier short of capacity answers its own status 498 (error capacity_exceeded).
  {
    cause: 'resource_unavailable',
    statuses: [498],
    source:
      'Groq flex processing: "status 498 and error capacity_exceeded" (console.groq.com/docs/flex-processing)',
  },
  // A new-api relay words every upstream 429 as its group's saturation (当前分组上游负载已饱和，请稍后再试;
  // for one model, 当前模型…上游已饱和): the relay's capacity, not the account's limit.
  {
    cause: 'overloaded',
    message: /上游(?:负载)?已饱和/,
    source: 'new-api relays (FilterOpenAIErr: an upstream 429 becomes 当前分组上游负载已饱和，请稍后再试)',
  },
  {
    cause: 'rate_limited_tokens',
    codes: ['rate_limit_exceeded'],
    message: /\btokens? per (?:min|minute|day)\b|\(T[PD]M\)/i,
    source: 'Table 1 #16',
  },
  {
    cause: 'rate_limited_requests',
    codes: ['rate_limit_exceeded'],
    message: /\b(?:requests|images) per (?:min|minute|day)\b|\((?:R|I)[PD]M\)/i,
    source: 'Table 1 #17–18',
  },
  { cause: 'rate_limited_tokens', codes: ['rate_limit_exceeded'], types: ['tokens'], source: 'Table 1 #16' },
  {
    cause: 'rate_limited_requests',
    codes: ['rate_limit_exceeded'],
    types: ['requests'],
    source: 'Table 1 #17 (type not confirmed)',
  },
  { cause: 'rate_limited_tokens', types: ['tokens'], statuses: [429], source: 'Table 1 #16' },
  { cause: 'rate_limited_requests', types: ['requests'], statuses: [429], source: 'Table 1 #17' },
  {
    cause: 'rate_limited_tokens',
    message: /exceeded (?:the )?token rate limit/i,
    source: 'Table 1b (Azure TPM 429)',
  },
  {
    cause: 'overloaded',
    statuses: [429],
    message: /temporarily unable to process|high demand|capacity/i,
    source: 'Table 1b (Azure capacity 429)',
  },
  { cause: 'rate_limited_requests', codes: ['rate_limit_exceeded'], source: 'Table 1 #17' },
  {
    cause: 'rate_limited_tokens',
    statuses: [429],
    message: /\btokens? per\b|\bTPM\b|\bTPD\b/i,
    source: 'Table 1 #16',
  },
  { cause: 'rate_limited_requests', statuses: [429], source: 'Table 1 #17; a relay 429 without a body' },

  // Authentication and permission (Table 1 #1–8).
  { cause: 'invalid_api_key', codes: ['invalid_api_key'], source: 'Table 1 #1' },
  // An Azure resource with key authentication disabled refuses every key (403); only Entra ID works.
  {
    cause: 'invalid_api_key',
    codes: ['authenticationtypedisabled'],
    source: 'Azure OpenAI 403 "Key based authentication is disabled for this resource."',
  },
  {
    cause: 'organization_mismatch',
    codes: ['no_organization', 'mismatched_organization', 'mismatched_project', 'invalid_organization'],
    source: 'Table 1 #3–6',
  },
  { cause: 'account_deactivated', codes: ['account_deactivated'], source: 'Table 1 #7' },
  // A ban for a policy violation says `access_terminated`: the account, not the key, is closed.
  {
    cause: 'account_deactivated',
    codes: ['access_terminated'],
    source: 'the API\'s 401 "Your access was terminated due to violation of our policies"',
  },
  {
    cause: 'missing_scope',
    codes: ['missing_scope', 'insufficient_permissions'],
    source: 'sub2api#1566 (401 missing_scope)',
  },
  {
    cause: 'ip_not_allowed',
    codes: ['ip_not_authorized', 'ip_not_allowed', 'ip_address_not_allowed'],
    source: 'Table 1 #8 (code unconfirmed)',
  },
  { cause: 'region_unsupported', codes: ['unsupported_country_region_territory'], source: 'Table 1 #9' },
  {
    cause: 'region_unsupported',
    message: /country,? region,? or territory not supported|unsupported_country/i,
    source: 'Table 1 #9',
  },
  {
    cause: 'invalid_api_key',
    message:
      /incorrect api key|didn't provide an api key|did not provide an api key|invalid api key|invalid authentication/i,
    source: 'Table 1 #1, #2, #5b',
  },
  // Google's Gemini API, its OpenAI-compatible endpoint included: a 400 INVALID_ARGUMENT, not a 401.
  {
    cause: 'invalid_api_key',
    message: /\bAPI key not valid\b|\bAPI_KEY_INVALID\b/i,
    source:
      'Gemini API 400 INVALID_ARGUMENT "API key not valid. Please pass a valid API key." (reason API_KEY_INVALID)',
  },
  {
    cause: 'organization_mismatch',
    message: /OpenAI-(?:Organization|Project) header|member of an organization|no such organization/i,
    source: 'Table 1 #3–6',
  },
  { cause: 'account_deactivated', message: /deactivated/i, statuses: [401, 403], source: 'Table 1 #7' },
  {
    cause: 'account_deactivated',
    message: /access was terminated|violation of our policies/i,
    statuses: [401, 403],
    source: 'the API\'s 401 "Your access was terminated due to violation of our policies"',
  },
  {
    cause: 'ip_not_allowed',
    message: [/\bIP\b/i, /\b(?:not (?:authori[sz]ed|allowed|permitted)|allow-?list|whitelist)/i],
    source: 'Table 1 #8',
  },
  { cause: 'missing_scope', message: /insufficient permissions|missing scopes?/i, source: 'sub2api#1566' },

  // Models (Table 1 #10–11; Table 1b). recognize.ts tells an unknown name from a known one.
  {
    cause: 'model_not_found',
    codes: ['deploymentnotfound'],
    endpointCatalogue: true,
    source: 'Table 1b (Azure)',
  },
  // A relay with no channel serving the model for this key's group (new-api: 503, whatever code).
  {
    cause: 'model_access_denied',
    message: /无可用渠道|no available channels?\b/i,
    source: 'one-api / new-api relays ("当前分组 default 下对于模型 … 无可用渠道")',
  },
  { cause: 'model_access_denied', message: /does not have access to model/i, source: 'Table 1 #11' },
  // The older wording of a model the account may not use (403, no code).
  {
    cause: 'model_access_denied',
    message: /not allowed to (?:sample from|use) this model/i,
    source: 'the API\'s 403 "You are not allowed to sample from this model"',
  },
  // Other providers, proxies and self-hosted servers: a model they do not serve (or no longer do).
  {
    cause: 'model_not_found',
    codes: ['model_decommissioned'],
    endpointCatalogue: true,
    source:
      'Groq 400 model_decommissioned ("The model `…` has been decommissioned and is no longer supported", valentinfrlch/ha-llmvision#324)',
  },
  {
    cause: 'model_not_found',
    codes: ['model_not_available'],
    endpointCatalogue: true,
    source:
      'Together AI model_not_available (404 "Unable to access model …", 400 "Unable to access non-serverless model …", HeyPuter/puter#3168)',
  },
  {
    cause: 'model_not_found',
    message: /\bNo endpoints found for [\w.-]+\/[\w.:-]+/i,
    endpointCatalogue: true,
    source:
      'OpenRouter 404 "No endpoints found for <vendor/model>." (chatboxai/chatbox#2743, vyancharuk/nodejs-api-boilerplate#16)',
  },
  // A LiteLLM proxy has no model group of that name in its model list (its cooldown refusal is
  // worded "No deployments available for selected model" and is a 429). model_not_found rather than
  // model_access_denied: the fix is the name or the proxy's model list, which the hint sends the
  // reader to (GET /v1/models on the same base URL); no key or tier on the reader's side grants it.
  {
    cause: 'model_not_found',
    message: /\bno healthy deployments for this model\b/i,
    endpointCatalogue: true,
    source:
      'LiteLLM proxy 400 "You passed in model=…. There are no healthy deployments for this model" (BerriAI/litellm#25466, emcie-co/parlant#507)',
  },
  {
    cause: 'model_not_found',
    message: /\bnot found, try pulling it first\b/i,
    endpointCatalogue: true,
    source:
      'Ollama /v1 404 (type api_error) "model "llama3" not found, try pulling it first" (netease-youdao/QAnything#555, ollama/ollama#11401)',
  },
  {
    cause: 'model_not_found',
    types: ['NotFoundError'],
    statuses: [404],
    message: [/\bdoes not exist\b/i, /\bmodel\b/i],
    endpointCatalogue: true,
    source: 'vLLM 404 NotFoundError "The model `…` does not exist." (vllm-project/vllm#3485)',
  },
  { cause: 'model_not_found', codes: ['model_not_found'], source: 'Table 1 #10' },
  { cause: 'model_not_found', message: [/\bdoes not exist\b/i, /\bmodel\b/i], source: 'Table 1 #10' },

  // Requests the API refused as they are (Table 1 #28–32).
  {
    cause: 'context_length_exceeded',
    codes: ['context_length_exceeded', 'string_above_max_length'],
    source:
      'Table 1 #28–29; gpt-5\'s "Input tokens exceed the configured limit of 272000 tokens" (cline/cline#5474)',
  },
  // A call whose data-residency region does not match its project's (Responses error enum; §E2).
  {
    cause: 'invalid_request',
    codes: ['data_residency_mismatch'],
    source: 'Responses `response.error.code` enum (openai-api.md Table 1 notes); §E2',
  },
  {
    cause: 'context_length_exceeded',
    message:
      /maximum context length|exceeds the context window|context length|input tokens exceed the configured limit/i,
    source: 'Table 1 #28–29',
  },
  {
    cause: 'content_policy',
    codes: [
      'invalid_prompt',
      'content_filter',
      'content_policy_violation',
      'moderation_blocked',
      'bio_policy',
      'image_content_policy_violation',
      'responsibleaipolicyviolation',
    ],
    source: 'Table 1 #30–31; Table 1b; Responses error enum',
  },
  {
    cause: 'content_policy',
    message: /safety system|content management policy|violating our usage policy/i,
    source: 'Table 1 #30–31; Table 1b',
  },
  {
    cause: 'content_policy',
    message: /\brequires moderation on OpenRouter\b|\byour input was flagged\b/i,
    source:
      'OpenRouter 403 "<model> requires moderation on OpenRouter. Your input was flagged for …" (openrouter.ai/docs/api/reference/errors-and-debugging)',
  },

  // Server side (Table 1 #33–36).
  { cause: 'overloaded', codes: ['server_is_overloaded', 'overloaded'], source: 'Table 1 #35' },
  { cause: 'overloaded', types: ['service_unavailable_error', 'overloaded_error'], source: 'Table 1 #35' },
  {
    cause: 'overloaded',
    message: /currently overloaded|servers are (?:currently )?overloaded/i,
    source: 'Table 1 #35–36',
  },
  { cause: 'overloaded', statuses: [529], source: 'DESIGN.md (529)' },
  { cause: 'server_error', codes: ['server_error', 'internal_error'], source: 'Table 1 #33–34' },
  { cause: 'server_error', types: ['server_error'], source: 'Table 1 #33' },
  // api_error is the server's only with a 5xx or no status: Ollama's /v1 types every refusal but a
  // 400 or 404 so (its 404 "model … not found" included), and a 4xx is the status's to tell.
  { cause: 'server_error', types: ['api_error'], clientStatus: false, source: 'Table 1 #33; Ollama /v1' },
  { cause: 'overloaded', statuses: [503], source: 'Table 1 #35' },
  {
    cause: 'relay_error',
    statuses: [520, 521, 522, 523, 524, 525, 526, 530],
    source: 'gateway statuses (Cloudflare 52x)',
  },
  // A gateway status with no API error object came from whatever stands in front of the API; the
  // API's own 502/504 carry its JSON body and stay server errors below.
  {
    cause: 'relay_error',
    statuses: [502, 504],
    apiErrorBody: false,
    source: 'gateway statuses without the API body (Bad Gateway, Gateway Timeout)',
  },
  { cause: 'server_error', statuses: [500, 502, 504], source: 'Table 1 #33' },
  // The SDK retries 408 and 409 (Table 1 #38): a server-side timeout and a transient conflict.
  { cause: 'timeout', statuses: [408], source: 'Table 1 #38' },
  { cause: 'server_error', statuses: [409], source: 'Table 1 #38' },

  // Anything else the API refused as malformed.
  {
    cause: 'invalid_request',
    types: ['invalid_request_error'],
    statuses: [400, 404, 405, 413, 415, 422],
    source: 'Table 1 #32',
  },
  { cause: 'invalid_request', statuses: [400, 404, 405, 413, 415, 422], source: 'HTTP 4xx' },
  { cause: 'invalid_api_key', statuses: [401], source: 'Table 1 #2 (401 without a code)' },
  // Payment Required: relays and other OpenAI-compatible APIs out of credit (the API sends 429).
  { cause: 'insufficient_quota', statuses: [402], source: 'OpenRouter, DeepSeek (402)' },
  {
    cause: 'missing_scope',
    statuses: [403],
    message: /permission|forbidden|not allowed/i,
    source: '403 without a code',
  },
];
