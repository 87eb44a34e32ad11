import { createServer } from 'node:net';
import fc from 'fast-check';
import OpenAI from 'openai';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CAUSES, CAUSE_CATALOGUE, type Cause } from '../../src/data/causes.js';
import { describeDiagnosis, diagnose } from '../../src/diagnose/diagnose.js';
import { createGuard } from '../../src/guard/create-guard.js';
import { findWait, parseRetryAfter, parseRetryAfterMs, waitInMessage } from '../../src/diagnose/waits.js';
import { readRateLimitHeaders } from '../../src/util/rate-limit-headers.js';
import { apiErrors, fakeApiKey } from '../../src/testing/fixtures.js';
import { scriptedFetch } from '../../src/testing/scripted-fetch.js';
import { parseGoDuration } from '../../src/util/duration.js';
import { OPENAI_MAJORS } from '../support/openai-majors.js';

function client(
  fetch: ReturnType<typeof scriptedFetch>,
  extra: Partial<ConstructorParameters<typeof OpenAI>[0]> = {},
): OpenAI {
  return new OpenAI({
    apiKey: 'sk-test',
    baseURL: 'https://api.openai.test/v1',
    fetch,
    maxRetries: 0,
    ...extra,
  });
}

async function failure(
  fetch: ReturnType<typeof scriptedFetch>,
  model = 'gpt-4o',
  extra = {},
): Promise<unknown> {
  return client(fetch, extra)
    .chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] })
    .then(
      () => new Error('expected a failure'),
      (error: unknown) => error,
    );
}

const body = (error: Record<string, unknown>): string =>
  JSON.stringify({ error: { message: '', type: null, param: null, code: null, ...error } });

