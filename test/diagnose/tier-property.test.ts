/**
 * No hint asks an account on tier N to reach a tier it already has: a property over every cause ×
 * every tier, with random models (known, unknown, fine-tunes, relay ids, retired), messages (the
 * tier-gated one naming any tier, project restrictions, rate limits with any tier's published
 * numbers, daily windows), spend codes, waits and retry summaries, in both locales.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CAUSES, CAUSE_CATALOGUE, type Cause } from '../../src/data/causes.js';
import { KNOWN_MODELS } from '../../src/data/models.js';
import { MODEL_TIER_LIMITS, TIERS, type Tier } from '../../src/data/tiers.js';
import { hintContext } from '../../src/diagnose/context.js';
import { renderHint } from '../../src/diagnose/hint.js';
import type { Diagnosis, Hint, RateLimitInfo } from '../../src/diagnose/types.js';

const rank = (tier: Tier): number => TIERS.indexOf(tier);
const tierOf = (name: string): Tier | undefined =>
  name === 'the free tier' || name === '免费等级（Free）'
    ? 'free'
    : TIERS.find((tier) => tier === `tier-${name.replace(/^Tier /, '')}`);

/** The sentences that ask to reach a tier, and the tier each asks for. */
const UPGRADE_ASKS: readonly RegExp[] = [
  /Pay what (Tier \d|the free tier) needs/g,
  /(Tier \d) (?:raises|gives)\b/g,
  /(Tier \d) publishes no daily/g,
  /按 (Tier \d|免费等级（Free）) 所需金额一次性付清/g,
  /(Tier \d) (?:可把|给 )/g,
  /(Tier \d) 对 [^。]{0,80}没有公布每日请求上限/g,
];
/** Conditional advice that only makes sense while the tier is unknown. */
const UNKNOWN_TIER_ONLY = /Below Tier \d:|低于 Tier \d 时/;
/** Generic "go up a tier" advice: wrong on the highest tier. */
const GENERIC_UPGRADE =
  /move up a tier|reach a higher tier|higher tier raises|limits rise with the tier|提升到更高的使用等级|提升等级可以提高|等级越高限额越高/;

function texts(hint: Hint): string {
  return [hint.title, hint.why, ...hint.steps].join('\n');
}

/** Every problem of `hint` for an account on `tier`. */
function violations(hint: Hint, tier: Tier): string[] {
  const found: string[] = [];
  const all = texts(hint);
  for (const pattern of UPGRADE_ASKS) {
    for (const match of all.matchAll(pattern)) {
      const asked = tierOf(match[1] ?? '');
      if (asked === undefined || rank(asked) <= rank(tier)) found.push(`asks for ${match[1]}: "${match[0]}"`);
    }
  }
  if (UNKNOWN_TIER_ONLY.test(all))
    found.push(`hedges on a tier it knows: ${UNKNOWN_TIER_ONLY.exec(all)?.[0]}`);
  if (tier === 'tier-5' && GENERIC_UPGRADE.test(all))
    found.push(`upgrade advice on Tier 5: ${GENERIC_UPGRADE.exec(all)?.[0]}`);
  return found;
}

const models = [
  ...Object.keys(KNOWN_MODELS.models),
  'gpt-4o-2024-08-06',
  'ft:gpt-4o-mini-2024-07-18:acme::AbC123',
  'openai/gpt-4o',
  'anthropic/claude-3-5-sonnet',
  'gpt-4-32k',
  'o1-mini',
  'gpt-5o',
];

/** Every number any tier publishes, so that reported limits match real rows (and fall between them). */
const publishedNumbers: number[] = [
  ...new Set(
    Object.values(MODEL_TIER_LIMITS.models).flatMap((row) =>
      Object.values(row).flatMap((limits: object | null) =>
        limits === null
          ? []
          : Object.values(limits).filter((value): value is number => typeof value === 'number'),
      ),
    ),
  ),
];

