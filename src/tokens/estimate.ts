/**
 * What the API will count for a call before it is sent: the prompt's tokens plus the largest
 * possible output × choices (openai-api.md note B: the TPM estimate uses max_tokens; the cookbook
 * counts messages with tiktoken plus per-message overhead and n × max_tokens; embeddings count the
 * input only). Synchronous and bounded: the text is counted from its characters
 * (`token-count.ts`), or by the caller's own tokenizer in bounded pieces. The pacer learns each
 * lane's ratio between the API's `usage.prompt_tokens` and this estimate, and the rate-limit
 * headers correct its buckets, so an estimate within about a quarter of the true count is enough
 * (docs/decisions.md §24).
 */
import { CallCounter, type CountMethod, type TokenCounter } from './token-count.js';

export type { CountMethod, TokenCounter } from './token-count.js';

/** The endpoint a request goes to, which decides what is counted. */
export type Endpoint =
  'chat' | 'responses' | 'completions' | 'embeddings' | 'images' | 'audio' | 'moderations' | 'other';

/** What a call is expected to count against the limits. */
export interface RequestEstimate {
  /** Tokens of the input as the API counts them (estimated). */
  readonly promptTokens: number;
  /** The largest possible output per choice. */
  readonly maxOutputTokens: number;
  /** Choices (`n`, or `best_of` for legacy completions when larger). */
  readonly n: number;
  /** `promptTokens + maxOutputTokens × n`. */
  readonly totalTokens: number;
  /** Images the call produces (images endpoint), for images-per-minute limits. */
  readonly images: number;
  /** No maximum was given: `maxOutputTokens` is the default. */
  readonly outputDefaulted: boolean;
  /**
   * How the prompt was counted: `tokenizer` when `countTokens` counted all of its text,
   * `characters` when any of it was estimated from its characters.
   */
  readonly method?: CountMethod;
}

/** Options of the estimate. */
export interface EstimateOptions {
  /**
   * The output assumed when a request sets no `max_tokens` / `max_completion_tokens` /
   * `max_output_tokens`. A tierguard default: the API does not document what it counts then.
   * @default 1_024
   */
  readonly defaultMaxOutputTokens?: number;
  /**
   * An exact tokenizer, e.g. gpt-tokenizer's `countTokens`. It is called only on pieces of at
   * most ~2 KB, and not at all past 64 K characters a call: the rest is estimated from characters.
   * Without it, the whole estimate comes from characters (no tokenizer is loaded).
   */
  readonly countTokens?: TokenCounter;
}

type Count = (text: string) => number;

// Chat overhead, as OpenAI's cookbook counts it for current models: 3 tokens per message, 1 per
// name, 3 to prime the reply (openai-cookbook "How to count tokens with tiktoken").
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_NAME = 1;
const REPLY_PRIMING = 3;
// Images in the prompt: an approximation of OpenAI's per-image cost (85 base tokens for detail
// "low"; "high"/"auto" add 170 per 512 px tile — here four tiles, a 1024² image).
const IMAGE_TOKENS_LOW = 85;
const IMAGE_TOKENS_HIGH = 85 + 170 * 4;
// The legacy completions API answers 16 tokens when max_tokens is unset (its documented default).
const LEGACY_COMPLETIONS_DEFAULT_MAX = 16;
const DEFAULT_MAX_OUTPUT = 1_024;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined;
}

function jsonLength(value: unknown): number {
  try {
    return JSON.stringify(value)?.length ?? 0;
  } catch {
    return 0;
  }
}

