// The account's checks, through the real openai client: each state answers with the API's status,
// code, type and message (openai-api.md Table 1), in the API's order, and nothing refused by a
// check is rate-limited or charged.
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { fakeApiKey } from '../../src/testing/fixtures.js';
import type { SimulatorOptions } from '../../src/testing/simulator/simulator.js';
import { chat, failure, limitHeadersOf, raw, start } from './helpers.js';

const VERIFY_TAIL =
  'Please go to: https://platform.openai.com/settings/organization/general and click on Verify Organization. If you just verified, it can take up to 15 minutes for access to propagate.';

describe('account states', () => {
  it.each<
    [
      string,
      SimulatorOptions,
      string,
      { status: number; code: string | null; type: string; message: string | RegExp },
    ]
  >([
    [
      'region not served',
      { account: { regionSupported: false } },
      'gpt-4o-mini',
      {
        status: 403,
        code: 'unsupported_country_region_territory',
        type: 'request_forbidden',
        message: 'Country, region, or territory not supported',
      },
    ],
    [
      'billing not active',
      { account: { billingActive: false } },
      'gpt-4o-mini',
      {
        status: 429,
        code: 'billing_not_active',
        type: 'billing_not_active',
        message: 'Your account is not active, please check your billing details on our website.',
      },
    ],
    [
      'no credit',
      { account: { creditUsd: 0 } },
      'gpt-4o-mini',
      {
        status: 429,
        code: 'insufficient_quota',
        type: 'insufficient_quota',
        message: /^You exceeded your current quota/,
      },
    ],
    [
      'no prepaid credit',
      { account: { creditUsd: -0.5, prepaid: true } },
      'gpt-4o-mini',
      {
        status: 429,
        code: 'credit_balance_exhausted',
        type: 'insufficient_quota',
        message: /^You have no credits remaining/,
      },
    ],
    [
      'organization spend limit',
      { account: { spentUsd: 5, spendLimitUsd: 5 } },
      'gpt-4o-mini',
      {
        status: 429,
        code: 'organization_spend_limit_exceeded',
        type: 'insufficient_quota',
        message: /spend limit/,
      },
    ],
    [
      'project spend limit',
      { account: { projectSpendLimitUsd: 0 } },
      'gpt-4o-mini',
      {
        status: 429,
        code: 'project_spend_limit_exceeded',
        type: 'insufficient_quota',
        message: /spend limit/,
      },
    ],
    [
      'usage limit of the tier',
      { account: { spentUsd: 100, usageLimitUsd: 100 } },
      'gpt-4o-mini',
      {
        status: 429,
        code: 'organization_usage_limit_exceeded',
        type: 'insufficient_quota',
        message: /usage limit/,
      },
    ],
    [
      'model outside the project',
      { account: { allowedModels: ['gpt-4o-mini'] } },
      'gpt-4o',
      {
        status: 403,
        code: 'model_not_found',
        type: 'invalid_request_error',
        message: 'Project `proj_simulated` does not have access to model `gpt-4o`',
      },
    ],
    [
      'model above the tier',
      { tier: 'free' },
      'gpt-4o',
      {
        status: 404,
        code: 'model_not_found',
        type: 'invalid_request_error',
        message: 'The model `gpt-4o` does not exist or you do not have access to it.',
      },
    ],
    [
      'unknown model',
      {},
      'gpt-5o',
      {
        status: 404,
        code: 'model_not_found',
        type: 'invalid_request_error',
        message: /^The model `gpt-5o` does not exist/,
      },
    ],
    [
      'retired model',
      {},
      'text-davinci-003',
      {
        status: 404,
        code: 'model_not_found',
        type: 'invalid_request_error',
        message: /^The model `text-davinci-003`/,
      },
    ],
    [
      'relay-style name',
      {},
      'openai/gpt-4o',
      {
        status: 404,
        code: 'model_not_found',
        type: 'invalid_request_error',
        message: /^The model `openai\/gpt-4o`/,
      },
    ],
    [
      'embedding model on chat completions',
      {},
      'text-embedding-3-small',
      { status: 404, code: 'model_not_found', type: 'invalid_request_error', message: /does not exist/ },
    ],
  ])('%s → the API’s refusal, never charged', async (_name, options, model, expected) => {
    const { client, sim } = await start(options);
    const thrown = await failure(chat(client, model));
    expect(thrown).toMatchObject({ status: expected.status, code: expected.code, type: expected.type });
    if (typeof expected.message === 'string') expect(thrown.message).toBe(expected.message);
    else expect(thrown.message).toMatch(expected.message);
    expect(thrown.headers['x-request-id']).toMatch(/^req_/);
    // Refused before the rate limiter: nothing charged, so a budget's headers (where the model has
    // one on this endpoint) show it full; no 429 counted as a rate limit.
    const limits = limitHeadersOf(thrown.headers);
    expect(limits['x-ratelimit-remaining-requests']).toBe(limits['x-ratelimit-limit-requests']);
    expect(limits['x-ratelimit-remaining-tokens']).toBe(limits['x-ratelimit-limit-tokens']);
    expect(sim.stats()).toMatchObject({
      tokensCharged: 0,
      served: 0,
      spentUsd: 0,
      rateLimited: { total: 0 },
      byStatus: { [String(expected.status)]: 1 },
      errorsByCode: { [expected.code ?? expected.type]: 1 },
    });
  });

  it('serves a dated snapshot and a fine-tune of a model the tier has', async () => {
    const { client } = await start();
    await expect(chat(client, 'gpt-4o-2024-08-06')).resolves.toMatchObject({ model: 'gpt-4o-2024-08-06' });
    await expect(chat(client, 'ft:gpt-4o-mini:org:custom:abc123')).resolves.toMatchObject({
      object: 'chat.completion',
    });
  });

  it('puts the budget’s headers on every answer about a model the account can call, none otherwise', async () => {
    const full = {
      'x-ratelimit-limit-requests': '500',
      'x-ratelimit-remaining-requests': '500',
      'x-ratelimit-reset-requests': '0s',
      'x-ratelimit-limit-tokens': '200000',
      'x-ratelimit-remaining-tokens': '200000',
      'x-ratelimit-reset-tokens': '0s',
    };
    for (const account of [{ billingActive: false }, { creditUsd: 0 }, { regionSupported: false }]) {
      const { client } = await start({ account });
      expect(limitHeadersOf((await failure(chat(client))).headers)).toEqual(full);
    }
    const { sim } = await start({ apiKey: 'sk-right-0123456789abcdef' });
    const wrongKey = new OpenAI({ apiKey: 'sk-wrong-0123456789abcdef', baseURL: sim.baseURL, maxRetries: 0 });
    expect(limitHeadersOf((await failure(chat(wrongKey))).headers)).toEqual({});
    const keyed = new OpenAI({ apiKey: 'sk-right-0123456789abcdef', baseURL: sim.baseURL, maxRetries: 0 });
    expect(limitHeadersOf((await failure(chat(keyed, 'gpt-5o'))).headers)).toEqual({});
  });

  it('lists models with billing inactive (model calls only are refused), not from a refused region', async () => {
    const billing = await start({ account: { billingActive: false } });
    expect((await billing.client.models.list()).data.length).toBeGreaterThan(5);
    const region = await start({ account: { regionSupported: false } });
    expect(await failure(region.client.models.list())).toMatchObject({ status: 403 });
  });
});

