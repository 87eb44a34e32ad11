/**
 * `scriptedFetch(script)`: a `fetch` to hand to `new OpenAI({ fetch })` that answers each call from
 * a script — fixtures, responses, network failures, hangs — records every call, and honours abort
 * signals. A service uses it to unit-test its error handling with the real SDK and no network.
 */
import { formatGoDuration } from '../util/duration.js';
import { delay } from '../util/delay.js';
import type { ErrorFixture } from './fixtures.js';

/** A network failure, thrown the way undici throws it (`TypeError: fetch failed` with a coded cause). */
export type NetworkFailure = 'reset' | 'refused' | 'dns' | 'timeout';

/**
 * One scripted answer. A `Response` is cloned for every call it answers, so one item can answer
 * many calls; a fixture with `stream: true` is served as `text/event-stream`.
 */
export type ScriptItem =
  | ErrorFixture
  | (ErrorFixture & { readonly delayMs?: number })
  | Response
  | {
      /**
       * A JSON body answered with `status` (200 by default), or a function of the call that returns
       * it (to answer in the shape the request asked for).
       */
      readonly json: unknown;
      readonly status?: number;
      readonly headers?: Readonly<Record<string, string>>;
      readonly delayMs?: number;
    }
  | {
      readonly status: number;
      /** Text as is, or an object sent as JSON. */
      readonly body?: string | object;
      readonly headers?: Readonly<Record<string, string>>;
      readonly delayMs?: number;
    }
  | { readonly networkError: NetworkFailure; readonly delayMs?: number }
  /** Never answers; only an abort (or the client's timeout) ends the call. */
  | { readonly hang: true };

/** A call the scripted fetch received. */
export interface RecordedCall {
  readonly url: string;
  readonly method: string;
  /** Request headers, lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body: parsed JSON when it is JSON, else its text (or `undefined`). */
  readonly body: unknown;
  readonly signal: AbortSignal | undefined;
}

/** What the script is: one answer for every call, one per call in order, or a function of the call. */
export type Script =
  | ScriptItem
  | readonly ScriptItem[]
  | ((call: RecordedCall, index: number) => ScriptItem | Promise<ScriptItem>);

/** Options of `scriptedFetch`. */
export interface ScriptedFetchOptions {
  /**
   * With an array script, what a call past its end gets: `'throw'` rejects with an error that
   * says so (a test that makes more calls than it expects fails loudly; the openai client wraps it
   * as `APIConnectionError`, whose `cause` is that error), `'repeat-last'` answers with the last
   * item again.
   * @default 'throw'
   */
  readonly afterLast?: 'throw' | 'repeat-last';
}

