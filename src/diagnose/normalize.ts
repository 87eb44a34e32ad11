/**
 * Step 1 of diagnose: whatever was caught → plain facts. Accepts openai v4–v7 errors (Web
 * `Headers` or plain records, `requestID` or `request_id`), the SDK's connection, timeout and abort
 * errors, errors thrown from inside a stream, undici's `fetch failed`, abort errors, plain
 * `{ status, error | body, headers }` objects, JSON text and bare messages. Never throws.
 */
import type { FailureKind } from '../data/recognition.js';
import { MAX_FIELD, MAX_JSON, capped } from './cap.js';
import {
  constructorNames,
  get,
  headerRecord,
  hostOf,
  isBag,
  networkCodeOf,
  nonEmpty,
  statusOf,
  text,
  type Bag,
} from './read-safely.js';

/** What is known about a failure, whatever its origin. */
export interface ErrorFacts {
  readonly kind: FailureKind;
  readonly status?: number;
  readonly code?: string;
  readonly type?: string;
  readonly param?: string;
  /** The API's own message (or the error's, without the SDK's status prefix). */
  readonly message: string;
  /** Every response header, lower-cased, except `x-tierguard-*` ones (an upstream could forge them). */
  readonly headers: Readonly<Record<string, string>>;
  readonly requestId?: string;
  /** The answer's body was not the API's JSON (an HTML or text page). */
  readonly nonJsonBody: boolean;
  /** That body (its first 2,000 characters), when it was not JSON. */
  readonly bodyText?: string;
  /** The answer carried the API's error object (`{ error: { message, type, code } }` or a flat one). */
  readonly apiErrorBody: boolean;
  /** A network error code (ECONNREFUSED, ENOTFOUND…). */
  readonly networkCode?: string;
  /** Azure's `innererror.code`. */
  readonly innerCode?: string;
  /** The host a network error names (`connect ECONNREFUSED 127.0.0.1:1`). */
  readonly host?: string;
}

const HTML = /^\s*<(?:!doctype|html|head|body|center|h1|title)\b/i;
const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ESOCKETTIMEDOUT',
]);

/** The inner `{ message, type, code, param }` of a body, in the shapes the API and relays send. */
function innerError(body: unknown): Bag | undefined {
  // Google's OpenAI-compatible endpoint (and Vertex through a proxy) wraps its error in a list:
  // `[{ "error": { "code": 429, "status": "RESOURCE_EXHAUSTED", … } }]`.
  if (Array.isArray(body) && body.length > 0 && isBag(body[0]) && isBag(get(body[0], 'error')))
    return innerError(body[0]);
  if (!isBag(body)) return undefined;
  const error = get(body, 'error');
  if (isBag(error)) {
    // Some wrappers nest the whole body: { error: { error: {...} } }.
    const nested = get(error, 'error');
    return isBag(nested) && (get(nested, 'message') !== undefined || get(nested, 'code') !== undefined)
      ? nested
      : error;
  }
  // openai v7.5+: a body without `error` becomes `err.error` whole; Responses `error` events are flat.
  if (get(body, 'message') !== undefined || get(body, 'code') !== undefined) return body;
  // A relay's or proxy's own flat shape: `{ "msg": … }`, `{ "detail": … }`.
  if (messageOf(body) !== undefined) return body;
  return undefined;
}

/** An error object's message: `message`, else a relay's `msg` or a proxy's `detail` (when text). */
function messageOf(inner: Bag): string | undefined {
  return text(get(inner, 'message')) ?? text(get(inner, 'msg')) ?? text(get(inner, 'detail'));
}

function parseJson(textValue: string): unknown {
  // JSON.parse is linear, but a body of hundreds of megabytes is no error message.
  if (textValue.length > MAX_JSON) return undefined;
  const trimmed = textValue.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return undefined;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return undefined;
  }
}

/** The SDK formats messages as `"{status} {error.message}"` (openai-api.md note A): strip the prefix. */
function stripStatus(message: string, status: number | undefined): string {
  if (status !== undefined && message.startsWith(`${status} `))
    return message.slice(String(status).length + 1);
  return message;
}

