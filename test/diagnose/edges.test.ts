/**
 * Held-out shapes: gateway and relay answers, waits in every format the API writes, other models
 * and endpoints, the guard's attached diagnosis, and properties over errors the SDK itself builds.
 */
import fc from 'fast-check';
import OpenAI from 'openai';
import OpenAIv7 from 'openai-v7';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CAUSES } from '../../src/data/causes.js';
import { attachDiagnosis } from '../../src/diagnose/attach.js';
import { diagnose } from '../../src/diagnose/diagnose.js';
import { normalize } from '../../src/diagnose/normalize.js';
import { apiErrors, fakeApiKey, fixtures } from '../../src/testing/fixtures.js';
import { scriptedFetch, type ScriptItem } from '../../src/testing/scripted-fetch.js';

const CLIENTS = [
  ['openai 6', OpenAI],
  ['openai 7', OpenAIv7],
] as const;

function clientOf(Client: typeof OpenAI | typeof OpenAIv7, item: ScriptItem): OpenAI {
  return new Client({
    apiKey: 'sk-test',
    baseURL: 'https://api.openai.test/v1',
    fetch: scriptedFetch(item),
    maxRetries: 0,
  }) as OpenAI;
}

async function chatFailure(
  item: ScriptItem,
  Client: typeof OpenAI | typeof OpenAIv7 = OpenAI,
): Promise<unknown> {
  return clientOf(Client, item)
    .chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
    .then(
      () => new Error('expected a failure'),
      (error: unknown) => error,
    );
}

const errorBody = (error: Record<string, unknown>): string =>
  JSON.stringify({ error: { message: '', type: null, param: null, code: null, ...error } });

afterEach(() => {
  vi.useRealTimers();
});

describe.each(CLIENTS)('gateways and relays (%s)', (_label, Client) => {
  it.each([
    ['an empty 502', { status: 502, body: '' }, 'relay_error', 'network'],
    ['an empty 504', { status: 504, body: '' }, 'relay_error', 'network'],
    ['an empty 520', { status: 520, body: '' }, 'relay_error', 'network'],
    [
      'a text 429 from a proxy',
      { status: 429, body: 'Too Many Requests', headers: { 'content-type': 'text/plain' } },
      'relay_error',
      'network',
    ],
    [
      'an HTML 429 from Cloudflare',
      {
        status: 429,
        body: '<html><head><title>429 Too Many Requests</title></head></html>',
        headers: { 'content-type': 'text/html' },
      },
      'relay_error',
      'network',
    ],
    [
      'a text 503 from Envoy',
      {
        status: 503,
        body: 'upstream connect error or disconnect/reset before headers. reset reason: overflow',
      },
      'relay_error',
      'network',
    ],
    [
      "the API's own 502 JSON (Cloudflare in front of the API)",
      {
        status: 502,
        body: JSON.stringify({
          error: { code: 502, message: 'Bad gateway.', param: null, type: 'cf_bad_gateway' },
        }),
      },
      'server_error',
      'api',
    ],
    ['an empty 500', { status: 500, body: '' }, 'server_error', 'api'],
    ['an empty 503', { status: 503, body: '' }, 'overloaded', 'api'],
    ['an empty 429 (no body at all)', { status: 429, body: '' }, 'rate_limited_requests', 'api'],
    ['408 from the API', { status: 408, body: '' }, 'timeout', 'api'],
    [
      '409 conflict',
      { status: 409, body: errorBody({ message: 'Conflict', type: 'invalid_request_error' }) },
      'server_error',
      'api',
    ],
  ] as const)('%s', async (_name, answer, cause, origin) => {
    const diagnosis = diagnose(await chatFailure(answer as ScriptItem, Client));
    expect(diagnosis).toMatchObject({ cause, origin, status: answer.status });
  });

  it('names what the relay said in the hint', async () => {
    const diagnosis = diagnose(
      await chatFailure(
        { status: 429, body: 'Too Many Requests', headers: { 'content-type': 'text/plain' } },
        Client,
      ),
    );
    expect(diagnosis.message).toBe('Too Many Requests');
    expect(diagnosis.hint.why).toContain('"Too Many Requests" came from a gateway');
    expect(diagnose(await chatFailure(fixtures.relay_html_520, Client)).hint.why).toContain('Cloudflare');
  });
});

