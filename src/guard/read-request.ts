/**
 * Step 1 of the pipeline: read what the client is about to send — the endpoint, the model, the
 * body, the stream flag, and which account it is for — without consuming anything that a retry
 * needs again.
 */
import type { Endpoint } from '../pacing/estimate.js';
import type { ClientBodies } from './client-bodies.js';

/** A request as the pipeline sees it. */
export interface CallRequest {
  /** The URL as given (kept as text: a waiting call should hold as little as it can). */
  readonly url: string;
  readonly method: string;
  /**
   * The headers as the caller gave them (a `Headers`, a record or pairs): a waiting call does not
   * hold a copy. Read them with `headerOf`; `prepareSend` copies them only to change them.
   */
  readonly headers: HeadersInit;
  /** The body as text when it is text (JSON requests); otherwise `rawBody` is sent as is. */
  readonly bodyText: string | undefined;
  readonly rawBody: BodyInit | null | undefined;
  /** The body is a JSON object (`parseBody` reads it again when needed, instead of keeping it). */
  readonly isJson: boolean;
  readonly endpoint: Endpoint;
  /** The model the request names (body `model`, or an Azure deployment in the path). */
  readonly model: string | undefined;
  /** The model comes from an Azure deployment path segment, not from the body. */
  readonly modelInPath: boolean;
  readonly stream: boolean;
  /** The URL up to the endpoint path: `https://api.openai.com/v1`. */
  readonly baseURL: string;
  readonly organization: string | undefined;
  readonly project: string | undefined;
  readonly signal: AbortSignal | undefined;
  /** The rest of the caller's `RequestInit` (fetchOptions such as an undici dispatcher). */
  readonly init: RequestInit;
  /**
   * The caller's own `fetch` arguments, when they can be sent again as they are (a URL and an
   * init, not a `Request`): an attempt that changes nothing sends exactly what the caller gave.
   */
  readonly asGiven: { readonly input: string | URL; readonly init: RequestInit } | undefined;
  /** The body can be sent again (retries and fallbacks need it). */
  readonly replayable: boolean;
}

const EMPTY_INIT: RequestInit = Object.freeze({});
const EMPTY_HEADERS: HeadersInit = Object.freeze({});
const OPEN_BRACE = 123;

// A service talks to a handful of URLs and models: one string each, not one per waiting call.
const interned = new Map<string, string>();
function intern(text: string): string {
  const known = interned.get(text);
  if (known !== undefined) return known;
  if (interned.size < 256) interned.set(text, text);
  return text;
}

// Longest first: `/chat/completions` before `/completions`.
const ENDPOINTS: readonly (readonly [RegExp, Endpoint])[] = [
  [/\/chat\/completions$/, 'chat'],
  [/\/responses$/, 'responses'],
  [/\/completions$/, 'completions'],
  [/\/embeddings$/, 'embeddings'],
  [/\/images\/(?:generations|edits|variations)$/, 'images'],
  [/\/audio\/(?:speech|transcriptions|translations)$/, 'audio'],
  [/\/moderations$/, 'moderations'],
];

const AZURE_DEPLOYMENT = /\/deployments\/([^/]+)\//;