/** Facts while they are being gathered (any field may still be unknown). */
interface Gathering {
  kind?: FailureKind | undefined;
  status?: number | undefined;
  code?: string | undefined;
  type?: string | undefined;
  param?: string | undefined;
  message?: string | undefined;
  headers?: Record<string, string> | undefined;
  requestId?: string | undefined;
  nonJsonBody?: boolean | undefined;
  bodyText?: string | undefined;
  apiErrorBody?: boolean | undefined;
  networkCode?: string | undefined;
  innerCode?: string | undefined;
  host?: string | undefined;
}

// A flat Responses `error` event (and an Anthropic-style body) says `type: "error"`: that names the
// event, not the error, so it is no error type (Table 1, Responses `ResponseErrorEvent`).
const EVENT_TYPE = 'error';

function errorType(value: unknown): string | undefined {
  const type = nonEmpty(value);
  return type === EVENT_TYPE ? undefined : type;
}

const BODY_TEXT_CHARS = 2_000;

function fromInner(inner: Bag | undefined, into: Gathering): void {
  if (inner === undefined) return;
  // xAI's flat `{ "code": "<a sentence>", "error": "<its words>" }`: the words are the message.
  const message = messageOf(inner) ?? text(get(inner, 'error'));
  // The API's own fields; a relay's `msg` or `detail` alone is not the API's error object.
  const found = nonEmpty(get(inner, 'code')) ?? nonEmpty(get(inner, 'type')) ?? text(get(inner, 'message'));
  if (found !== undefined) into.apiErrorBody = true;
  into.code ??= nonEmpty(get(inner, 'code'));
  into.type ??= errorType(get(inner, 'type'));
  into.param ??= nonEmpty(get(inner, 'param'));
  if (message !== undefined && into.message === undefined) into.message = message;
  into.innerCode ??= nonEmpty(get(get(inner, 'innererror'), 'code'));
  into.status ??= statusOf(get(inner, 'status'));
}

// The opening of an error body too large to parse: the API's error object (or vLLM's flat one)
// begins with its message.
const LARGE_ERROR_HEAD =
  /^\s*\{\s*(?:"error"\s*:\s*\{\s*|"object"\s*:\s*"error"\s*,\s*)"message"\s*:\s*"((?:[^"\\]|\\.){0,2000})/;

/**
 * A JSON error body above `MAX_JSON` (a relay or a local server that echoes a huge prompt in its
 * message), read from its ends: the message opens it, its type and code close it.
 */
function largeJsonError(bodyText: string): Bag | undefined {
  if (bodyText.length <= MAX_JSON) return undefined;
  const head = LARGE_ERROR_HEAD.exec(bodyText.slice(0, 8_192));
  if (head === null) return undefined;
  const tail = bodyText.slice(-4_096);
  const field = (name: string): string | undefined =>
    new RegExp(`"${name}"\\s*:\\s*"([^"\\\\]{1,128})"`).exec(tail)?.[1];
  let message = head[1] ?? '';
  try {
    message = JSON.parse(`"${message}"`) as string;
  } catch {
    // Cut inside an escape: the raw text is still the message's words.
  }
  const error: Bag = { message };
  for (const name of ['type', 'code', 'param']) {
    const value = field(name);
    if (value !== undefined) error[name] = value;
  }
  return { error };
}

function fromBodyText(bodyText: string, into: Gathering): void {
  const parsed = parseJson(bodyText) ?? largeJsonError(bodyText);
  const inner = innerError(parsed);
  if (inner !== undefined) {
    fromInner(inner, into);
    return;
  }
  // A relay's or proxy's `{ "error": "…" }`: its words are the message (not the API's error object).
  const said = isBag(parsed) ? text(get(parsed, 'error')) : undefined;
  if (said !== undefined && said.trim() !== '') {
    into.message ??= said;
    return;
  }
  const head = capped(bodyText);
  if (head.trim() === '') {
    // A success without a body is no answer of the API's (the guard reads only answers it expects).
    if (into.status !== undefined && into.status >= 200 && into.status < 300) {
      into.nonJsonBody = true;
      into.message ??= 'an empty body';
    }
    return;
  }
  into.nonJsonBody = true;
  into.bodyText ??= head.slice(0, BODY_TEXT_CHARS);
  into.message ??= HTML.test(head) ? summarizeHtml(head) : head.slice(0, 500);
}