describe('waits in every format the API writes, through the real client', () => {
  const rateLimited = (message: string, headers: Record<string, string> = {}): ScriptItem => ({
    status: 429,
    body: errorBody({ message, type: 'tokens', code: 'rate_limit_exceeded' }),
    headers: { 'content-type': 'application/json', ...headers },
  });
  const tpm = (wait: string): string =>
    `Rate limit reached for gpt-4o in organization org-x on tokens per min (TPM): Limit 30000, Used 29000, Requested 1500. Please try again in ${wait}. Visit https://platform.openai.com/account/rate-limits to learn more.`;

  it.each([
    ['644ms', 644],
    ['9.816s', 9_816],
    ['18.642s', 18_642],
    ['1m26.4s', 86_400],
    ['6m0s', 360_000],
  ])('"try again in %s"', async (wait, ms) => {
    const diagnosis = diagnose(await chatFailure(rateLimited(tpm(wait))));
    expect(diagnosis).toMatchObject({ retryAfterMs: ms, retryAfterSource: 'the message' });
    expect(diagnosis.hint.why).toContain('(from the message)');
  });

  it('retry-after in seconds beats the message', async () => {
    const diagnosis = diagnose(await chatFailure(rateLimited(tpm('1.5s'), { 'retry-after': '20' })));
    expect(diagnosis).toMatchObject({ retryAfterMs: 20_000, retryAfterSource: 'retry-after' });
    expect(diagnosis.hint.why).toContain('The API asked to wait 20 s (from retry-after)');
  });

  it('retry-after-ms beats retry-after', async () => {
    const diagnosis = diagnose(
      await chatFailure(rateLimited(tpm('1.5s'), { 'retry-after': '20', 'retry-after-ms': '1250.5' })),
    );
    expect(diagnosis).toMatchObject({ retryAfterMs: 1_250.5, retryAfterSource: 'retry-after-ms' });
  });

  it('retry-after as an HTTP date counts from Date.now() at the time of the call (fake timers)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-23T10:00:00Z'));
    const error = await chatFailure(
      rateLimited('Rate limit reached', { 'retry-after': 'Mon, 23 Nov 2026 10:00:45 GMT' }),
    );
    expect(diagnose(error)).toMatchObject({ retryAfterMs: 45_000, retryAfterSource: 'retry-after' });
    vi.setSystemTime(new Date('2026-11-23T10:00:30Z'));
    expect(diagnose(error).retryAfterMs).toBe(15_000);
    // A date in the past means "now".
    vi.setSystemTime(new Date('2026-11-23T11:00:00Z'));
    expect(diagnose(error).retryAfterMs).toBe(0);
  });

  it('the reset header of the limit that was hit, when nothing stronger says', async () => {
    const headers = { 'x-ratelimit-reset-requests': '20ms', 'x-ratelimit-reset-tokens': '1.5s' };
    const tokens = diagnose(await chatFailure(rateLimited('Rate limit exceeded', headers)));
    expect(tokens).toMatchObject({ retryAfterMs: 1_500, retryAfterSource: 'x-ratelimit-reset-tokens' });
    const requests = diagnose(
      await chatFailure({
        status: 429,
        body: errorBody({ message: 'Rate limit exceeded', type: 'requests', code: 'rate_limit_exceeded' }),
        headers,
      }),
    );
    expect(requests).toMatchObject({ retryAfterMs: 20, retryAfterSource: 'x-ratelimit-reset-requests' });
    expect(requests.hint.why).toContain('The API asked to wait 20 ms (from x-ratelimit-reset-requests)');
  });

  it('garbage, negative and NaN waits are ignored', async () => {
    const diagnosis = diagnose(
      await chatFailure(
        rateLimited('Rate limit exceeded', {
          'retry-after-ms': '-5',
          'retry-after': 'NaN',
          'x-ratelimit-reset-tokens': 'soon',
        }),
      ),
    );
    expect(diagnosis.retryAfterMs).toBeUndefined();
    expect(diagnosis.retryAfterSource).toBeUndefined();
    expect(diagnosis.hint.why).toContain('The API did not say how long to wait.');
  });

  it("Azure's -1 headers are unknown, not a limit of -1 (Table 1b)", async () => {
    const diagnosis = diagnose(
      await chatFailure(
        rateLimited('Rate limit exceeded', {
          'x-ratelimit-limit-tokens': '-1',
          'x-ratelimit-remaining-tokens': '-1',
          'x-ratelimit-reset-tokens': '0',
        }),
      ),
    );
    expect(diagnosis.limit).toStrictEqual({ kind: 'tokens', window: 'minute' });
    expect(diagnosis.retryAfterMs).toBeUndefined();
    expect(diagnosis.headers).toMatchObject({ 'x-ratelimit-limit-tokens': '-1' });
  });
});