function endpointOf(pathname: string): { endpoint: Endpoint; prefix: string } {
  for (const [pattern, endpoint] of ENDPOINTS) {
    const match = pattern.exec(pathname);
    if (match !== null) {
      let prefix = pathname.slice(0, match.index);
      // Azure puts the deployment before the operation: the base is what precedes /deployments.
      const azure = /\/deployments\/[^/]+$/.exec(prefix);
      if (azure !== null) prefix = prefix.slice(0, azure.index);
      return { endpoint, prefix };
    }
  }
  const version = /^(.*?\/v\d+)(?:\/|$)/.exec(pathname);
  return { endpoint: 'other', prefix: version?.[1] ?? '' };
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One header of `headers`, whatever form they were given in (names compare case-insensitively). */
export function headerOf(headers: HeadersInit, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const wanted = name.toLowerCase();
  const pairs: Iterable<readonly [string, string]> = Array.isArray(headers)
    ? (headers as readonly (readonly [string, string])[])
    : Object.entries(headers as Record<string, string>);
  for (const [key, value] of pairs) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

/** The request's JSON body, parsed again (cheaper than keeping it while the call waits). */
export function parseBody(request: CallRequest): Record<string, unknown> | undefined {
  if (!request.isJson || request.bodyText === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(request.bodyText);
    return isJsonObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** What a URL says about a call: computed once per distinct URL (a service uses a handful). */
interface UrlFacts {
  readonly href: string;
  readonly endpoint: Endpoint;
  readonly baseURL: string;
  readonly deployment: string | undefined;
}

const urlFacts = new Map<string, UrlFacts>();

function factsOf(text: string): UrlFacts {
  const known = urlFacts.get(text);
  if (known !== undefined) return known;
  const url = new URL(text);
  const { endpoint, prefix } = endpointOf(url.pathname);
  const deployment = AZURE_DEPLOYMENT.exec(url.pathname)?.[1];
  const facts: UrlFacts = {
    href: intern(url.href),
    endpoint,
    baseURL: intern(`${url.origin}${prefix}`),
    deployment: deployment === undefined ? undefined : decodeURIComponent(deployment),
  };
  if (urlFacts.size < 256) urlFacts.set(text, facts);
  return facts;
}

/**
 * A call as read, with its body parsed once. `json` is for the first attempt's estimate only: the
 * request that waits in the queue does not keep it (`parseBody` reads it again for a fallback).
 */
export interface ReadCall {
  readonly request: CallRequest;
  readonly json: Record<string, unknown> | undefined;
}

/**
 * Reads a `fetch(input, init)` call. Never throws on a body it cannot parse: it passes through.
 * Synchronous unless the body is inside a `Request` (the SDK passes `init.body`, so every call it
 * makes is read without waiting a turn). A body a wrapped client noted in `bodies` is not parsed,
 * nor one given as `parsed` (`init.body` already parsed, for a URL and an init).
 */
export function readRequest(
  input: string | URL | Request,
  init: RequestInit | undefined,
  bodies?: ClientBodies,
  parsed?: Record<string, unknown>,
): ReadCall | Promise<ReadCall> {
  const asRequest = input instanceof Request ? input : undefined;
  if (init?.body === undefined && asRequest !== undefined && asRequest.body !== null)
    return asRequest
      .clone()
      .text()
      .then((text) => readWith(asRequest.url, init, asRequest, text));
  return asRequest === undefined
    ? readCall(input as string | URL, init, bodies, parsed)
    : readWith(asRequest.url, init, asRequest, init?.body, undefined, bodies);
}

/**
 * `readRequest` for a URL and an init (not a `Request`): always synchronous. `parsed` is the body
 * already parsed from `init.body` (by `readAddress`), so that it is not parsed twice.
 */
export function readCall(
  input: string | URL,
  init: RequestInit | undefined,
  bodies?: ClientBodies,
  parsed?: Record<string, unknown>,
): ReadCall {
  return readWith(String(input), init, undefined, init?.body, input, bodies, parsed);
}

/** What decides the lane of a call with a JSON body: read without building the request. */
export interface CallAddress {
  readonly endpoint: Endpoint;
  readonly baseURL: string;
  readonly model: string;
  readonly organization: string | undefined;
  readonly project: string | undefined;
  /** The body (`init.body`) as an object: the one a wrapped client serialized it from, or parsed. */
  readonly json: Record<string, unknown>;
  /** `json` was parsed here (no wrapped client noted it): `readCall` can take it as it is. */
  readonly parsed: boolean;
}

/**
 * The lane-deciding facts of a call whose body is JSON text naming a model — the object a wrapped
 * client noted in `bodies` (the note stays for the read that follows), or the text parsed — or
 * `undefined` for any other call: another body, no model, an Azure deployment path, an endpoint
 * `estimateBound` does not bound, a URL that does not parse. Cheaper than `readCall`: no request
 * is built.
 */
export function readAddress(input: string, init: RequestInit, bodies: ClientBodies): CallAddress | undefined {
  const text = init.body;
  if (typeof text !== 'string') return undefined;
  let url: UrlFacts;
  try {
    url = factsOf(input);
  } catch {
    return undefined;
  }
  // An Azure deployment path names the model the normal read decides on; a call no bound serves
  // (images, audio) would be read for nothing.
  if (
    url.deployment !== undefined ||
    url.endpoint === 'images' ||
    url.endpoint === 'audio' ||
    url.endpoint === 'other'
  )
    return undefined;
  const headers = init.headers ?? EMPTY_HEADERS;
  let json = bodies.peek(headers, text);
  const parsed = json === undefined;
  if (json === undefined && text.charCodeAt(0) === OPEN_BRACE) {
    try {
      const value: unknown = JSON.parse(text);
      if (isJsonObject(value)) json = value;
    } catch {
      // Not JSON: read as any other call.
    }
  }
  const model = json?.model;
  if (json === undefined || typeof model !== 'string' || model === '') return undefined;
  return {
    endpoint: url.endpoint,
    baseURL: url.baseURL,
    model,
    organization: headerOf(headers, 'openai-organization'),
    project: headerOf(headers, 'openai-project'),
    json,
    parsed,
  };
}

function readWith(
  href: string,
  init: RequestInit | undefined,
  asRequest: Request | undefined,
  rawBody: BodyInit | null | undefined,
  input?: string | URL,
  bodies?: ClientBodies,
  parsedBody?: Record<string, unknown>,
): ReadCall {
  const url = factsOf(href);
  const method = (init?.method ?? asRequest?.method ?? 'GET').toUpperCase();
  // The SDK passes a Headers object: used as is (the pipeline copies it only to change it).
  const headers: HeadersInit = init?.headers ?? asRequest?.headers ?? EMPTY_HEADERS;
  let bodyText: string | undefined;
  if (typeof rawBody === 'string') bodyText = rawBody;
  else if (rawBody instanceof Uint8Array || rawBody instanceof ArrayBuffer) {
    const contentType = headerOf(headers, 'content-type') ?? '';
    if (contentType.includes('json')) bodyText = new TextDecoder().decode(rawBody);
  }
  let json = parsedBody;
  if (bodyText !== undefined && json === undefined) json = bodies?.take(headers, bodyText);
  if (bodyText !== undefined && json === undefined) {
    try {
      const parsed: unknown = JSON.parse(bodyText);
      if (isJsonObject(parsed)) json = parsed;
    } catch {
      // Not JSON: the request passes through untouched and the API answers it.
    }
  }
  const { endpoint, deployment } = url;
  const bodyModel = typeof json?.model === 'string' && json.model !== '' ? json.model : undefined;
  const named = bodyModel ?? deployment;
  const model = named === undefined ? undefined : intern(named);
  const replayable =
    rawBody === undefined ||
    rawBody === null ||
    typeof rawBody === 'string' ||
    rawBody instanceof Uint8Array ||
    rawBody instanceof ArrayBuffer ||
    rawBody instanceof Blob ||
    rawBody instanceof FormData ||
    rawBody instanceof URLSearchParams;
  let rest: RequestInit = EMPTY_INIT;
  // `for…in`, not `Object.keys`: no array of names on every call (an init is a plain object).
  for (const name in init) {
    if (name === 'body' || name === 'headers' || name === 'method' || name === 'signal') continue;
    // Only options beyond the request itself (an undici dispatcher…) are kept.
    rest = { ...init };
    delete rest.body;
    delete rest.headers;
    delete rest.method;
    delete rest.signal;
    break;
  }
  const request: CallRequest = {
    url: url.href,
    method,
    headers,
    bodyText,
    rawBody,
    isJson: json !== undefined,
    endpoint,
    model,
    modelInPath: bodyModel === undefined && deployment !== undefined,
    stream: json?.stream === true,
    baseURL: url.baseURL,
    organization: headerOf(headers, 'openai-organization'),
    project: headerOf(headers, 'openai-project'),
    signal: init?.signal ?? asRequest?.signal ?? undefined,
    init: rest,
    asGiven: init !== undefined && input !== undefined ? { input, init } : undefined,
    replayable,
  };
  return { request, json };
}
