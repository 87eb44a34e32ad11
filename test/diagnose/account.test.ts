/**
 * Issue 17, point by point, through the real client (openai 6 and 7) over scriptedFetch: each row
 * scripts one answer, makes the call a service makes, and diagnoses what its `catch` holds with
 * what the caller knows (`tier`, `provider`, `baseURL`, `learnedLimits`, `retries`), in both locales.
 */
import OpenAI from 'openai';
import OpenAIv7 from 'openai-v7';
import { describe, expect, it } from 'vitest';
import { CAUSE_CATALOGUE } from '../../src/data/causes.js';
import { diagnose } from '../../src/diagnose/diagnose.js';
import type { DiagnoseOptions, Diagnosis, Hint, Locale } from '../../src/diagnose/types.js';
import { contextWindowOf, fitsContextWindow } from '../../src/models/resolve.js';
import { apiErrors, fixtures, rateLimitHeaders, type ErrorFixture } from '../../src/testing/fixtures.js';
import { scriptedFetch } from '../../src/testing/scripted-fetch.js';

type Client = typeof OpenAI | typeof OpenAIv7;
const CLIENTS: [string, Client][] = [
  ['openai 6', OpenAI],
  ['openai 7', OpenAIv7],
];

const OPENAI = 'https://api.openai.com/v1';
const AZURE = 'https://contoso.openai.azure.com/openai/deployments/dep-4o';
const RELAY = 'https://relay.example.test/v1';
const EU = 'https://eu.api.openai.com/v1';

/** What the caller's `catch` holds after one chat call answered with `fixture`. */
async function caught(
  Client: Client,
  fixture: ErrorFixture,
  model: string,
  baseURL: string,
): Promise<unknown> {
  const openai = new Client({
    apiKey: 'sk-test',
    baseURL,
    fetch: scriptedFetch(fixture),
    maxRetries: 0,
  }) as OpenAI;
  return openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] }).then(
    () => new Error('expected a failure'),
    (error: unknown) => error,
  );
}

function text(hint: Hint): string {
  return [hint.title, hint.why, ...hint.steps, ...hint.links.map((link) => `${link.label} ${link.url}`)].join(
    '\n',
  );
}

interface Row {
  readonly name: string;
  readonly fixture: ErrorFixture;
  /** The model the call asks for. */
  readonly model?: string;
  readonly baseURL?: string;
  readonly options?: Omit<DiagnoseOptions, 'locale' | 'model'>;
  /** The diagnosis's own fields. */
  readonly fields: (diagnosis: Diagnosis) => void;
  /** What the English and the Chinese hints must (not) say. */
  readonly en: (hint: string, diagnosis: Diagnosis) => void;
  readonly zh: (hint: string, diagnosis: Diagnosis) => void;
}

