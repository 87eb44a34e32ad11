/**
 * What the pipeline asks of the budget: reserve a call's worst case before it is sent (refused, or
 * granted — with its output clamped when the budget clamps), settle the reservation from what the
 * answer reports, and which model of a chain is cheapest. The budget module implements it.
 */
import type { Endpoint, RequestEstimate } from '../tokens/estimate.js';

/** What a call asks of the budget. */
export interface SpendRequest {
  readonly model: string | undefined;
  readonly endpoint: Endpoint;
  /** The JSON body as it will be sent (its `service_tier`, its output maximum). */
  readonly body: Readonly<Record<string, unknown>> | undefined;
  readonly estimate: RequestEstimate;
  readonly baseURL: string;
}

/** The body field that bounds a call's output. */
export type OutputField = 'max_completion_tokens' | 'max_tokens' | 'max_output_tokens';

/** A call's reserved worst case. Settling it a second time does nothing. */
export interface SpendReservation {
  readonly reservedUsd: number;
  /** Send the call with this output maximum: the budget clamped it to what is left. */
  readonly clamp?: { readonly field: OutputField; readonly maxOutputTokens: number };
  /**
   * The answer's cost, priced from its usage at the service tier it says it was served with; with
   * no usage, the reserved worst case (the API may have produced it all).
   */
  commit(usage: Readonly<Record<string, unknown>> | undefined, serviceTier: string | undefined): void;
  /** A stream that ended without usage: its prompt and the output it delivered (`outputTokens`). */
  commitPartial(outputTokens: number): void;
  /** The call cost nothing: never sent, refused or failed by the API. */
  release(): void;
}

/** The budget's answer to a call. */
export type SpendDecision =
  | { readonly kind: 'reserved'; readonly reservation: SpendReservation }
  | { readonly kind: 'refused'; readonly message: string };

export interface BudgetGate {
  /** `exhausted` once the month's spend reached the budget. */
  state(): 'ok' | 'exhausted';
  /** The month being counted, `YYYY-MM` (UTC). */
  month(): string;
  /**
   * Reserves `request`'s worst case. `lastResort`: the cheapest target of a chain under the
   * `fallback` policy, admitted past the budget.
   */
  reserve(request: SpendRequest, lastResort: boolean): Promise<SpendDecision>;
  /** The index of the cheapest model among `models` (by price per token); 0 when none is priced. */
  cheapest(models: readonly (string | undefined)[]): number;
  /** The month's spend so far, and what calls in flight hold. */
  snapshot(): {
    readonly month: string;
    readonly spentUsd: number;
    readonly reservedUsd: number;
    readonly monthlyUsd: number;
    readonly shared: boolean;
  };
  /** The shared store is back: add what was spent while it was away, now. */
  resume(): void;
  close(): Promise<void>;
}

/** What to do when the month's budget is spent: refuse the call, fall back to the cheapest model of its chain, or only warn. */
export type BudgetExhaustedPolicy = 'refuse' | 'fallback' | 'warn';

/** What the budget tells the guard's listeners: an alert threshold crossed, a call's output clamped. */
export type BudgetEvent =
  /** The month's spend crossed a threshold of the budget (once per threshold per month). */
  | {
      readonly type: 'budget-alert';
      readonly threshold: number;
      readonly spentUsd: number;
      readonly monthlyUsd: number;
      readonly month: string;
      readonly exhausted: boolean;
    }
  /**
   * The budget had less left than a call's largest possible cost: the call is sent with its output
   * maximum lowered to what is left (`budget.clampOutput`).
   */
  | {
      readonly type: 'budget-clamped';
      readonly model?: string;
      /** The body field written: `max_completion_tokens`, `max_tokens` or `max_output_tokens`. */
      readonly field: 'max_completion_tokens' | 'max_tokens' | 'max_output_tokens';
      /** The maximum the call set; absent when it set none. */
      readonly requestedMaxTokens?: number;
      /** The maximum it is sent with. */
      readonly maxTokens: number;
      /** What the budget granted the call, USD. */
      readonly leftUsd: number;
    };
