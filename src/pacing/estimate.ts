/**
 * What the API will count for a call before it is sent: the prompt's tokens plus the largest
 * possible output × choices (openai-api.md note B: the TPM estimate uses max_tokens; the cookbook
 * counts messages with tiktoken plus per-message overhead and n × max_tokens; embeddings count the
 * input only). The tokenizer (gpt-tokenizer, ~0.2 s and ~70 MB to load, toolchain.md §5) is
 * imported lazily, once per encoding.
 */
import type { Encoding } from '../data/models.js';
import { resolveModel } from '../models/resolve.js';

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
}

/** Options of the estimate. */
export interface EstimateOptions {
  /**
   * The output assumed when a request sets no `max_tokens` / `max_completion_tokens` /
   * `max_output_tokens`. A tierguard default: the API does not document what it counts then.
   * @default 1_024
   */
  readonly defaultMaxOutputTokens?: number;
}

type Encoder = (text: string) => number;

// Counts of recent strings, per encoding: bounded, oldest dropped first.
const CACHE_ENTRIES = 2_048;
const CACHE_MIN_LENGTH = 1;
const CACHE_MAX_LENGTH = 65_536;

const loading = new Map<Encoding, Promise<Encoder>>();
const loaded = new Map<Encoding, Encoder>();

/** Loads an encoding once; later calls reuse the same promise. */
function encoder(encoding: Encoding): Promise<Encoder> | Encoder {
  const ready = loaded.get(encoding);
  if (ready !== undefined) return ready;
  let pending = loading.get(encoding);
  if (pending === undefined) {
    const load =
      encoding === 'cl100k_base'
        ? import('gpt-tokenizer/encoding/cl100k_base')
        : import('gpt-tokenizer/encoding/o200k_base');
    pending = load.then((module) => {
      const cache = new Map<string, number>();
      const count: Encoder = (text) => {
        if (text === '') return 0;
        const known = cache.get(text);
        if (known !== undefined) return known;
        let tokens: number;
        try {
          // Counting without building the tokens, and without the special-token pass; a prompt
          // that contains a special token is counted with it.
          tokens = module.countTokens(text);
        } catch {
          tokens = module.countTokens(text, { allowedSpecial: 'all' });
        }
        // Roles, system prompts and tool schemas repeat on every call: remember recent counts.
        if (text.length >= CACHE_MIN_LENGTH && text.length <= CACHE_MAX_LENGTH) {
          if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
          cache.set(text, tokens);
        }
        return tokens;
      };
      loaded.set(encoding, count);
      return count;
    });
    loading.set(encoding, pending);
  }
  return pending;
}

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
function countContent(value: unknown, count: Encoder): number {
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

function countMessages(messages: unknown, count: Encoder): number {
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

function countDefinitions(body: Record<string, unknown>, count: Encoder): number {
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

function countResponsesInput(input: unknown, count: Encoder): number {
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

function countPrompt(prompt: unknown, count: Encoder): number {
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
  count: Encoder,
  defaultMax: number,
): RequestEstimate {
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

// `estimateBound`: a token is at least one byte of UTF-8, and a UTF-16 unit is at most three bytes,
// so a text of L units holds at most 3·L tokens — the estimate's per-message overheads included
// (3 tokens for at least `{}`). An image part is counted 765 tokens however short its JSON
// (`{"type":"image_url"}`, 20 units): a body that names an image is allowed 40 more a unit.
const BOUND_TOKENS_PER_UNIT = 3;
const BOUND_IMAGE_TOKENS_PER_UNIT = 40;

/** The most `estimateRequest` can give a call, computed without counting its text. */
export interface EstimateBound {
  /** At least the estimate's `promptTokens`. */
  readonly promptTokens: number;
  /** Exactly the estimate's `maxOutputTokens × n`. */
  readonly outputTokens: number;
}

/**
 * The endpoints `estimateBound` bounds: those whose calls take tokens and requests only (chat,
 * Responses, completions, embeddings, moderations), not images, audio or the rest.
 */
export function boundsEndpoint(endpoint: Endpoint): boolean {
  return endpoint !== 'images' && endpoint !== 'audio' && endpoint !== 'other';
}

/**
 * A bound on what the estimate of `body` (serialized to `text`) will be, for the endpoints
 * `boundsEndpoint` names; `undefined` for the others. It reads a few fields and the text's length,
 * not the text itself.
 */
export function estimateBound(
  endpoint: Endpoint,
  body: Record<string, unknown>,
  text: string,
  defaultMax: number,
): EstimateBound | undefined {
  if (!boundsEndpoint(endpoint)) return undefined;
  const perUnit = text.includes('image')
    ? BOUND_TOKENS_PER_UNIT + BOUND_IMAGE_TOKENS_PER_UNIT
    : BOUND_TOKENS_PER_UNIT;
  const output = outputOf(endpoint, body, defaultMax);
  return { promptTokens: text.length * perUnit, outputTokens: output.max * output.choices };
}

/** The estimate a bound stands for, when the call cannot be counted now (its tokenizer is loading). */
export function estimateFromBound(bound: EstimateBound): RequestEstimate {
  return {
    promptTokens: bound.promptTokens,
    maxOutputTokens: bound.outputTokens,
    n: 1,
    totalTokens: bound.promptTokens + bound.outputTokens,
    images: 0,
    outputDefaulted: false,
  };
}

// A service names a handful of models: resolve each name's encoding once.
const encodings = new Map<string, Encoding>();

function encodingFor(model: string | undefined): Encoding {
  if (model === undefined) return 'o200k_base';
  let encoding = encodings.get(model);
  if (encoding === undefined) {
    encoding = resolveModel(model).info?.encoding ?? 'o200k_base';
    if (encodings.size < 256) encodings.set(model, encoding);
  }
  return encoding;
}

/**
 * Starts loading the tokenizer in the background, so that the first call does not wait for it
 * (about 0.2 s, toolchain.md §5). Never throws; a failed load is retried by the first estimate.
 */
export function preloadTokenizer(encoding: Encoding = 'o200k_base'): void {
  const ready = encoder(encoding);
  if (ready instanceof Promise) {
    ready.catch(() => {
      loading.delete(encoding);
    });
  }
}

/** An exact tokenizer a caller may hand the guard. */
export type TokenCounter = (text: string, model: string) => number;

/**
 * Estimates what the API will count for `body` sent to `endpoint`, synchronously (interim: a
 * quarter of the text's length, or the caller's counter). Never throws on odd bodies.
 */
export function estimateRequest(
  endpoint: Endpoint,
  body: unknown,
  model?: string,
  options: EstimateOptions & { readonly countTokens?: TokenCounter } = {},
): RequestEstimate {
  const counter = options.countTokens;
  const count: Encoder =
    counter === undefined ? (text) => Math.ceil(text.length / 4) : (text) => counter(text, model ?? 'gpt-4o');
  return estimateSafely(endpoint, body, count, options.defaultMaxOutputTokens ?? DEFAULT_MAX_OUTPUT);
}

/**
 * `estimateRequest` for the pipeline: the estimate itself once the model's tokenizer is loaded (it
 * is, after the first call), a promise of it only until then — a call should not wait a turn of the
 * event loop for an answer that is already known.
 */
export function estimateRequestNow(
  endpoint: Endpoint,
  body: unknown,
  model: string | undefined,
  defaultMax: number,
): RequestEstimate | Promise<RequestEstimate> {
  if (endpoint === 'other') return estimateWith(endpoint, body, () => 0, defaultMax);
  const ready = encoder(encodingFor(model));
  return ready instanceof Promise
    ? ready.then((count) => estimateSafely(endpoint, body, count, defaultMax))
    : estimateSafely(endpoint, body, ready, defaultMax);
}

function estimateSafely(
  endpoint: Endpoint,
  body: unknown,
  count: Encoder,
  defaultMax: number,
): RequestEstimate {
  try {
    return estimateWith(endpoint, body, count, defaultMax);
  } catch {
    // A body the counters cannot walk: a quarter of its JSON length is the API's own rough rule.
    const promptTokens = Math.ceil(jsonLength(body) / 4);
    return {
      promptTokens,
      maxOutputTokens: defaultMax,
      n: 1,
      totalTokens: promptTokens + defaultMax,
      images: 0,
      outputDefaulted: true,
    };
  }
}

/** Counts the tokens of a text with the model's encoding. */
export async function countTextTokens(text: string, model?: string): Promise<number> {
  const ready = encoder(encodingFor(model));
  const count = ready instanceof Promise ? await ready : ready;
  return count(text);
}
