/**
 * Model families tierguard knows: which tokenizer encoding counts their tokens, what kind of
 * endpoint serves them, and which family's rate limits they share. Pure data.
 *
 * A name that is not here (after snapshot dates and relay prefixes are stripped, see
 * `src/models/resolve.ts`) is an unknown model: `diagnose` calls a 404 for it `model_not_found`
 * rather than `model_access_denied`, and pacing gives it conservative default limits.
 */

/** The tokenizer encodings gpt-tokenizer ships that OpenAI models use. */
export type Encoding = 'o200k_base' | 'cl100k_base';

/** What a model is used for, which decides how its requests are counted. */
export type ModelKind = 'chat' | 'embedding' | 'image' | 'audio' | 'moderation' | 'completion';

/** A model's context window, from its model page. */
export interface ContextWindow {
  /** The context window in tokens: the prompt and the output together. */
  readonly tokens: number;
  /** The largest output the model produces, in tokens. */
  readonly maxOutput?: number;
  /** The largest input, where the API caps the input below the window (gpt-5: 272,000 of 400,000). */
  readonly maxInput?: number;
  /** Where the numbers come from (a key of openai-api.md: OAI-MODEL-2025:<id> is the model's page). */
  readonly source: string;
  /** The date the source holds for. */
  readonly asOf: string;
}

export interface ModelInfo {
  readonly kind: ModelKind;
  readonly encoding: Encoding;
  /** The family whose published tier limits this model uses, when it has one. */
  readonly limitsFamily?: string;
  /** The family whose prices this model uses, when it has one. */
  readonly priceFamily?: string;
  /** The context window, where the model's page states one; absent rather than guessed. */
  readonly context?: ContextWindow;
}

/** The context window stated on the 2025-10-02 copy of the model's page (OAI-MODEL-2025:<id>). */
const page2025 = (id: string, tokens: number, maxOutput: number): ContextWindow => ({
  tokens,
  maxOutput,
  source: `OAI-MODEL-2025:${id} (the page's "context window" and "max output tokens")`,
  asOf: '2025-10-02',
});

const chat = (encoding: Encoding, family?: string, context?: ContextWindow): ModelInfo => ({
  kind: 'chat',
  encoding,
  ...(family === undefined ? {} : { limitsFamily: family, priceFamily: family }),
  ...(context === undefined ? {} : { context }),
});

/**
 * Known model ids, by family name. Encodings follow tiktoken's model map (o200k_base for the
 * gpt-4o generation and later, cl100k_base for gpt-3.5 / gpt-4 and the text-embedding-3 models).
 */