function summarizeHtml(html: string): string {
  const title = /<title>([^<]*)<\/title>/i.exec(html)?.[1] ?? /<h1>([^<]*)<\/h1>/i.exec(html)?.[1];
  return title === undefined ? 'an HTML page instead of the API error' : `HTML page: ${title.trim()}`;
}

function fromString(input: string, into: Gathering): void {
  const parsed = parseJson(input);
  if (isBag(parsed)) {
    fromObject(parsed, into);
    return;
  }
  let message = capped(input).trim();
  // "Error: 429 You exceeded…" as pasted from a log.
  message = message.replace(/^(?:[A-Za-z]*Error:\s*)/, '');
  const status = /^(\d{3})\s/.exec(message)?.[1];
  if (status !== undefined) {
    into.status ??= statusOf(status);
    message = message.slice(4);
  }
  if (HTML.test(message)) {
    into.nonJsonBody = true;
    into.bodyText ??= message.slice(0, BODY_TEXT_CHARS);
    into.message ??= summarizeHtml(message);
    return;
  }
  into.message ??= message;
  into.code ??=
    /\b(insufficient_quota|credit_balance_exhausted|rate_limit_exceeded|billing_not_active|model_not_found|invalid_api_key|context_length_exceeded|slow_down|unsupported_country_region_territory|server_is_overloaded|account_deactivated|mismatched_organization|organization_spend_limit_exceeded|project_spend_limit_exceeded|organization_usage_limit_exceeded)\b/.exec(
      message,
    )?.[1];
}

// How runtimes' `fetch` words a failure to connect: Node and Deno "fetch failed", Chrome and Workers
// "Failed to fetch", Safari "Load failed", Firefox "NetworkError…", Bun "Unable to connect…".
const FETCH_FAILED =
  /fetch failed|failed to fetch|load failed|network|socket|error sending request|unable to connect/i;