describe('other models, endpoints and wording', () => {
  it('a TPM 429 on embeddings for text-embedding-3-small (Tier 1 → Tier 3 raises it)', async () => {
    const error = await clientOf(
      OpenAI,
      apiErrors.rateLimited({
        model: 'text-embedding-3-small',
        kind: 'tokens',
        limit: 1_000_000,
        used: 999_000,
        requested: 4_200,
        retryAfterMs: 252,
      }),
    )
      .embeddings.create({ model: 'text-embedding-3-small', input: 'x' })
      .catch((caught: unknown) => caught);
    const diagnosis = diagnose(error);
    expect(diagnosis).toMatchObject({
      cause: 'rate_limited_tokens',
      model: 'text-embedding-3-small',
      retryAfterMs: 252,
      limit: { kind: 'tokens', window: 'minute', limit: 1_000_000, used: 999_000, requested: 4_200 },
    });
    // Tier 2 keeps 1M TPM for this model; Tier 3 is the first to raise it (Table 4).
    expect(diagnosis.hint.steps.join(' ')).toContain(
      'Tier 3 raises `text-embedding-3-small` to 5,000,000 tokens per minute',
    );
  });

  it('a fine-tuned model’s 429 on the Responses API, with commas and an organization', async () => {
    const error = await clientOf(OpenAIv7, {
      status: 429,
      body: errorBody({
        message:
          'Rate limit reached for ft:gpt-4o-mini-2024-07-18:acme::9xYz in organization org-Acme42 on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.',
        type: 'requests',
        code: 'rate_limit_exceeded',
      }),
    })
      .responses.create({ model: 'ft:gpt-4o-mini-2024-07-18:acme::9xYz', input: 'x' })
      .catch((caught: unknown) => caught);
    const diagnosis = diagnose(error);
    expect(diagnosis).toMatchObject({
      cause: 'rate_limited_requests',
      model: 'ft:gpt-4o-mini-2024-07-18:acme::9xYz',
      retryAfterMs: 20_000,
      limit: { kind: 'requests', window: 'minute', limit: 3, used: 3, requested: 1 },
    });
    expect(diagnosis.hint.why).toContain('organization org-Acme42');
    expect(diagnosis.hint.steps.join(' ')).toContain(
      'Tier 1 raises `ft:gpt-4o-mini-2024-07-18:acme::9xYz` to 500 requests per minute',
    );
  });

  it('an RPD 429 on gpt-4o-mini: pacing cannot enlarge it; the next tier and its daily limit', () => {
    const diagnosis = diagnose({ status: 429, body: fixtures.rate_limited_requests_day.body });
    const steps = diagnosis.hint.steps.join(' ');
    expect(steps).toContain('Pacing cannot make a daily limit larger');
    // The fixture's 1,000 RPD is below Tier 1's 10,000 (Table 4); its 1m26.4s wait is above the 60 s cap.
    expect(steps).toContain('Tier 1 raises `gpt-4o-mini` to 10,000 requests per day');
    expect(steps).toContain("longer than tierguard's retry cap");
    const tierOne = diagnose({
      status: 429,
      body: errorBody({
        message:
          'Rate limit reached for gpt-4o-mini in organization org-x on requests per day (RPD): Limit 10000, Used 10000, Requested 1. Please try again in 8.64s.',
        type: 'requests',
        code: 'rate_limit_exceeded',
      }),
    });
    expect(tierOne.hint.steps.join(' ')).toContain(
      'Tier 2 publishes no daily request limit for `gpt-4o-mini`',
    );
  });

  it('numbers with commas on a dated snapshot', () => {
    const diagnosis = diagnose({
      status: 429,
      error: {
        message:
          'Rate limit reached for gpt-4.1-mini-2025-04-14 in organization org-x on tokens per min (TPM): Limit 2,000,000, Used 1,999,100, Requested 12,345. Please try again in 370ms.',
        type: 'tokens',
        code: 'rate_limit_exceeded',
      },
    });
    expect(diagnosis).toMatchObject({
      model: 'gpt-4.1-mini-2025-04-14',
      retryAfterMs: 370,
      limit: { limit: 2_000_000, used: 1_999_100, requested: 12_345 },
    });
    expect(diagnosis.hint.why).toContain(
      'limit 2,000,000 tokens per minute, used 1,999,100, this request 12,345',
    );
  });

  it('model_not_found: a retired model, a known one via options.model, an unknown one', () => {
    const notFound = (model: string) =>
      JSON.stringify({
        error: {
          message: `The model \`${model}\` does not exist or you do not have access to it.`,
          type: 'invalid_request_error',
          param: null,
          code: 'model_not_found',
        },
      });
    const retired = diagnose({ status: 404, body: notFound('gpt-4-32k') });
    expect(retired.cause).toBe('model_not_found');
    expect(retired.hint.title).toBe('The model `gpt-4-32k` was shut down on 2025-06-06');
    expect(diagnose({ status: 404, body: notFound('o4-mini') }).cause).toBe('model_access_denied');
    const bare = { status: 404, error: { message: 'The model does not exist.', code: 'model_not_found' } };
    expect(diagnose(bare, { model: 'o4-mini' })).toMatchObject({
      cause: 'model_access_denied',
      model: 'o4-mini',
    });
    expect(diagnose(bare, { model: 'o5-ultra' })).toMatchObject({
      cause: 'model_not_found',
      model: 'o5-ultra',
    });
    expect(
      diagnose({ status: 403, body: apiErrors.projectModelDenied('o4-mini', 'proj_Z9').body }).hint.why,
    ).toContain('`proj_Z9`');
  });

  it('Responses content policy codes and an Anthropic-style relay body', () => {
    for (const code of ['bio_policy', 'image_content_policy_violation', 'moderation_blocked'])
      expect(diagnose({ type: 'error', code, message: 'blocked', sequence_number: 4 })).toMatchObject({
        cause: 'content_policy',
        code,
      });
    const anthropicStyle = {
      status: 529,
      body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
    };
    expect(diagnose(anthropicStyle)).toMatchObject({ cause: 'overloaded', type: 'overloaded_error' });
  });

  it('a Responses `error` event: its `type: "error"` names the event, not the error', () => {
    const event = {
      type: 'error',
      code: 'server_error',
      message: 'An error occurred.',
      param: null,
      sequence_number: 7,
    };
    const diagnosis = diagnose(event);
    expect(diagnosis).toMatchObject({ cause: 'server_error', code: 'server_error', retryable: true });
    expect(diagnosis.type).toBeUndefined();
    expect(normalize(event)).toMatchObject({ kind: 'stream', apiErrorBody: false });
  });

  it('normalize keeps a non-JSON body’s text and says whether the API body was there', async () => {
    const relay = normalize(await chatFailure({ status: 503, body: 'no healthy upstream' }));
    expect(relay).toMatchObject({
      kind: 'http',
      status: 503,
      nonJsonBody: true,
      bodyText: 'no healthy upstream',
      apiErrorBody: false,
    });
    const api = normalize(await chatFailure(fixtures.overloaded));
    expect(api).toMatchObject({ nonJsonBody: false, apiErrorBody: true });
    expect(api.bodyText).toBeUndefined();
  });

  it('the key a 401 showed (masked by the API) by its ending', async () => {
    const diagnosis = diagnose(await chatFailure(fixtures.invalid_api_key));
    expect(diagnosis.hint.why).toContain('the key ending in 6789');
  });
});