/** Counts the text an arbitrary value holds (strings, arrays of them, parts with `text`). */
function countContent(value: unknown, count: Count): number {
  if (typeof value === 'string') return count(value);
  if (Array.isArray(value)) {
    let total = 0;
    for (const part of value) {
      if (typeof part === 'string') total += count(part);
      else if (isRecord(part)) {
        const type = part.type;
        if (typeof part.text === 'string') total += count(part.text);
        else if (type === 'image_url' || type === 'input_image') {
          const detail = isRecord(part.image_url) ? part.image_url.detail : part.detail;
          total += detail === 'low' ? IMAGE_TOKENS_LOW : IMAGE_TOKENS_HIGH;
        } else if (type === 'input_audio' || type === 'file' || type === 'input_file')
          total += Math.ceil(jsonLength(part) / 4);
        else if (typeof part.refusal === 'string') total += count(part.refusal);
      }
    }
    return total;
  }
  return value === undefined || value === null ? 0 : Math.ceil(jsonLength(value) / 4);
}

function countMessages(messages: unknown, count: Count): number {
  if (!Array.isArray(messages)) return 0;
  let total = REPLY_PRIMING;
  for (const message of messages) {
    total += TOKENS_PER_MESSAGE;
    if (!isRecord(message)) continue;
    if (typeof message.role === 'string') total += count(message.role);
    total += countContent(message.content, count);
    if (typeof message.name === 'string') total += count(message.name) + TOKENS_PER_NAME;
    if (Array.isArray(message.tool_calls)) {
      for (const call of message.tool_calls) {
        const fn = isRecord(call) && isRecord(call.function) ? call.function : undefined;
        if (fn !== undefined) total += count(String(fn.name ?? '')) + count(String(fn.arguments ?? ''));
      }
    }
    if (isRecord(message.function_call))
      total +=
        count(String(message.function_call.name ?? '')) +
        count(String(message.function_call.arguments ?? ''));
  }
  return total;
}

function countDefinitions(body: Record<string, unknown>, count: Count): number {
  let total = 0;
  for (const field of ['tools', 'functions'] as const) {
    const value = body[field];
    if (Array.isArray(value) && value.length > 0) total += count(JSON.stringify(value));
  }
  const format = body.response_format;
  if (isRecord(format) && format.type === 'json_schema') total += count(JSON.stringify(format));
  const text = body.text;
  if (isRecord(text) && isRecord(text.format) && text.format.type === 'json_schema')
    total += count(JSON.stringify(text.format));
  return total;
}

function countResponsesInput(input: unknown, count: Count): number {
  if (typeof input === 'string') return count(input) + TOKENS_PER_MESSAGE;
  if (!Array.isArray(input)) return 0;
  let total = 0;
  for (const item of input) {
    if (typeof item === 'string') total += count(item);
    else if (isRecord(item)) {
      total += TOKENS_PER_MESSAGE;
      if ('content' in item) total += countContent(item.content, count);
      else if (typeof item.output === 'string') total += count(item.output);
      else if (typeof item.arguments === 'string') total += count(item.arguments);
      else total += Math.ceil(jsonLength(item) / 4);
    }
  }
  return total;
}

function countPrompt(prompt: unknown, count: Count): number {
  if (typeof prompt === 'string') return count(prompt);
  if (!Array.isArray(prompt)) return 0;
  // Token arrays count their length; arrays of token arrays sum them.
  if (prompt.every((item) => typeof item === 'number')) return prompt.length;
  let total = 0;
  for (const item of prompt) {
    if (typeof item === 'string') total += count(item);
    else if (Array.isArray(item)) total += item.length;
  }
  return total;
}

