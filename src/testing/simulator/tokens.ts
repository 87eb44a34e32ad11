/**
 * How the simulated server counts a request: the prompt with the model's tokenizer plus the chat
 * format's overhead, and the largest output it allows × n (openai-api.md note B: the TPM charge is
 * estimated at request time from the prompt plus max_tokens × n). This is the server's own count,
 * written from the same public recipe the guard follows (OpenAI cookbook, CB-APRP), not shared
 * with it: the simulator stays the reference the guard is measured against.
 */
import type * as GptTokenizer from 'gpt-tokenizer/encoding/o200k_base';
import type { Encoding } from '../../data/models.js';

/** The endpoints the simulator counts. */
export type CountedEndpoint = 'chat' | 'responses' | 'embeddings' | 'images';

/** What the server counts of one request. */
export interface RequestCount {
  /** Prompt tokens as the tokenizer and the chat format count them (before `tokenCountFactor`). */
  readonly promptTokens: number;
  /** The largest output per choice: the request's maximum, or the default when it sets none. */
  readonly maxOutputTokens: number;
  /** Choices (`n`) for chat, images (`n`) for image generation, 1 otherwise. */
  readonly choices: number;
}

type Counter = (text: string) => number;

// The chat format's overhead as OpenAI's cookbook counts it ("How to count tokens with tiktoken",
// used by CB-APRP): 3 tokens per message, 1 more for a name, 3 to prime the reply.
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_NAME = 1;
const REPLY_PRIMING = 3;
// Images in a prompt: OpenAI's vision pricing guide counts 85 tokens for detail "low" and 85 + 170
// per 512 px tile otherwise; a 1024² image has 4 tiles. An approximation of the server's count.
const IMAGE_TOKENS_LOW = 85;
const IMAGE_TOKENS_HIGH = 85 + 170 * 4;
// Recent counts per encoding: system prompts and tool schemas repeat on every call.
const CACHE_ENTRIES = 4_096;
const CACHE_MAX_LENGTH = 32_768;

const loaded = new Map<Encoding, Counter>();
const loading = new Map<Encoding, Promise<Counter>>();

/** Loads a tokenizer once per process (~0.3 s, gpt-tokenizer's per-encoding entry). */
function loadCounter(encoding: Encoding): Promise<Counter> {
  let pending = loading.get(encoding);
  if (pending === undefined) {
    // A variable specifier: bundlers leave the optional peer out of a bundle of the testing kit (a
    // Worker's tests use scriptedFetch, never the simulator), as they do for ioredis.
    const specifier = `gpt-tokenizer/encoding/${encoding}`;
    const module = import(specifier) as Promise<typeof GptTokenizer>;
    pending = module.then((tokenizer) => {
      const cache = new Map<string, number>();
      const counter: Counter = (text) => {
        if (text === '') return 0;
        const known = cache.get(text);
        if (known !== undefined) return known;
        let tokens: number;
        try {
          tokens = tokenizer.countTokens(text);
        } catch {
          // Text that spells a special token is plain text to the API: count it as such.
          tokens = tokenizer.countTokens(text, { disallowedSpecial: new Set() });
        }
        if (text.length <= CACHE_MAX_LENGTH) {
          if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
          cache.set(text, tokens);
        }
        return tokens;
      };
      loaded.set(encoding, counter);
      return counter;
    });
    loading.set(encoding, pending);
  }
  return pending;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function wholeNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined;
}

/** Text and images of a message's `content` (a string or an array of parts). */
function countContent(content: unknown, count: Counter): number {
  if (typeof content === 'string') return count(content);
  if (!Array.isArray(content))
    return content === undefined || content === null ? 0 : count(JSON.stringify(content));
  let total = 0;
  for (const part of content) {
    if (typeof part === 'string') total += count(part);
    else if (isRecord(part)) {
      if (typeof part.text === 'string') total += count(part.text);
      else if (part.type === 'image_url' || part.type === 'input_image') {
        const detail = isRecord(part.image_url) ? part.image_url.detail : part.detail;
        total += detail === 'low' ? IMAGE_TOKENS_LOW : IMAGE_TOKENS_HIGH;
      } else if (typeof part.refusal === 'string') total += count(part.refusal);
      else total += count(JSON.stringify(part));
    }
  }
  return total;
}

