/**
 * The monthly budget: each call's worst case is reserved before it is sent (refused when it does
 * not fit what is left, or its output clamped to fit), the reservation is replaced by the cost
 * its usage reports (at the service tier the answer says it was served with) or released when
 * the call cost nothing; the UTC month's spend lives in memory or in the guard's Redis (shared by
 * every process, kept across restarts); an alert fires once per threshold per month; at the limit
 * the guard refuses, falls back to the cheapest model of the chain, or only warns.
 */
import { estimateCost } from '../advisor/estimate-cost.js';
import { TOKEN_PRICES, type TokenPrice } from '../data/prices.js';
import type {
  BudgetEvent,
  BudgetExhaustedPolicy,
  BudgetGate,
  SpendDecision,
  SpendRequest,
  SpendReservation,
} from './gate.js';
import { resolveModel } from '../models/resolve.js';
import { SpendLedger, type Place, type SharedSpend } from './spend-ledger.js';
import { costWithOutput, outputTokensFor, worstCaseOf, type WorstCase } from './worst-case.js';

export type { SharedSpend } from './spend-ledger.js';

/** The events a budget emits. */
export type { BudgetEvent } from './gate.js';

/** What the budget needs. */
export interface BudgetConfig {
  readonly monthlyUsd: number;
  readonly alertAt: readonly number[];
  readonly onExhausted: BudgetExhaustedPolicy;
  /** Clamp a call's output maximum to what is left instead of refusing it. */
  readonly clampOutput: boolean;
  /** The least output a clamp leaves a call; below it the call is refused. */
  readonly minOutputTokens: number;
  /** The shared spend store (the guard's Redis), when there is one. */
  readonly shared: SharedSpend | undefined;
  readonly keyPrefix: string;
  readonly deployments: Readonly<Record<string, string>>;
  readonly emit: (event: BudgetEvent) => void;
  /** Wall-clock time, for the month. */
  readonly now?: () => number;
  /** Monotonic time, for the reservations' TTL in memory. */
  readonly monotonicNow?: () => number;
  /** How long a reservation lives if its call never settles (a process that died). */
  readonly reservationTtlMs?: number;
}

const prices: Readonly<Record<string, TokenPrice>> = TOKEN_PRICES.models;
const REFRESH_MS = 1_000;
// The client's default timeout is 10 minutes: a call still unsettled well after it is gone.
const RESERVATION_TTL_MS = 15 * 60_000;

/** The UTC calendar month of a time, `YYYY-MM`. */
export function monthOf(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 7);
}

function pricePerToken(
  model: string | undefined,
  deployments: Readonly<Record<string, string>>,
): number | undefined {
  if (model === undefined) return undefined;
  const resolved = resolveModel(model, deployments);
  const price = prices[resolved.info?.priceFamily ?? resolved.family];
  if (price === undefined) return undefined;
  // Input and output weighted alike: a chain's cheapest model is cheapest on both in practice.
  return price.inputPerMillion + (price.outputPerMillion ?? 0);
}

const NOTHING_RESERVED: SpendReservation = {
  reservedUsd: 0,
  commit: () => undefined,
  commitPartial: () => undefined,
  release: () => undefined,
};

let sequence = 0;
const reservationId = (): string =>
  `${Date.now().toString(36)}-${(++sequence).toString(36)}-${Math.random().toString(36).slice(2, 10)}`;

