/**
 * Step "read": what a `fetch(input, init)` call is — its URL, endpoint, model, account, body and
 * estimate — without consuming anything a retry needs again. The body is parsed once, for the
 * model, the stream flag and the estimate; the call keeps the text and the estimate, not the
 * object (a waiting call holds as little as it can).
 */
import { estimateRequest, type Endpoint, type RequestEstimate } from '../tokens/estimate.js';
import type { TokenCounter } from '../tokens/token-count.js';
import { isAzureHost } from '../advisor/endpoint.js';
import { accountOf } from './account.js';

/** A call as the pipeline sees it. */
export interface Call {
  readonly url: string;
  readonly method: string;
  /** The caller's headers, as given (never changed: each attempt copies them). */
  readonly headers: Headers;
  /** The body as given; `bodyText` when it is text. */
  readonly body: BodyInit | null | undefined;
  readonly bodyText: string | undefined;
  readonly endpoint: Endpoint;
  /** The URL up to the endpoint path: `https://api.openai.com/v1` (Azure: before `/deployments`). */
  readonly baseURL: string;
  /** The model the body names, or, for an Azure deployment path, the model the deployment serves when known. */
  readonly model: string | undefined;
  /** The Azure deployment the path names. */
  readonly deployment: string | undefined;
  /** The URL's host is an Azure resource's: its quotas are per deployment, whatever credential reaches it. */
  readonly azure: boolean;
  readonly stream: boolean;
  readonly organization: string | undefined;
  readonly project: string | undefined;
  /** The caller's own key (`Authorization: Bearer …` or Azure's `api-key`), to mask wherever it could show. */
  readonly apiKey: string | undefined;
  /** A one-way hash of the key: two accounts never share a lane. */
  readonly account: string | undefined;
  readonly signal: AbortSignal | undefined;
  /** The rest of the caller's `RequestInit` (an undici dispatcher, `duplex`…). */
  readonly init: RequestInit;
  /** The body can be sent again (retries and fallbacks need it). */
  readonly replayable: boolean;
  /** `x-stainless-retry-count` as the client sent it: above 0, the client is resending. */
  readonly clientRetry: number;
  /** What the call's `x-tierguard-fallback` header asks (`undefined`: the guard's chain). */
  readonly fallback: CallFallback | undefined;
  /** What the body costs as sent to the call's own model (the estimate, made once). */
  readonly estimate: RequestEstimate;
}

/**
 * A call's own word on fallback, from its `x-tierguard-fallback` request header (read here, never
 * sent on): `off`, its own chain of models on the same endpoint, or a value the guard refuses.
 */
export type CallFallback =
  | { readonly kind: 'off' }
  | { readonly kind: 'chain'; readonly models: readonly string[] }
  | { readonly kind: 'invalid'; readonly reason: string };

/** The request header a call turns its fallback off with, or names its own chain in. */
export const FALLBACK_HEADER = 'x-tierguard-fallback';
const MAX_CALL_CHAIN = 8;
const MAX_MODEL_NAME = 256;

/** Reads `x-tierguard-fallback`: `off`, or model names separated by commas. */
function callFallback(value: string | null, model: string | undefined): CallFallback | undefined {
  if (value === null) return undefined;
  if (value.trim().toLowerCase() === 'off') return { kind: 'off' };
  const models = value.split(',').map((name) => name.trim());
  const shown = value.length > 80 ? `${value.slice(0, 77)}...` : value;
  const invalid = (why: string): CallFallback => ({
    kind: 'invalid',
    reason: `tierguard: the ${FALLBACK_HEADER} header must be "off" or up to ${MAX_CALL_CHAIN} model names separated by commas (${why}); got ${JSON.stringify(shown)}. Nothing was sent.`,
  });
  if (models.some((name) => name === '' || name.length > MAX_MODEL_NAME))
    return invalid('an empty or overlong name');
  if (models.length > MAX_CALL_CHAIN) return invalid(`more than ${MAX_CALL_CHAIN} models`);
  if (model !== undefined && models.includes(model)) return invalid(`${model} cannot fall back to itself`);
  return { kind: 'chain', models };
}

/** How a call is read. */
export interface ReadOptions {
  /** Azure deployment names → the model they serve. */
  readonly deployments: Readonly<Record<string, string>>;
  /** Share lanes across API keys (one account's keys, rotated). */
  readonly shareLimitsAcrossKeys: boolean;
  /** For the estimate: a call's output maximum when it sets none, and an exact tokenizer if any. */
  readonly defaultMaxOutputTokens: number;
  readonly countTokens: TokenCounter | undefined;
}

