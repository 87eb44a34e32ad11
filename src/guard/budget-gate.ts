/**
 * What the pipeline asks of the budget: is the month's budget spent, record what a response cost,
 * and which model of a chain is cheapest. The budget module implements it.
 */
export interface BudgetGate {
  /** `exhausted` once the month's spend reached the budget. */
  state(): 'ok' | 'exhausted';
  /** The month being counted, `YYYY-MM` (UTC). */
  month(): string;
  /**
   * Prices a response from its usage (at the service tier it says it was served with) and adds it
   * to the month's spend.
   */
  record(model: string, usage: Readonly<Record<string, unknown>>, serviceTier?: string): void;
  /** The index of the cheapest model among `models` (by price per token); 0 when none is priced. */
  cheapest(models: readonly (string | undefined)[]): number;
  /** The month's spend so far. */
  snapshot(): {
    readonly month: string;
    readonly spentUsd: number;
    readonly monthlyUsd: number;
    readonly shared: boolean;
  };
  /** Redis is back: add what was spent while it was away, now. */
  resume(): void;
  close(): Promise<void>;
}