describe('diagnose: real wording with other models, numbers and waits', () => {
  const cases: [
    string,
    { status: number; body: string; headers?: Record<string, string> },
    Cause,
    Record<string, unknown>,
  ][] = [
    [
      'TPM on gpt-4.1-mini with commas and a Go wait',
      {
        status: 429,
        body: body({
          message:
            'Rate limit reached for gpt-4.1-mini in organization org-AbC on tokens per min (TPM): Limit 200,000, Used 199,412, Requested 2,301. Please try again in 515ms. Visit https://platform.openai.com/account/rate-limits to learn more.',
          type: 'tokens',
          code: 'rate_limit_exceeded',
        }),
      },
      'rate_limited_tokens',
      {
        model: 'gpt-4.1-mini',
        retryAfterMs: 515,
        limit: { kind: 'tokens', window: 'minute', limit: 200_000, used: 199_412, requested: 2_301 },
      },
    ],
    [
      'RPD on o4-mini, type null',
      {
        status: 429,
        body: body({
          message:
            'Rate limit reached for o4-mini in organization org-x on requests per day (RPD): Limit 10000, Used 10000, Requested 1. Please try again in 7h12m0s.',
          code: 'rate_limit_exceeded',
        }),
      },
      'rate_limited_requests',
      {
        model: 'o4-mini',
        retryAfterMs: 25_920_000,
        limit: { kind: 'requests', window: 'day', limit: 10_000, used: 10_000, requested: 1 },
      },
    ],
    [
      'TPD on a dated snapshot',
      {
        status: 429,
        body: body({
          message:
            'Rate limit reached for gpt-4o-2024-08-06 in organization org-x on tokens per day (TPD): Limit 90000, Used 89500, Requested 2000. Please try again in 6m0s.',
          type: 'tokens',
          code: 'rate_limit_exceeded',
        }),
      },
      'rate_limited_tokens',
      {
        model: 'gpt-4o-2024-08-06',
        retryAfterMs: 360_000,
        limit: { kind: 'tokens', window: 'day', limit: 90_000, used: 89_500, requested: 2_000 },
      },
    ],
    [
      'a 429 with only reset headers',
      {
        status: 429,
        body: body({ message: 'Rate limit exceeded', type: 'tokens', code: 'rate_limit_exceeded' }),
        headers: {
          'x-ratelimit-limit-tokens': '40000',
          'x-ratelimit-remaining-tokens': '0',
          'x-ratelimit-reset-tokens': '1.5s',
        },
      },
      'rate_limited_tokens',
      {
        retryAfterMs: 1_500,
        retryAfterSource: 'x-ratelimit-reset-tokens',
        limit: { kind: 'tokens', window: 'minute', limit: 40_000, remaining: 0 },
      },
    ],
    [
      'retry-after in seconds wins over the message',
      {
        status: 429,
        body: body({
          message:
            'Rate limit reached for gpt-4o in organization o on requests per min (RPM): Limit 500, Used 500, Requested 1. Please try again in 120ms.',
          code: 'rate_limit_exceeded',
        }),
        headers: { 'retry-after': '2' },
      },
      'rate_limited_requests',
      { retryAfterMs: 2_000, retryAfterSource: 'retry-after' },
    ],
    [
      'Request too large on gpt-4o-mini',
      {
        status: 429,
        body: body({
          message:
            'Request too large for gpt-4o-mini in organization org-1 on tokens per min (TPM): Limit 200000, Requested 213421. The input or output tokens must be reduced in order to run successfully.',
          type: 'tokens',
          code: 'rate_limit_exceeded',
        }),
      },
      'request_too_large',
      {
        retryable: false,
        fallback: true,
        limit: { kind: 'tokens', window: 'minute', limit: 200_000, requested: 213_421 },
      },
    ],
    [
      'insufficient_quota by code only',
      { status: 429, body: body({ message: 'quota', code: 'insufficient_quota' }) },
      'insufficient_quota',
      { retryable: false, fallback: false, fallbackTo: 'endpoint' },
    ],
    [
      'insufficient_quota by type only',
      { status: 429, body: body({ message: 'x', type: 'insufficient_quota' }) },
      'insufficient_quota',
      { retryable: false },
    ],
    [
      'spend code with type insufficient_quota',
      {
        status: 429,
        body: body({
          message: 'You have reached your project budget.',
          type: 'insufficient_quota',
          code: 'project_spend_limit_exceeded',
        }),
      },
      'spend_limit_reached',
      { retryable: false, code: 'project_spend_limit_exceeded' },
    ],
    [
      'billing_not_active with code null (older reports)',
      {
        status: 429,
        body: body({
          message: 'Your account is not active, please check your billing details on our website.',
          type: 'billing_not_active',
        }),
      },
      'billing_not_active',
      { retryable: false },
    ],
    [
      'billing_not_active with type null',
      {
        status: 429,
        body: body({
          message: 'Your account is not active, please check your billing details on our website.',
        }),
      },
      'billing_not_active',
      {},
    ],
    [
      'invalid_organization with an empty message',
      { status: 401, body: body({ type: 'invalid_request_error', code: 'invalid_organization' }) },
      'organization_mismatch',
      {},
    ],
    [
      '404 for an unknown embedding model',
      {
        status: 404,
        body: body({
          message: 'The model `text-embedding-4-large` does not exist or you do not have access to it.',
          code: 'model_not_found',
        }),
      },
      'model_not_found',
      { model: 'text-embedding-4-large' },
    ],
    [
      // A missing fine-tune was deleted, belongs elsewhere or is misspelled: no tier gives access (issue 17).
      '404 for a fine-tune of a known base',
      {
        status: 404,
        body: body({
          message:
            'The model `ft:gpt-4o-mini-2024-07-18:acme::9xYz` does not exist or you do not have access to it.',
          code: 'model_not_found',
        }),
      },
      'model_not_found',
      {},
    ],
    [
      '404 for a retired model',
      {
        status: 404,
        body: body({
          message: 'The model `gpt-4-32k` does not exist or you do not have access to it.',
          code: 'model_not_found',
        }),
      },
      'model_not_found',
      {},
    ],
    [
      'verification for gpt-5 without a status code',
      {
        status: 403,
        body: body({
          message:
            'Your organization must be verified to use the model `gpt-5`. Please go to: https://platform.openai.com/settings/organization/general and click on Verify Organization.',
        }),
      },
      'verification_required',
      { model: 'gpt-5', fallback: true },
    ],
    [
      'reasoning summary verification',
      {
        status: 400,
        body: body({
          message: 'Your organization must be verified to generate reasoning summaries.',
          code: 'unsupported_value',
          param: 'reasoning.summary',
        }),
      },
      'verification_required',
      { param: 'reasoning.summary' },
    ],
    [
      'an unsupported parameter stays invalid_request',
      {
        status: 400,
        body: body({
          message:
            "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
          code: 'unsupported_parameter',
          param: 'max_tokens',
          type: 'invalid_request_error',
        }),
      },
      'invalid_request',
      { param: 'max_tokens' },
    ],
    [
      'region with type request_forbidden',
      {
        status: 403,
        body: body({
          message: 'Country, region, or territory not supported',
          type: 'request_forbidden',
          code: 'unsupported_country_region_territory',
        }),
      },
      'region_unsupported',
      { fallbackTo: 'endpoint' },
    ],
    [
      'engine overloaded (legacy)',
      {
        status: 503,
        body: body({
          message: 'The engine is currently overloaded, please try again later',
          type: 'server_error',
        }),
      },
      'overloaded',
      { retryable: true },
    ],
    [
      'a 502 with an OpenAI JSON body is a server error',
      { status: 502, body: body({ message: 'Bad gateway.', type: 'server_error' }) },
      'server_error',
      {},
    ],
    [
      'a 503 text page from a proxy',
      {
        status: 503,
        body: 'upstream connect error or disconnect/reset before headers. reset reason: connection termination',
      },
      'relay_error',
      { origin: 'network' },
    ],
    [
      'a 429 from a relay without a body',
      { status: 429, body: '' },
      'rate_limited_requests',
      { retryable: true },
    ],
    ['529 overloaded', { status: 529, body: body({ message: 'Overloaded' }) }, 'overloaded', {}],
    [
      'a 401 without a code',
      { status: 401, body: body({ message: 'Invalid authorization header' }) },
      'invalid_api_key',
      {},
    ],
    [
      'a restricted key without model.request',
      {
        status: 403,
        body: body({
          message: 'You have insufficient permissions for this operation. Missing scopes: model.request.',
          code: 'missing_scope',
        }),
      },
      'missing_scope',
      {},
    ],
    [
      'Azure capacity 429',
      {
        status: 429,
        body: JSON.stringify({
          error: {
            code: '429',
            message: 'The service is temporarily unable to process your request. Please try again later.',
          },
        }),
      },
      'overloaded',
      { retryable: true },
    ],
    [
      'Responses context window',
      {
        status: 400,
        body: body({
          message:
            'Your input exceeds the context window of this model. Please adjust your input and try again.',
          code: 'context_length_exceeded',
          param: 'input',
        }),
      },
      'context_length_exceeded',
      { fallback: true },
    ],
    [
      'a ban for a policy violation (access_terminated)',
      {
        status: 401,
        body: body({
          message:
            'Your access was terminated due to violation of our policies, please check your email for more information. If you believe this is in error and would like to appeal, please contact us through our help center at help.openai.com.',
          type: 'invalid_request_error',
          code: 'access_terminated',
        }),
      },
      'account_deactivated',
      { retryable: false },
    ],
    [
      'the older 403 for a model the account may not use',
      {
        status: 403,
        body: body({
          message: 'You are not allowed to sample from this model',
          type: 'invalid_request_error',
        }),
      },
      'model_access_denied',
      { fallback: true },
    ],
  ];

  it.each(cases)('%s', async (_name, answer, cause, extra) => {
    const error = await failure(
      scriptedFetch({
        status: answer.status,
        body: answer.body,
        headers: { 'content-type': 'application/json', ...answer.headers },
      }),
    );
    const diagnosis = diagnose(error);
    expect(diagnosis.cause).toBe(cause);
    expect(diagnosis).toMatchObject({
      retryable: CAUSE_CATALOGUE[cause].retryable,
      fallbackTo: CAUSE_CATALOGUE[cause].fallbackTo,
      status: answer.status,
      ...extra,
    });
  });
});

