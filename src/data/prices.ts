/**
 * Prices in USD per 1M tokens (Standard processing), from openai-api.md Table 6. Pure data.
 */

/** A model family's token prices, USD per 1M tokens. */
export interface TokenPrice {
  readonly inputPerMillion: number;
  /** Price of cached input tokens, where the model page lists one. */
  readonly cachedInputPerMillion?: number;
  /** Absent for models that produce no output tokens (embeddings). */
  readonly outputPerMillion?: number;
}

/** Per-image prices for image models, USD per image. */
export interface ImagePrice {
  readonly perImage: Readonly<Record<string, number>>;
}

export const TOKEN_PRICES = {
  asOf: '2025-10-02',
  source:
    'platform.openai.com/docs/models/<id> (2025-10-02 scrape, OAI-MODEL-2025) and developers.openai.com/api/docs/models/<id> (2026 copies, OAI-MODEL-2026); openai-api.md Table 6',
  models: {
    'gpt-4o': { inputPerMillion: 2.5, cachedInputPerMillion: 1.25, outputPerMillion: 10 },
    'gpt-4o-mini': { inputPerMillion: 0.15, cachedInputPerMillion: 0.075, outputPerMillion: 0.6 },
    'gpt-4.1': { inputPerMillion: 2, cachedInputPerMillion: 0.5, outputPerMillion: 8 },
    'gpt-4.1-mini': { inputPerMillion: 0.4, cachedInputPerMillion: 0.1, outputPerMillion: 1.6 },
    'gpt-5': { inputPerMillion: 1.25, cachedInputPerMillion: 0.125, outputPerMillion: 10 },
    'gpt-5-mini': { inputPerMillion: 0.25, cachedInputPerMillion: 0.025, outputPerMillion: 2 },
    o3: { inputPerMillion: 2, cachedInputPerMillion: 0.5, outputPerMillion: 8 },
    'o4-mini': { inputPerMillion: 1.1, cachedInputPerMillion: 0.275, outputPerMillion: 4.4 },
    'o3-mini': { inputPerMillion: 1.1, cachedInputPerMillion: 0.55, outputPerMillion: 4.4 },
    'gpt-3.5-turbo': { inputPerMillion: 0.5, outputPerMillion: 1.5 },
    'text-embedding-3-small': { inputPerMillion: 0.02 },
    /** Text input prices; image input is 10.00 (cached 2.50) and image output 40.00 per 1M. */
    'gpt-image-1': { inputPerMillion: 5, cachedInputPerMillion: 1.25, outputPerMillion: 40 },
    'gpt-5.5': { inputPerMillion: 5, cachedInputPerMillion: 0.5, outputPerMillion: 30 },
  },
} as const satisfies { asOf: string; source: string; models: Record<string, TokenPrice> };

export const IMAGE_PRICES = {
  asOf: '2025-10-02',
  source: 'OAI-MODEL-2025:gpt-image-1, OAI-MODEL-2025:dall-e-3; openai-api.md Table 6',
  models: {
    'gpt-image-1': {
      perImage: {
        '1024x1024/low': 0.011,
        '1024x1024/medium': 0.042,
        '1024x1024/high': 0.167,
        '1024x1536/low': 0.016,
        '1024x1536/medium': 0.063,
        '1024x1536/high': 0.25,
        '1536x1024/low': 0.016,
        '1536x1024/medium': 0.063,
        '1536x1024/high': 0.25,
      },
    },
    'dall-e-3': {
      perImage: {
        '1024x1024/standard': 0.04,
        '1024x1792/standard': 0.08,
        '1792x1024/standard': 0.08,
      },
    },
  },
} as const satisfies { asOf: string; source: string; models: Record<string, ImagePrice> };

/** Batch and Flex processing cost half of Standard (OAI-MODEL-2026:gpt-6-astra). */
export const BATCH_PRICE_FACTOR = 0.5;