describe('the order of the checks', () => {
  it.each<[string, SimulatorOptions, string, Record<string, unknown>, string]>([
    [
      'region before billing',
      { account: { regionSupported: false, billingActive: false } },
      'gpt-4o-mini',
      {},
      'unsupported_country_region_territory',
    ],
    [
      'billing before the model',
      { tier: 'free', account: { billingActive: false } },
      'gpt-4o',
      {},
      'billing_not_active',
    ],
    [
      'the model before the project',
      { tier: 'free', account: { allowedModels: ['gpt-4o-mini'] } },
      'gpt-4o',
      {},
      'model_not_found',
    ],
    [
      'the project before verification',
      { account: { allowedModels: ['gpt-4o-mini'], organizationVerified: false } },
      'o3',
      { stream: true },
      'model_not_found',
    ],
    [
      'verification before credit',
      { account: { organizationVerified: false, creditUsd: 0 } },
      'o3',
      { stream: true },
      'unsupported_value',
    ],
    [
      'credit before rate limits',
      { account: { creditUsd: 0 }, limits: { 'gpt-4o-mini': { requests: 1 } } },
      'gpt-4o-mini',
      {},
      'insufficient_quota',
    ],
  ])('%s', async (_name, options, model, extra, code) => {
    const { client } = await start(options);
    expect((await failure(chat(client, model, extra))).code).toBe(code);
  });

  it('checks the key before anything else', async () => {
    const { client } = await start(
      { apiKey: fakeApiKey('rght'), account: { regionSupported: false } },
      { apiKey: fakeApiKey('ghij') },
    );
    expect(await failure(chat(client))).toMatchObject({ status: 401, code: 'invalid_api_key' });
  });
});

