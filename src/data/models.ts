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

export interface ModelInfo {
  readonly kind: ModelKind;
  readonly encoding: Encoding;
  /** The family whose published tier limits this model uses, when it has one. */
  readonly limitsFamily?: string;
  /** The family whose prices this model uses, when it has one. */
  readonly priceFamily?: string;
}

const chat = (encoding: Encoding, family?: string): ModelInfo => ({
  kind: 'chat',
  encoding,
  ...(family === undefined ? {} : { limitsFamily: family, priceFamily: family }),
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
    'gpt-4o': chat('o200k_base', 'gpt-4o'),
    'gpt-4o-mini': chat('o200k_base', 'gpt-4o-mini'),
    'chatgpt-4o-latest': chat('o200k_base'),
    'gpt-4o-audio-preview': chat('o200k_base'),
    'gpt-4o-mini-audio-preview': chat('o200k_base'),
    'gpt-4o-search-preview': chat('o200k_base'),
    'gpt-4o-mini-search-preview': chat('o200k_base'),
    'gpt-4o-realtime-preview': chat('o200k_base'),
    'gpt-4o-mini-realtime-preview': chat('o200k_base'),
    'gpt-4.1': chat('o200k_base', 'gpt-4.1'),
    'gpt-4.1-mini': chat('o200k_base', 'gpt-4.1-mini'),
    'gpt-4.1-nano': chat('o200k_base'),
    'gpt-5': chat('o200k_base', 'gpt-5'),
    'gpt-5-mini': chat('o200k_base', 'gpt-5-mini'),
    'gpt-5-nano': chat('o200k_base'),
    'gpt-5-pro': chat('o200k_base'),
    'gpt-5-codex': chat('o200k_base'),
    'gpt-5-chat-latest': chat('o200k_base'),
    'gpt-5.1': chat('o200k_base'),
    'gpt-5.5': chat('o200k_base', 'gpt-5.5'),
    'gpt-5.5-pro': { kind: 'chat', encoding: 'o200k_base', limitsFamily: 'gpt-5.5-pro' },
    o1: chat('o200k_base'),
    'o1-mini': chat('o200k_base'),
    'o1-pro': chat('o200k_base'),
    o3: chat('o200k_base', 'o3'),
    'o3-pro': chat('o200k_base'),
    'o3-mini': chat('o200k_base', 'o3-mini'),
    'o3-deep-research': chat('o200k_base'),
    'o4-mini': chat('o200k_base', 'o4-mini'),
    'o4-mini-deep-research': chat('o200k_base'),
    'codex-mini-latest': chat('o200k_base'),
    'computer-use-preview': chat('o200k_base'),
    'gpt-realtime': chat('o200k_base'),
    'gpt-audio': chat('o200k_base'),
    'gpt-4': chat('cl100k_base'),
    'gpt-4-turbo': chat('cl100k_base'),
    'gpt-3.5-turbo': chat('cl100k_base', 'gpt-3.5-turbo'),
    'gpt-3.5-turbo-instruct': { kind: 'completion', encoding: 'cl100k_base' },
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
    'gpt-4o-transcribe': { kind: 'audio', encoding: 'o200k_base' },
    'gpt-4o-mini-transcribe': { kind: 'audio', encoding: 'o200k_base' },
    'gpt-4o-mini-tts': { kind: 'audio', encoding: 'o200k_base' },
    'tts-1': { kind: 'audio', encoding: 'cl100k_base' },
    'tts-1-hd': { kind: 'audio', encoding: 'cl100k_base' },
    'omni-moderation-latest': { kind: 'moderation', encoding: 'o200k_base' },
    'text-moderation-latest': { kind: 'moderation', encoding: 'cl100k_base' },
  },
} as const satisfies { asOf: string; source: string; models: Record<string, ModelInfo> };

/** A known model family name. */
export type KnownModel = keyof typeof KNOWN_MODELS.models;

/**
 * Retired model ids: the API answers 404 for them, and the hint names a current model instead.
 * Successors are suggestions of the same class, not OpenAI's migration guidance.
 */
export const RETIRED_MODELS = {
  'gpt-4-32k': 'gpt-4o',
  'gpt-4-vision-preview': 'gpt-4o',
  'gpt-4.5-preview': 'gpt-4.1',
  'text-davinci-003': 'gpt-4o-mini',
  'text-davinci-002': 'gpt-4o-mini',
  'code-davinci-002': 'gpt-4o-mini',
  'gpt-3.5-turbo-0301': 'gpt-4o-mini',
} as const satisfies Record<string, string>;
