/**
 * Which usage tier an account qualifies for, from what it paid and when it first paid, and what
 * the next tier takes (openai-api.md Table 3).
 */
import { TIER_QUALIFICATIONS, type Tier } from '../data/tiers.js';

/** An account's payment history. */
export interface PaymentHistory {
  /** Total paid to the API, USD. */
  readonly paidUsd: number;
  /** The first successful payment: a Date, an ISO string or epoch milliseconds. */
  readonly firstPaymentAt?: Date | string | number | undefined;
  /** The time to judge at. @default new Date() (read at call time) */
  readonly now?: Date | string | number | undefined;
}

/** The tier an account qualifies for. */
export interface TierStanding {
  readonly tier: Tier;
  readonly monthlyUsageLimitUsd: number;
  /** Whole days (24 h) since the first payment; 0 without one. */
  readonly daysSinceFirstPayment: number;
  /** The next tier and what it takes; absent at Tier 5. */
  readonly next?: {
    readonly tier: Tier;
    /** How much more to pay, USD (0 when paid enough already). */
    readonly payUsd: number;
    /** Days left in the waiting period (0 when it is over). */
    readonly waitDays: number;
    /** When the waiting period ends (now, when it is over). */
    readonly reachableAt: Date;
    readonly monthlyUsageLimitUsd: number;
  };
}

const DAY_MS = 86_400_000;

/** Reads a date option; throws a `TypeError` naming the field when it is not one. */
export function toDate(value: Date | string | number, field: string): Date {
  const date = value instanceof Date ? new Date(value.getTime()) : new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new TypeError(
      `tierguard: \`${field}\` must be a date (Date, ISO string or epoch ms), received ${JSON.stringify(value)}`,
    );
  }
  return date;
}

/** The tier `history` qualifies for, and what the next one takes. */
export function tierFor(history: PaymentHistory): TierStanding {
  const { paidUsd } = history;
  if (typeof paidUsd !== 'number' || !Number.isFinite(paidUsd) || paidUsd < 0) {
    throw new TypeError(
      `tierguard: \`paidUsd\` must be a number of USD ≥ 0, received ${JSON.stringify(paidUsd)}`,
    );
  }
  const now = history.now === undefined ? new Date() : toDate(history.now, 'now');
  const first =
    history.firstPaymentAt === undefined ? undefined : toDate(history.firstPaymentAt, 'firstPaymentAt');
  // Days are whole elapsed days: 6 days 23 h is 6 days, not 7 (the waiting period is a minimum).
  const days =
    first === undefined || paidUsd === 0
      ? 0
      : Math.max(0, Math.floor((now.getTime() - first.getTime()) / DAY_MS));
  const rows = TIER_QUALIFICATIONS.rows;
  let index = 0;
  rows.forEach((row, candidate) => {
    if (
      paidUsd >= row.paidUsd &&
      days >= row.daysSinceFirstPayment &&
      (row.paidUsd === 0 || first !== undefined || row.daysSinceFirstPayment === 0)
    ) {
      index = candidate;
    }
  });
  const current = rows[index] as (typeof rows)[number];
  const nextRow = rows[index + 1];
  if (nextRow === undefined)
    return {
      tier: current.tier,
      monthlyUsageLimitUsd: current.monthlyUsageLimitUsd,
      daysSinceFirstPayment: days,
    };
  const start = first ?? now;
  const waitDays = Math.max(0, nextRow.daysSinceFirstPayment - days);
  const reachableAt = new Date(
    Math.max(now.getTime(), start.getTime() + nextRow.daysSinceFirstPayment * DAY_MS),
  );
  return {
    tier: current.tier,
    monthlyUsageLimitUsd: current.monthlyUsageLimitUsd,
    daysSinceFirstPayment: days,
    next: {
      tier: nextRow.tier,
      payUsd: Math.max(0, Math.round((nextRow.paidUsd - paidUsd) * 100) / 100),
      waitDays,
      reachableAt,
      monthlyUsageLimitUsd: nextRow.monthlyUsageLimitUsd,
    },
  };
}
