/**
 * What one response cost, from its usage and the price tables: input at the input price, cached
 * input at the cached price where the model has one, output at the output price — at the prices of
 * the service tier the answer says it was served with, plus the data-residency uplift on a regional
 * host for the models it applies to.
 */
import { BATCH_PRICE_FACTOR, SERVICE_TIER_PRICES, TOKEN_PRICES, type TokenPrice } from '../data/prices.js';
import { DATA_RESIDENCY } from '../data/residency.js';
import { resolveModel } from '../models/resolve.js';
import { tableOf } from '../models/table.js';
import { residencyRegionOf } from './endpoint.js';

/** The processing a response was served (and is billed) with: the answer's `service_tier`. */
export type ServiceTier = 'default' | 'flex' | 'priority';

/** What a cost estimate had to assume. */
export type CostAssumption =
  /** Flex for a model the Flex table does not list: priced at Batch rates, half of Standard. */
  | 'flex-at-batch-rate'
  /** Priority for a model the Priority table does not list: priced at Standard. */
  | 'priority-at-standard-rate'
  /** A regional host, and the model's release date (which decides the uplift) is not known: no uplift. */
  | 'residency-uplift-unknown'
  /** A `service_tier` tierguard has no prices for (`scale`…): priced at Standard. */
  | 'service-tier-unknown';

/** Options of `estimateCost`. */
export interface EstimateCostOptions {
  /**
   * The answer's `service_tier` (what it was served with: `default`, `flex`, `priority`). A
   * Priority request the API downgraded says `default`, and is billed so.
   * @default 'default'
   */
  readonly serviceTier?: string | null;
  /** The base URL the call went to: a data-residency host (`https://eu.api.openai.com/v1`) adds its uplift. */
  readonly baseURL?: string;
}

/** The cost of one response. */
export interface CostEstimate {
  /** USD; 0 when the model has no price. */
  readonly usd: number;
  /** The model has a price in the table. */
  readonly known: boolean;
  /** Input tokens billed at the full input price. */
  readonly inputTokens: number;
  readonly cachedInputTokens: number;
  readonly outputTokens: number;
  /** The service tier the prices are of. */
  readonly serviceTier: ServiceTier;
  /** The data-residency uplift applied (1 when none). */
  readonly upliftFactor: number;
  /** What the estimate assumed, if anything. */
  readonly assumptions: readonly CostAssumption[];
}

const standard = tableOf<TokenPrice>(TOKEN_PRICES.models);
const flex = tableOf<TokenPrice>(SERVICE_TIER_PRICES.flex);
const priority = tableOf<TokenPrice>(SERVICE_TIER_PRICES.priority);

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

function field(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  try {
    return Object.prototype.hasOwnProperty.call(value, key)
      ? (value as Record<string, unknown>)[key]
      : undefined;
  } catch {
    return undefined;
  }
}

function scaled(price: TokenPrice, factor: number): TokenPrice {
  return {
    ...price,
    inputPerMillion: price.inputPerMillion * factor,
    ...(price.cachedInputPerMillion === undefined
      ? {}
      : { cachedInputPerMillion: price.cachedInputPerMillion * factor }),
    ...(price.outputPerMillion === undefined ? {} : { outputPerMillion: price.outputPerMillion * factor }),
  };
}

/** The price of `family` for `tier`, and what had to be assumed for it. */
function priceFor(
  family: string,
  tier: string,
): { price: TokenPrice | undefined; tier: ServiceTier; assumption?: CostAssumption } {
  const base = standard.get(family);
  if (tier === 'flex') {
    const listed = flex.get(family);
    if (listed !== undefined) return { price: listed, tier: 'flex' };
    return {
      price: base === undefined ? undefined : scaled(base, BATCH_PRICE_FACTOR),
      tier: 'flex',
      assumption: 'flex-at-batch-rate',
    };
  }
  if (tier === 'priority') {
    const listed = priority.get(family);
    if (listed !== undefined) return { price: listed, tier: 'priority' };
    return { price: base, tier: 'priority', assumption: 'priority-at-standard-rate' };
  }
  if (tier === 'default' || tier === 'auto' || tier === '') return { price: base, tier: 'default' };
  return { price: base, tier: 'default', assumption: 'service-tier-unknown' };
}

/**
 * Prices a response's `usage` (chat: `prompt_tokens`/`completion_tokens`; Responses:
 * `input_tokens`/`output_tokens`; embeddings: `prompt_tokens`; cached tokens from
 * `*_tokens_details.cached_tokens`) for `model`, at the prices of the service tier the answer says
 * it was served with (`options.serviceTier`, the answer's `service_tier`), with the residency uplift
 * of a regional host (`options.baseURL`). Never throws.
 */
export function estimateCost(model: string, usage: unknown, options: EstimateCostOptions = {}): CostEstimate {
  const input = count(field(usage, 'prompt_tokens')) || count(field(usage, 'input_tokens'));
  const output = count(field(usage, 'completion_tokens')) || count(field(usage, 'output_tokens'));
  const cached = Math.min(
    input,
    count(field(field(usage, 'prompt_tokens_details'), 'cached_tokens')) ||
      count(field(field(usage, 'input_tokens_details'), 'cached_tokens')),
  );
  const resolved = resolveModel(typeof model === 'string' ? model : '');
  const family = resolved.info?.priceFamily ?? resolved.family;
  const requestedTier =
    typeof options?.serviceTier === 'string' ? options.serviceTier.toLowerCase() : 'default';
  const chosen = priceFor(family, requestedTier);
  const assumptions: CostAssumption[] = chosen.assumption === undefined ? [] : [chosen.assumption];
  const tokens = { inputTokens: input - cached, cachedInputTokens: cached, outputTokens: output };
  const region = residencyRegionOf(options?.baseURL);
  let upliftFactor = 1;
  if (region !== undefined && chosen.price !== undefined) {
    if (chosen.price.residencyUplift === true) upliftFactor = DATA_RESIDENCY.uplift.factor;
    else if (chosen.price.residencyUplift === undefined) assumptions.push('residency-uplift-unknown');
  }
  const shape = { ...tokens, serviceTier: chosen.tier, upliftFactor, assumptions };
  const price = chosen.price;
  if (price === undefined) return { usd: 0, known: false, ...shape };
  const usd =
    ((tokens.inputTokens * price.inputPerMillion +
      cached * (price.cachedInputPerMillion ?? price.inputPerMillion) +
      output * (price.outputPerMillion ?? 0)) /
      1_000_000) *
    upliftFactor;
  return { usd, known: true, ...shape };
}
