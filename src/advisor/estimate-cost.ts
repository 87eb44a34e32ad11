/**
 * What one response cost, from its usage and the price table (openai-api.md Table 6): input at
 * the input price, cached input at the cached price where the model has one, output at the
 * output price.
 */
import { TOKEN_PRICES, type TokenPrice } from '../data/prices.js';
import { resolveModel } from '../models/resolve.js';

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
}

const prices: Readonly<Record<string, TokenPrice>> = TOKEN_PRICES.models;

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/**
 * Prices a response's `usage` (chat: `prompt_tokens`/`completion_tokens`; Responses:
 * `input_tokens`/`output_tokens`; embeddings: `prompt_tokens`) for `model`. Never throws.
 */
export function estimateCost(model: string, usage: unknown): CostEstimate {
  const input = count(field(usage, 'prompt_tokens')) || count(field(usage, 'input_tokens'));
  const output = count(field(usage, 'completion_tokens')) || count(field(usage, 'output_tokens'));
  const cached = Math.min(
    input,
    count(field(field(usage, 'prompt_tokens_details'), 'cached_tokens')) ||
      count(field(field(usage, 'input_tokens_details'), 'cached_tokens')),
  );
  const resolved = resolveModel(typeof model === 'string' ? model : '');
  const price = prices[resolved.info?.priceFamily ?? resolved.family];
  const tokens = { inputTokens: input - cached, cachedInputTokens: cached, outputTokens: output };
  if (price === undefined) return { usd: 0, known: false, ...tokens };
  const usd =
    (tokens.inputTokens * price.inputPerMillion +
      cached * (price.cachedInputPerMillion ?? price.inputPerMillion) +
      output * (price.outputPerMillion ?? 0)) /
    1_000_000;
  return { usd, known: true, ...tokens };
}
