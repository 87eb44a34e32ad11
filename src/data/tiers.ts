/**
 * Usage tiers: what each tier takes to reach, its monthly usage cap, and the per-model limits it
 * gives. Pure data, each table with the date it holds for and its source (keys of
 * ../shared/reference/openai-api.md).
 */

/** Every usage tier, lowest first. */
export const TIERS = ['free', 'tier-1', 'tier-2', 'tier-3', 'tier-4', 'tier-5'] as const;

/** A usage tier. */
export type Tier = (typeof TIERS)[number];

/** What reaching a tier takes, and the monthly usage it allows. */
export interface TierQualification {
  readonly tier: Tier;
  /** Total paid to the API, in USD. */
  readonly paidUsd: number;
  /** Days since the first successful payment. */
  readonly daysSinceFirstPayment: number;
  /** OpenAI-assigned monthly usage limit (code `organization_usage_limit_exceeded` when hit), USD. */
  readonly monthlyUsageLimitUsd: number;
  /** Where the row comes from. */
  readonly source?: string;
}

/** Where a row of a table comes from, and the date it holds for. */
export interface Provenance {
  readonly source: string;
  readonly asOf: string;
}

const TABLE_3 = 'openai-api.md Table 3 (OAI-RL; OAI-RL-2025)';

/** Table 3 of the reference. */
export const TIER_QUALIFICATIONS = {
  asOf: '2026-09',
  source:
    'https://developers.openai.com/api/docs/guides/rate-limits (2026 copy) and platform.openai.com/docs/guides/rate-limits (2025-10-02 scrape), openai-api.md Table 3',
  note: 'The Tier 5 usage limit was $10,000/month in the early-2024 doc; it is $200,000 in the 2025-10 and 2026 copies.',
  rows: [
    { tier: 'free', paidUsd: 0, daysSinceFirstPayment: 0, monthlyUsageLimitUsd: 100, source: TABLE_3 },
    { tier: 'tier-1', paidUsd: 5, daysSinceFirstPayment: 0, monthlyUsageLimitUsd: 100, source: TABLE_3 },
    { tier: 'tier-2', paidUsd: 50, daysSinceFirstPayment: 7, monthlyUsageLimitUsd: 500, source: TABLE_3 },
    { tier: 'tier-3', paidUsd: 100, daysSinceFirstPayment: 7, monthlyUsageLimitUsd: 1_000, source: TABLE_3 },
    { tier: 'tier-4', paidUsd: 250, daysSinceFirstPayment: 14, monthlyUsageLimitUsd: 5_000, source: TABLE_3 },
    {
      tier: 'tier-5',
      paidUsd: 1_000,
      daysSinceFirstPayment: 30,
      monthlyUsageLimitUsd: 200_000,
      source: TABLE_3,
    },
  ],
} as const satisfies {
  asOf: string;
  source: string;
  note: string;
  rows: readonly TierQualification[];
};

/** One model family's limits on one tier. Absent fields are not limited (or not published). */
export interface TierLimits {
  readonly requestsPerMinute?: number;
  readonly tokensPerMinute?: number;
  readonly requestsPerDay?: number;
  readonly imagesPerMinute?: number;
  /** Batch API queue limit: enqueued input tokens. */
  readonly batchQueueTokens?: number;
}

/**
 * A model family's row of Table 4: `null` on a tier means "not supported" (the tier cannot use the
 * model); a tier that is absent is not published for this model.
 */
export type TierRow = Partial<Record<Tier, TierLimits | null>>;

const rpmTpm = (
  requestsPerMinute: number,
  tokensPerMinute: number,
  batchQueueTokens: number,
): TierLimits => ({
  requestsPerMinute,
  tokensPerMinute,
  batchQueueTokens,
});

const M = 1_000_000;
const B = 1_000_000_000;

/** gpt-4o, gpt-4.1 (default context) and o3 share one published table. */
const GPT_4O_CLASS: TierRow = {
  free: null,
  'tier-1': rpmTpm(500, 30_000, 90_000),
  'tier-2': rpmTpm(5_000, 450_000, 1_350_000),
  'tier-3': rpmTpm(5_000, 800_000, 50 * M),
  'tier-4': rpmTpm(10_000, 2 * M, 200 * M),
  'tier-5': rpmTpm(10_000, 30 * M, 5 * B),
};

/** gpt-4o-mini and gpt-4.1-mini share one published table. */
const MINI_CLASS: TierRow = {
  free: { requestsPerMinute: 3, requestsPerDay: 200, tokensPerMinute: 40_000 },
  'tier-1': { ...rpmTpm(500, 200_000, 2 * M), requestsPerDay: 10_000 },
  'tier-2': rpmTpm(5_000, 2 * M, 20 * M),
  'tier-3': rpmTpm(5_000, 4 * M, 40 * M),
  'tier-4': rpmTpm(10_000, 10 * M, 1 * B),
  'tier-5': rpmTpm(30_000, 150 * M, 15 * B),
};