function fromObject(input: Bag, into: Gathering): void {
  const names = constructorNames(input);
  const name = text(get(input, 'name'), MAX_FIELD);
  const rawMessage = text(get(input, 'message')) ?? '';

  // The SDK's own connection errors have no status: tell them apart before anything status-based
  // (openai-api.md note A). Duck typing survives several copies of openai in one tree.
  if (names.includes('APIUserAbortError') || rawMessage === 'Request was aborted.') into.kind ??= 'abort';
  else if (names.includes('APIConnectionTimeoutError') || rawMessage === 'Request timed out.')
    into.kind ??= 'timeout';
  else if (
    names.includes('APIConnectionError') ||
    (rawMessage.startsWith('Connection error.') && get(input, 'status') === undefined)
  )
    into.kind ??= 'connection';
  else if (name === 'AbortError') into.kind ??= 'abort';
  else if (name === 'TimeoutError') into.kind ??= 'timeout';

  // A 200 whose body is not JSON reaches the caller as the SDK's JSON parse error.
  if (names.includes('SyntaxError') && /JSON/i.test(rawMessage)) into.nonJsonBody = true;

  const networkCode = networkCodeOf(input);
  if (networkCode !== undefined) {
    into.networkCode ??= networkCode;
    into.host ??= hostOf(input);
    if (into.kind === undefined || into.kind === 'connection')
      into.kind = TIMEOUT_CODES.has(networkCode) ? 'timeout' : 'connection';
  }
  if (into.kind === undefined && names.includes('TypeError') && FETCH_FAILED.test(rawMessage))
    into.kind = 'connection';
  // The SDK names undici timeouts only in the message and the cause (client.ts "timed out" check).
  if (
    into.kind === 'connection' &&
    /timed? ?out/i.test(`${rawMessage} ${text(get(get(input, 'cause'), 'message')) ?? ''}`)
  )
    into.kind = 'timeout';

  const status =
    statusOf(get(input, 'status')) ??
    statusOf(get(input, 'statusCode')) ??
    statusOf(get(input, 'status_code'));
  if (status !== undefined) into.status ??= status;

  const headers = get(input, 'headers') ?? get(get(input, 'response'), 'headers');
  if (headers !== undefined) into.headers = { ...headerRecord(headers), ...into.headers };

  into.requestId ??=
    nonEmpty(get(input, 'requestID')) ??
    nonEmpty(get(input, 'request_id')) ??
    nonEmpty(get(input, 'requestId'));

  const error = get(input, 'error');
  const body = get(input, 'body') ?? get(input, 'data');
  // The SDK's `error` is the body's `error` field: a string there is a relay's `{ "error": "…" }`,
  // its words (a body that was not JSON never lands there).
  if (typeof error === 'string' && names.includes('APIError')) into.message ??= text(error);
  else if (typeof error === 'string') fromBodyText(error, into);
  else if (Array.isArray(error)) fromInner(innerError(error), into);
  else
    fromInner(innerError(isBag(error) ? { error } : undefined) ?? (isBag(error) ? error : undefined), into);
  if (typeof body === 'string') fromBodyText(body, into);
  else if (isBag(body)) fromInner(innerError(body), into);

  // Flat fields: the SDK lifts code/type/param onto the error; Responses `error` events carry them directly.
  into.code ??= nonEmpty(get(input, 'code'));
  into.type ??= errorType(get(input, 'type'));
  into.param ??= nonEmpty(get(input, 'param'));

  if (into.message === undefined) {
    let message = stripStatus(rawMessage, into.status);
    if (
      into.status !== undefined &&
      error === undefined &&
      body === undefined &&
      /status code \(no body\)$/.test(message)
    )
      message = '';
    // A non-JSON body reaches the SDK message as raw text (openai-api.md note A).
    if (HTML.test(message)) {
      into.nonJsonBody = true;
      into.bodyText ??= message.slice(0, BODY_TEXT_CHARS);
      message = summarizeHtml(message);
    } else if (
      into.status !== undefined &&
      error === undefined &&
      message !== '' &&
      names.some((candidate) => candidate.endsWith('Error')) &&
      into.kind === undefined &&
      into.code === undefined
    ) {
      // An SDK APIError with a status, a message and no parsed body: the body was not JSON.
      const parsed = parseJson(message);
      if (parsed === undefined && get(input, 'error') === undefined && 'error' in input) {
        into.nonJsonBody = true;
        into.bodyText ??= message.slice(0, BODY_TEXT_CHARS);
      }
    }
    into.message = message;
  }
  if (
    typeof get(input, 'cause') === 'object' &&
    into.kind === undefined &&
    into.status === undefined &&
    into.code === undefined
  ) {
    const cause = get(input, 'cause');
    if (isBag(cause)) fromObject(cause, into);
  }
}

/** Normalizes anything into facts. Never throws. */
export function normalize(input: unknown): ErrorFacts {
  const into: Gathering = {};
  try {
    if (typeof input === 'string') fromString(input, into);
    else if (isBag(input)) fromObject(input, into);
    else if (typeof input === 'number') into.status = statusOf(input);
  } catch {
    // Keep what was read before the failure.
  }
  const headers = into.headers ?? {};
  const status = into.status;
  let kind: FailureKind =
    into.kind ??
    (status !== undefined
      ? 'http'
      : into.code !== undefined || into.type !== undefined
        ? 'stream'
        : 'unknown');
  if (
    kind === 'unknown' &&
    into.message !== undefined &&
    /Request was aborted|operation was aborted/i.test(into.message)
  )
    kind = 'abort';
  const requestId =
    into.requestId ?? headers['x-request-id'] ?? /\b(req_[A-Za-z0-9]{6,})\b/.exec(into.message ?? '')?.[1];
  return {
    kind,
    ...(status === undefined ? {} : { status }),
    ...(into.code === undefined ? {} : { code: into.code }),
    ...(into.type === undefined ? {} : { type: into.type }),
    ...(into.param === undefined ? {} : { param: into.param }),
    message: into.message ?? '',
    headers,
    ...(requestId === undefined ? {} : { requestId }),
    nonJsonBody: into.nonJsonBody ?? false,
    ...(into.bodyText === undefined ? {} : { bodyText: into.bodyText }),
    apiErrorBody: into.apiErrorBody ?? false,
    ...(into.networkCode === undefined ? {} : { networkCode: into.networkCode }),
    ...(into.innerCode === undefined ? {} : { innerCode: into.innerCode }),
    ...(into.host === undefined ? {} : { host: into.host }),
  };
}
