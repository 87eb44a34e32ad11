/**
 * Every cause has a hint in every locale, rendered from an empty context and from a full one:
 * nothing empty, nothing unfilled, the same facts and links in both languages.
 */
import { describe, expect, it } from 'vitest';
import { requiredTier } from '../../src/advisor/required-tier.js';
import { CAUSES, CAUSE_CATALOGUE, type Cause } from '../../src/data/causes.js';
import { TIER_QUALIFICATIONS } from '../../src/data/tiers.js';
import type { HintContext } from '../../src/data/hints/types.js';
import { higherTierFor } from '../../src/diagnose/context.js';
import { renderHint } from '../../src/diagnose/hint.js';
import { LOCALES, type Hint, type Locale } from '../../src/diagnose/types.js';

type Context = Omit<HintContext, 'format'>;

const empty = (cause: Cause): Context => ({
  cause,
  origin: CAUSE_CATALOGUE[cause].origin,
  message: '',
  knownModel: false,
  modelSort: 'unknown',
});

const full = (cause: Cause): Context => {
  const limit = {
    kind: 'tokens',
    window: 'minute',
    limit: 30_000,
    used: 29_420,
    requested: 1_538,
    remaining: 0,
  } as const;
  const higherTier = higherTierFor('gpt-4o', limit, '', cause === 'request_too_large');
  if (higherTier === undefined) throw new Error('gpt-4o has a higher tier than 30,000 TPM');
  return {
    cause,
    origin: CAUSE_CATALOGUE[cause].origin,
    status: 429,
    code: 'some_code',
    type: 'some_type',
    param: 'messages',
    message: 'Incorrect API key provided: sk-proj-****6789. Missing scopes: model.request.',
    model: 'gpt-4o',
    requestId: 'req_0123456789abcdef',
    waitMs: 1_916,
    waitSource: 'x-ratelimit-reset-tokens',
    limit,
    requirement: requiredTier('gpt-4o'),
    standing: { needed: 'tier-1', named: false, qualification: TIER_QUALIFICATIONS.rows[1] },
    higherTier,
    knownModel: true,
    modelSort: 'openai',
    successor: 'gpt-4o-mini',
    scope: 'model.request',
    project: 'proj_abc123',
    organization: 'org-example',
    keyEnding: '6789',
    verificationOn: 'stream',
    networkCode: 'ECONNREFUSED',
    host: '127.0.0.1:1',
  };
};

function texts(hint: Hint): string[] {
  return [hint.title, hint.why, ...hint.steps, ...hint.links.flatMap((link) => [link.label, link.url])];
}

const CJK = /[\u4e00-\u9fff]/;

describe.each(['empty', 'full'] as const)('hints from an %s context', (kind) => {
  const build = kind === 'empty' ? empty : full;

  it.each(CAUSES)('%s: a complete hint in every locale', (cause) => {
    const rendered = Object.fromEntries(
      LOCALES.map((locale) => [locale, renderHint(locale, build(cause))]),
    ) as Record<Locale, Hint>;
    for (const locale of LOCALES) {
      const hint = rendered[locale];
      expect(hint.title.trim().length).toBeGreaterThan(3);
      expect(hint.why.trim().length).toBeGreaterThan(3);
      expect(hint.steps.length).toBeGreaterThan(0);
      for (const text of texts(hint)) {
        expect(text.trim().length).toBeGreaterThan(0);
        expect(text).not.toMatch(/undefined|NaN|\[object Object\]|null/);
        // A hole left open by a template: `${`, a doubled space or a space before punctuation.
        expect(text).not.toMatch(/\$\{|\s[,.;:)](?:\s|$)|^\s|\s$/);
      }
      for (const link of hint.links) expect(new URL(link.url).protocol).toBe('https:');
    }
    // Chinese where Chinese is asked for, English elsewhere.
    expect(rendered['zh-CN'].title + rendered['zh-CN'].why).toMatch(CJK);
    for (const text of texts(rendered.en)) expect(text).not.toMatch(CJK);
    // The same facts in both languages: as many steps, the same pages in the same order.
    expect(rendered['zh-CN'].steps.length).toBe(rendered.en.steps.length);
    expect(rendered['zh-CN'].links.map((link) => link.url)).toEqual(
      rendered.en.links.map((link) => link.url),
    );
  });
});

