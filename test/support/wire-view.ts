/**
 * What two runs of the same calls are compared on: each request as the server saw it, with only
 * what legitimately differs from one request to the next replaced by a placeholder.
 *
 * - `idempotency-key`: the client draws a new random key for every call (`stainless-node-retry-…`);
 *   a retry keeps its call's key. It becomes `<key 1>`, `<key 2>`… in order of first appearance,
 *   so the comparison still sees which requests share a key.
 * - A multipart body's boundary is random (undici draws one per body): the `content-type` shows
 *   `boundary=<boundary>`, `content-length` (which depends on the boundary's length) is left out,
 *   and the body is compared field by field.
 *
 * Everything else must be equal, `x-stainless-*` included: the OS, runtime and package keys are the
 * same client's, and `x-stainless-retry-count` and `x-stainless-timeout` must say what the bare
 * client says.
 */
import { multipartFields } from './plausible-answers.js';
import type { RecordedRequest } from './recording-server.js';

/** A request as compared. */
export interface WireRequest {
  readonly method: string;
  readonly path: string;
  readonly query: readonly (readonly [string, string])[];
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

async function bodyOf(request: RecordedRequest, multipart: boolean): Promise<unknown> {
  if (multipart) return { multipart: await multipartFields(request) };
  if (request.body.length === 0) return undefined;
  const text = request.body.toString('utf8');
  if ((request.headers['content-type'] ?? '').includes('json')) {
    try {
      return { json: JSON.parse(text) as unknown };
    } catch {
      return { text };
    }
  }
  return { base64: request.body.toString('base64') };
}

/** The requests of one run, as compared. */
export async function wireView(requests: readonly RecordedRequest[]): Promise<WireRequest[]> {
  const keys = new Map<string, string>();
  const view: WireRequest[] = [];
  for (const request of requests) {
    const headers: Record<string, string> = { ...request.headers };
    const multipart = (headers['content-type'] ?? '').startsWith('multipart/form-data');
    const key = headers['idempotency-key'];
    if (key !== undefined) {
      if (!keys.has(key)) keys.set(key, `<key ${keys.size + 1}>`);
      headers['idempotency-key'] = keys.get(key) as string;
    }
    if (multipart) {
      headers['content-type'] = (headers['content-type'] ?? '').replace(
        /boundary=[^;]+/,
        'boundary=<boundary>',
      );
      delete headers['content-length'];
    }
    view.push({
      method: request.method,
      path: request.path,
      query: request.query,
      headers,
      body: await bodyOf(request, multipart),
    });
  }
  return view;
}

/** A response's headers as the caller compares them: the guard's own `x-tierguard-*` left out. */
export function callerHeaders(headers: Headers): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of headers) if (!name.startsWith('x-tierguard-')) kept[name] = value;
  return kept;
}
