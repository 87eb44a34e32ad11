/**
 * A script of answers, the part `scriptedFetch` and the msw handlers share: what an answer can be,
 * how a call is recorded, which item answers the n-th call, and how an item becomes a `Response`.
 */
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

/** An item that is answered with a `Response` (not a network failure, not a hang). */
export type AnsweredItem = Exclude<ScriptItem, { networkError: NetworkFailure } | { hang: true }>;

/** A call the scripted fetch (or the msw handlers) received. */
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

/** With an array script, what a call past its end gets. */
export type AfterLast = 'throw' | 'repeat-last';

const NETWORK_CODES: Readonly<Record<NetworkFailure, { code: string; message: string }>> = {
  reset: { code: 'ECONNRESET', message: 'read ECONNRESET' },
  refused: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:443' },
  dns: { code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND api.openai.example' },
  timeout: {
    code: 'UND_ERR_CONNECT_TIMEOUT',
    message: 'Connect Timeout Error (attempted address: api.openai.com:443, timeout: 10000ms)',
  },
};

/** The error undici's `fetch` rejects with for this failure. */
export function networkError(kind: NetworkFailure): TypeError {
  const { code, message } = NETWORK_CODES[kind];
  return new TypeError('fetch failed', { cause: Object.assign(new Error(message), { code }) });
}

/** What an aborted `fetch` rejects with. */
export function abortError(signal: AbortSignal): unknown {
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

/** Records a call from `fetch`'s arguments (a `Request` alone is read without consuming its body). */
export async function recordCall(input: string | URL | Request, init?: RequestInit): Promise<RecordedCall> {
  const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined) ?? undefined;
  const headers: Record<string, string> = {};
  new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined)).forEach(
    (value, name) => {
      headers[name] = value;
    },
  );
  return {
    url: input instanceof Request ? input.url : String(input),
    method: (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase(),
    headers,
    body: await readBody(input, init),
    signal,
  };
}

/**
 * The item that answers the call at `index`: the script's own for one item or a function; for an
 * array, the item at `index`, then per `afterLast` the last again or an error naming `owner`.
 */
export async function pickItem(
  script: Script,
  call: RecordedCall,
  index: number,
  afterLast: AfterLast,
  owner: string,
): Promise<ScriptItem> {
  if (typeof script === 'function') return script(call, index);
  if (!Array.isArray(script)) return script as ScriptItem;
  const items = script as readonly ScriptItem[];
  const item = items[index] ?? (afterLast === 'repeat-last' ? items.at(-1) : undefined);
  if (item === undefined) {
    throw new Error(
      `${owner}: call #${index + 1} (${call.method} ${call.url}) has no scripted answer; the script has ${items.length}. Add answers, or pass { afterLast: 'repeat-last' }.`,
    );
  }
  return item;
}

/**
 * Waits as the item says before answering: `{ hang: true }` until the signal aborts, `delayMs` on
 * the (fakeable) timer. Rejects with the abort's reason when the call is aborted.
 */
export async function waitForItem(item: ScriptItem, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) throw abortError(signal);
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
}

/** The headers an item answers with (before any the caller adds). */
export function itemHeaders(item: AnsweredItem): Headers {
  if (item instanceof Response) return new Headers(item.headers);
  if (isFixture(item)) {
    const headers = new Headers(item.headers);
    if (item.stream === true && !(headers.get('content-type') ?? '').includes('text/event-stream'))
      headers.set('content-type', 'text/event-stream; charset=utf-8');
    return headers;
  }
  const jsonBody = 'json' in item || typeof item.body === 'object';
  return new Headers({ ...(jsonBody ? { 'content-type': 'application/json' } : {}), ...item.headers });
}

/**
 * The `Response` an item answers `call` with; `extraHeaders` are set over the item's own (the msw
 * handlers' rate-limit headers).
 */
export function answerWith(
  item: AnsweredItem,
  call: RecordedCall,
  extraHeaders: Readonly<Record<string, string>> = {},
): Response {
  const extra = Object.entries(extraHeaders);
  // A body can be read once: answer with a copy, so the item can answer the next call too.
  if (item instanceof Response && extra.length === 0) return item.clone();
  const headers = itemHeaders(item);
  for (const [name, value] of extra) headers.set(name, value);
  if (item instanceof Response) {
    const copy = item.clone();
    return new Response(copy.body, { status: copy.status, statusText: copy.statusText, headers });
  }
  if (isFixture(item)) return new Response(item.body, { status: item.status, headers });
  if ('json' in item) {
    const json: unknown =
      typeof item.json === 'function' ? (item.json as (call: RecordedCall) => unknown)(call) : item.json;
    return new Response(JSON.stringify(json), { status: item.status ?? 200, headers });
  }
  const body =
    item.body === undefined ? null : typeof item.body === 'string' ? item.body : JSON.stringify(item.body);
  return new Response(body, { status: item.status, headers });
}
