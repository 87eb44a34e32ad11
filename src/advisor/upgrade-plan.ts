/**
 * The steps to reach a model the account cannot use yet, with dates, as the troubleshooting guides
 * advise (field-guides.md): pay the target amount in one go, wait out the period counted from the
 * first payment, a small top-up can trigger the recalculation, check the Limits page, new limits
 * take hours, contact support after 48 hours; verify the organization when the model needs it.
 */
import { TIERS, TIER_CHANGE_DELAY, VERIFICATION_PROPAGATION_MINUTES, type Tier } from '../data/tiers.js';
import { requiredTier, tierQualification, type ModelRequirement } from './required-tier.js';
import { tierFor, toDate, type PaymentHistory, type TierStanding } from './tier-for.js';

/** One step of a plan. */
export interface PlanStep {
  readonly id:
    | 'pay'
    | 'wait'
    | 'top-up'
    | 'check-limits'
    | 'wait-for-limits'
    | 'verify-organization'
    | 'contact-support';
  readonly title: string;
  readonly detail: string;
  /** When the step can be done (or is expected to be done by). */
  readonly date?: Date;
}

/** How to reach a model. */
export interface UpgradePlan {
  readonly model: string;
  readonly requirement: ModelRequirement;
  readonly current: TierStanding;
  /** A published tier can use the model (false for unknown models or models without a table). */
  readonly reachable: boolean;
  /** The account's tier already includes the model. */
  readonly alreadyThere: boolean;
  readonly targetTier?: Tier;
  readonly steps: readonly PlanStep[];
  /** When the model should be usable, at the latest. */
  readonly readyBy?: Date;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const LIMITS_PAGE = 'https://platform.openai.com/settings/organization/limits';
const VERIFY_PAGE = 'https://platform.openai.com/settings/organization/general';

/** The plan's texts, in one place. */
const TEXT = {
  pay: (amount: string, tier: string) => ({
    title: `Pay ${amount} in one go`,
    detail: `That brings the total paid to what ${tier} needs. One payment of the whole amount is counted at once; several small ones are not faster.`,
  }),
  wait: (tier: string, days: number) => ({
    title: `Wait until the ${days}-day period since your first payment ends`,
    detail: `${tier} also needs ${days} days since the first successful payment; the period counts from that first payment, not from the latest one.`,
  }),
  topUp: () => ({
    title: 'If the tier has not changed, make a small top-up',
    detail:
      'After the waiting period, a small payment often triggers the tier to be recalculated (community advice, not documented by OpenAI).',
  }),
  checkLimits: () => ({
    title: 'Check the Limits page',
    detail: `Open ${LIMITS_PAGE} and look at "Usage tier" and the model's rate limits (reload without the cache if it looks stale).`,
  }),
  waitForLimits: () => ({
    title: `Allow ${TIER_CHANGE_DELAY.minHours}–${TIER_CHANGE_DELAY.maxHours} hours for the new limits to apply`,
    detail: 'A new tier can take hours to reach every model and region.',
  }),
  contactSupport: () => ({
    title: `Contact support if nothing changed after ${TIER_CHANGE_DELAY.contactSupportAfterHours} hours`,
    detail: 'Write through help.openai.com with your organization id and the dates of your payments.',
  }),
  verify: (model: string, what: string) => ({
    title: 'Verify the organization',
    detail: `${model} needs a verified organization ${what}: open ${VERIFY_PAGE} and click Verify Organization; access can take up to ${VERIFICATION_PROPAGATION_MINUTES} minutes after.`,
  }),
} as const;

const tierName = (tier: Tier): string => (tier === 'free' ? 'the free tier' : `Tier ${tier.slice(5)}`);

/** Options of `upgradePlan`. */
export interface UpgradePlanOptions {
  /** Aim for this tier (for its higher limits) rather than the lowest tier that can use the model. */
  readonly tier?: Tier;
}

/** The steps from the account's `history` to a tier that can use `model`. Never throws for unknown models. */
export function upgradePlan(
  model: string,
  history: PaymentHistory,
  options: UpgradePlanOptions = {},
): UpgradePlan {
  const now = history.now === undefined ? new Date() : toDate(history.now, 'now');
  const current = tierFor({ ...history, now });
  const requirement = requiredTier(model);
  const steps: PlanStep[] = [];
  const verification = requirement.verification;
  const verifyStep = (): void => {
    if (verification === undefined) return;
    const what =
      verification.access === true
        ? 'to use it'
        : verification.streaming === true
          ? 'to stream it and for reasoning summaries'
          : 'for reasoning summaries';
    steps.push({ id: 'verify-organization', ...TEXT.verify(model, what), date: now });
  };
  if (requirement.tier === undefined) {
    verifyStep();
    return { model, requirement, current, reachable: false, alreadyThere: false, steps };
  }
  const target =
    options.tier !== undefined && TIERS.indexOf(options.tier) > TIERS.indexOf(requirement.tier)
      ? options.tier
      : requirement.tier;
  const alreadyThere = TIERS.indexOf(current.tier) >= TIERS.indexOf(target);
  if (alreadyThere) {
    verifyStep();
    return {
      model,
      requirement,
      current,
      reachable: true,
      alreadyThere: true,
      targetTier: target,
      steps,
      readyBy: now,
    };
  }
  const needs = tierQualification(target);
  const payUsd = Math.max(0, Math.round((needs.paidUsd - history.paidUsd) * 100) / 100);
  if (payUsd > 0)
    steps.push({ id: 'pay', ...TEXT.pay(`$${payUsd.toFixed(2)}`, tierName(target)), date: now });
  const first =
    history.firstPaymentAt === undefined || history.paidUsd === 0
      ? now
      : toDate(history.firstPaymentAt, 'firstPaymentAt');
  const periodEnds = new Date(
    Math.max(now.getTime(), first.getTime() + needs.daysSinceFirstPayment * DAY_MS),
  );
  if (needs.daysSinceFirstPayment > 0 && periodEnds.getTime() > now.getTime()) {
    steps.push({ id: 'wait', ...TEXT.wait(tierName(target), needs.daysSinceFirstPayment), date: periodEnds });
  }
  if (needs.daysSinceFirstPayment > 0) steps.push({ id: 'top-up', ...TEXT.topUp(), date: periodEnds });
  steps.push({ id: 'check-limits', ...TEXT.checkLimits(), date: periodEnds });
  const readyBy = new Date(periodEnds.getTime() + TIER_CHANGE_DELAY.maxHours * HOUR_MS);
  steps.push({ id: 'wait-for-limits', ...TEXT.waitForLimits(), date: readyBy });
  steps.push({
    id: 'contact-support',
    ...TEXT.contactSupport(),
    date: new Date(periodEnds.getTime() + TIER_CHANGE_DELAY.contactSupportAfterHours * HOUR_MS),
  });
  verifyStep();
  return {
    model,
    requirement,
    current,
    reachable: true,
    alreadyThere: false,
    targetTier: target,
    steps,
    readyBy,
  };
}