describe('diagnose: relays and other OpenAI-compatible endpoints in their own words', () => {
  const RELAY = 'https://api.relay.test/v1';
  it.each([
    [
      'one-api / new-api: the user’s credit there is used up (403 insufficient_user_quota)',
      403,
      {
        message: '用户额度不足，剩余额度为: ＄0.000000 (request id: 2026120612)',
        type: 'new_api_error',
        code: 'insufficient_user_quota',
      },
      'insufficient_quota',
    ],
    [
      'one-api: the token’s own quota is used up (403, Chinese wording, no known code)',
      403,
      {
        message: '该令牌额度已用尽 (request id: 2026120612)',
        type: 'one_api_error',
        code: 'token_quota_used_up',
      },
      'insufficient_quota',
    ],
    [
      'OpenRouter: 402 insufficient credits',
      402,
      { message: 'Insufficient credits. Add more using https://openrouter.ai/settings/credits', code: 402 },
      'insufficient_quota',
    ],
    [
      'new-api: no channel serves the model for this group (503)',
      503,
      {
        message: '当前分组 default 下对于模型 gpt-4o 无可用渠道 (request id: 2026120612)',
        type: 'new_api_error',
        code: 'model_not_found',
      },
      'model_access_denied',
    ],
    [
      'new-api: no channel, in English (503, no code)',
      503,
      {
        message: 'No available channel for model gpt-4o under group default (request id: 2026120612)',
        type: 'new_api_error',
      },
      'model_access_denied',
    ],
  ] as const)('%s', async (_name, status, error, cause) => {
    const caught = await failure(
      scriptedFetch({ status, body: body(error), headers: { 'content-type': 'application/json' } }),
      'gpt-4o',
      { baseURL: RELAY },
    );
    const diagnosis = diagnose(caught, { locale: 'zh-CN' });
    expect(diagnosis).toMatchObject({ cause, status, retryable: false });
    // Neither is the API's to fix: the steps send the reader to the relay, not to OpenAI's pages.
    expect(diagnosis.hint.steps.join(' ')).toContain('中转站');
    for (const link of diagnosis.hint.links) expect(link.url).not.toContain('/billing/');
  });
});

describe('diagnose: a relay’s own capacity', () => {
  it.each([
    [
      'new-api: an upstream 429, worded as the group’s saturation',
      { message: '当前分组上游负载已饱和，请稍后再试 (request id: 2026120612)', code: 'rate_limited' },
    ],
    ['new-api: one model’s upstream saturated', { message: '当前模型gpt-4o上游已饱和, 请稍后再试!' }],
  ])('%s: overloaded, retried, sent to the relay (not OpenAI’s status page)', async (_name, error) => {
    const caught = await failure(
      scriptedFetch({ status: 429, body: body(error), headers: { 'content-type': 'application/json' } }),
      'gpt-4o',
      { baseURL: 'https://api.relay.test/v1' },
    );
    for (const locale of ['en', 'zh-CN'] as const) {
      const diagnosis = diagnose(caught, { locale });
      // Before: rate_limited_requests, "too many requests per minute" for the caller's key.
      expect(diagnosis).toMatchObject({ cause: 'overloaded', status: 429, retryable: true });
      expect(diagnosis.hint.title).toMatch(locale === 'en' ? /relay/ : /中转站/);
      expect(diagnosis.hint.links.map((link) => link.url)).not.toContain('https://status.openai.com');
    }
  });
});

