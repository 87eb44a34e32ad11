import { describe, expect, it } from 'vitest';
import { requiredTier } from '../../src/advisor/required-tier.js';
import { tierFor } from '../../src/advisor/tier-for.js';
import { upgradePlan } from '../../src/advisor/upgrade-plan.js';

const NOW = new Date('2026-11-23T12:00:00Z');
const daysBefore = (days: number, hours = 0) =>
  new Date(NOW.getTime() - days * 86_400_000 - hours * 3_600_000);

describe('tierFor', () => {
  it.each([
    [{ paidUsd: 0 }, 'free'],
    [{ paidUsd: 4.99, firstPaymentAt: daysBefore(40) }, 'free'],
    [{ paidUsd: 5, firstPaymentAt: NOW }, 'tier-1'],
    [{ paidUsd: 49.99, firstPaymentAt: daysBefore(30) }, 'tier-1'],
    [{ paidUsd: 50, firstPaymentAt: daysBefore(7) }, 'tier-2'],
    [{ paidUsd: 50, firstPaymentAt: daysBefore(6, 23) }, 'tier-1'],
    [{ paidUsd: 100, firstPaymentAt: daysBefore(7) }, 'tier-3'],
    [{ paidUsd: 250, firstPaymentAt: daysBefore(13) }, 'tier-3'],
    [{ paidUsd: 250, firstPaymentAt: daysBefore(14) }, 'tier-4'],
    [{ paidUsd: 1_000, firstPaymentAt: daysBefore(29) }, 'tier-4'],
    [{ paidUsd: 1_000, firstPaymentAt: daysBefore(30) }, 'tier-5'],
  ] as const)('%j → %s', (history, tier) => {
    expect(tierFor({ ...history, now: NOW }).tier).toBe(tier);
  });

  it('says what the next tier takes: how much more, how many days, and the date', () => {
    const standing = tierFor({ paidUsd: 20, firstPaymentAt: daysBefore(3), now: NOW });
    expect(standing).toMatchObject({ tier: 'tier-1', monthlyUsageLimitUsd: 100, daysSinceFirstPayment: 3 });
    expect(standing.next).toMatchObject({
      tier: 'tier-2',
      payUsd: 30,
      waitDays: 4,
      monthlyUsageLimitUsd: 500,
    });
    expect(standing.next?.reachableAt.toISOString()).toBe('2026-11-27T12:00:00.000Z');
    expect(tierFor({ paidUsd: 5_000, firstPaymentAt: daysBefore(400), now: NOW }).next).toBeUndefined();
    expect(tierFor({ paidUsd: 49.99, firstPaymentAt: daysBefore(10), now: NOW }).next).toMatchObject({
      payUsd: 0.01,
      waitDays: 0,
    });
  });

  it('names the field, the expectation and the value of bad input', () => {
    expect(() => tierFor({ paidUsd: -1 })).toThrow('`paidUsd` must be a number of USD ≥ 0, received -1');
    expect(() => tierFor({ paidUsd: Number.NaN })).toThrow('`paidUsd`');
    expect(() => tierFor({ paidUsd: 5, firstPaymentAt: 'yesterday' })).toThrow(
      '`firstPaymentAt` must be a date (Date, ISO string or epoch ms), received "yesterday"',
    );
  });
});

describe('requiredTier', () => {
  it('finds the lowest tier, what it takes, and verification needs', () => {
    expect(requiredTier('gpt-4o')).toMatchObject({
      tier: 'tier-1',
      qualification: { paidUsd: 5 },
      notSupportedOn: ['free'],
    });
    expect(requiredTier('gpt-4o-mini-2024-07-18')).toMatchObject({ tier: 'free' });
    expect(requiredTier('gpt-image-1')).toMatchObject({ tier: 'tier-1', verification: { access: true } });
    expect(requiredTier('o3')).toMatchObject({ verification: { streaming: true, reasoningSummary: true } });
    expect(requiredTier('no-such-model')).toMatchObject({ known: false, published: false });
    expect(requiredTier('no-such-model').tier).toBeUndefined();
  });
});

describe('upgradePlan', () => {
  it('lays out the steps to reach gpt-4o from the free tier, with dates', () => {
    const plan = upgradePlan('gpt-4o', { paidUsd: 0, now: NOW });
    expect(plan).toMatchObject({
      reachable: true,
      alreadyThere: false,
      targetTier: 'tier-1',
      current: { tier: 'free' },
    });
    expect(plan.steps.map((step) => step.id)).toEqual([
      'pay',
      'check-limits',
      'wait-for-limits',
      'contact-support',
    ]);
    expect(plan.steps[0]?.title).toBe('Pay $5.00 in one go');
    expect(plan.readyBy?.toISOString()).toBe('2026-11-24T12:00:00.000Z');
  });

  it('waits out the period from the first payment, with a top-up after it, to reach a higher tier', () => {
    const plan = upgradePlan(
      'gpt-4o',
      { paidUsd: 20, firstPaymentAt: daysBefore(2), now: NOW },
      { tier: 'tier-2' },
    );
    expect(plan).toMatchObject({ targetTier: 'tier-2', alreadyThere: false, current: { tier: 'tier-1' } });
    expect(plan.steps.map((step) => [step.id, step.date?.toISOString()])).toEqual([
      ['pay', '2026-11-23T12:00:00.000Z'],
      ['wait', '2026-11-28T12:00:00.000Z'],
      ['top-up', '2026-11-28T12:00:00.000Z'],
      ['check-limits', '2026-11-28T12:00:00.000Z'],
      ['wait-for-limits', '2026-11-29T12:00:00.000Z'],
      ['contact-support', '2026-11-30T12:00:00.000Z'],
    ]);
    expect(plan.steps[0]?.title).toBe('Pay $30.00 in one go');
    // Already on Tier 1: gpt-4o itself needs nothing.
    expect(upgradePlan('gpt-4o', { paidUsd: 20, firstPaymentAt: daysBefore(2), now: NOW })).toMatchObject({
      alreadyThere: true,
      steps: [],
    });
  });

  it('adds verification for gpt-image-1, and says when a model is out of reach', () => {
    expect(
      upgradePlan('gpt-image-1', { paidUsd: 10, firstPaymentAt: daysBefore(1), now: NOW }).steps.map(
        (step) => step.id,
      ),
    ).toEqual(['verify-organization']);
    const unknown = upgradePlan('gpt-7-ultra', { paidUsd: 10, now: NOW });
    expect(unknown).toMatchObject({ reachable: false, alreadyThere: false, steps: [] });
  });
});
