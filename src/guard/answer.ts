/**
 * What the caller's client receives: a served answer, or the final failure. Every answer is a real
 * `Response` (real `Headers`, its `url`, `clone()` keeps everything) carrying the guard's short,
 * readable headers — `x-tierguard-model` (the model that served or failed last) and
 * `x-tierguard-attempts` — and, on a failure, `x-should-retry: false` (openai-node's documented
 * signal: the client never resends what the guard already decided, whatever its `maxRetries`) and
 * `x-tierguard-cause`. The full diagnosis is linked to the answer (`diagnose/attach.ts`), not
 * carried in a header. The guard's header names, when they come from upstream, are dropped: only the
 * guard says them.
 */
import { attachDiagnosis, DIAGNOSIS_ID_HEADER, linkDiagnosis, newDiagnosisId } from '../diagnose/attach.js';
import { MAX_JSON } from '../diagnose/cap.js';
import type { Diagnosis } from '../diagnose/types.js';
import { maskSecrets } from '../util/mask.js';

/** A failed answer the guard read: what is delivered when it is the last. */
export interface FailedAnswer {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  readonly bodyText: string;
  readonly url: string;
}

/**
 * Every header the guard writes on an answer, and `x-tierguard-diagnosis`, which it once wrote: an
 * upstream's own (a relay that runs a guard, a forged verdict) is never read or handed on as the guard's.
 */
const GUARD_HEADERS = [
  'x-tierguard-model',
  'x-tierguard-attempts',
  'x-tierguard-cause',
  'x-tierguard-local',
  DIAGNOSIS_ID_HEADER,
  'x-tierguard-diagnosis',
] as const;

function dropGuardHeaders(headers: Headers): Headers {
  for (const name of GUARD_HEADERS) headers.delete(name);
  return headers;
}

/**
 * A copy of `source` without the guard's headers from upstream (and, for a body the guard changed,
 * its length and encoding). A body the guard only read and re-wrapped is the one the transport
 * would have given the caller: its headers stay as the bare client shows them.
 */
export function ownHeaders(source: Headers, bodyChanged: boolean): Headers {
  const headers = dropGuardHeaders(new Headers(source));
  if (bodyChanged) {
    headers.delete('content-length');
    headers.delete('content-encoding');
  }
  return headers;
}

/**
 * Keeps the transport's `url` on an answer the guard rebuilt (a constructed `Response` has none),
 * and on its clones: `clone()` of a constructed `Response` would lose it again.
 */
function withUrl(response: Response, url: string): Response {
  if (url === '' || response.url === url) return response;
  Object.defineProperty(response, 'url', { value: url, enumerable: true, configurable: true });
  Object.defineProperty(response, 'clone', {
    value: (): Response => withUrl(Response.prototype.clone.call(response), url),
    configurable: true,
    writable: true,
  });
  return response;
}

/** A served answer: the body (read or re-wrapped), the transport's status and headers, the guard's headers. */
export function servedResponse(
  original: Response,
  body: BodyInit | null,
  model: string | undefined,
  attempts: number,
): Response {
  // The transport's headers are copied once, by the constructor; the guard's are written on that copy.
  const response = new Response(body, {
    status: original.status,
    statusText: original.statusText,
    headers: original.headers,
  });
  const headers = dropGuardHeaders(response.headers);
  if (model !== undefined) headers.set('x-tierguard-model', model);
  headers.set('x-tierguard-attempts', String(attempts));
  return withUrl(response, original.url);
}

/**
 * A failure's body as the client will parse it into its error: keys masked (its trace ids and
 * checksums kept). A JSON body is also read as the client will decode it: a key written with JSON
 * escapes in any mix (`\u0073k-…`) is plain text once parsed, and the body is then handed on
 * re-encoded, masked.
 */
function maskedBody(text: string, secrets: readonly string[]): string {
  const masked = maskSecrets(text, secrets, { bareShapes: false });
  if (!text.includes('\\u') || text.length > MAX_JSON) return masked;
  let decoded: string;
  try {
    decoded = JSON.stringify(JSON.parse(masked));
  } catch {
    return masked;
  }
  const again = maskSecrets(decoded, secrets, { bareShapes: false });
  return again === decoded ? masked : again;
}

/**
 * The final failure as the answer the SDK turns into its own error class (a 429 becomes its
 * `RateLimitError`…). Its body is masked (a relay may echo the key) and `diagnosis` is linked to it.
 */
export function failedResponse(
  answer: FailedAnswer,
  diagnosis: Diagnosis,
  model: string | undefined,
  attempts: number,
  secrets: readonly string[],
): Response {
  const body = maskedBody(answer.bodyText, secrets);
  const headers = ownHeaders(answer.headers, body !== answer.bodyText);
  headers.set('x-should-retry', 'false');
  headers.set('x-tierguard-cause', diagnosis.cause);
  headers.set('x-tierguard-attempts', String(attempts));
  if (model !== undefined) headers.set('x-tierguard-model', model);
  if (diagnosis.origin === 'local') headers.set('x-tierguard-local', '1');
  headers.set(DIAGNOSIS_ID_HEADER, newDiagnosisId());
  // Bytes, not a string: a string body would gain a `content-type` the server did not send.
  const response = new Response(body === '' ? null : new TextEncoder().encode(body), {
    status: answer.status,
    statusText: answer.statusText,
    headers,
  });
  linkDiagnosis(response.headers, diagnosis);
  return withUrl(response, answer.url);
}

/**
 * The final failure of a call that got no answer (a network failure, a timeout): the error the
 * client wraps in its `APIConnectionError` / `APIConnectionTimeoutError`, with `diagnosis` attached.
 */
export function failedError(error: unknown, diagnosis: Diagnosis): Error {
  const thrown = error instanceof Error ? error : new Error(String(error));
  return attachDiagnosis(thrown, diagnosis);
}