describe('diagnose: a 4xx with type api_error is the status’s, not a server error (Ollama’s /v1)', () => {
  const OLLAMA_404 = JSON.stringify({
    error: {
      message: 'model "llama3" not found, try pulling it first',
      type: 'api_error',
      param: null,
      code: null,
    },
  });

  it.each([
    ['Ollama: a model not pulled (404)', 404, OLLAMA_404, 'model_not_found'],
    [
      'a 400 typed api_error',
      400,
      body({ message: 'invalid model name', type: 'api_error' }),
      'invalid_request',
    ],
  ] as const)('%s: not retried', async (_name, status, answer, cause) => {
    const caught = await failure(
      scriptedFetch({ status, body: answer, headers: { 'content-type': 'application/json' } }),
      'llama3',
      { baseURL: 'http://localhost:11434/v1' },
    );
    // Before: server_error, retryable, whatever the status.
    expect(diagnose(caught)).toMatchObject({ cause, status, retryable: false });
  });

  it('a guarded client sends Ollama’s “model not found” once', async () => {
    const fetch = scriptedFetch(
      { status: 404, body: OLLAMA_404, headers: { 'content-type': 'application/json' } },
      { afterLast: 'repeat-last' },
    );
    const guarded = createGuard({});
    const caught = await guarded
      .wrap(new OpenAI({ apiKey: 'sk-test', baseURL: 'http://localhost:11434/v1', fetch }))
      .chat.completions.create({ model: 'llama3', messages: [{ role: 'user', content: 'hi' }] })
      .catch((error: unknown) => error);
    await guarded.close();
    // Before: 3 requests, as a retryable server error.
    expect(fetch.calls).toHaveLength(1);
    expect(diagnose(caught)).toMatchObject({ cause: 'model_not_found', status: 404, retryable: false });
  });
});

describe('diagnose: billing refusals of other providers, worded or typed unlike OpenAI’s', () => {
  it.each([
    [
      'Moonshot: an account suspended for its balance (429 exceeded_current_quota_error)',
      {
        message: 'Your account org-x<ak-x> is suspended, please check your plan and billing details',
        type: 'exceeded_current_quota_error',
      },
    ],
    [
      'Zhipu: an account in arrears (429, code 1113)',
      { code: '1113', message: '您的账户已欠费，请充值后重试。' },
    ],
  ])('%s: no quota, not retried (not a rate limit)', async (_name, error) => {
    const caught = await failure(
      scriptedFetch({
        status: 429,
        body: JSON.stringify({ error }),
        headers: { 'content-type': 'application/json' },
      }),
    );
    // Before: rate_limited_requests, retried.
    expect(diagnose(caught)).toMatchObject({ cause: 'insufficient_quota', status: 429, retryable: false });
    const elsewhere = diagnose(caught, { baseURL: 'https://api.moonshot.cn/v1', locale: 'zh-CN' });
    expect(elsewhere.hint.links).toEqual([]);
  });
});

describe('diagnose: other OpenAI-compatible providers, proxies and servers in their own words', () => {
  const json = { 'content-type': 'application/json' };
  it.each([
    [
      'OpenRouter: no endpoint serves the model',
      404,
      { error: { message: 'No endpoints found for meta-llama/llama-3-70b.', code: 404 } },
      'model_not_found',
    ],
    [
      'Groq: a decommissioned model',
      400,
      {
        error: {
          message:
            'The model `mixtral-8x7b-32768` has been decommissioned and is no longer supported. Please refer to https://console.groq.com/docs/deprecations for a recommendation on which model to use instead.',
          type: 'invalid_request_error',
          code: 'model_decommissioned',
        },
      },
      'model_not_found',
    ],
    [
      'Together: a model it does not serve',
      404,
      {
        id: 'x',
        error: {
          message:
            'Unable to access model meta-llama/x. Please visit https://api.together.ai/models to view the list of supported models.',
          type: 'invalid_request_error',
          param: null,
          code: 'model_not_available',
        },
      },
      'model_not_found',
    ],
    [
      'LiteLLM: no model group of that name (a model OpenAI has)',
      400,
      {
        error: {
          message:
            'litellm.BadRequestError: You passed in model=gpt-4o. There are no healthy deployments for this model. Received Model Group=gpt-4o\nAvailable Model Group Fallbacks=None',
          type: null,
          param: null,
          code: '400',
        },
      },
      'model_not_found',
    ],
    [
      'LiteLLM: a budget spent',
      400,
      {
        error: {
          message: 'Budget has been exceeded! Current cost: 10.5, Max budget: 10.0',
          type: 'budget_exceeded',
          param: null,
          code: '400',
        },
      },
      'spend_limit_reached',
    ],
    [
      'xAI: a team without credits (403)',
      403,
      {
        code: 'The caller does not have permission to execute the specified operation',
        error:
          "Your newly created teams doesn't have any credits yet. You can purchase credits on https://console.x.ai/team/xxx.",
      },
      'insufficient_quota',
    ],
    [
      'xAI: a team out of credits (403)',
      403,
      { code: 'Some resource has been exhausted', error: 'Your team has run out of credits.' },
      'insufficient_quota',
    ],
    [
      'OpenRouter: moderation flagged the input (403)',
      403,
      {
        error: {
          message: 'openai/gpt-4o requires moderation on OpenRouter. Your input was flagged for "harassment"',
          code: 403,
          metadata: { reasons: ['harassment'], flagged_input: '...', provider_name: 'OpenAI' },
        },
      },
      'content_policy',
    ],
  ] as const)('%s', async (_name, status, answer, cause) => {
    const caught = await failure(scriptedFetch({ status, body: JSON.stringify(answer), headers: json }));
    // Before: unknown or invalid_request.
    expect(diagnose(caught)).toMatchObject({ cause, status, retryable: false });
    // At another base URL, no hint sends the reader to OpenAI's billing, limits or error pages.
    const elsewhere = diagnose(caught, { baseURL: 'https://api.provider.test/v1' });
    for (const link of elsewhere.hint.links) expect(link.url).not.toMatch(/\/(?:billing|limits|error-codes)/);
  });

  it.each([
    [
      'vLLM: a model the server does not serve (404, flat body)',
      404,
      {
        object: 'error',
        message: 'The model `gpt-4o` does not exist.',
        type: 'NotFoundError',
        param: null,
        code: 404,
      },
      'model_not_found',
      false,
    ],
    [
      'SiliconFlow: the balance is used up (403, flat body)',
      403,
      { code: 30001, message: 'Sorry, your account balance is insufficient', data: null },
      'insufficient_quota',
      false,
    ],
    [
      'Groq: the flex tier is out of capacity (498)',
      498,
      { error: { message: 'Capacity exceeded for flex tier', type: 'capacity_exceeded' } },
      'resource_unavailable',
      true,
    ],
  ] as const)('%s, through a guarded client', async (_name, status, answer, cause, retryable) => {
    const fetch = scriptedFetch(
      { status, body: JSON.stringify(answer), headers: json },
      { afterLast: 'repeat-last' },
    );
    const guarded = createGuard({ retry: false });
    const caught = await guarded
      .wrap(new OpenAI({ apiKey: 'sk-test', baseURL: 'https://api.provider.test/v1', fetch }))
      .chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
      .catch((error: unknown) => error);
    await guarded.close();
    // Before: model_access_denied ("refused for this key"), unknown, unknown.
    expect(diagnose(caught)).toMatchObject({ cause, status, retryable, provider: 'other' });
    for (const locale of ['en', 'zh-CN'] as const)
      for (const link of diagnose(caught, { locale }).hint.links)
        expect(link.url).not.toMatch(/platform\.openai\.com/);
  });
});