describe('bodies that are large, empty or lie about their encoding', () => {
  it('an error body above a megabyte is read from its ends (a relay echoing a huge prompt)', () => {
    const padding = 'x'.repeat(1_200_000);
    const quota = JSON.stringify({
      error: {
        message: `You exceeded your current quota, please check your plan and billing details. ${padding}`,
        type: 'insufficient_quota',
        param: null,
        code: 'insufficient_quota',
      },
    });
    // Before: too large to parse, so taken for a relay's page (relay_error, retried).
    expect(diagnose({ status: 429, body: quota })).toMatchObject({
      cause: 'insufficient_quota',
      retryable: false,
    });
    const vllm = JSON.stringify({
      object: 'error',
      message: `This model's maximum context length is 4096 tokens. However, you requested 9000 tokens. Input: ${padding}`,
      type: 'BadRequestError',
      param: null,
      code: 400,
    });
    expect(diagnose({ status: 400, body: vllm }).cause).toBe('context_length_exceeded');
  });

  it('a success with an empty body is no answer of the API’s: relay_error, retried', () => {
    // Before: unknown, delivered by the guard as a 400 "status code (no body)".
    expect(diagnose({ status: 200, body: '  ' })).toMatchObject({ cause: 'relay_error', retryable: true });
  });

  it('a body whose content-encoding lies (zlib’s Z_DATA_ERROR) is a connection failure', () => {
    const failed = new TypeError('terminated', {
      cause: Object.assign(new Error('incorrect header check'), { code: 'Z_DATA_ERROR' }),
    });
    // Before: unknown, never retried.
    expect(diagnose(failed)).toMatchObject({ cause: 'connection_error', retryable: true });
  });
});