export const KNOWN_MODELS = {
  asOf: '2026-09',
  source:
    'openai-api.md Tables 4 and 6 (families with limits and prices); other ids from the models pages and the SDK model unions (openai-node src/resources/shared.ts)',
  models: {
    'gpt-4o': chat('o200k_base', 'gpt-4o', page2025('gpt-4o', 128_000, 16_384)),
    'gpt-4o-mini': chat('o200k_base', 'gpt-4o-mini', page2025('gpt-4o-mini', 128_000, 16_384)),
    'chatgpt-4o-latest': chat('o200k_base', undefined, page2025('chatgpt-4o-latest', 128_000, 16_384)),
    'gpt-4o-audio-preview': chat('o200k_base', undefined, page2025('gpt-4o-audio-preview', 128_000, 16_384)),
    'gpt-4o-mini-audio-preview': chat(
      'o200k_base',
      undefined,
      page2025('gpt-4o-mini-audio-preview', 128_000, 16_384),
    ),
    'gpt-4o-search-preview': chat(
      'o200k_base',
      undefined,
      page2025('gpt-4o-search-preview', 128_000, 16_384),
    ),
    'gpt-4o-mini-search-preview': chat(
      'o200k_base',
      undefined,
      page2025('gpt-4o-mini-search-preview', 128_000, 16_384),
    ),
    'gpt-4o-realtime-preview': chat(
      'o200k_base',
      undefined,
      page2025('gpt-4o-realtime-preview', 32_000, 4_096),
    ),
    'gpt-4o-mini-realtime-preview': chat(
      'o200k_base',
      undefined,
      page2025('gpt-4o-mini-realtime-preview', 16_000, 4_096),
    ),
    'gpt-4.1': chat('o200k_base', 'gpt-4.1', page2025('gpt-4.1', 1_047_576, 32_768)),
    'gpt-4.1-mini': chat('o200k_base', 'gpt-4.1-mini', page2025('gpt-4.1-mini', 1_047_576, 32_768)),
    'gpt-4.1-nano': chat('o200k_base', undefined, page2025('gpt-4.1-nano', 1_047_576, 32_768)),
    'gpt-5': chat('o200k_base', 'gpt-5', {
      ...page2025('gpt-5', 400_000, 128_000),
      maxInput: 272_000,
      source:
        'OAI-MODEL-2025:gpt-5 (the page\'s "context window" and "max output tokens"); the input limit: the API\'s "Input tokens exceed the configured limit of 272000 tokens" for gpt-5-2025-08-07 (cline/cline#5474)',
    }),
    'gpt-5-mini': chat('o200k_base', 'gpt-5-mini', page2025('gpt-5-mini', 400_000, 128_000)),
    'gpt-5-nano': chat('o200k_base', undefined, page2025('gpt-5-nano', 400_000, 128_000)),
    'gpt-5-pro': chat('o200k_base'),
    'gpt-5-codex': chat('o200k_base', undefined, page2025('gpt-5-codex', 400_000, 128_000)),
    'gpt-5-chat-latest': chat('o200k_base', undefined, page2025('gpt-5-chat-latest', 128_000, 16_384)),
    'gpt-5.1': chat('o200k_base'),
    'gpt-5.5': chat('o200k_base', 'gpt-5.5'),
    'gpt-5.5-pro': { kind: 'chat', encoding: 'o200k_base', limitsFamily: 'gpt-5.5-pro' },
    o1: chat('o200k_base', undefined, page2025('o1', 200_000, 100_000)),
    'o1-mini': chat('o200k_base', undefined, page2025('o1-mini', 128_000, 65_536)),
    'o1-pro': chat('o200k_base', undefined, page2025('o1-pro', 200_000, 100_000)),
    o3: chat('o200k_base', 'o3', page2025('o3', 200_000, 100_000)),
    'o3-pro': chat('o200k_base', undefined, page2025('o3-pro', 200_000, 100_000)),
    'o3-mini': chat('o200k_base', 'o3-mini', page2025('o3-mini', 200_000, 100_000)),
    'o3-deep-research': chat('o200k_base', undefined, page2025('o3-deep-research', 200_000, 100_000)),
    'o4-mini': chat('o200k_base', 'o4-mini', page2025('o4-mini', 200_000, 100_000)),
    'o4-mini-deep-research': chat(
      'o200k_base',
      undefined,
      page2025('o4-mini-deep-research', 200_000, 100_000),
    ),
    'codex-mini-latest': chat('o200k_base', undefined, page2025('codex-mini-latest', 200_000, 100_000)),
    'computer-use-preview': chat('o200k_base', undefined, page2025('computer-use-preview', 8_192, 1_024)),
    'gpt-realtime': chat('o200k_base', undefined, page2025('gpt-realtime', 32_000, 4_096)),
    'gpt-audio': chat('o200k_base', undefined, page2025('gpt-audio', 128_000, 16_384)),
    'gpt-4': chat('cl100k_base', undefined, page2025('gpt-4', 8_192, 8_192)),
    'gpt-4-turbo': chat('cl100k_base', undefined, page2025('gpt-4-turbo', 128_000, 4_096)),
    'gpt-3.5-turbo': chat('cl100k_base', 'gpt-3.5-turbo', page2025('gpt-3.5-turbo', 16_385, 4_096)),
    'gpt-3.5-turbo-instruct': {
      kind: 'completion',
      encoding: 'cl100k_base',
      context: page2025('gpt-3.5-turbo-instruct', 4_096, 4_096),
    },
    'davinci-002': { kind: 'completion', encoding: 'cl100k_base' },
    'babbage-002': { kind: 'completion', encoding: 'cl100k_base' },
    'text-embedding-3-small': {
      kind: 'embedding',
      encoding: 'cl100k_base',
      limitsFamily: 'text-embedding-3-small',
      priceFamily: 'text-embedding-3-small',
    },
    'text-embedding-3-large': { kind: 'embedding', encoding: 'cl100k_base' },
    'text-embedding-ada-002': { kind: 'embedding', encoding: 'cl100k_base' },
    'dall-e-2': { kind: 'image', encoding: 'cl100k_base' },
    'dall-e-3': { kind: 'image', encoding: 'cl100k_base', limitsFamily: 'dall-e-3' },
    'gpt-image-1': {
      kind: 'image',
      encoding: 'o200k_base',
      limitsFamily: 'gpt-image-1',
      priceFamily: 'gpt-image-1',
    },
    'gpt-image-1-mini': { kind: 'image', encoding: 'o200k_base' },
    'whisper-1': { kind: 'audio', encoding: 'cl100k_base' },
    'gpt-4o-transcribe': {
      kind: 'audio',
      encoding: 'o200k_base',
      context: page2025('gpt-4o-transcribe', 16_000, 2_000),
    },
    'gpt-4o-mini-transcribe': {
      kind: 'audio',
      encoding: 'o200k_base',
      context: page2025('gpt-4o-mini-transcribe', 16_000, 2_000),
    },
    'gpt-4o-mini-tts': { kind: 'audio', encoding: 'o200k_base' },
    'tts-1': { kind: 'audio', encoding: 'cl100k_base' },
    'tts-1-hd': { kind: 'audio', encoding: 'cl100k_base' },
    'omni-moderation-latest': { kind: 'moderation', encoding: 'o200k_base' },
    'text-moderation-latest': { kind: 'moderation', encoding: 'cl100k_base' },
  },
} as const satisfies { asOf: string; source: string; models: Record<string, ModelInfo> };

/** A known model family name. */
export type KnownModel = keyof typeof KNOWN_MODELS.models;