describe('diagnose: a relay’s `{ "error": "…" }`, through the real client', () => {
  it.each([
    [401, 'Invalid API key', 'invalid_api_key'],
    [429, 'Rate limit exceeded: free-models-per-min.', 'rate_limited_requests'],
    [402, 'Insufficient balance', 'insufficient_quota'],
    // A gateway status with no API error object is still the relay's own failure.
    [502, 'Bad gateway', 'relay_error'],
  ] as const)('%i %s: its words are read (%s)', async (status, words, cause) => {
    const caught = await failure(
      scriptedFetch({
        status,
        body: JSON.stringify({ error: words }),
        headers: { 'content-type': 'application/json' },
      }),
    );
    expect(diagnose(caught)).toMatchObject({ cause, status, message: words });
  });
});

describe('diagnose: a relay’s flat body (`msg`), through a guarded client', () => {
  it('reads its message: new-api’s 503 “no channel” is a model this key may not use there, sent once', async () => {
    // openai 6 keeps no trace of a JSON body without `error` on its error; the guard reads the answer.
    const fetch = scriptedFetch({
      status: 503,
      body: JSON.stringify({ code: 1, msg: '当前分组 default 下对于模型 gpt-4o 无可用渠道' }),
      headers: { 'content-type': 'application/json' },
    });
    const guarded = createGuard({ tier: 'tier-1' });
    const caught = await guarded
      .wrap(new OpenAI({ apiKey: 'sk-test', baseURL: 'https://api.relay.test/v1', fetch }))
      .chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
      .catch((error: unknown) => error);
    await guarded.close();
    expect(fetch.calls).toHaveLength(1);
    expect(diagnose(caught)).toMatchObject({
      cause: 'model_access_denied',
      retryable: false,
      fallback: true,
      provider: 'other',
    });
  });
});

describe('diagnose: an Azure resource with key authentication disabled', () => {
  it('is a key the endpoint refuses (not unknown), and the hint says to use Microsoft Entra ID', async () => {
    const caught = await failure(
      scriptedFetch({
        status: 403,
        body: JSON.stringify({
          error: {
            code: 'AuthenticationTypeDisabled',
            message: 'Key based authentication is disabled for this resource.',
          },
        }),
        headers: { 'content-type': 'application/json' },
      }),
    );
    for (const locale of ['en', 'zh-CN'] as const) {
      const diagnosis = diagnose(caught, { locale });
      expect(diagnosis).toMatchObject({ cause: 'invalid_api_key', provider: 'azure', retryable: false });
      expect(diagnosis.hint.steps[0]).toContain('azureADTokenProvider');
      expect(diagnosis.hint.links[0]?.url).toContain('managed-identity');
    }
  });
});