function countMessages(messages: unknown, count: Counter): number {
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
  }
  return total;
}

/** Tool and schema definitions the model reads along with the prompt. */
function countDefinitions(body: Readonly<Record<string, unknown>>, count: Counter): number {
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

function countResponsesInput(input: unknown, count: Counter): number {
  // A string input is one user message, counted as chat counts `{ role: 'user', content }`.
  if (typeof input === 'string') return REPLY_PRIMING + TOKENS_PER_MESSAGE + count('user') + count(input);
  if (!Array.isArray(input)) return 0;
  let total = REPLY_PRIMING;
  for (const item of input) {
    total += TOKENS_PER_MESSAGE;
    if (typeof item === 'string') total += count(item);
    else if (isRecord(item)) {
      if (typeof item.role === 'string') total += count(item.role);
      if ('content' in item) total += countContent(item.content, count);
      else if (typeof item.output === 'string') total += count(item.output);
      else if (typeof item.arguments === 'string') total += count(item.arguments);
      else total += count(JSON.stringify(item));
    }
  }
  return total;
}

/** Embeddings input: a string, strings, a token array or token arrays. */
function countEmbeddingsInput(input: unknown, count: Counter): number {
  if (typeof input === 'string') return count(input);
  if (!Array.isArray(input)) return 0;
  if (input.every((item) => typeof item === 'number')) return input.length;
  let tokens = 0;
  for (const item of input) {
    if (typeof item === 'string') tokens += count(item);
    else if (Array.isArray(item)) tokens += item.length;
  }
  return tokens;
}

/** The largest output a request allows per choice, and its choices: what is charged beside the prompt. */
export function requestOutput(
  endpoint: CountedEndpoint,
  body: Readonly<Record<string, unknown>>,
  defaultMaxOutputTokens: number,
): Omit<RequestCount, 'promptTokens'> {
  switch (endpoint) {
    case 'chat':
      return {
        maxOutputTokens:
          wholeNumber(body.max_completion_tokens) ?? wholeNumber(body.max_tokens) ?? defaultMaxOutputTokens,
        choices: Math.max(1, wholeNumber(body.n) ?? 1),
      };
    case 'responses':
      return { maxOutputTokens: wholeNumber(body.max_output_tokens) ?? defaultMaxOutputTokens, choices: 1 };
    // Embeddings are charged their input only (CB-APRP).
    case 'embeddings':
      return { maxOutputTokens: 0, choices: 1 };
    case 'images':
      return { maxOutputTokens: 0, choices: Math.max(1, wholeNumber(body.n) ?? 1) };
  }
}

/** Prompt tokens as the tokenizer and the chat format count them (before `tokenCountFactor`). */
async function countPrompt(
  endpoint: CountedEndpoint,
  body: Readonly<Record<string, unknown>>,
  encoding: Encoding,
): Promise<number> {
  const count = loaded.get(encoding) ?? (await loadCounter(encoding));
  switch (endpoint) {
    case 'chat':
      return countMessages(body.messages, count) + countDefinitions(body, count);
    case 'responses':
      return (
        countResponsesInput(body.input, count) +
        (typeof body.instructions === 'string' ? count(body.instructions) : 0) +
        countDefinitions(body, count)
      );
    case 'embeddings':
      return countEmbeddingsInput(body.input, count);
    case 'images':
      return typeof body.prompt === 'string' ? count(body.prompt) : 0;
  }
}

/** Counts a request the way the simulated server charges it (with the tokenizer). */
export async function countRequest(
  endpoint: CountedEndpoint,
  body: Readonly<Record<string, unknown>>,
  encoding: Encoding,
  defaultMaxOutputTokens: number,
): Promise<RequestCount> {
  const promptTokens = await countPrompt(endpoint, body, encoding);
  return { promptTokens, ...requestOutput(endpoint, body, defaultMaxOutputTokens) };
}
