/**
 * The monthly budget: every response is priced from its usage and the price table, the UTC
 * month's spend is kept in memory or in Redis (shared by every process, kept across restarts),
 * an alert fires once per threshold per month, and at the limit the guard refuses, falls back to
 * the cheapest model of the chain, or only warns.
 */
import { estimateCost } from '../advisor/estimate-cost.js';
import { TOKEN_PRICES, type TokenPrice } from '../data/prices.js';
import type { BudgetGate } from '../guard/budget-gate.js';
import type { GuardEvent } from '../guard/events.js';
import type { BudgetExhaustedPolicy } from '../guard/options.js';
import { resolveModel } from '../models/resolve.js';
import type { RedisLike } from '../stores/redis.js';

/** Where the shared spend lives: the guard's shared store, when `redis` is set. */
export interface SpendBackend {
  /** The client while Redis serves; `undefined` while it is away. */
  redisClient(): RedisLike | undefined;
  readonly ready: Promise<void>;
}

/** What the budget needs. */
export interface BudgetConfig {
  readonly monthlyUsd: number;
  readonly alertAt: readonly number[];
  readonly onExhausted: BudgetExhaustedPolicy;
  readonly redis: SpendBackend | undefined;
  readonly keyPrefix: string;
  readonly deployments: Readonly<Record<string, string>>;
  readonly emit: (event: Extract<GuardEvent, { type: 'budget-alert' }>) => void;
  readonly now?: () => number;
}

const prices: Readonly<Record<string, TokenPrice>> = TOKEN_PRICES.models;
// A spend key outlives its month by a few days, so that late readers still see it.
const SPEND_TTL_SECONDS = 40 * 24 * 3_600;
const REFRESH_MS = 1_000;

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

/** Creates the budget gate the guard consults. */
export function createBudget(config: BudgetConfig): BudgetGate {
  const now = config.now ?? (() => Date.now());
  let month = monthOf(now());
  let spentUsd = 0;
  /** Spend recorded locally and not yet added to Redis (kept while Redis is away). */
  let pendingUsd = 0;
  const fired = new Set<string>();
  let lastRefreshMs = 0;
  let lastFailureMs = Number.NEGATIVE_INFINITY;
  let flushing: Promise<void> | undefined;
  const spendKey = (forMonth: string): string => `${config.keyPrefix}spend:${forMonth}`;

  const rollover = (): void => {
    const current = monthOf(now());
    if (current === month) return;
    month = current;
    spentUsd = 0;
    pendingUsd = 0;
    fired.clear();
  };

  const announce = (threshold: number, forMonth: string): void => {
    config.emit({
      type: 'budget-alert',
      threshold,
      spentUsd,
      monthlyUsd: config.monthlyUsd,
      month: forMonth,
      exhausted: spentUsd >= config.monthlyUsd,
    });
  };

  /** Fires each threshold crossed this month once; with Redis, once across every process. */
  const checkThresholds = (client: RedisLike | undefined): Promise<void> | undefined => {
    const forMonth = month;
    const claims: Promise<void>[] = [];
    for (const threshold of config.alertAt) {
      const id = `${forMonth}:${threshold}`;
      if (spentUsd < threshold * config.monthlyUsd || fired.has(id)) continue;
      fired.add(id);
      if (client === undefined) {
        announce(threshold, forMonth);
        continue;
      }
      // Only the process that sets the key alerts.
      claims.push(
        client
          .set(`${config.keyPrefix}alert:${id}`, '1', 'EX', SPEND_TTL_SECONDS, 'NX')
          .catch(() => 'OK')
          .then((won) => {
            if (won === 'OK') announce(threshold, forMonth);
          }),
      );
    }
    return claims.length === 0 ? undefined : Promise.all(claims).then(() => undefined);
  };

  /** Adds pending spend to Redis (or reads the shared total) and checks the thresholds. */
  const flush = async (): Promise<void> => {
    const client = config.redis?.redisClient();
    if (client !== undefined) {
      const forMonth = month;
      const delta = pendingUsd;
      pendingUsd = 0;
      try {
        const known = spentUsd - pendingUsd;
        let total = Number(
          (delta > 0
            ? await client.incrbyfloat(spendKey(forMonth), delta)
            : await client.get(spendKey(forMonth))) ?? 0,
        );
        // A Redis that restarted without persistence lost the month's spend: put back what this
        // process knows, so that the shared total never falls below any process's view.
        if (forMonth === month && total < known - 1e-9)
          total = Number(await client.incrbyfloat(spendKey(forMonth), known - total));
        await client.pexpire(spendKey(forMonth), SPEND_TTL_SECONDS * 1_000);
        if (forMonth === month) spentUsd = Math.max(known, total) + pendingUsd;
        lastRefreshMs = now();
      } catch {
        // Redis went away mid-flush: keep the spend to add it when Redis is back.
        if (forMonth === month) pendingUsd += delta;
        lastFailureMs = now();
      }
    }
    await checkThresholds(client);
  };

  const scheduleFlush = (): void => {
    if (flushing !== undefined) return;
    const startedMs = now();
    flushing = flush().finally(() => {
      flushing = undefined;
      // Spend recorded while this flush ran goes in the next one — but never straight after a
      // failure: with Redis gone that would loop without end (the next record or state check,
      // at most once per REFRESH_MS, tries again).
      if (pendingUsd > 0 && lastFailureMs < startedMs && config.redis?.redisClient() !== undefined)
        scheduleFlush();
    });
  };

  if (config.redis !== undefined) void config.redis.ready.then(scheduleFlush);

  return {
    state() {
      rollover();
      // Other processes spend too: read the shared total now and then.
      if (config.redis !== undefined && now() - Math.max(lastRefreshMs, lastFailureMs) > REFRESH_MS)
        scheduleFlush();
      return spentUsd >= config.monthlyUsd ? 'exhausted' : 'ok';
    },
    month() {
      rollover();
      return month;
    },
    record(model, usage, _serviceTier) {
      rollover();
      const cost = estimateCost(config.deployments[model] ?? model, usage);
      if (cost.usd <= 0) return;
      spentUsd += cost.usd;
      pendingUsd += cost.usd;
      if (config.redis === undefined) {
        pendingUsd = 0;
        void checkThresholds(undefined);
      } else if (now() - lastFailureMs > REFRESH_MS) {
        scheduleFlush();
      }
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
      return {
        month,
        spentUsd,
        monthlyUsd: config.monthlyUsd,
        shared: config.redis?.redisClient() !== undefined,
      };
    },
    resume() {
      lastFailureMs = Number.NEGATIVE_INFINITY;
      scheduleFlush();
    },
    async close() {
      if (config.redis !== undefined && pendingUsd > 0) scheduleFlush();
      // Flushes chain while spend is pending and Redis answers; wait for the last one.
      while (flushing !== undefined) await flushing;
    },
  };
}