const limitArbitrary: fc.Arbitrary<RateLimitInfo> = fc.record(
  {
    kind: fc.constantFrom('requests' as const, 'tokens' as const),
    window: fc.constantFrom('minute' as const, 'day' as const),
    limit: fc.oneof(fc.constantFrom(...publishedNumbers), fc.integer({ min: 1, max: 200_000_000 })),
    requested: fc.integer({ min: 1, max: 300_000_000 }),
  },
  { requiredKeys: ['kind', 'window'] },
);

const messageArbitrary = (model: string): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constant(`The model \`${model}\` does not exist or you do not have access to it.`),
    fc
      .integer({ min: 1, max: 5 })
      .map(
        (level) => `Your organization must qualify for at least usage tier ${level} to access '${model}'.`,
      ),
    fc.constant(`Project \`proj_abc123\` does not have access to model \`${model}\``),
    fc.constant(
      `Rate limit reached for ${model} in organization org-x on images per min (IPM): Limit 5, Used 5, Requested 1.`,
    ),
    fc.constant(''),
  );

function core(
  cause: Cause,
  tier: Tier,
  model: string,
  message: string,
  extra: {
    limit?: RateLimitInfo | undefined;
    code?: string | undefined;
    waitMs?: number | undefined;
    attempts?: number | undefined;
    provider?: 'openai' | undefined;
  },
): Omit<Diagnosis, 'hint'> {
  const entry = CAUSE_CATALOGUE[cause];
  return {
    cause,
    origin: entry.origin,
    status: entry.streamStatus,
    model,
    message,
    retryable: entry.retryable,
    fallback: entry.fallbackTo === 'model',
    fallbackTo: entry.fallbackTo,
    headers: {},
    tier,
    ...(extra.provider === undefined ? {} : { provider: extra.provider }),
    ...(extra.code === undefined ? {} : { code: extra.code }),
    ...(extra.limit === undefined ? {} : { limit: extra.limit }),
    ...(extra.waitMs === undefined ? {} : { retryAfterMs: extra.waitMs, retryAfterSource: 'the message' }),
    ...(extra.attempts === undefined
      ? {}
      : { retries: { attempts: extra.attempts, elapsedMs: 1_000, stoppedBy: 'attempts' } }),
  };
}

describe('no hint asks an account on tier N to reach a tier ≤ N', () => {
  const combos = CAUSES.flatMap((cause) => TIERS.map((tier) => [cause, tier] as const));

  it.each(combos)('%s on %s', (cause, tier) => {
    fc.assert(
      fc.property(
        fc.constantFrom(...models).chain((model) =>
          fc.record({
            model: fc.constant(model),
            message: messageArbitrary(model),
            limit: fc.option(limitArbitrary, { nil: undefined }),
            code: fc.option(
              fc.constantFrom(
                'organization_usage_limit_exceeded',
                'project_spend_limit_exceeded',
                'organization_spend_limit_exceeded',
                'credit_balance_exhausted',
                'model_not_found',
              ),
              { nil: undefined },
            ),
            waitMs: fc.option(fc.integer({ min: 0, max: 90_000_000 }), { nil: undefined }),
            attempts: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
            provider: fc.option(fc.constant('openai' as const), { nil: undefined }),
          }),
        ),
        ({ model, message, ...extra }) => {
          const diagnosis = core(cause, tier, model, message, extra);
          for (const locale of ['en', 'zh-CN'] as const) {
            const hint = renderHint(locale, hintContext(diagnosis, {}));
            expect(violations(hint, tier)).toEqual([]);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('the check itself catches an ask for a tier the account has', () => {
    const hint: Hint = {
      title: 't',
      why: 'Tier 2 raises `gpt-4o` to 450,000 tokens per minute.',
      steps: ['Pay what Tier 1 needs in one go.', '按 Tier 3 所需金额一次性付清。'],
      links: [],
    };
    expect(violations(hint, 'tier-3')).toHaveLength(3);
    expect(violations(hint, 'free')).toEqual([]);
    expect(
      violations({ ...hint, why: 'Open Limits; limits rise with the tier.', steps: [] }, 'tier-5'),
    ).toHaveLength(1);
  });
});