/** Table 4's rows, by model family. Families that share a row on the org limits page share one budget (openai-api.md note B). */
const TIER_ROWS = {
  'gpt-4o': GPT_4O_CLASS,
  'gpt-4o-mini': MINI_CLASS,
  'gpt-4.1': GPT_4O_CLASS,
  /** Requests with more than 128k input tokens have their own limit (OAI-MODEL-2026:gpt-4.1). */
  'gpt-4.1-long-context': {
    'tier-1': rpmTpm(100, 200_000, 2 * M),
    'tier-2': rpmTpm(250, 500_000, 20 * M),
    'tier-3': rpmTpm(500, 1 * M, 40 * M),
    'tier-4': rpmTpm(1_000, 5 * M, 100 * M),
    'tier-5': rpmTpm(4_000, 10 * M, 1 * B),
  },
  'gpt-4.1-mini': MINI_CLASS,
  'gpt-5': {
    free: null,
    'tier-1': rpmTpm(500, 500_000, 1.5 * M),
    'tier-2': rpmTpm(5_000, 1 * M, 3 * M),
    'tier-3': rpmTpm(5_000, 2 * M, 100 * M),
    'tier-4': rpmTpm(10_000, 4 * M, 200 * M),
    'tier-5': rpmTpm(15_000, 40 * M, 15 * B),
  },
  'gpt-5-mini': {
    free: null,
    'tier-1': rpmTpm(500, 500_000, 5 * M),
    'tier-2': rpmTpm(5_000, 2 * M, 20 * M),
    'tier-3': rpmTpm(5_000, 4 * M, 40 * M),
    'tier-4': rpmTpm(10_000, 10 * M, 1 * B),
    'tier-5': rpmTpm(30_000, 180 * M, 15 * B),
  },
  o3: GPT_4O_CLASS,
  'o4-mini': {
    free: null,
    'tier-1': rpmTpm(1_000, 100_000, 1 * M),
    'tier-2': rpmTpm(2_000, 2 * M, 2 * M),
    'tier-3': rpmTpm(5_000, 4 * M, 40 * M),
    'tier-4': rpmTpm(10_000, 10 * M, 1 * B),
    'tier-5': rpmTpm(30_000, 150 * M, 15 * B),
  },
  'o3-mini': {
    free: null,
    'tier-1': rpmTpm(1_000, 100_000, 1 * M),
    'tier-2': rpmTpm(2_000, 200_000, 2 * M),
    'tier-3': rpmTpm(5_000, 4 * M, 40 * M),
    'tier-4': rpmTpm(10_000, 10 * M, 1 * B),
    'tier-5': rpmTpm(30_000, 150 * M, 15 * B),
  },
  'gpt-3.5-turbo': {
    free: null,
    'tier-1': { ...rpmTpm(3_500, 200_000, 2 * M), requestsPerDay: 10_000 },
    'tier-2': rpmTpm(3_500, 2 * M, 5 * M),
    // Lower than Tier 2 "as published" on the model page; kept as published.
    'tier-3': rpmTpm(3_500, 800_000, 50 * M),
    'tier-4': rpmTpm(10_000, 10 * M, 1 * B),
    'tier-5': rpmTpm(10_000, 50 * M, 10 * B),
  },
  'text-embedding-3-small': {
    free: { requestsPerMinute: 100, requestsPerDay: 2_000, tokensPerMinute: 40_000 },
    'tier-1': rpmTpm(3_000, 1 * M, 3 * M),
    'tier-2': rpmTpm(5_000, 1 * M, 20 * M),
    'tier-3': rpmTpm(5_000, 5 * M, 100 * M),
    'tier-4': rpmTpm(10_000, 5 * M, 500 * M),
    'tier-5': rpmTpm(10_000, 10 * M, 4 * B),
  },
  'dall-e-3': {
    free: null,
    'tier-1': { imagesPerMinute: 500 },
    'tier-2': { imagesPerMinute: 2_500 },
    'tier-3': { imagesPerMinute: 5_000 },
    'tier-4': { imagesPerMinute: 7_500 },
    'tier-5': { imagesPerMinute: 10_000 },
  },
  'gpt-image-1': {
    free: null,
    'tier-1': { tokensPerMinute: 100_000, imagesPerMinute: 5 },
    'tier-2': { tokensPerMinute: 250_000, imagesPerMinute: 20 },
    'tier-3': { tokensPerMinute: 800_000, imagesPerMinute: 50 },
    'tier-4': { tokensPerMinute: 3 * M, imagesPerMinute: 150 },
    'tier-5': { tokensPerMinute: 8 * M, imagesPerMinute: 250 },
  },
  /** 2026 model; only Tier 1 and Tier 5 are in the reference (OAI-MODEL-2026:gpt-5.5). */
  'gpt-5.5': {
    'tier-1': rpmTpm(500, 500_000, 1.5 * M),
    'tier-5': rpmTpm(15_000, 40 * M, 15 * B),
  },
  /** 2026 model; only Tier 1 is in the reference (OAI-MODEL-2026). */
  'gpt-5.5-pro': {
    'tier-1': rpmTpm(50, 50_000, 500_000),
  },
} as const satisfies Record<string, TierRow>;