describe('hints are specific', () => {
  const en = (cause: Cause, extra: Partial<Context> = {}): string => {
    const hint = renderHint('en', { ...full(cause), ...extra });
    return texts(hint).join('\n');
  };
  const zh = (cause: Cause, extra: Partial<Context> = {}): string =>
    texts(renderHint('zh-CN', { ...full(cause), ...extra })).join('\n');

  it('a rate limit: its numbers, the wait and where it came from, whether pacing prevents it, the next tier', () => {
    const text = en('rate_limited_tokens');
    expect(text).toContain('organization org-example');
    expect(text).toContain('limit 30,000 tokens per minute, used 29,420, this request 1,538, remaining 0');
    expect(text).toContain('The API asked to wait 1.9 s (from x-ratelimit-reset-tokens)');
    expect(text).toContain("tierguard's pacing prevents this 429");
    expect(text).toContain('Tier 2 raises `gpt-4o` to 450,000 tokens per minute');
    expect(text).toContain('6–24 h');
    const chinese = zh('rate_limited_tokens');
    expect(chinese).toContain('每分钟上限 30,000 tokens，已用 29,420，本次请求 1,538，剩余 0');
    expect(chinese).toContain('API 要求等待 1.9 秒（来自 x-ratelimit-reset-tokens 响应头）');
    expect(chinese).toContain('Tier 2 可把 `gpt-4o` 的限额提升到 450,000 tokens/分钟');
  });

  it('a daily limit: pacing cannot make it larger', () => {
    const text = en('rate_limited_requests', { limit: { kind: 'requests', window: 'day', limit: 10_000 } });
    expect(text).toContain('Pacing cannot make a daily limit larger');
    expect(text).not.toContain('pacing prevents this');
    expect(zh('rate_limited_requests', { limit: { kind: 'requests', window: 'day' } })).toContain(
      '节奏控制无法扩大每日限额',
    );
  });

  it('a wait above the retry cap fails fast', () => {
    expect(en('rate_limited_requests', { waitMs: 86_400_000 })).toContain(
      "longer than tierguard's retry cap",
    );
  });

  it('one request above the TPM: the tier that fits it, and that pacing cannot help', () => {
    const text = en('request_too_large');
    expect(text).toContain('Tier 2 gives `gpt-4o` 450,000 tokens per minute, enough for this request');
    expect(text).toContain('Pacing cannot help');
  });

  it('a model above the tier: the tier it needs and what reaching it takes', () => {
    const text = en('model_access_denied', {
      message: 'The model `gpt-4o` does not exist or you do not have access to it.',
    });
    expect(text).toContain(
      'It needs at least Tier 1 (reached after paying at least $5 in total). The free tier cannot use it. If the account is on Tier 1 or above already, the tier is not the reason.',
    );
    expect(text).toContain('Below Tier 1: Pay what Tier 1 needs in one go');
    expect(text).toContain('Contact support (help.openai.com) if nothing changed after 48 h');
    expect(zh('model_access_denied', { message: '' })).toContain(
      '它至少需要 Tier 1（累计付款至少 $5 即可达到）',
    );
  });

  it('the key by its last characters, never in full', () => {
    expect(en('invalid_api_key')).toContain('ending in 6789');
    expect(zh('invalid_api_key')).toContain('末尾为 6789');
  });

  it('408 and 409 are told apart from client timeouts and server errors', () => {
    expect(en('timeout', { status: 408 })).toContain('408 Request Timeout');
    const { status: _status, ...withoutStatus } = full('timeout');
    expect(texts(renderHint('en', withoutStatus)).join('\n')).toContain('client timeout');
    expect(en('server_error', { status: 409 })).toContain('409 Conflict');
  });

  it('the field guides’ warnings are there', () => {
    expect(en('billing_not_active')).toContain(
      '"The payment succeeded, so the model works" is a common misconception',
    );
    expect(zh('billing_not_active')).toContain('常见误区');
    expect(en('region_unsupported')).toContain('trips risk controls');
    expect(en('spend_limit_reached')).toContain('a change is not instant');
    expect(en('spend_limit_reached', { code: 'organization_usage_limit_exceeded' })).toContain(
      'Tier 1 $100, Tier 2 $500, Tier 3 $1,000, Tier 4 $5,000, Tier 5 $200,000',
    );
    expect(en('verification_required')).toContain('up to 15 minutes');
  });

  it('points to every page the brief names', () => {
    const urls = new Set(
      CAUSES.flatMap((cause) =>
        LOCALES.flatMap((locale) => renderHint(locale, full(cause)).links.map((link) => link.url)),
      ),
    );
    for (const url of [
      'https://platform.openai.com/api-keys',
      'https://platform.openai.com/settings/organization/billing/payment-methods',
      'https://platform.openai.com/settings/organization/billing/overview',
      'https://platform.openai.com/settings/organization/limits',
      'https://platform.openai.com/usage',
      'https://platform.openai.com/settings/organization/general',
      'https://platform.openai.com/settings/organization/projects',
      'https://platform.openai.com/docs/supported-countries',
      'https://platform.openai.com/docs/guides/rate-limits',
      'https://platform.openai.com/docs/guides/error-codes',
      'https://status.openai.com',
      'https://help.openai.com/en/articles/6614457-troubleshooting-api-usage-and-spend-limits',
      'https://help.openai.com/en/articles/5955604-troubleshooting-api-rate-limits-and-429-errors',
      'https://help.openai.com/en/articles/10910291-api-organization-verification',
    ])
      expect(urls).toContain(url);
  });
});

