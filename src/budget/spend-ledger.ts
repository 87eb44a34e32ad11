/**
 * Which spend store a budget talks to, and what it does while the shared one is away. Without a
 * shared store, one memory store holds the month. With one (Redis over TCP or HTTP), every
 * reservation and settlement runs there; while it is away (or an operation fails), this process
 * reserves from a local allowance — its share of what the shared store last said was left, or
 * nothing if it never said — and keeps what it spent to add when the store is back, with the
 * reservations it could not release there.
 */
import type { ScriptRunner } from '../stores/script-runner.js';
import { withTimeout } from '../util/with-timeout.js';
import { LuaSpendStore } from './lua-spend-store.js';
import {
  MemorySpendStore,
  type ReserveRequest,
  type SpendGrant,
  type SpendStore,
  type SpendTotals,
} from './spend-store.js';

/** The shared store a budget can use: the guard's Redis, when it has one. */
export interface SharedSpend {
  /** The store's scripts while it is healthy; `undefined` while it is away. */
  scripts(): ScriptRunner | undefined;
  /** Resolves once the store's first connection attempt is over (never rejects). */
  readonly ready: Promise<void>;
  /** This process's share of a shared limit while the store is away (1 / the processes last seen). */
  share(): number;
}

/** Where a reservation was made. */
export type Place = 'shared' | 'local';

/** What the ledger knows of a month. */
export interface LedgerView extends SpendTotals {
  readonly shared: boolean;
}

// A shared operation slower than this counts as the store being away.
const COMMAND_TIMEOUT_MS = 1_000;
// The longest a call waits for the shared store's first connection (its own timeout is shorter).
const READY_WAIT_MS = 10_000;

// Unlike the stores' own timeouts, these keep the process alive meanwhile: a call is waiting on
// them, and the connection tierguard opened does not (it is unref'd).
const waitFor = <T>(work: Promise<T>, ms: number, what: string): Promise<T> =>
  withTimeout(work, ms, what, true);

/** A month's spend, in the shared store when there is one and it answers, else in this process. */
export class SpendLedger {
  readonly #shared: SharedSpend | undefined;
  readonly #keyPrefix: string;
  readonly #now: () => number;
  #local: MemorySpendStore;
  #lua: { runner: ScriptRunner; store: LuaSpendStore } | undefined;
  /** The shared store's last word per month (totals and the highest spend it reported). */
  readonly #seen = new Map<string, { totals: SpendTotals; highestSpentUsd: number }>();
  /** Spend and reservations made while away, owed to the shared store, per month. */
  readonly #owed = new Map<string, { usd: number; ids: string[] }>();
  /** While away: what this process may still reserve locally, per month. */
  readonly #allowance = new Map<string, number>();
  #away = false;

  constructor(shared: SharedSpend | undefined, keyPrefix: string, now: () => number) {
    this.#shared = shared;
    this.#keyPrefix = keyPrefix;
    this.#now = now;
    this.#local = new MemorySpendStore(now);
  }

  get isShared(): boolean {
    return this.#shared !== undefined;
  }