describe('shapes of errors a service may hold', () => {
  it('an openai v4 error: headers as a case-insensitive proxy, request_id', () => {
    const record: Record<string, string> = { 'X-Request-Id': 'req_v4proxy01', 'Retry-After': '3' };
    const headers = new Proxy(record, {
      get: (target, name) =>
        typeof name === 'string'
          ? Object.entries(target).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1]
          : undefined,
    });
    class APIError extends Error {}
    class RateLimitError extends APIError {}
    const error = Object.assign(
      new RateLimitError(
        '429 Rate limit reached for gpt-3.5-turbo in organization org-x on requests per min (RPM): Limit 3500, Used 3500, Requested 1.',
      ),
      {
        status: 429,
        headers,
        request_id: 'req_v4proxy01',
        error: {
          message:
            'Rate limit reached for gpt-3.5-turbo in organization org-x on requests per min (RPM): Limit 3500, Used 3500, Requested 1.',
          type: 'requests',
          param: null,
          code: 'rate_limit_exceeded',
        },
        code: 'rate_limit_exceeded',
        type: 'requests',
        param: null,
      },
    );
    expect(diagnose(error)).toMatchObject({
      cause: 'rate_limited_requests',
      requestId: 'req_v4proxy01',
      retryAfterMs: 3_000,
      headers: { 'retry-after': '3', 'x-request-id': 'req_v4proxy01' },
      limit: { kind: 'requests', limit: 3_500 },
    });
  });

  it('a number, a bare status string and a JSON string of a plain object', () => {
    expect(diagnose(503)).toMatchObject({ cause: 'overloaded', status: 503 });
    // A bare 502 with no API body is the gateway's own answer.
    expect(diagnose('502 Bad Gateway')).toMatchObject({
      cause: 'relay_error',
      origin: 'network',
      status: 502,
    });
    expect(
      diagnose(JSON.stringify({ status: 401, error: { code: 'account_deactivated', message: 'x' } })),
    ).toMatchObject({
      cause: 'account_deactivated',
      status: 401,
    });
  });

  it('only the headers that matter, lower-cased; never an authorization header', () => {
    const diagnosis = diagnose({
      status: 500,
      error: { message: 'x', type: 'server_error' },
      headers: {
        'X-Request-Id': 'req_1',
        'OpenAI-Organization': 'org-abc',
        'X-Should-Retry': 'true',
        Authorization: `Bearer ${fakeApiKey('2345')}`,
        'Set-Cookie': '__cf_bm=secret',
        Server: 'cloudflare',
      },
    });
    expect(diagnosis.headers).toStrictEqual({
      'x-request-id': 'req_1',
      'openai-organization': 'org-abc',
      'x-should-retry': 'true',
    });
  });
});