function estimateWith(
  endpoint: Endpoint,
  body: unknown,
  count: Count,
  defaultMax: number,
): Omit<RequestEstimate, 'method'> {
  const fields = isRecord(body) ? body : {};
  let promptTokens = 0;
  switch (endpoint) {
    case 'chat':
      promptTokens = countMessages(fields.messages, count) + countDefinitions(fields, count);
      break;
    case 'responses':
      promptTokens =
        countResponsesInput(fields.input, count) +
        (typeof fields.instructions === 'string' ? count(fields.instructions) : 0) +
        countDefinitions(fields, count);
      break;
    case 'completions':
    case 'embeddings':
      promptTokens = countPrompt(endpoint === 'completions' ? fields.prompt : fields.input, count);
      break;
    case 'moderations':
      promptTokens = countContent(fields.input, count);
      break;
    case 'images':
      promptTokens = typeof fields.prompt === 'string' ? count(fields.prompt) : 0;
      break;
    case 'audio':
      promptTokens = typeof fields.input === 'string' ? count(fields.input) : 0;
      break;
    case 'other':
      break;
  }
  const output = outputOf(endpoint, fields, defaultMax);
  return {
    promptTokens,
    maxOutputTokens: output.max,
    n: output.choices,
    totalTokens: promptTokens + output.max * output.choices,
    images: output.images,
    outputDefaulted: output.defaulted,
  };
}

/** What a call may produce: the most output per choice (or the default), its choices, its images. */
function outputOf(
  endpoint: Endpoint,
  fields: Record<string, unknown>,
  defaultMax: number,
): { max: number; choices: number; images: number; defaulted: boolean } {
  const n = Math.max(1, positiveInteger(fields.n) ?? 1);
  let explicitMax: number | undefined = 0;
  let fallbackMax = defaultMax;
  let choices = 1;
  switch (endpoint) {
    case 'chat':
      explicitMax = positiveInteger(fields.max_completion_tokens) ?? positiveInteger(fields.max_tokens);
      choices = n;
      break;
    case 'responses':
      explicitMax = positiveInteger(fields.max_output_tokens);
      choices = n;
      break;
    case 'completions':
      explicitMax = positiveInteger(fields.max_tokens);
      fallbackMax = LEGACY_COMPLETIONS_DEFAULT_MAX;
      // best_of generates that many completions server-side (Azure counts it, MS-AZ429).
      choices = Math.max(n, positiveInteger(fields.best_of) ?? 1);
      break;
    default:
      // Embeddings, moderations, images, audio and the rest produce no tokens.
      break;
  }
  return {
    max: explicitMax ?? fallbackMax,
    choices,
    images: endpoint === 'images' ? n : 0,
    defaulted: explicitMax === undefined,
  };
}

/**
 * Estimates what the API will count for `body` sent to `endpoint`. Synchronous and bounded whatever
 * the body holds; loads nothing; never throws (a body it cannot walk is counted a quarter of its
 * JSON length, the API's own rough rule).
 */
export function estimateRequest(
  endpoint: Endpoint,
  body: unknown,
  model: string | undefined,
  options: EstimateOptions = {},
): RequestEstimate {
  const defaultMax = options.defaultMaxOutputTokens ?? DEFAULT_MAX_OUTPUT;
  const counter = new CallCounter(model, options.countTokens);
  try {
    const estimate = estimateWith(endpoint, body, (text) => counter.count(text), defaultMax);
    // Field by field, not a spread: a spread copy got a hidden class of its own on every call
    // (about 270 bytes more for each call waiting in a queue).
    return {
      promptTokens: estimate.promptTokens,
      maxOutputTokens: estimate.maxOutputTokens,
      n: estimate.n,
      totalTokens: estimate.totalTokens,
      images: estimate.images,
      outputDefaulted: estimate.outputDefaulted,
      method: counter.method,
    };
  } catch {
    const promptTokens = Math.ceil(jsonLength(body) / 4);
    return {
      promptTokens,
      maxOutputTokens: defaultMax,
      n: 1,
      totalTokens: promptTokens + defaultMax,
      images: 0,
      outputDefaulted: true,
      method: 'characters',
    };
  }
}

/**
 * The tokens of a text for `model` (o200k_base's rates when it names none): estimated from its
 * characters, or counted by `options.countTokens` within the same bounds as a call's text.
 * Never throws.
 */
export function countTextTokens(
  text: string,
  model?: string,
  options: Pick<EstimateOptions, 'countTokens'> = {},
): number {
  return new CallCounter(model, options.countTokens).count(text);
}