  /** Waits for the shared store's first connection attempt (no-op without one). */
  async ready(): Promise<void> {
    if (this.#shared !== undefined)
      await waitFor(this.#shared.ready, READY_WAIT_MS, 'connecting').catch(() => undefined);
  }

  #sharedStore(): SpendStore | undefined {
    const runner = this.#shared?.scripts();
    if (runner === undefined) return undefined;
    if (this.#lua?.runner !== runner)
      this.#lua = { runner, store: new LuaSpendStore(runner, this.#keyPrefix) };
    return this.#lua.store;
  }

  /** The shared store answered: note what it said; the first answer after an absence ends it. */
  #heard(month: string, totals: SpendTotals): void {
    const seen = this.#seen.get(month);
    this.#seen.set(month, { totals, highestSpentUsd: Math.max(seen?.highestSpentUsd ?? 0, totals.spentUsd) });
    for (const old of [...this.#seen.keys()].sort().slice(0, -2)) this.#seen.delete(old);
  }

  #goAway(): void {
    if (this.#away) return;
    this.#away = true;
    this.#allowance.clear();
    this.#local = new MemorySpendStore(this.#now);
  }

  /** What this process may reserve locally for `month` while away. */
  #allowanceFor(month: string, monthlyUsd: number): number {
    let allowance = this.#allowance.get(month);
    if (allowance === undefined) {
      const seen = this.#seen.get(month)?.totals;
      // Never having heard the shared total, this process cannot know what is left.
      allowance =
        seen === undefined
          ? 0
          : (this.#shared?.share() ?? 1) * Math.max(0, monthlyUsd - seen.spentUsd - seen.reservedUsd);
      this.#allowance.set(month, allowance);
    }
    return allowance;
  }

  /** Reserves in the shared store, or locally; says where. */
  async reserve(request: ReserveRequest): Promise<{ grant: SpendGrant; place: Place }> {
    const store = this.#away ? undefined : this.#sharedStore();
    if (store !== undefined) {
      try {
        const grant = await waitFor(store.reserve(request), COMMAND_TIMEOUT_MS, 'reserving spend');
        this.#heard(request.month, grant);
        return { grant, place: 'shared' };
      } catch {
        this.#goAway();
      }
    } else if (this.#shared !== undefined) this.#goAway();
    const limitUsd =
      this.#shared === undefined ? request.limitUsd : this.#allowanceFor(request.month, request.limitUsd);
    const grant = await this.#local.reserve({ ...request, limitUsd });
    return { grant, place: 'local' };
  }

  /** Settles a reservation: `usd` spent (0 releases it). */
  async settle(place: Place, month: string, id: string, usd: number): Promise<void> {
    if (place === 'local' || this.#shared === undefined) {
      await this.#local.commit(month, id, usd);
      if (this.#shared !== undefined) this.#owe(month, usd, undefined);
      return;
    }
    const store = this.#away ? undefined : this.#sharedStore();
    if (store !== undefined) {
      try {
        const floor = this.#seen.get(month)?.highestSpentUsd ?? 0;
        this.#heard(
          month,
          await waitFor(store.commit(month, id, usd, floor), COMMAND_TIMEOUT_MS, 'settling spend'),
        );
        return;
      } catch {
        this.#goAway();
      }
    } else this.#goAway();
    this.#owe(month, usd, id);
  }

  #owe(month: string, usd: number, id: string | undefined): void {
    const owed = this.#owed.get(month) ?? { usd: 0, ids: [] };
    owed.usd += Math.max(0, usd);
    if (id !== undefined) owed.ids.push(id);
    this.#owed.set(month, owed);
  }

  /**
   * Reads the month's totals from the shared store, first paying what is owed to it; the first
   * success after an absence ends it. Without a shared store, reads the local one.
   */
  async refresh(month: string): Promise<void> {
    if (this.#shared === undefined) return;
    // A store still connecting is not away.
    await this.ready();
    const store = this.#sharedStore();
    if (store === undefined) {
      this.#goAway();
      return;
    }
    try {
      for (const [owedMonth, owed] of [...this.#owed]) {
        for (const id of owed.ids)
          await waitFor(store.release(owedMonth, id), COMMAND_TIMEOUT_MS, 'releasing');
        owed.ids = [];
        const floor = this.#seen.get(owedMonth)?.highestSpentUsd ?? 0;
        const totals = await waitFor(
          store.commit(owedMonth, '', owed.usd, floor),
          COMMAND_TIMEOUT_MS,
          'adding spend',
        );
        this.#owed.delete(owedMonth);
        this.#heard(owedMonth, totals);
      }
      const floor = this.#seen.get(month)?.highestSpentUsd ?? 0;
      this.#heard(month, await waitFor(store.total(month, floor), COMMAND_TIMEOUT_MS, 'reading spend'));
      if (this.#away) {
        this.#away = false;
        // Reservations still in flight in the local store settle there and are owed as they do.
        this.#allowance.clear();
      }
    } catch {
      this.#goAway();
    }
  }

  /** The month as this process knows it: the shared store's last word plus what it owes, or the local store. */
  view(month: string): LedgerView {
    if (this.#shared === undefined) return { ...this.#local.totalsNow(month), shared: false };
    const seen = this.#seen.get(month)?.totals ?? { spentUsd: 0, reservedUsd: 0 };
    const local = this.#away ? this.#local.totalsNow(month) : { spentUsd: 0, reservedUsd: 0 };
    return {
      spentUsd: seen.spentUsd + (this.#owed.get(month)?.usd ?? 0),
      reservedUsd: seen.reservedUsd + local.reservedUsd,
      shared: !this.#away,
    };
  }

  /** Something is owed to the shared store. */
  get owes(): boolean {
    return this.#owed.size > 0;
  }

  /** Claims an alert: across processes in the shared store when it answers, else in this process. */
  async claimAlert(month: string, threshold: number): Promise<boolean> {
    const store = this.#away ? undefined : this.#sharedStore();
    if (store !== undefined) {
      try {
        return await waitFor(store.claimAlert(month, threshold), COMMAND_TIMEOUT_MS, 'claiming an alert');
      } catch {
        // Alert from here rather than not at all.
      }
    }
    return this.#local.claimAlert(month, threshold);
  }
}