/** How a body is estimated for `model` under `options`. */
export function estimateBody(
  endpoint: Endpoint,
  json: Record<string, unknown> | undefined,
  model: string | undefined,
  options: Pick<ReadOptions, 'defaultMaxOutputTokens' | 'countTokens'>,
): RequestEstimate {
  return estimateRequest(endpoint, json, model, {
    defaultMaxOutputTokens: options.defaultMaxOutputTokens,
    ...(options.countTokens === undefined ? {} : { countTokens: options.countTokens }),
  });
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
const AZURE_DEPLOYMENT = /\/deployments\/([^/]+)(?:\/|$)/;

function endpointOf(pathname: string): { endpoint: Endpoint; prefix: string } {
  for (const [pattern, endpoint] of ENDPOINTS) {
    const match = pattern.exec(pathname);
    if (match === null) continue;
    let prefix = pathname.slice(0, match.index);
    // Azure puts the deployment before the operation: the base is what precedes /deployments.
    const azure = /\/deployments\/[^/]+$/.exec(prefix);
    if (azure !== null) prefix = prefix.slice(0, azure.index);
    return { endpoint, prefix };
  }
  const version = /^(.*?\/v\d+)(?:\/|$)/.exec(pathname);
  return { endpoint: 'other', prefix: version?.[1] ?? '' };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The call's JSON body as an object, parsed again (cheaper than keeping it while the call waits). */
export function parseBody(call: Pick<Call, 'bodyText'>): Record<string, unknown> | undefined {
  if (call.bodyText === undefined || call.bodyText.charCodeAt(0) !== 123 /* { */) return undefined;
  try {
    const parsed: unknown = JSON.parse(call.bodyText);
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function isReplayable(body: BodyInit | null | undefined): boolean {
  return (
    body === undefined ||
    body === null ||
    typeof body === 'string' ||
    body instanceof Uint8Array ||
    body instanceof ArrayBuffer ||
    body instanceof Blob ||
    body instanceof FormData ||
    body instanceof URLSearchParams
  );
}

/** The caller's key, from `Authorization: Bearer …` or Azure's `api-key`. */
function keyOf(headers: Headers): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(headers.get('authorization') ?? '')?.[1];
  const key = bearer ?? headers.get('api-key') ?? undefined;
  return key === undefined || key.length < 8 ? undefined : key;
}

/** A `Request` input whose body `init` does not replace: reading it takes a turn (`requestBody`). */
export function requestToRead(
  input: string | URL | Request,
  init: RequestInit | undefined,
): Request | undefined {
  return input instanceof Request && init?.body === undefined && input.body !== null ? input : undefined;
}

/**
 * Reads a `fetch(input, init)` call; `requestBody` is the text of a `Request` input's body
 * (`requestToRead`). Never throws on a body it cannot parse (the call passes through and the
 * server answers it).
 */
export function readCall(
  input: string | URL | Request,
  init: RequestInit | undefined,
  options: ReadOptions,
  requestBody?: string,
): Call {
  const request = input instanceof Request ? input : undefined;
  const href = request?.url ?? String(input);
  const body: BodyInit | null | undefined = init?.body ?? requestBody;
  // A copy, as `fetch` takes one: a caller that changes its headers after the call changes nothing.
  // Read with `get`, never iterated: iterating a `Headers` keeps a sorted copy of it for as long
  // as it lives (a waiting call holds this one).
  const headers = new Headers(init?.headers ?? request?.headers ?? undefined);
  const { full, endpoint, baseURL, deployment, azure } = addressOf(href);
  let bodyText: string | undefined;
  if (typeof body === 'string') bodyText = body;
  else if (
    (body instanceof Uint8Array || body instanceof ArrayBuffer) &&
    /json/i.test(headers.get('content-type') ?? '')
  )
    bodyText = new TextDecoder().decode(body);
  const json = parseBody({ bodyText });
  const bodyModel = typeof json?.model === 'string' && json.model !== '' ? json.model : undefined;
  const mapped =
    deployment === undefined
      ? undefined
      : Object.hasOwn(options.deployments, deployment)
        ? options.deployments[deployment]
        : undefined;
  const apiKey = keyOf(headers);
  const retry = Number(headers.get('x-stainless-retry-count') ?? '0');
  const model = mapped ?? bodyModel ?? deployment;
  let rest: RequestInit = {};
  if (init !== undefined) {
    const { body: _body, headers: _headers, method: _method, signal: _signal, ...others } = init;
    rest = others;
  }
  const call: Call = {
    url: full,
    method: (init?.method ?? request?.method ?? 'GET').toUpperCase(),
    headers,
    body,
    bodyText,
    endpoint,
    baseURL,
    model,
    deployment,
    azure,
    stream: json?.stream === true,
    organization: headers.get('openai-organization') ?? undefined,
    project: headers.get('openai-project') ?? undefined,
    apiKey,
    account: apiKey === undefined || options.shareLimitsAcrossKeys ? undefined : accountOf(apiKey),
    signal: init?.signal ?? request?.signal ?? undefined,
    init: rest,
    replayable: isReplayable(body),
    clientRetry: Number.isInteger(retry) && retry > 0 ? retry : 0,
    fallback: callFallback(headers.get(FALLBACK_HEADER), model),
    estimate: estimateBody(endpoint, json, model, options),
  };
  return call;
}

/** What a call's URL says: its text, endpoint, base URL and Azure deployment. */
interface Address {
  readonly full: string;
  readonly endpoint: Endpoint;
  readonly baseURL: string;
  readonly deployment: string | undefined;
  readonly azure: boolean;
}

function addressOf(href: string): Address {
  const url = new URL(href);
  // The caller's own string when it is already the URL's form: a waiting call holds one copy.
  const full = url.href === href ? href : url.href;
  const { endpoint, prefix } = endpointOf(url.pathname);
  const deploymentInPath = AZURE_DEPLOYMENT.exec(url.pathname)?.[1];
  const base = `${url.origin}${prefix}`;
  return {
    full,
    endpoint,
    // A slice of the URL's text where it begins with the base: no new string to hold.
    baseURL: full.startsWith(base) ? full.slice(0, base.length) : base,
    deployment: deploymentInPath === undefined ? undefined : safeDecode(deploymentInPath),
    azure: isAzureHost(url.hostname),
  };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