describe('organization verification', () => {
  it('403s gpt-image-1 for an unverified organization', async () => {
    const { client } = await start({ account: { organizationVerified: false } });
    expect(await failure(client.images.generate({ model: 'gpt-image-1', prompt: 'a fox' }))).toMatchObject({
      status: 403,
      code: null,
      type: 'invalid_request_error',
      message: `Your organization must be verified to use the model \`gpt-image-1\`. ${VERIFY_TAIL}`,
    });
    // dall-e-3 needs no verification.
    await expect(client.images.generate({ model: 'dall-e-3', prompt: 'a fox' })).resolves.toBeDefined();
  });

  it('400s streaming o3 and gpt-5, and reasoning summaries, but serves them otherwise', async () => {
    const { client } = await start({ account: { organizationVerified: false } });
    for (const model of ['o3', 'gpt-5', 'o3-2025-04-16']) {
      expect(await failure(chat(client, model, { stream: true }))).toMatchObject({
        status: 400,
        code: 'unsupported_value',
        param: 'stream',
        message: `Your organization must be verified to stream this model. ${VERIFY_TAIL}`,
      });
      await expect(chat(client, model)).resolves.toMatchObject({ object: 'chat.completion' });
    }
    expect(
      await failure(client.responses.create({ model: 'o3', input: 'x', reasoning: { summary: 'auto' } })),
    ).toMatchObject({
      status: 400,
      code: 'unsupported_value',
      param: 'reasoning.summary',
      message: `Your organization must be verified to generate reasoning summaries. ${VERIFY_TAIL}`,
    });
    await expect(
      client.responses.create({ model: 'o3', input: 'x', reasoning: { effort: 'low' } }),
    ).resolves.toMatchObject({
      status: 'completed',
    });
  });

  it('streams o3 once the organization is verified', async () => {
    const { client, sim } = await start({ account: { organizationVerified: false } });
    sim.setAccount({ organizationVerified: true });
    const stream = await client.chat.completions.create({
      model: 'o3',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
      max_completion_tokens: 3,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe('Sure: a');
  });
});

describe('money', () => {
  it('takes each call’s cost from the credit; when it runs out mid-run, insufficient_quota', async () => {
    // gpt-4o, 10 prompt + 20 completion tokens: (10 × 2.50 + 20 × 10.00) / 1M = $0.000225 (Table 6).
    const { client, sim } = await start({ account: { creditUsd: 0.0003 } });
    await chat(client, 'gpt-4o');
    expect(sim.account().creditUsd).toBeCloseTo(0.0003 - 0.000225, 12);
    // Credit left is above 0: served, and the balance goes below 0 (spend overshoots, OAI-SPEND).
    await chat(client, 'gpt-4o');
    expect(sim.account().creditUsd).toBeLessThan(0);
    expect(await failure(chat(client, 'gpt-4o'))).toMatchObject({ status: 429, code: 'insufficient_quota' });
    expect(sim.stats()).toMatchObject({ served: 2, byStatus: { '200': 2, '429': 1 } });
    expect(sim.stats().spentUsd).toBeCloseTo(0.00045, 12);
    expect(sim.account().spentUsd).toBeCloseTo(0.00045, 12);
  });

  it('changes the account mid-run with setAccount; undefined or null resets a field', async () => {
    const { client, sim } = await start();
    await chat(client);
    sim.setAccount({ creditUsd: 0 });
    expect((await failure(chat(client))).code).toBe('insufficient_quota');
    sim.setAccount({ creditUsd: 10 });
    await expect(chat(client)).resolves.toBeDefined();
    sim.setAccount({ creditUsd: 0, billingActive: false });
    expect((await failure(chat(client))).code).toBe('billing_not_active');
    sim.setAccount({ creditUsd: undefined, billingActive: null });
    await expect(chat(client)).resolves.toBeDefined();
    expect(sim.account()).toEqual({ spentUsd: expect.any(Number) as unknown });
  });

  it('refuses once the month’s spend reaches the spend limit', async () => {
    const { client, sim } = await start({ account: { spendLimitUsd: 0.0004 } });
    await chat(client, 'gpt-4o');
    await chat(client, 'gpt-4o');
    expect(await failure(chat(client, 'gpt-4o'))).toMatchObject({
      status: 429,
      code: 'organization_spend_limit_exceeded',
    });
    // Raising the limit lets calls through again; the project limit is its own.
    sim.setAccount({ spendLimitUsd: 1, projectSpendLimitUsd: 0.0004 });
    expect((await failure(chat(client, 'gpt-4o'))).code).toBe('project_spend_limit_exceeded');
  });

  it('keeps the month’s spend across resetStats', async () => {
    const { client, sim } = await start();
    await chat(client, 'gpt-4o');
    sim.resetStats();
    expect(sim.stats().spentUsd).toBe(0);
    expect(sim.account().spentUsd).toBeCloseTo(0.000225, 12);
  });
});

describe('the key and the organization', () => {
  const RIGHT = fakeApiKey('rght');

  it('refuses another key with 401 invalid_api_key, echoing it masked like the API', async () => {
    const wrongKey = fakeApiKey('ghij');
    const { client } = await start({ apiKey: RIGHT }, { apiKey: wrongKey });
    const thrown = await failure(chat(client));
    expect(thrown).toMatchObject({ status: 401, code: 'invalid_api_key', type: 'invalid_request_error' });
    expect(thrown.message).toMatch(
      /^Incorrect API key provided: sk-proj-\*{20,}ghij\. You can find your API key at https:\/\/platform\.openai\.com\/account\/api-keys\.$/,
    );
    expect(thrown.message).not.toContain(wrongKey.slice(8, -4));
    const short = await start({ apiKey: RIGHT }, { apiKey: 'sk-short-1' });
    const shortThrown = await failure(chat(short.client));
    expect(shortThrown.code).toBe('invalid_api_key');
    expect(shortThrown.message).not.toContain('sk-short-1');
    expect(shortThrown.message).not.toContain('short');
  });

  it('accepts the right key, and an Azure-style api-key header', async () => {
    const { client, sim } = await start({ apiKey: RIGHT }, { apiKey: RIGHT });
    await expect(chat(client)).resolves.toBeDefined();
    const azure = await raw(sim, '/v1/models', { headers: { 'api-key': RIGHT } });
    expect(azure.status).toBe(200);
  });

  it('401s a request without a key', async () => {
    const { sim } = await start();
    const response = await raw(sim, '/v1/chat/completions', {
      method: 'POST',
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [] }),
    });
    expect(response.status).toBe(401);
    const body = (await response.json()) as { error: { message: string; type: string; code: null } };
    expect(body.error).toMatchObject({ type: 'invalid_request_error', code: null });
    expect(body.error.message).toMatch(/^You didn't provide an API key\./);
  });

  it('401s an OpenAI-Organization header that names another organization, when one is set', async () => {
    const { sim } = await start({ organization: 'org-simABC' });
    const other = new OpenAI({
      apiKey: 'sk-test',
      baseURL: sim.baseURL,
      maxRetries: 0,
      organization: 'org-other',
    });
    expect(await failure(chat(other))).toMatchObject({
      status: 401,
      code: 'mismatched_organization',
      message: 'OpenAI-Organization header should match organization for API key',
    });
    const same = new OpenAI({
      apiKey: 'sk-test',
      baseURL: sim.baseURL,
      maxRetries: 0,
      organization: 'org-simABC',
    });
    const { response } = await chat(same).withResponse();
    expect(response.headers.get('openai-organization')).toBe('org-simABC');
  });
});