describe('diagnose: failures without an answer', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a refused connection (real client, closed loopback port) is a connection error, not an API refusal', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
      });
    });
    const error = await new OpenAI({
      apiKey: 'sk-test',
      baseURL: `http://127.0.0.1:${port}/v1`,
      maxRetries: 0,
    }).chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught);
    expect(diagnose(error)).toMatchObject({
      cause: 'connection_error',
      origin: 'network',
      retryable: true,
      fallback: false,
    });
    expect(diagnose(error).hint.why).toContain('ECONNREFUSED');
  });

  it.each([
    ['reset', 'connection_error', 'ECONNRESET'],
    ['dns', 'connection_error', 'ENOTFOUND'],
    ['timeout', 'timeout', undefined],
  ] as const)('a network %s', async (kind, cause, code) => {
    const diagnosis = diagnose(await failure(scriptedFetch({ networkError: kind })));
    expect(diagnosis).toMatchObject({ cause, origin: 'network', retryable: true });
    if (code !== undefined) expect(diagnosis.hint.why).toContain(code);
  });

  it('the client timeout is a timeout', async () => {
    const diagnosis = diagnose(await failure(scriptedFetch({ hang: true }), 'gpt-4o', { timeout: 20 }));
    expect(diagnosis).toMatchObject({ cause: 'timeout', origin: 'network', retryable: true });
  });

  it('an abort by the caller is aborted, and never retried', async () => {
    const controller = new AbortController();
    const pending = client(scriptedFetch({ hang: true }))
      .chat.completions.create(
        { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] },
        { signal: controller.signal },
      )
      .catch((caught: unknown) => caught);
    controller.abort();
    expect(diagnose(await pending)).toMatchObject({
      cause: 'aborted',
      origin: 'local',
      retryable: false,
      fallback: false,
    });
    expect(diagnose(new DOMException('The operation was aborted.', 'AbortError')).cause).toBe('aborted');
    expect(diagnose(new DOMException('The operation timed out.', 'TimeoutError')).cause).toBe('timeout');
  });

  it('undici errors passed directly', () => {
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), {
        code: 'ECONNREFUSED',
        address: '10.0.0.1',
        port: 443,
      }),
    });
    expect(diagnose(refused)).toMatchObject({ cause: 'connection_error', origin: 'network' });
    expect(diagnose(refused).hint.title).toContain('10.0.0.1:443');
  });

  it.each([
    'Failed to fetch',
    'Load failed',
    'NetworkError when attempting to fetch resource.',
    'Fetch failed: Requests to port 1 are blocked',
    'error sending request for url (https://api.openai.com/v1/chat/completions)',
  ])('a TypeError a runtime’s fetch throws, "%s", passed directly', (message) => {
    expect(diagnose(new TypeError(message))).toMatchObject({ cause: 'connection_error', origin: 'network' });
  });
});

describe('diagnose: shapes a service may hold', () => {
  it('an openai v4 APIError (headers a plain record, request_id)', () => {
    class APIError extends Error {}
    class RateLimitError extends APIError {}
    const v4 = Object.assign(
      new RateLimitError('429 You exceeded your current quota, please check your plan and billing details.'),
      {
        status: 429,
        headers: { 'x-request-id': 'req_v4abcdef', 'content-type': 'application/json' },
        request_id: 'req_v4abcdef',
        error: {
          message: 'You exceeded your current quota, please check your plan and billing details.',
          type: 'insufficient_quota',
          param: null,
          code: 'insufficient_quota',
        },
        code: 'insufficient_quota',
        type: 'insufficient_quota',
        param: null,
      },
    );
    expect(diagnose(v4)).toMatchObject({
      cause: 'insufficient_quota',
      status: 429,
      requestId: 'req_v4abcdef',
      retryable: false,
    });
  });

  it('a plain { status, error, headers }', () => {
    const plain = {
      status: 429,
      error: {
        message: 'You exceeded your current quota',
        type: 'insufficient_quota',
        code: 'insufficient_quota',
      },
      headers: new Headers({ 'x-request-id': 'req_plain01' }),
    };
    expect(diagnose(plain)).toMatchObject({ cause: 'insufficient_quota', requestId: 'req_plain01' });
  });

  it('a plain { status, body } with JSON text or HTML', () => {
    expect(diagnose({ status: 404, body: apiErrors.modelNotFound('gpt-4.1').body }).cause).toBe(
      'model_access_denied',
    );
    expect(
      diagnose({ status: 502, body: '<html><head><title>502 Bad Gateway</title></head></html>' }),
    ).toMatchObject({ cause: 'relay_error', origin: 'network' });
  });

  it('a mid-stream error (status undefined, code only)', () => {
    expect(
      diagnose({ code: 'server_error', message: 'An error occurred while processing your request.' }),
    ).toMatchObject({ cause: 'server_error', retryable: true });
    expect(
      diagnose({
        type: 'error',
        code: 'rate_limit_exceeded',
        message:
          'Rate limit reached for gpt-4o on tokens per min (TPM): Limit 30000, Used 30000, Requested 10.',
        sequence_number: 3,
      }).cause,
    ).toBe('rate_limited_tokens');
  });

  it('JSON text and pasted messages (tierguard explain)', () => {
    expect(diagnose(apiErrors.billingNotActive().body).cause).toBe('billing_not_active');
    expect(
      diagnose('Error: 429 You exceeded your current quota, please check your plan and billing details.'),
    ).toMatchObject({ cause: 'insufficient_quota', status: 429 });
    expect(diagnose('403 Country, region, or territory not supported').cause).toBe('region_unsupported');
  });

  it('a guard-local refusal', () => {
    const local = {
      status: 429,
      body: JSON.stringify({
        error: { type: 'tierguard_local', code: 'queue_full', message: 'full', param: null },
      }),
    };
    expect(diagnose(local)).toMatchObject({ cause: 'queue_full', origin: 'local', retryable: false });
  });

  it('masks a key a relay echoes in its body, everywhere', async () => {
    const key = fakeApiKey('WXYZ');
    const error = await failure(
      scriptedFetch({
        status: 401,
        body: body({ message: `Upstream rejected key ${key} (Bearer ${key})`, code: 'invalid_api_key' }),
        headers: { 'content-type': 'application/json' },
      }),
    );
    for (const locale of ['en', 'zh-CN'] as const) {
      const text = JSON.stringify(diagnose(error, { locale }));
      expect(text).not.toContain(key);
      expect(text).not.toContain(key.slice(8, 40));
      expect(text).toContain('sk-proj-…WXYZ');
    }
  });

  it('describes itself in one line', () => {
    const diagnosis = diagnose({
      status: 429,
      body: apiErrors.rateLimited({
        model: 'gpt-4o',
        kind: 'tokens',
        limit: 30_000,
        used: 29_000,
        requested: 1_900,
        retryAfterMs: 1_800,
      }).body,
    });
    expect(describeDiagnosis(diagnosis)).toBe(
      'rate_limited_tokens (429, retry in 1.8 s): Too many tokens per minute for `gpt-4o`',
    );
    expect(
      describeDiagnosis(
        diagnose({ status: 429, body: apiErrors.insufficientQuota().body }, { locale: 'zh-CN' }),
        'zh-CN',
      ),
    ).toBe('insufficient_quota (429, 不重试): 账户额度已用完');
  });
});