/** Creates the budget gate the guard consults. */
export function createBudget(config: BudgetConfig): BudgetGate {
  const now = config.now ?? (() => Date.now());
  const ledger = new SpendLedger(
    config.shared,
    config.keyPrefix,
    config.monotonicNow ?? (() => performance.now()),
  );
  const ttlMs = config.reservationTtlMs ?? RESERVATION_TTL_MS;
  const pending = new Set<Promise<unknown>>();
  const fired = new Set<string>();
  let month = monthOf(now());
  let lastRefreshMs = Number.NEGATIVE_INFINITY;
  let refreshing: Promise<void> | undefined;

  const track = (work: Promise<unknown>): void => {
    const tracked = work.catch(() => undefined).finally(() => pending.delete(tracked));
    pending.add(tracked);
  };

  const rollover = (): void => {
    const current = monthOf(now());
    if (current === month) return;
    month = current;
    fired.clear();
  };

  /** Fires each threshold crossed this month once; with a shared store, once across every process. */
  const checkThresholds = async (forMonth: string): Promise<void> => {
    const { spentUsd } = ledger.view(forMonth);
    for (const threshold of config.alertAt) {
      const id = `${forMonth}:${threshold}`;
      if (spentUsd < threshold * config.monthlyUsd || fired.has(id)) continue;
      fired.add(id);
      if (!(await ledger.claimAlert(forMonth, threshold))) continue;
      config.emit({
        type: 'budget-alert',
        threshold,
        spentUsd,
        monthlyUsd: config.monthlyUsd,
        month: forMonth,
        exhausted: spentUsd >= config.monthlyUsd,
      });
    }
  };

  const refresh = (): void => {
    if (refreshing !== undefined || !ledger.isShared) return;
    lastRefreshMs = now();
    const forMonth = month;
    refreshing = ledger
      .refresh(forMonth)
      .then(() => checkThresholds(forMonth))
      .finally(() => {
        refreshing = undefined;
      });
    track(refreshing);
  };

  const settle = (place: Place, forMonth: string, id: string, usd: number): void => {
    track(ledger.settle(place, forMonth, id, usd).then(() => checkThresholds(forMonth)));
  };

  const reservationOf = (
    request: SpendRequest,
    worst: WorstCase,
    grantedUsd: number,
    place: Place,
    forMonth: string,
    id: string,
    clamp: SpendReservation['clamp'],
  ): SpendReservation => {
    let settled = false;
    const once = (usd: number): void => {
      if (settled) return;
      settled = true;
      settle(place, forMonth, id, usd);
    };
    const model = request.model === undefined ? '' : (config.deployments[request.model] ?? request.model);
    return {
      reservedUsd: grantedUsd,
      ...(clamp === undefined ? {} : { clamp }),
      commit(usage, serviceTier) {
        once(
          usage === undefined
            ? grantedUsd
            : estimateCost(model, usage, { serviceTier: serviceTier ?? null, baseURL: request.baseURL }).usd,
        );
      },
      commitPartial(outputTokens) {
        const most = (clamp?.maxOutputTokens ?? worst.maxOutputTokens) * worst.choices;
        const output = Math.min(Math.max(0, outputTokens), most);
        once(Math.min(grantedUsd, worst.promptUsd + worst.outputTokenUsd * output));
      },
      release() {
        once(0);
      },
    };
  };

  if (config.shared !== undefined) void config.shared.ready.then(refresh);

  return {
    state() {
      rollover();
      // Other processes spend too: read the shared total now and then.
      if (ledger.isShared && now() - lastRefreshMs > REFRESH_MS) refresh();
      return ledger.view(month).spentUsd >= config.monthlyUsd ? 'exhausted' : 'ok';
    },
    month() {
      rollover();
      return month;
    },
    async reserve(request, lastResort): Promise<SpendDecision> {
      rollover();
      const worst = worstCaseOf(request, config.deployments);
      if (worst === undefined || worst.usd <= 0) return { kind: 'reserved', reservation: NOTHING_RESERVED };
      const clampable =
        config.clampOutput &&
        worst.outputField !== undefined &&
        request.body !== undefined &&
        worst.maxOutputTokens > config.minOutputTokens;
      const minUsd = clampable ? costWithOutput(worst, config.minOutputTokens) : worst.usd;
      await ledger.ready();
      const forMonth = month;
      const id = reservationId();
      const { grant, place } = await ledger.reserve({
        month: forMonth,
        id,
        wantUsd: worst.usd,
        minUsd,
        limitUsd: config.monthlyUsd,
        overdraft: config.onExhausted === 'warn' || lastResort,
        ttlMs,
      });
      if (grant.grantedUsd <= 0) {
        const left = Math.max(0, config.monthlyUsd - grant.spentUsd - grant.reservedUsd);
        return {
          kind: 'refused',
          message:
            place === 'local' && ledger.isShared && left > 0
              ? `tierguard: the shared budget store does not answer, and this call's largest possible cost ($${worst.usd.toFixed(4)}) does not fit this process's share of what the month's budget of $${config.monthlyUsd} had left (${forMonth}); not sent.`
              : `tierguard: this call's largest possible cost ($${worst.usd.toFixed(4)}: its prompt and its output maximum) does not fit what the month's budget of $${config.monthlyUsd} has left ($${left.toFixed(4)} after the spend and the calls in flight, ${forMonth}); not sent.`,
        };
      }
      let clamp: SpendReservation['clamp'];
      if (grant.grantedUsd < worst.usd && worst.outputField !== undefined) {
        const maxOutputTokens = Math.max(1, outputTokensFor(worst, grant.grantedUsd));
        clamp = { field: worst.outputField, maxOutputTokens };
        config.emit({
          type: 'budget-clamped',
          ...(request.model === undefined ? {} : { model: request.model }),
          field: worst.outputField,
          ...(request.estimate.outputDefaulted
            ? {}
            : { requestedMaxTokens: request.estimate.maxOutputTokens }),
          maxTokens: maxOutputTokens,
          leftUsd: grant.grantedUsd,
        });
      }
      return {
        kind: 'reserved',
        reservation: reservationOf(request, worst, grant.grantedUsd, place, forMonth, id, clamp),
      };
    },
    cheapest(models) {
      let best = 0;
      let bestPrice = Number.POSITIVE_INFINITY;
      models.forEach((model, index) => {
        const price = pricePerToken(model, config.deployments);
        if (price !== undefined && price < bestPrice) {
          bestPrice = price;
          best = index;
        }
      });
      return best;
    },
    snapshot() {
      rollover();
      const view = ledger.view(month);
      return {
        month,
        spentUsd: view.spentUsd,
        reservedUsd: view.reservedUsd,
        monthlyUsd: config.monthlyUsd,
        shared: view.shared,
      };
    },
    resume() {
      refresh();
    },
    async close() {
      while (pending.size > 0) await Promise.all([...pending]);
      if (ledger.owes) {
        refresh();
        while (pending.size > 0) await Promise.all([...pending]);
      }
    },
  };
}