const page2025 = (id: string): Provenance => ({
  source: `OAI-MODEL-2025:${id} (rate-limit table of platform.openai.com/docs/models/${id}); openai-api.md Table 4`,
  asOf: '2025-10-02',
});
const page2026 = (id: string, part = 'rate-limit table'): Provenance => ({
  source: `OAI-MODEL-2026:${id} (${part} of developers.openai.com/api/docs/models/${id}); openai-api.md Table 4`,
  asOf: '2026-09',
});

/** Where each row of Table 4 comes from. The type makes a row without a source a compile error. */
const TIER_ROW_SOURCES = {
  'gpt-4o': page2025('gpt-4o'),
  'gpt-4o-mini': page2025('gpt-4o-mini'),
  'gpt-4.1': page2025('gpt-4.1'),
  'gpt-4.1-long-context': page2026('gpt-4.1', 'long-context (>128k input) rate-limit table'),
  'gpt-4.1-mini': page2025('gpt-4.1-mini'),
  'gpt-5': page2025('gpt-5'),
  'gpt-5-mini': page2025('gpt-5-mini'),
  o3: page2025('o3'),
  'o4-mini': page2025('o4-mini'),
  'o3-mini': page2025('o3-mini'),
  'gpt-3.5-turbo': page2025('gpt-3.5-turbo'),
  'text-embedding-3-small': page2025('text-embedding-3-small'),
  'dall-e-3': page2025('dall-e-3'),
  'gpt-image-1': page2025('gpt-image-1'),
  'gpt-5.5': page2026('gpt-5.5', 'Standard rate-limit table, Tier 1 and Tier 5 rows'),
  'gpt-5.5-pro': page2026('gpt-5.5-pro', 'rate-limit table, Tier 1 row'),
} as const satisfies Record<keyof typeof TIER_ROWS, Provenance>;

/**
 * Table 4 of the reference: per-tier limits of common model families, from each model's page, and
 * where each row comes from. The minimum tier of a model is the lowest tier its row supports.
 */
export const MODEL_TIER_LIMITS = {
  asOf: '2025-10-02',
  source:
    'platform.openai.com/docs/models/<id> (2025-10-02 scrape, OAI-MODEL-2025); 2026 copies (OAI-MODEL-2026) agree for gpt-4o, gpt-4o-mini, gpt-4.1, gpt-5-mini, o4-mini; openai-api.md Table 4',
  models: TIER_ROWS,
  sources: TIER_ROW_SOURCES,
} as const;

/**
 * The row an unknown model is paced by until the API's headers say better: gpt-4o's, the lowest
 * TPM among the standard chat families on every paid tier; gpt-4o-mini's on the free tier, where
 * gpt-4o is not supported. A tierguard choice, not an OpenAI number.
 */
export const DEFAULT_LIMITS_FAMILIES = ['gpt-4o', 'gpt-4o-mini'] as const;

/** A model family with a published tier table. */
export type TieredFamily = keyof typeof MODEL_TIER_LIMITS.models;

/**
 * What a model needs beyond a tier: a verified organization, for access to the model, for
 * streaming, or for reasoning summaries (openai-api.md Table 1 #12–15, note A).
 */
export interface VerificationNeed {
  readonly access?: boolean;
  readonly streaming?: boolean;
  readonly reasoningSummary?: boolean;
  /** Where the need was seen. */
  readonly source?: string;
}

/** Verification requirements seen in the API's own errors, with where they were seen. */
export const VERIFICATION_REQUIREMENTS = {
  asOf: '2026-09',
  source:
    'openai-api.md Table 1 #12 (gpt-image-1, 403), #13 (gpt-5), #14 (o3 and gpt-5 streaming, 400 unsupported_value param stream), #15 (reasoning.summary); help article https://help.openai.com/en/articles/10910291-api-organization-verification',
  models: {
    'gpt-image-1': { access: true, source: 'openai-api.md Table 1 #12 (openai-php/client#565)' },
    'gpt-5': {
      streaming: true,
      reasoningSummary: true,
      source:
        'openai-api.md Table 1 #13–15 (openai/openai-go#565; LibreChat#6926; continuedev/continue#9753)',
    },
    o3: {
      streaming: true,
      reasoningSummary: true,
      source: 'openai-api.md Table 1 #14–15 (Lamb-Project/lamb#54; BerriAI/litellm#16032)',
    },
  },
} as const satisfies { asOf: string; source: string; models: Record<string, VerificationNeed> };

/** How long a new verification can take to apply, from the API's own message. */
export const VERIFICATION_PROPAGATION_MINUTES = 15;

/**
 * How long new rate limits take to apply after a tier change, and when to contact support,
 * per the troubleshooting guides (field-guides.md, community advice, not documented by OpenAI).
 */
export const TIER_CHANGE_DELAY = {
  source: 'field-guides.md ("new rate limits can take 6–24 hours to apply; contact support after 48 hours")',
  minHours: 6,
  maxHours: 24,
  contactSupportAfterHours: 48,
} as const;