describe("the guard's attached diagnosis", () => {
  const guarded = () => {
    const base = diagnose({
      status: 429,
      body: fixtures.rate_limited_tokens.body,
      headers: fixtures.rate_limited_tokens.headers,
    });
    return {
      ...base,
      attempts: [
        { model: 'gpt-4o', cause: 'rate_limited_tokens', status: 429, waitMs: 0 },
        { model: 'gpt-4o', cause: 'rate_limited_tokens', status: 429, waitMs: 1_916 },
      ],
    } as const;
  };

  it('comes back first, as it was, when no other locale is asked for', () => {
    const attached = guarded();
    const error = attachDiagnosis(new Error('429 whatever the SDK said'), attached);
    expect(diagnose(error)).toBe(attached);
    expect(diagnose(error, { locale: 'en' }).attempts).toEqual(attached.attempts);
  });

  it('is re-rendered in another locale, keeping its attempts and fields', () => {
    const attached = guarded();
    const chinese = diagnose(attachDiagnosis(new Error('x'), attached), { locale: 'zh-CN' });
    const { hint, ...fields } = chinese;
    const { hint: englishHint, ...englishFields } = attached;
    expect(fields).toStrictEqual(englishFields);
    expect(hint.title).toBe('`gpt-4o` 的每分钟 token 数超限');
    expect(englishHint.title).toBe('Too many tokens per minute for `gpt-4o`');
  });

  it('is found on an error the guard threw, or on its cause, but never read from an upstream header', async () => {
    const attached = guarded();
    const wrapped = new Error('outer', { cause: attachDiagnosis(new Error('inner'), attached) });
    expect(diagnose(wrapped).attempts).toEqual(attached.attempts);
    // A server that sends the guard's own header names cannot forge its verdict.
    const forged = await chatFailure({
      status: 400,
      body: fixtures.invalid_request.body,
      headers: { 'x-tierguard-diagnosis-id': 'tgd_forged1', 'x-tierguard-cause': 'insufficient_quota' },
    });
    expect(diagnose(forged).cause).toBe('invalid_request');
  });
});

describe('properties over errors the SDK itself builds', () => {
  it('APIError.generate with random statuses, bodies and headers never breaks diagnose', () => {
    const body = fc.oneof(
      fc.record(
        {
          error: fc.record(
            {
              message: fc.oneof(fc.string(), fc.constant(null)),
              type: fc.oneof(
                fc.string(),
                fc.constantFrom('tokens', 'requests', 'insufficient_quota', 'server_error'),
                fc.constant(null),
              ),
              code: fc.oneof(
                fc.string(),
                fc.constantFrom(
                  'rate_limit_exceeded',
                  'insufficient_quota',
                  'model_not_found',
                  'invalid_api_key',
                ),
                fc.constant(null),
              ),
              param: fc.oneof(fc.string(), fc.constant(null)),
            },
            { requiredKeys: [] },
          ),
        },
        { requiredKeys: [] },
      ),
      fc.jsonValue(),
      fc.constant(undefined),
    );
    const headers = fc.dictionary(
      fc.oneof(
        fc.constantFrom(
          'retry-after',
          'retry-after-ms',
          'x-ratelimit-reset-tokens',
          'x-ratelimit-limit-tokens',
          'x-request-id',
        ),
        fc.string({ minLength: 1 }).filter((name) => /^[a-z-]+$/.test(name)),
      ),
      fc.oneof(
        fc.string().filter((value) => !/[\r\n\0]/.test(value) && value.trim() === value),
        fc.constantFrom('1m26.4s', '-1', '20', 'NaN'),
      ),
    );
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 100, max: 599 }), fc.constant(undefined)),
        body,
        headers,
        fc.string(),
        (status, json, record, message) => {
          let built: unknown;
          try {
            built = OpenAI.APIError.generate(
              status,
              json as object | undefined,
              message,
              new Headers(record),
            );
          } catch {
            return; // a header the Headers class itself refuses
          }
          for (const locale of ['en', 'zh-CN'] as const) {
            const diagnosis = diagnose(built, { locale });
            expect(CAUSES).toContain(diagnosis.cause);
            expect(diagnosis.hint.title.length).toBeGreaterThan(0);
            expect(diagnosis.hint.steps.length).toBeGreaterThan(0);
            if (diagnosis.retryAfterMs !== undefined)
              expect(diagnosis.retryAfterMs).toBeGreaterThanOrEqual(0);
            expect(JSON.parse(JSON.stringify(diagnosis))).toStrictEqual(diagnosis);
          }
        },
      ),
      { numRuns: 10_000 },
    );
  });
});
