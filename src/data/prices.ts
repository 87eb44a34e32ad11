/**
 * Prices in USD per 1M tokens: Standard processing (openai-api.md Table 6), and the Flex and
 * Priority processing prices of the pricing page; each row with its source and date. Pure data.
 */

/** A model family's token prices, USD per 1M tokens. */
export interface TokenPrice {
  readonly inputPerMillion: number;
  /** Price of cached input tokens, where the price table lists one. */
  readonly cachedInputPerMillion?: number;
  /** Absent for models that produce no output tokens (embeddings). */
  readonly outputPerMillion?: number;
  /**
   * Whether the data-residency uplift applies on a regional host (`DATA_RESIDENCY.uplift`): only
   * models released on or after its date. Absent when the release date is not known.
   */
  readonly residencyUplift?: boolean;
  /** Where the row comes from. */
  readonly source: string;
  /** The date the source holds for. */
  readonly asOf: string;
}

/** Per-image prices for image models, USD per image. */
export interface ImagePrice {
  readonly perImage: Readonly<Record<string, number>>;
}

/** The 2025-10-02 copy of the pricing page (the same scrape as OAI-MODEL-2025). */
const PRICING_PAGE =
  'platform.openai.com/docs/pricing (2025-10-02 scrape, repo TSGCFO/gpt5-mobile-assistant, Docs/responses-api/platform.openai.com_docs_pricing.md)';

/** A row of a model page's price table (2025-10-02). Listed then, so released before the residency uplift's date. */
const page2025 = (
  id: string,
  inputPerMillion: number,
  cachedInputPerMillion: number | undefined,
  outputPerMillion: number | undefined,
): TokenPrice => ({
  inputPerMillion,
  ...(cachedInputPerMillion === undefined ? {} : { cachedInputPerMillion }),
  ...(outputPerMillion === undefined ? {} : { outputPerMillion }),
  residencyUplift: false,
  source: `OAI-MODEL-2025:${id}; ${PRICING_PAGE}, Standard; openai-api.md Table 6`,
  asOf: '2025-10-02',
});

/** A row of the pricing page's Flex or Priority table (2025-10-02). */
const tierRow = (
  table: 'Flex' | 'Priority',
  inputPerMillion: number,
  cachedInputPerMillion: number,
  outputPerMillion: number,
): TokenPrice => ({
  inputPerMillion,
  cachedInputPerMillion,
  outputPerMillion,
  residencyUplift: false,
  source: `${PRICING_PAGE}, ${table}`,
  asOf: '2025-10-02',
});

/** Standard processing prices. */
export const TOKEN_PRICES = {
  asOf: '2025-10-02',
  source:
    'platform.openai.com/docs/models/<id> (2025-10-02 scrape, OAI-MODEL-2025), the pricing page of the same scrape, and developers.openai.com/api/docs/models/<id> (2026 copies, OAI-MODEL-2026); openai-api.md Table 6',
  models: {
    'gpt-4o': page2025('gpt-4o', 2.5, 1.25, 10),
    'gpt-4o-mini': page2025('gpt-4o-mini', 0.15, 0.075, 0.6),
    'gpt-4.1': page2025('gpt-4.1', 2, 0.5, 8),
    'gpt-4.1-mini': page2025('gpt-4.1-mini', 0.4, 0.1, 1.6),
    'gpt-5': page2025('gpt-5', 1.25, 0.125, 10),
    'gpt-5-mini': page2025('gpt-5-mini', 0.25, 0.025, 2),
    o3: page2025('o3', 2, 0.5, 8),
    'o4-mini': page2025('o4-mini', 1.1, 0.275, 4.4),
    'o3-mini': page2025('o3-mini', 1.1, 0.55, 4.4),
    'gpt-3.5-turbo': page2025('gpt-3.5-turbo', 0.5, undefined, 1.5),
    'text-embedding-3-small': page2025('text-embedding-3-small', 0.02, undefined, undefined),
    /** Text input prices; image input is 10.00 (cached 2.50) and image output 40.00 per 1M. */
    'gpt-image-1': page2025('gpt-image-1', 5, 1.25, 40),
    'gpt-5.5': {
      inputPerMillion: 5,
      cachedInputPerMillion: 0.5,
      outputPerMillion: 30,
      // Released 2026-04 (after the uplift's 2026-03-05), per the dates below.
      residencyUplift: true,
      source:
        'OAI-MODEL-2026:gpt-5.5 (quick-comparison table), openai-api.md Table 6; release in April 2026: vercel.com/ai-gateway/models/openai/gpt-5.5 ("available on April 24, 2026"), third-party',
      asOf: '2026-09',
    },
  },
} as const satisfies { asOf: string; source: string; models: Record<string, TokenPrice> };

/**
 * Prices of `service_tier: "flex"` and `"priority"`, for the models the pricing page lists. The
 * guides add: Flex tokens are priced at Batch API rates (a model not listed here is priced at
 * `BATCH_PRICE_FACTOR` of Standard); Priority requests the API downgrades are served and billed as
 * `default` (the answer's `service_tier` says which).
 */
export const SERVICE_TIER_PRICES = {
  asOf: '2025-10-02',
  source: `${PRICING_PAGE}; platform.openai.com/docs/guides/flex-processing and /priority-processing (same scrape)`,
  flex: {
    'gpt-5': tierRow('Flex', 0.625, 0.0625, 5),
    'gpt-5-mini': tierRow('Flex', 0.125, 0.0125, 1),
    'gpt-5-nano': tierRow('Flex', 0.025, 0.0025, 0.2),
    o3: tierRow('Flex', 1, 0.25, 4),
    'o4-mini': tierRow('Flex', 0.55, 0.138, 2.2),
  },
  priority: {
    'gpt-5': tierRow('Priority', 2.5, 0.25, 20),
    'gpt-5-mini': tierRow('Priority', 0.45, 0.045, 3.6),
    'gpt-4.1': tierRow('Priority', 3.5, 0.875, 14),
    'gpt-4.1-mini': tierRow('Priority', 0.7, 0.175, 2.8),
    'gpt-4.1-nano': tierRow('Priority', 0.2, 0.05, 0.8),
    'gpt-4o': tierRow('Priority', 4.25, 2.125, 17),
    'gpt-4o-mini': tierRow('Priority', 0.25, 0.125, 1),
    o3: tierRow('Priority', 3.5, 0.875, 14),
    'o4-mini': tierRow('Priority', 2, 0.5, 8),
  },
} as const satisfies {
  asOf: string;
  source: string;
  flex: Record<string, TokenPrice>;
  priority: Record<string, TokenPrice>;
};

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

/**
 * Batch and Flex processing cost half of Standard (OAI-MODEL-2026:gpt-6-astra; the Flex guide:
 * "priced at Batch API rates").
 */
export const BATCH_PRICE_FACTOR = 0.5;