describe('the catalogue', () => {
  it('retries only what a retry can fix', () => {
    const retryable = CAUSES.filter((cause) => CAUSE_CATALOGUE[cause].retryable);
    expect(retryable.sort()).toEqual(
      [
        'connection_error',
        'overloaded',
        'rate_limited_requests',
        'rate_limited_tokens',
        'relay_error',
        'resource_unavailable',
        'server_error',
        'slow_down',
        'timeout',
      ].sort(),
    );
    for (const never of [
      'insufficient_quota',
      'spend_limit_reached',
      'billing_not_active',
      'invalid_api_key',
      'region_unsupported',
      'request_too_large',
    ] as const) {
      expect(CAUSE_CATALOGUE[never].retryable).toBe(false);
    }
    for (const accountLevel of [
      'insufficient_quota',
      'spend_limit_reached',
      'billing_not_active',
      'invalid_api_key',
      'region_unsupported',
    ] as const) {
      expect(CAUSE_CATALOGUE[accountLevel].fallbackTo).toBe('endpoint');
    }
  });
});

describe('properties (fast-check)', () => {
  it('diagnose never throws and always names a cause with a hint', () => {
    const errorLike = fc.record(
      {
        status: fc.oneof(fc.integer({ min: -5, max: 700 }), fc.constant(undefined), fc.string()),
        error: fc.oneof(
          fc.record({
            message: fc.string(),
            code: fc.oneof(fc.string(), fc.constantFrom(...CAUSES), fc.constant(null)),
            type: fc.oneof(fc.string(), fc.constant(null)),
          }),
          fc.string(),
          fc.anything(),
        ),
        headers: fc.oneof(fc.dictionary(fc.string(), fc.string()), fc.anything()),
        message: fc.string(),
        body: fc.oneof(fc.string(), fc.json(), fc.anything()),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(fc.anything(), errorLike, fc.string(), fc.json()), (input) => {
        const diagnosis = diagnose(input);
        expect(CAUSES).toContain(diagnosis.cause);
        expect(typeof diagnosis.hint.title).toBe('string');
        expect(diagnosis.hint.title.length).toBeGreaterThan(0);
        expect(typeof diagnosis.retryable).toBe('boolean');
      }),
      { numRuns: 10_000 },
    );
  });

  it('survives hostile objects', () => {
    const hostile = new Proxy(
      {},
      {
        get: () => {
          throw new Error('boom');
        },
        getPrototypeOf: () => {
          throw new Error('boom');
        },
      },
    );
    const cyclic: Record<string, unknown> = { status: 500 };
    cyclic.error = cyclic;
    expect(diagnose(hostile).cause).toBe('unknown');
    expect(diagnose(cyclic).cause).toBe('server_error');
    expect(diagnose(null).cause).toBe('unknown');
  });

  it('the duration and header parsers never throw and agree with every format the reference gives', () => {
    // openai-api.md Table 1 #16 and #18, Table 2.
    const examples: [string, number][] = [
      ['6m0s', 360_000],
      ['1s', 1_000],
      ['6ms', 6],
      ['40ms', 40],
      ['644ms', 644],
      ['9.816s', 9_816],
      ['18.642s', 18_642],
      ['1m26.4s', 86_400],
      ['20ms', 20],
      ['1.5s', 1_500],
    ];
    for (const [text, ms] of examples) {
      expect(parseGoDuration(text)).toBe(ms);
      expect(
        waitInMessage(`Please try again in ${text}. Visit https://platform.openai.com/account/rate-limits`),
      ).toBe(ms);
    }
    expect(waitInMessage('Please retry after 33 seconds.')).toBe(33_000);
    expect(parseRetryAfter('20', 0)).toBe(20_000);
    expect(parseRetryAfter('1.5', 0)).toBe(1_500);
    expect(
      parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')),
    ).toBe(30_000);
    expect(parseRetryAfterMs('1500')).toBe(1_500);
    expect(
      readRateLimitHeaders({
        'x-ratelimit-limit-tokens': '-1',
        'x-ratelimit-remaining-tokens': '-1',
        'x-ratelimit-reset-tokens': '0',
      }).tokens,
    ).toEqual({ resetMs: 0 });
    expect(
      readRateLimitHeaders(
        new Headers({
          'x-ratelimit-limit-requests': '60',
          'x-ratelimit-remaining-requests': '59',
          'x-ratelimit-reset-requests': '1s',
        }),
      ).requests,
    ).toEqual({ limit: 60, remaining: 59, resetMs: 1_000 });
    fc.assert(
      fc.property(
        fc.anything(),
        fc.string(),
        fc.dictionary(fc.string(), fc.string()),
        (value, text, headers) => {
          const duration = parseGoDuration(value);
          expect(duration === undefined || (Number.isFinite(duration) && duration >= 0)).toBe(true);
          const retryAfter = parseRetryAfter(text, 0);
          expect(retryAfter === undefined || retryAfter >= 0).toBe(true);
          expect(() => readRateLimitHeaders(headers)).not.toThrow();
          const wait = findWait(headers, text, 'tokens', 0);
          expect(wait === undefined || (Number.isFinite(wait.ms) && wait.ms >= 0)).toBe(true);
        },
      ),
      { numRuns: 10_000 },
    );
  });
});