/** A `fetch` that answers from a script and keeps the calls it got. */
export interface ScriptedFetch {
  (input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /** Every call received, in order. */
  readonly calls: readonly RecordedCall[];
}

const NETWORK_CODES: Readonly<Record<NetworkFailure, { code: string; message: string }>> = {
  reset: { code: 'ECONNRESET', message: 'read ECONNRESET' },
  refused: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:443' },
  dns: { code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND api.openai.example' },
  timeout: {
    code: 'UND_ERR_CONNECT_TIMEOUT',
    message: 'Connect Timeout Error (attempted address: api.openai.com:443, timeout: 10000ms)',
  },
};

function networkError(kind: NetworkFailure): TypeError {
  const { code, message } = NETWORK_CODES[kind];
  return new TypeError('fetch failed', { cause: Object.assign(new Error(message), { code }) });
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

function isFixture(item: ScriptItem): item is ErrorFixture {
  return (
    typeof item === 'object' &&
    'cause' in item &&
    'source' in item &&
    typeof (item as ErrorFixture).body === 'string'
  );
}

async function readBody(input: string | URL | Request, init: RequestInit | undefined): Promise<unknown> {
  let text: string | undefined;
  const body = init?.body;
  if (typeof body === 'string') text = body;
  else if (body instanceof Uint8Array || body instanceof ArrayBuffer) text = new TextDecoder().decode(body);
  else if (body === undefined && input instanceof Request && input.body !== null)
    text = await input.clone().text();
  else if (body !== undefined && body !== null) return body;
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function toResponse(
  item: Exclude<ScriptItem, { networkError: NetworkFailure } | { hang: true }>,
  call: RecordedCall,
): Response {
  // A body can be read once: answer with a copy, so the item can answer the next call too.
  if (item instanceof Response) return item.clone();
  if (isFixture(item)) {
    const headers = new Headers(item.headers);
    if (item.stream === true && !(headers.get('content-type') ?? '').includes('text/event-stream'))
      headers.set('content-type', 'text/event-stream; charset=utf-8');
    return new Response(item.body, { status: item.status, headers });
  }
  if ('json' in item) {
    const json: unknown =
      typeof item.json === 'function' ? (item.json as (call: RecordedCall) => unknown)(call) : item.json;
    return new Response(JSON.stringify(json), {
      status: item.status ?? 200,
      headers: { 'content-type': 'application/json', ...item.headers },
    });
  }
  const body =
    item.body === undefined ? null : typeof item.body === 'string' ? item.body : JSON.stringify(item.body);
  const contentType = typeof item.body === 'object' ? { 'content-type': 'application/json' } : {};
  return new Response(body, { status: item.status, headers: { ...contentType, ...item.headers } });
}

/** Creates a scripted `fetch`. */
export function scriptedFetch(script: Script, options: ScriptedFetchOptions = {}): ScriptedFetch {
  const calls: RecordedCall[] = [];
  const afterLast = options.afterLast ?? 'throw';

  const pick = async (call: RecordedCall, index: number): Promise<ScriptItem> => {
    if (typeof script === 'function') return script(call, index);
    if (!Array.isArray(script)) return script as ScriptItem;
    const items = script as readonly ScriptItem[];
    const item = items[index] ?? (afterLast === 'repeat-last' ? items.at(-1) : undefined);
    if (item === undefined) {
      throw new Error(
        `scriptedFetch: call #${index + 1} (${call.method} ${call.url}) has no scripted answer; the script has ${items.length}. Add answers, or pass { afterLast: 'repeat-last' }.`,
      );
    }
    return item;
  };

  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined) ?? undefined;
    const headers: Record<string, string> = {};
    new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined)).forEach(
      (value, name) => {
        headers[name] = value;
      },
    );
    const call: RecordedCall = {
      url: input instanceof Request ? input.url : String(input),
      method: (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase(),
      headers,
      body: await readBody(input, init),
      signal,
    };
    const index = calls.length;
    calls.push(call);
    if (signal?.aborted) throw abortError(signal);
    const item = await pick(call, index);
    if ('hang' in item && item.hang) {
      await new Promise<never>((_resolve, reject) => {
        if (signal === undefined) return;
        if (signal.aborted) reject(abortError(signal));
        signal.addEventListener('abort', () => reject(abortError(signal)), { once: true });
      });
    }
    const delayMs = 'delayMs' in item && typeof item.delayMs === 'number' ? item.delayMs : 0;
    if (delayMs > 0) await delay(delayMs, signal);
    if (signal?.aborted) throw abortError(signal);
    if ('networkError' in item) throw networkError(item.networkError);
    return toResponse(item as Exclude<ScriptItem, { networkError: NetworkFailure } | { hang: true }>, call);
  };
  return Object.assign(fetch, { calls });
}

/** Token usage of a success body. */
export interface UsageCounts {
  readonly promptTokens?: number;
  readonly completionTokens?: number;
}

let sequence = 0;
const nextId = (prefix: string): string => `${prefix}${(++sequence).toString(36).padStart(8, '0')}`;

function rateHeaders(headers: Readonly<Record<string, string>> | undefined): Record<string, string> {
  return { 'x-request-id': `req_${(++sequence).toString(16).padStart(32, '0')}`, ...headers };
}

/** A chat completion answer (`object: 'chat.completion'`). */
export function chatCompletion(
  options: {
    content?: string;
    model?: string;
    usage?: UsageCounts;
    headers?: Readonly<Record<string, string>>;
  } = {},
): ScriptItem {
  const promptTokens = options.usage?.promptTokens ?? 12;
  const completionTokens = options.usage?.completionTokens ?? 7;
  return {
    json: {
      id: nextId('chatcmpl-'),
      object: 'chat.completion',
      created: 1_763_856_000,
      model: options.model ?? 'gpt-4o-mini-2024-07-18',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: options.content ?? 'Hello!', refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
      },
      system_fingerprint: 'fp_simulated',
    },
    headers: rateHeaders(options.headers),
  };
}