const ROWS: Row[] = [
  {
    name: 'a 404 on gpt-4o, Tier 5: the tier allows it, the suspects are elsewhere',
    fixture: fixtures.model_access_denied,
    options: { tier: 'tier-5' },
    fields: (d) => expect(d).toMatchObject({ cause: 'model_access_denied', model: 'gpt-4o', tier: 'tier-5' }),
    en: (t) => {
      expect(t).toContain('Your tier can use `gpt-4o`: the cause is elsewhere');
      expect(t).toContain('`gpt-4o` needs Tier 1, and the account is on Tier 5');
      for (const suspect of ['allowed models', 'verified organization', 'restricted one', 'base URL'])
        expect(t).toContain(suspect);
      expect(t).not.toMatch(/\bPay\b|top-up|in one go/);
    },
    zh: (t) => {
      expect(t).toContain('你的等级可以使用 `gpt-4o`：原因在别处');
      expect(t).toContain('允许的模型列表');
      expect(t).not.toMatch(/一次性付清|小额充值/);
    },
  },
  {
    name: 'the same 404 on Tier 1: Tier 1 allows gpt-4o too, and the hint says Tier 1',
    fixture: fixtures.model_access_denied,
    options: { tier: 'tier-1' },
    fields: (d) => expect(d).toMatchObject({ cause: 'model_access_denied', tier: 'tier-1' }),
    en: (t) => {
      expect(t).toContain('`gpt-4o` needs Tier 1, and the account is on Tier 1');
      expect(t).not.toMatch(/\bPay\b|in one go/);
    },
    zh: (t) => expect(t).toContain('而账户已是 Tier 1'),
  },
  {
    name: 'the same 404 on the free tier: the tier is the reason, with what reaching Tier 1 takes',
    fixture: fixtures.model_access_denied,
    options: { tier: 'free' },
    fields: (d) => expect(d).toMatchObject({ cause: 'model_access_denied', tier: 'free' }),
    en: (t) => {
      expect(t).toContain('`gpt-4o` needs Tier 1; the account is on the free tier');
      expect(t).toContain('Pay what Tier 1 needs in one go (at least $5 paid in total');
    },
    zh: (t) => expect(t).toContain('按 Tier 1 所需金额一次性付清'),
  },
  {
    name: 'a tier-gated model on Tier 1: the tier the message names, and how to reach it',
    fixture: fixtures.tier_required,
    options: { tier: 'tier-1' },
    fields: (d) => expect(d).toMatchObject({ cause: 'model_access_denied', model: 'o1-mini', status: 404 }),
    en: (t) => {
      expect(t).toContain('`o1-mini` needs Tier 5; the account is on Tier 1');
      expect(t).toContain(
        'The API names the tier it needs: Tier 5 (reached after paying at least $1,000 in total and 30 days',
      );
      expect(t).toContain('Pay what Tier 5 needs in one go');
    },
    zh: (t) => {
      expect(t).toContain('`o1-mini` 需要 Tier 5，而账户目前是 Tier 1');
      expect(t).toContain('按 Tier 5 所需金额一次性付清');
    },
  },
  {
    name: 'the same tier-gated 404 on Tier 5: the tier is there, so no payment — the tier may not be applied yet',
    fixture: fixtures.tier_required,
    options: { tier: 'tier-5' },
    fields: (d) => expect(d).toMatchObject({ cause: 'model_access_denied', tier: 'tier-5' }),
    en: (t) => {
      expect(t).toContain('The API says `o1-mini` needs Tier 5, and the account is on Tier 5');
      expect(t).toContain('new limits can take 6–24 h to apply');
      expect(t).not.toMatch(/\bPay\b|top-up|in one go/);
    },
    zh: (t) => {
      expect(t).toContain('API 表示 `o1-mini` 需要 Tier 5，而账户已是 Tier 5');
      expect(t).not.toMatch(/一次性付清|小额充值/);
    },
  },
  {
    name: 'a missing fine-tune: deleted, another organization or a typo — not a tier problem',
    fixture: fixtures.fine_tune_not_found,
    options: { tier: 'tier-2' },
    fields: (d) =>
      expect(d).toMatchObject({
        cause: 'model_not_found',
        model: 'ft:gpt-4o-mini-2024-07-18:acme::AbC123xy',
      }),
    en: (t) => {
      expect(t).toContain(
        'The fine-tuned model `ft:gpt-4o-mini-2024-07-18:acme::AbC123xy` is not available to this key',
      );
      expect(t).toContain('its name says `acme`');
      expect(t).toContain('fall back to its base model `gpt-4o-mini-2024-07-18`');
      expect(t).toContain('https://platform.openai.com/finetune');
      expect(t).not.toMatch(/\bTier \d\b|\bPay\b/);
    },
    zh: (t) => {
      expect(t).toContain('微调模型');
      expect(t).not.toMatch(/Tier \d|一次性付清/);
    },
  },
  {
    name: 'Azure DeploymentNotFound: Azure words and pages, no GET /v1/models, no tiers',
    fixture: fixtures.azure_deployment_not_found,
    model: 'dep-4o',
    baseURL: AZURE,
    fields: (d) =>
      expect(d).toMatchObject({ cause: 'model_not_found', provider: 'azure', code: 'DeploymentNotFound' }),
    en: (t) => {
      expect(t).toContain('The Azure deployment `dep-4o` does not exist');
      expect(t).toContain('Azure portal');
      expect(t).toContain('api-version');
      expect(t).toContain('https://learn.microsoft.com/azure/ai-services/openai/how-to/create-resource');
      expect(t).not.toContain('GET /v1/models');
      expect(t).not.toMatch(/\bTier \d\b/);
    },
    zh: (t) => {
      expect(t).toContain('Azure 部署');
      expect(t).toContain('api-version');
      expect(t).not.toContain('GET /v1/models');
    },
  },
  {
    name: 'an Azure token-rate 429: the deployment quota in the Azure portal, the limit the guard learned',
    fixture: fixtures.azure_token_rate_limit,
    model: 'dep-4o',
    baseURL: AZURE,
    options: { learnedLimits: { tokens: 240_000, requests: 1_440 } },
    fields: (d) =>
      expect(d).toMatchObject({
        cause: 'rate_limited_tokens',
        provider: 'azure',
        limit: { kind: 'tokens', window: 'minute', limit: 240_000 },
      }),
    en: (t) => {
      expect(t).toContain(
        'The deployment hit its tokens-per-minute (TPM) limit (limit 240,000 tokens per minute)',
      );
      expect(t).toContain('Azure portal (Quotas)');
      expect(t).toContain('https://learn.microsoft.com/azure/ai-services/openai/how-to/quota');
      expect(t).not.toMatch(/\bTier \d\b|usage tier rises/);
    },
    zh: (t) => {
      expect(t).toContain('该部署的配额');
      expect(t).not.toMatch(/Tier \d/);
    },
  },
  {
    name: 'an Azure content filter: Azure’s content-filter page',
    fixture: fixtures.azure_content_filter,
    baseURL: AZURE,
    fields: (d) => expect(d).toMatchObject({ cause: 'content_policy', provider: 'azure' }),
    en: (t) =>
      expect(t).toContain('https://learn.microsoft.com/azure/ai-services/openai/concepts/content-filter'),
    zh: (t) => expect(t).toContain('Azure OpenAI 的内容筛选'),
  },
  {
    name: 'a relay’s vendor/model id: the relay’s own model list, no OpenAI tiers',
    fixture: apiErrors.modelNotFound('anthropic/claude-3-5-sonnet'),
    model: 'anthropic/claude-3-5-sonnet',
    baseURL: RELAY,
    options: { tier: 'tier-1' },
    fields: (d) => expect(d).toMatchObject({ cause: 'model_not_found', provider: 'other' }),
    en: (t) => {
      expect(t).toContain("a relay's vendor/model id (vendor `anthropic`)");
      expect(t).toContain('GET /v1/models with the same key and base URL');
      expect(t).not.toMatch(/\bTier \d\b|\bPay\b/);
    },
    zh: (t) => {
      expect(t).toContain('中转站');
      expect(t).not.toMatch(/Tier \d/);
    },
  },
  {
    name: 'a known model refused by a relay: the relay’s plan, not an OpenAI tier',
    fixture: fixtures.model_access_denied,
    baseURL: RELAY,
    options: { tier: 'free' },
    fields: (d) => expect(d).toMatchObject({ cause: 'model_access_denied', provider: 'other' }),
    en: (t) => {
      expect(t).toContain('The endpoint refused `gpt-4o` for this key');
      expect(t).not.toMatch(/\bTier \d\b|\bPay\b/);
    },
    zh: (t) => expect(t).not.toMatch(/Tier \d|一次性付清/),
  },
  {
    name: 'a retired model: its shutdown date and OpenAI’s replacement',
    fixture: fixtures.retired_model,
    model: 'gpt-4-32k',
    fields: (d) => expect(d).toMatchObject({ cause: 'model_not_found', model: 'gpt-4-32k' }),
    en: (t) => {
      expect(t).toContain('The model `gpt-4-32k` was shut down on 2025-06-06');
      expect(t).toContain('Switch to `gpt-4o`');
      expect(t).toContain('https://platform.openai.com/docs/deprecations');
    },
    zh: (t) => expect(t).toContain('模型 `gpt-4-32k` 已于 2025-06-06 下线'),
  },
  {
    name: 'context length, "resulted in": the numbers parsed, the tokens to cut, the models whose window holds it',
    fixture: apiErrors.contextLengthExceeded({ limit: 128_000, requested: 140_000 }),
    fields: (d) => {
      expect(d).toMatchObject({
        cause: 'context_length_exceeded',
        model: 'gpt-4o',
        limit: { kind: 'context', limit: 128_000, requested: 140_000 },
      });
    },
    en: (t) => {
      expect(t).toContain("`gpt-4o`'s context window is 128,000 tokens; this request came to 140,000");
      expect(t).toContain('Cut at least 12,000 tokens');
      const suggested = [...t.matchAll(/`([\w.-]+)` \(([\d,]+)\)/g)];
      expect(suggested.length).toBeGreaterThan(0);
      for (const [, model, window] of suggested) {
        expect(Number(window?.replace(/,/g, ''))).toBeGreaterThanOrEqual(140_000);
        expect(contextWindowOf(model ?? '')).toBe(Number(window?.replace(/,/g, '')));
      }
    },
    zh: (t) => {
      expect(t).toContain('至少削减 12,000 个 token');
      expect(t).toContain('`gpt-4o` 的上下文窗口是 128,000 个 token');
    },
  },
  {
    name: 'context length, "you requested (… in the completion)": the output part too',
    fixture: fixtures.context_length_exceeded_requested,
    model: 'gpt-4',
    fields: (d) =>
      expect(d.limit).toEqual({
        kind: 'context',
        limit: 8_192,
        requested: 8_242,
        prompt: 4_146,
        completion: 4_096,
      }),
    en: (t) => {
      expect(t).toContain('Cut at least 50 tokens');
      expect(t).toContain('it asked for 4,096 tokens of output');
    },
    zh: (t) => expect(t).toContain('它为输出预留了 4,096 个 token'),
  },
  {
    name: 'gpt-5’s input limit: the input alone counts, and no model with the same input cap is offered',
    fixture: fixtures.context_length_exceeded_input,
    model: 'gpt-5',
    fields: (d) =>
      expect(d.limit).toEqual({ kind: 'context', limit: 272_000, input: true, requested: 289_650 }),
    en: (t) => {
      expect(t).toContain(
        '`gpt-5` takes at most 272,000 input tokens, whatever its window; this prompt came to 289,650',
      );
      expect(t).toContain('Cut at least 17,650 tokens');
      expect(t).not.toContain('Lower max_tokens');
      const suggested = [...t.matchAll(/`([\w.-]+)` \(([\d,]+)\)/g)].map((match) => match[1] ?? '');
      expect(suggested.length).toBeGreaterThan(0);
      for (const model of suggested) expect(fitsContextWindow(model, 289_650, 32_768)).toBe(true);
      expect(suggested.some((model) => model.startsWith('gpt-5'))).toBe(false);
    },
    zh: (t) => expect(t).toContain('`gpt-5` 最多只接受 272,000 个输入 token'),
  },
  {
    name: 'Azure’s 401 without a base URL: the answer says Azure, and the hint speaks of the resource’s keys',
    fixture: fixtures.azure_invalid_key,
    fields: (d) => expect(d).toMatchObject({ cause: 'invalid_api_key', provider: 'azure', status: 401 }),
    en: (t) => {
      expect(t).toContain('Azure OpenAI rejected the key');
      expect(t).toContain('Keys and Endpoint');
    },
    zh: (t) => expect(t).toContain('密钥和终结点'),
  },
  {
    name: 'Flex 429 Resource Unavailable: retryable, not billed, service_tier "auto"',
    fixture: fixtures.flex_resource_unavailable,
    model: 'o3',
    fields: (d) =>
      expect(d).toMatchObject({
        cause: 'resource_unavailable',
        retryable: true,
        fallbackTo: 'model',
        status: 429,
      }),
    en: (t) => {
      expect(t).toContain('not billed');
      expect(t).toContain('service_tier: "auto"');
      expect(t).not.toMatch(/\bTier \d\b/);
    },
    zh: (t) => {
      expect(t).toContain('不计费');
      expect(t).toContain('"auto"');
    },
  },
  {
    name: 'a data-residency host: the region, and its notes on models and keys',
    fixture: apiErrors.modelNotFound('gpt-5-nanoo'),
    model: 'gpt-5-nanoo',
    baseURL: EU,
    fields: (d) => expect(d).toMatchObject({ cause: 'model_not_found', provider: 'openai', region: 'eu' }),
    en: (t) => {
      expect(t).toContain('This call went to eu.api.openai.com (data residency, region eu)');
      expect(t).toContain('https://help.openai.com/en/articles/10503543-data-residency-for-the-openai-api');
    },
    zh: (t) => expect(t).toContain('这次调用发往 eu.api.openai.com（数据驻留，区域 eu）'),
  },
  {
    name: 'x-should-retry: false on a 500 stops the retries, and the hint says why',
    fixture: fixtures.server_error_should_not_retry,
    fields: (d) => expect(d).toMatchObject({ cause: 'server_error', retryable: false }),
    en: (t) => {
      expect(t).toContain('The server answered x-should-retry: false');
      // No step says the opposite.
      expect(t).not.toContain('tierguard does, a bounded number of times');
    },
    zh: (t) => {
      expect(t).toContain('x-should-retry: false');
      expect(t).not.toContain('tierguard 会有限次数地自动重试');
    },
  },
  {
    name: 'x-should-retry: true never makes a quota error retryable',
    fixture: apiErrors.withShouldRetry(fixtures.insufficient_quota, true),
    fields: (d) => expect(d).toMatchObject({ cause: 'insufficient_quota', retryable: false }),
    en: (t) => expect(t).not.toContain('x-should-retry'),
    zh: (t) => expect(t).not.toContain('x-should-retry'),
  },
  {
    name: 'x-should-retry: true on an Azure deployment created a minute ago makes it retryable',
    fixture: apiErrors.withShouldRetry(fixtures.azure_deployment_not_found, true),
    baseURL: AZURE,
    fields: (d) => expect(d).toMatchObject({ cause: 'model_not_found', retryable: true }),
    en: (t) => expect(t).toContain('The server answered x-should-retry: true'),
    zh: (t) => expect(t).toContain('x-should-retry: true'),
  },
  {
    name: 'after retries: the summary on the diagnosis, and the first step says how many and why they stopped',
    fixture: fixtures.rate_limited_tokens,
    options: { retries: { attempts: 3, elapsedMs: 4_200, stoppedBy: 'attempts' } },
    fields: (d) => {
      expect(d).toMatchObject({ cause: 'rate_limited_tokens', retryable: true });
      expect(d.retries).toEqual({ attempts: 3, elapsedMs: 4_200, stoppedBy: 'attempts' });
    },
    en: (t, d) => {
      expect(d.hint.steps[0]).toBe(
        'tierguard sent this call 3 times over 4.2 s and stopped: retry.maxAttempts was reached.',
      );
      // The steps after it do not claim a retry is still coming.
      expect(t).not.toContain('Retry after the delay: tierguard does');
      expect(t).toContain('A later call can still succeed once the wait the API asked for is over (1.9 s)');
    },
    zh: (_t, d) =>
      expect(d.hint.steps[0]).toBe(
        'tierguard 对这次调用在 4.2 秒 内共发送了 3 次，随后停止：已达到 retry.maxAttempts。',
      ),
  },
  {
    name: 'after a wait above maxDelayMs: the wait the API asked for',
    fixture: fixtures.rate_limited_requests_day,
    options: { retries: { attempts: 1, elapsedMs: 12, stoppedBy: 'delay-cap' } },
    fields: (d) => expect(d.retries?.stoppedBy).toBe('delay-cap'),
    en: (_t, d) =>
      expect(d.hint.steps[0]).toBe(
        'tierguard sent this call once and stopped: the API asked to wait 1 min 26 s, more than retry.maxDelayMs allows, so the call failed fast instead of waiting.',
      ),
    zh: (_t, d) => expect(d.hint.steps[0]).toContain('超过了 retry.maxDelayMs'),
  },
  {
    name: 'the tier usage limit: set by OpenAI, so no "raise or remove the limit"; the next tier raises it',
    fixture: fixtures.organization_usage_limit_exceeded,
    options: { tier: 'tier-2' },
    fields: (d) =>
      expect(d).toMatchObject({ cause: 'spend_limit_reached', code: 'organization_usage_limit_exceeded' }),
    en: (t) => {
      expect(t).toContain('This cap is set by OpenAI, not by you');
      expect(t).not.toMatch(/raise or remove/i);
      expect(t).toContain('Tier 3 raises it to $1,000 a month');
    },
    zh: (t) => {
      expect(t).not.toContain('调高或取消');
      expect(t).toContain('Tier 3 可把它提升到每月 $1,000');
    },
  },
  {
    name: 'the project spend limit: its budget, with no step about the tier usage limit',
    fixture: fixtures.project_spend_limit_exceeded,
    options: { tier: 'tier-3' },
    fields: (d) =>
      expect(d).toMatchObject({ cause: 'spend_limit_reached', code: 'project_spend_limit_exceeded' }),
    en: (t) => {
      expect(t).toContain("The project's budget");
      expect(t).not.toMatch(/\btier\b/i);
    },
    zh: (t) => expect(t).not.toMatch(/等级|Tier/),
  },
  {
    name: 'a model_not_found fixture against a gpt-4o call: the error’s model and the asked one are not mixed',
    fixture: fixtures.model_not_found,
    model: 'gpt-4o',
    fields: (d) =>
      expect(d).toMatchObject({ cause: 'model_not_found', model: 'gpt-4o-minii', requestedModel: 'gpt-4o' }),
    en: (t) => {
      expect(t).toContain('The model `gpt-4o-minii` does not exist');
      expect(t).toContain('This call asked for `gpt-4o`, but the error names `gpt-4o-minii`');
      expect(t).not.toMatch(/`gpt-4o-minii` exists|cannot use `gpt-4o-minii`/);
    },
    zh: (t) => expect(t).toContain('本次调用请求的是 `gpt-4o`，但错误中提到的是 `gpt-4o-minii`'),
  },
  {
    name: 'a TPM 429 on Tier 3 reporting Tier 1’s limit: a project limit or a pending tier, and Tier 4 next (not Tier 2)',
    fixture: apiErrors.rateLimited({
      model: 'gpt-4o',
      kind: 'tokens',
      limit: 30_000,
      used: 29_900,
      requested: 400,
      retryAfterMs: 800,
      headers: rateLimitHeaders({
        limitRequests: 500,
        remainingRequests: 400,
        resetRequestsMs: 100,
        limitTokens: 30_000,
        remainingTokens: 100,
        resetTokensMs: 800,
      }),
    }),
    options: { tier: 'tier-3' },
    fields: (d) => expect(d).toMatchObject({ cause: 'rate_limited_tokens', tier: 'tier-3' }),
    en: (t) => {
      expect(t).toContain(
        'Tier 3 publishes 800,000 tokens per minute for `gpt-4o`, more than the 30,000 the API reported',
      );
      expect(t).toContain('Tier 4 raises `gpt-4o` to 2,000,000 tokens per minute');
      expect(t).not.toMatch(/Tier [123] raises/);
    },
    zh: (t) => {
      expect(t).toContain('Tier 3 为 `gpt-4o` 公布的限额是 800,000 tokens/分钟');
      expect(t).toContain('Tier 4 可把 `gpt-4o` 的限额提升到 2,000,000 tokens/分钟');
    },
  },
  {
    name: 'a TPM 429 on Tier 5: no tier above it, so no "move up a tier"',
    fixture: fixtures.rate_limited_tokens,
    options: { tier: 'tier-5' },
    fields: (d) => expect(d).toMatchObject({ cause: 'rate_limited_tokens', tier: 'tier-5' }),
    en: (t) => {
      expect(t).toContain('Tier 5 is the highest usage tier');
      expect(t).not.toMatch(/Tier \d raises|limits rise with the tier/);
    },
    zh: (t) => {
      expect(t).toContain('Tier 5 已是最高的使用等级');
      expect(t).not.toMatch(/可把 `gpt-4o` 的限额提升到|等级越高限额越高/);
    },
  },
];