describe.each(OPENAI_MAJORS)(
  'Gemini’s OpenAI-compatible endpoint wraps its errors in a list ($name)',
  (major) => {
    const GEMINI = 'https://generativelanguage.googleapis.com/v1beta/openai';
    const listed = (status: number, message: string, code: string) =>
      scriptedFetch(
        {
          status,
          body: JSON.stringify([{ error: { code: status, message, status: code } }]),
          headers: { 'content-type': 'application/json' },
        },
        { afterLast: 'repeat-last' },
      );
    const ask = (client: OpenAI) =>
      client.chat.completions
        .create({ model: 'gemini-2.0-flash', messages: [{ role: 'user', content: 'hi' }] })
        .catch((caught: unknown) => caught);

    it('a rejected key is invalid_api_key and sent once; an exhausted quota is a retried rate limit', async () => {
      const key = listed(400, 'API key not valid. Please pass a valid API key.', 'INVALID_ARGUMENT');
      const guard = createGuard({ retry: { maxAttempts: 3, maxDelayMs: 1 } });
      const refused = await ask(
        guard.wrap(new major.OpenAI({ apiKey: fakeApiKey('gem1'), baseURL: GEMINI, fetch: key })),
      );
      // Before: the list was read as no error object (invalid_request, or relay_error through the guard).
      expect(diagnose(refused)).toMatchObject({ cause: 'invalid_api_key', retryable: false });
      expect(key.calls).toHaveLength(1);
      const quota = listed(429, 'Resource has been exhausted (e.g. check quota).', 'RESOURCE_EXHAUSTED');
      const exhausted = await ask(
        guard.wrap(new major.OpenAI({ apiKey: fakeApiKey('gem1'), baseURL: GEMINI, fetch: quota })),
      );
      expect(diagnose(exhausted)).toMatchObject({ cause: 'rate_limited_requests', retryable: true });
      expect(quota.calls).toHaveLength(3);
      await guard.close();
    });

    it('diagnose() of the bare client’s error reads the list where the client keeps it', async () => {
      const key = listed(400, 'API key not valid. Please pass a valid API key.', 'INVALID_ARGUMENT');
      const error = await ask(
        new major.OpenAI({ apiKey: fakeApiKey('gem1'), baseURL: GEMINI, fetch: key, maxRetries: 0 }),
      );
      // openai 7 keeps the list as the error's `error`; openai 6 keeps nothing of it (a 400 "no body").
      expect(diagnose(error).cause).toBe(major.name === 'openai 7' ? 'invalid_api_key' : 'invalid_request');
    });
  },
);

describe('a provider’s own billing refusal, diagnosed with no base URL', () => {
  it.each([
    [
      'Moonshot: exceeded_current_quota_error',
      {
        type: 'exceeded_current_quota_error',
        message: 'Your account org-x<ak-y> is suspended, please check your plan and billing details',
      },
    ],
    ['Zhipu: 1113 (您的账户已欠费)', { code: '1113', message: '您的账户已欠费，请充值后重试。' }],
  ])('%s: not OpenAI’s account, so no OpenAI billing page', (_name, error) => {
    const diagnosis = diagnose({ status: 429, body: JSON.stringify({ error }) });
    expect(diagnosis).toMatchObject({ cause: 'insufficient_quota', provider: 'other', retryable: false });
    // Before: OpenAI's Billing and Usage pages, for a balance they do not hold.
    for (const link of diagnosis.hint.links) expect(link.url).not.toContain('platform.openai.com');
  });
});
