/**
 * `scriptedFetch(script)`: a `fetch` to hand to `new OpenAI({ fetch })` that answers each call from
 * a script — fixtures, responses, network failures, hangs — records every call, and honours abort
 * signals. A service uses it to unit-test its error handling with the real SDK and no network.
 */
import { formatGoDuration } from '../util/duration.js';
import {
  abortError,
  answerWith,
  networkError,
  pickItem,
  recordCall,
  waitForItem,
  type AnsweredItem,
  type RecordedCall,
  type Script,
  type ScriptItem,
} from './script.js';

export type { NetworkFailure, RecordedCall, Script, ScriptItem } from './script.js';

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

/** Creates a scripted `fetch`. */
export function scriptedFetch(script: Script, options: ScriptedFetchOptions = {}): ScriptedFetch {
  const calls: RecordedCall[] = [];
  const afterLast = options.afterLast ?? 'throw';

  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const call = await recordCall(input, init);
    const index = calls.length;
    calls.push(call);
    const { signal } = call;
    if (signal?.aborted) throw abortError(signal);
    const item = await pickItem(script, call, index, afterLast, 'scriptedFetch');
    await waitForItem(item, signal);
    if ('networkError' in item) throw networkError(item.networkError);
    return answerWith(item as AnsweredItem, call);
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