describe.each(CLIENTS)('issue 17 through the real client (%s)', (_label, Client) => {
  it.each(ROWS)('$name', async (row) => {
    const error = await caught(Client, row.fixture, row.model ?? 'gpt-4o', row.baseURL ?? OPENAI);
    const context = {
      ...row.options,
      model: row.model ?? 'gpt-4o',
      ...(row.baseURL === undefined ? {} : { baseURL: row.baseURL }),
    };
    const rendered = Object.fromEntries(
      (['en', 'zh-CN'] as const).map((locale) => [locale, diagnose(error, { ...context, locale })]),
    ) as Record<Locale, Diagnosis>;
    for (const diagnosis of Object.values(rendered)) {
      row.fields(diagnosis);
      expect(diagnosis.cause).toBe(row.fixture.cause);
      // A diagnosis stays plain data, and both locales agree on everything but the hint.
      expect(JSON.parse(JSON.stringify(diagnosis))).toStrictEqual(diagnosis);
    }
    const { hint: _en, ...enFields } = rendered.en;
    const { hint: _zh, ...zhFields } = rendered['zh-CN'];
    expect(zhFields).toStrictEqual(enFields);
    expect(rendered.en.hint.steps.length).toBe(rendered['zh-CN'].hint.steps.length);
    row.en(text(rendered.en.hint), rendered.en);
    row.zh(text(rendered['zh-CN'].hint), rendered['zh-CN']);
  });
});

describe('the catalogue for the new cause', () => {
  it('resource_unavailable: retried, falls back, no bucket of the account, delivered in a stream as 429', () => {
    expect(CAUSE_CATALOGUE.resource_unavailable).toEqual({
      retryable: true,
      fallbackTo: 'model',
      origin: 'api',
      accountLevel: false,
      streamStatus: 429,
      shouldRetryHeader: 'decides',
      finalOnClientError: false,
    });
  });
});