/** A streamed chat completion: SSE chunks of `content`, then a usage chunk and `[DONE]`. */
export function chatCompletionStream(
  options: {
    content?: string;
    model?: string;
    usage?: UsageCounts;
    headers?: Readonly<Record<string, string>>;
  } = {},
): ScriptItem {
  const id = nextId('chatcmpl-');
  const model = options.model ?? 'gpt-4o-mini-2024-07-18';
  const chunk = (delta: object, finish: string | null, usage?: object): string =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 1_763_856_000, model, choices: usage === undefined ? [{ index: 0, delta, finish_reason: finish }] : [], ...(usage === undefined ? {} : { usage }) })}\n\n`;
  const words = (options.content ?? 'Hello there!').split(/(?<= )/);
  const promptTokens = options.usage?.promptTokens ?? 12;
  const completionTokens = options.usage?.completionTokens ?? words.length;
  const body = [
    chunk({ role: 'assistant', content: '' }, null),
    ...words.map((word) => chunk({ content: word }, null)),
    chunk({}, 'stop'),
    chunk({}, null, {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    }),
    'data: [DONE]\n\n',
  ].join('');
  return {
    status: 200,
    body,
    headers: { 'content-type': 'text/event-stream; charset=utf-8', ...rateHeaders(options.headers) },
  };
}

/** A Responses API answer (`object: 'response'`). */
export function responsesResponse(
  options: {
    text?: string;
    model?: string;
    usage?: UsageCounts;
    headers?: Readonly<Record<string, string>>;
  } = {},
): ScriptItem {
  const input = options.usage?.promptTokens ?? 12;
  const output = options.usage?.completionTokens ?? 7;
  return {
    json: {
      id: nextId('resp_'),
      object: 'response',
      created_at: 1_763_856_000,
      status: 'completed',
      model: options.model ?? 'gpt-4o-mini-2024-07-18',
      output: [
        {
          id: nextId('msg_'),
          type: 'message',
          status: 'completed',
          role: 'assistant',
          content: [{ type: 'output_text', text: options.text ?? 'Hello!', annotations: [] }],
        },
      ],
      usage: { input_tokens: input, output_tokens: output, total_tokens: input + output },
    },
    headers: rateHeaders(options.headers),
  };
}

/**
 * An embeddings answer with `count` vectors of `dimensions` numbers, in the encoding the request
 * asked for: the openai client asks for `base64` (little-endian float32) unless the caller sets
 * `encoding_format`, and decodes it (openai-node PR #1312).
 */
export function embeddingsResponse(
  options: {
    count?: number;
    dimensions?: number;
    model?: string;
    promptTokens?: number;
    headers?: Readonly<Record<string, string>>;
  } = {},
): ScriptItem {
  const count = options.count ?? 1;
  const dimensions = options.dimensions ?? 8;
  const promptTokens = options.promptTokens ?? 8 * count;
  const vectors = Array.from({ length: count }, (_, index) =>
    Array.from({ length: dimensions }, (_value, position) => Number(Math.sin(index + position).toFixed(6))),
  );
  return {
    json: (call: RecordedCall) => {
      const base64 = (call.body as { encoding_format?: unknown } | undefined)?.encoding_format === 'base64';
      return {
        object: 'list',
        data: vectors.map((vector, index) => ({
          object: 'embedding',
          index,
          embedding: base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector,
        })),
        model: options.model ?? 'text-embedding-3-small',
        usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
      };
    },
    headers: rateHeaders(options.headers),
  };
}

/** The `x-ratelimit-*` headers of an account with these limits and what is left (for success answers). */
export function limitHeaders(state: {
  readonly requests: number;
  readonly remainingRequests: number;
  readonly tokens: number;
  readonly remainingTokens: number;
  readonly windowMs?: number;
}): Record<string, string> {
  const windowMs = state.windowMs ?? 60_000;
  return {
    'x-ratelimit-limit-requests': String(state.requests),
    'x-ratelimit-remaining-requests': String(state.remainingRequests),
    'x-ratelimit-reset-requests': formatGoDuration(
      ((state.requests - state.remainingRequests) / state.requests) * windowMs,
    ),
    'x-ratelimit-limit-tokens': String(state.tokens),
    'x-ratelimit-remaining-tokens': String(state.remainingTokens),
    'x-ratelimit-reset-tokens': formatGoDuration(
      ((state.tokens - state.remainingTokens) / state.tokens) * windowMs,
    ),
  };
}