describe('higherTierFor', () => {
  it('finds the lowest tier above the limit that was hit, from the tier table', () => {
    expect(
      higherTierFor('gpt-4o', { kind: 'tokens', window: 'minute', limit: 30_000 }, '', false),
    ).toMatchObject({
      tier: 'tier-2',
      limit: 450_000,
      qualification: { paidUsd: 50, daysSinceFirstPayment: 7 },
    });
    // A dated snapshot uses its family's table.
    expect(
      higherTierFor('gpt-4o-mini-2024-07-18', { kind: 'requests', window: 'minute', limit: 3 }, '', false),
    ).toMatchObject({
      tier: 'tier-1',
      limit: 500,
    });
    // One request of 213,421 tokens fits Tier 2's 2,000,000 TPM for gpt-4o-mini.
    expect(
      higherTierFor(
        'gpt-4o-mini',
        { kind: 'tokens', window: 'minute', limit: 200_000, requested: 213_421 },
        '',
        true,
      ),
    ).toMatchObject({ tier: 'tier-2', limit: 2_000_000 });
    // Tier 2 publishes no RPD for the mini class.
    const daily = higherTierFor('gpt-4o-mini', { kind: 'requests', window: 'day', limit: 10_000 }, '', false);
    expect(daily?.tier).toBe('tier-2');
    expect(daily?.limit).toBeUndefined();
    // Images per minute, parsed as requests, are looked up in the images column.
    expect(
      higherTierFor(
        'gpt-image-1',
        { kind: 'requests', window: 'minute', limit: 5 },
        'on images per min (IPM)',
        false,
      ),
    ).toMatchObject({ tier: 'tier-2', limit: 20 });
  });

  it('says nothing when it cannot know', () => {
    expect(
      higherTierFor('gpt-4o', { kind: 'tokens', window: 'minute', limit: 30_000_000 }, '', false),
    ).toBeUndefined();
    expect(
      higherTierFor('my-model', { kind: 'tokens', window: 'minute', limit: 30_000 }, '', false),
    ).toBeUndefined();
    expect(higherTierFor('gpt-4o', { kind: 'tokens', window: 'minute' }, '', false)).toBeUndefined();
    expect(
      higherTierFor('gpt-4o', { kind: 'tokens', window: 'day', limit: 90_000 }, '', false),
    ).toBeUndefined();
  });
});
