/**
 * Where a month's spend lives: what was spent, what calls in flight have reserved, and which
 * alerts have fired. `reserve` is atomic: it refuses when the spend, the reservations and the new
 * call's worst case together pass the budget, so concurrent calls can never all pass a check that
 * only one of them fits. A reservation expires after its TTL, so a process that dies with calls in
 * flight leaks nothing. The memory store is here; the Redis one (TCP or HTTP) in `lua-spend-store.ts`.
 */

/** A month's spend: committed, and reserved by calls in flight. USD. */
export interface SpendTotals {
  readonly spentUsd: number;
  readonly reservedUsd: number;
}

/** What `reserve` granted: 0 when it refused. */
export interface SpendGrant extends SpendTotals {
  readonly grantedUsd: number;
}

/** A reservation asked of the store. */
export interface ReserveRequest {
  /** `YYYY-MM`, the month counted. */
  readonly month: string;
  /** Unique per reservation. */
  readonly id: string;
  /** The call's worst case. */
  readonly wantUsd: number;
  /**
   * The least that will do (a call whose output can be clamped), at most `wantUsd`: the store
   * grants what is left between the two, or refuses below it.
   */
  readonly minUsd: number;
  readonly limitUsd: number;
  /** Grant `wantUsd` whatever is left (the budget only warns, or a last resort of the chain). */
  readonly overdraft: boolean;
  readonly ttlMs: number;
}

/** A month's spend, shared or not. */
export interface SpendStore {
  /** Shared by every process that uses the same store. */
  readonly shared: boolean;
  reserve(request: ReserveRequest): Promise<SpendGrant>;
  /**
   * Replaces reservation `id` (if it is still there) by what the call cost. An unknown `id` (or
   * `''`) only adds `usd`. `floorUsd`: the spend this process knows of, put back if the store
   * holds less (a Redis that restarted without its data).
   */
  commit(month: string, id: string, usd: number, floorUsd?: number): Promise<SpendTotals>;
  /** Drops reservation `id`: the call cost nothing. */
  release(month: string, id: string): Promise<SpendTotals>;
  /** The month's totals (expired reservations dropped). */
  total(month: string, floorUsd?: number): Promise<SpendTotals>;
  /** Claims the alert at `threshold` for `month`: `true` for the first caller only. */
  claimAlert(month: string, threshold: number): Promise<boolean>;
}

interface Ledger {
  spentUsd: number;
  readonly reservations: Map<string, { readonly usd: number; readonly expiresAtMs: number }>;
  readonly alerts: Set<number>;
}

/** A month's spend in this process. */
export class MemorySpendStore implements SpendStore {
  readonly shared = false;
  readonly #ledgers = new Map<string, Ledger>();
  readonly #now: () => number;

  /** `now`: monotonic milliseconds, for the reservations' TTL. */
  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  #ledger(month: string): Ledger {
    let ledger = this.#ledgers.get(month);
    if (ledger === undefined) {
      ledger = { spentUsd: 0, reservations: new Map(), alerts: new Set() };
      this.#ledgers.set(month, ledger);
      // Keep the current month and the one before it (reservations made before midnight).
      for (const old of [...this.#ledgers.keys()].sort().slice(0, -2)) this.#ledgers.delete(old);
    }
    const now = this.#now();
    for (const [id, reservation] of ledger.reservations)
      if (reservation.expiresAtMs <= now) ledger.reservations.delete(id);
    return ledger;
  }

  #totals(ledger: Ledger): SpendTotals {
    let reservedUsd = 0;
    for (const reservation of ledger.reservations.values()) reservedUsd += reservation.usd;
    return { spentUsd: ledger.spentUsd, reservedUsd };
  }

  /** The month's totals, now (the memory store answers at once). */
  totalsNow(month: string): SpendTotals {
    return this.#totals(this.#ledger(month));
  }

  reserve(request: ReserveRequest): Promise<SpendGrant> {
    const ledger = this.#ledger(request.month);
    const totals = this.#totals(ledger);
    let granted = request.wantUsd;
    if (!request.overdraft) {
      granted = Math.min(request.wantUsd, request.limitUsd - totals.spentUsd - totals.reservedUsd);
      if (granted < request.minUsd || granted <= 0) return Promise.resolve({ grantedUsd: 0, ...totals });
    }
    ledger.reservations.set(request.id, { usd: granted, expiresAtMs: this.#now() + request.ttlMs });
    return Promise.resolve({
      grantedUsd: granted,
      spentUsd: totals.spentUsd,
      reservedUsd: totals.reservedUsd + granted,
    });
  }

  commit(month: string, id: string, usd: number, floorUsd = 0): Promise<SpendTotals> {
    const ledger = this.#ledger(month);
    ledger.reservations.delete(id);
    ledger.spentUsd = Math.max(ledger.spentUsd, floorUsd) + Math.max(0, usd);
    return Promise.resolve(this.#totals(ledger));
  }

  release(month: string, id: string): Promise<SpendTotals> {
    return this.commit(month, id, 0);
  }

  total(month: string, floorUsd = 0): Promise<SpendTotals> {
    return this.commit(month, '', 0, floorUsd);
  }

  claimAlert(month: string, threshold: number): Promise<boolean> {
    const alerts = this.#ledger(month).alerts;
    if (alerts.has(threshold)) return Promise.resolve(false);
    alerts.add(threshold);
    return Promise.resolve(true);
  }
}