/** A model OpenAI shut down: the API answers 404 for it. */
export interface RetiredModel {
  /** The shutdown date on OpenAI's deprecations page. */
  readonly shutdownOn: string;
  /** The replacement the deprecations page recommends (its first one, when it names several). */
  readonly successor: string;
  readonly source: string;
}

const DEPRECATIONS =
  'platform.openai.com/docs/deprecations (2025-10-02 scrape, repo TSGCFO/gpt5-mobile-assistant, Docs/responses-api/platform.openai.com_docs_deprecations.md)';

const shutDown = (shutdownOn: string, successor: string, section: string): RetiredModel => ({
  shutdownOn,
  successor,
  source: `${DEPRECATIONS}, section "${section}"`,
});

/**
 * Model ids whose shutdown date has passed (as of 2026-12), with the replacement OpenAI recommends.
 * A replacement that was itself shut down later is followed to its own (`src/models/resolve.ts`).
 * Ids listed here win over `KNOWN_MODELS` (their encoding still comes from there).
 */
export const RETIRED_MODELS = {
  asOf: '2026-12',
  source: DEPRECATIONS,
  models: {
    'gpt-4-32k': shutDown('2025-06-06', 'gpt-4o', '2024-06-06: GPT-4-32K and Vision Preview models'),
    'gpt-4-32k-0613': shutDown('2025-06-06', 'gpt-4o', '2024-06-06: GPT-4-32K and Vision Preview models'),
    'gpt-4-32k-0314': shutDown('2025-06-06', 'gpt-4o', '2024-06-06: GPT-4-32K and Vision Preview models'),
    'gpt-4-vision-preview': shutDown(
      '2024-12-06',
      'gpt-4o',
      '2024-06-06: GPT-4-32K and Vision Preview models',
    ),
    'gpt-4.5-preview': shutDown('2025-07-14', 'gpt-4.1', '2025-04-14: GPT-4.5-preview'),
    'text-davinci-003': shutDown('2024-01-04', 'gpt-3.5-turbo-instruct', '2023-07-06: GPT and embeddings'),
    'text-davinci-002': shutDown('2024-01-04', 'gpt-3.5-turbo-instruct', '2023-07-06: GPT and embeddings'),
    'code-davinci-002': shutDown('2023-03-23', 'gpt-4o', '2023-03-20: Codex models'),
    'gpt-3.5-turbo-0301': shutDown('2024-09-13', 'gpt-3.5-turbo', '2023-06-13: Updated chat models'),
    'gpt-3.5-turbo-0613': shutDown('2024-09-13', 'gpt-3.5-turbo', '2023-11-06: Chat model updates'),
    'gpt-3.5-turbo-16k-0613': shutDown('2024-09-13', 'gpt-3.5-turbo', '2023-11-06: Chat model updates'),
    'o1-preview': shutDown('2025-07-28', 'o3', '2025-04-28: o1-preview and o1-mini'),
    'o1-mini': shutDown('2025-10-27', 'o4-mini', '2025-04-28: o1-preview and o1-mini'),
    'text-moderation-latest': shutDown('2025-10-27', 'omni-moderation-latest', '2025-04-28: text-moderation'),
    'text-moderation-stable': shutDown('2025-10-27', 'omni-moderation-latest', '2025-04-28: text-moderation'),
    'text-moderation-007': shutDown('2025-10-27', 'omni-moderation-latest', '2025-04-28: text-moderation'),
    'gpt-4o-audio-preview-2024-10-01': shutDown(
      '2025-10-10',
      'gpt-4o-audio-preview',
      '2025-06-10: gpt-4o-audio-preview-2024-10-01',
    ),
    'gpt-4o-realtime-preview': shutDown(
      '2026-02-27',
      'gpt-realtime',
      '2025-09-15: gpt-4o-realtime-preview models',
    ),
    'gpt-4-0314': shutDown('2026-03-26', 'gpt-5', '2025-09-26: Legacy GPT model snapshots'),
    'gpt-4-1106-preview': shutDown('2026-03-26', 'gpt-5', '2025-09-26: Legacy GPT model snapshots'),
    'gpt-4-0125-preview': shutDown('2026-03-26', 'gpt-5', '2025-09-26: Legacy GPT model snapshots'),
    'gpt-4-turbo-preview': shutDown('2026-03-26', 'gpt-5', '2025-09-26: Legacy GPT model snapshots'),
    'gpt-3.5-turbo-instruct': shutDown('2026-09-28', 'gpt-5-mini', '2025-09-26: Legacy GPT model snapshots'),
    'babbage-002': shutDown('2026-09-28', 'gpt-5-mini', '2025-09-26: Legacy GPT model snapshots'),
    'davinci-002': shutDown('2026-09-28', 'gpt-5-mini', '2025-09-26: Legacy GPT model snapshots'),
    'gpt-3.5-turbo-1106': shutDown('2026-09-28', 'gpt-5-mini', '2025-09-26: Legacy GPT model snapshots'),
  },
} as const satisfies { asOf: string; source: string; models: Record<string, RetiredModel> };
