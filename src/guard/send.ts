/**
 * Step "send": the request as it leaves for one target — the body's `model` rewritten for a
 * fallback model, the URL, key and organization swapped for a fallback with its own endpoint.
 */
import type { Target } from './fallback.js';
import { parseBody, type CallRequest } from './read-request.js';

/** What goes on the wire for one attempt. */
export interface PreparedSend {
  readonly url: string;
  readonly headers: HeadersInit;
  readonly body: BodyInit | null | undefined;
  /** The JSON body sent, when it was rewritten (the estimate counts what is sent). */
  readonly json: Record<string, unknown> | undefined;
}

/**
 * The attempt changes nothing, so the caller's own `fetch` arguments can go as they are: only then
 * does `prepareSend` hand back the request's own headers (any change copies them) and its URL.
 */
export function sendsAsGiven(send: PreparedSend, request: CallRequest): boolean {
  return send.headers === request.headers && send.url === request.url;
}

/** Prepares one attempt of `request` for `target`. The request itself is never changed. */
export function prepareSend(request: CallRequest, target: Target): PreparedSend {
  let url = request.url;
  if (target.baseURL !== undefined && url.startsWith(request.baseURL))
    url = `${target.baseURL}${url.slice(request.baseURL.length)}`;
  const model = target.model;
  const rewritesModel = model !== undefined && model !== request.model;
  // The request's own headers go out as they were given unless this target changes them.
  if (target.apiKey === undefined && !target.ownEndpoint && !rewritesModel)
    return { url, headers: request.headers, body: request.bodyText ?? request.rawBody, json: undefined };

  const headers = new Headers(request.headers);
  if (target.apiKey !== undefined) {
    headers.set('authorization', `Bearer ${target.apiKey}`);
    // Azure authenticates with `api-key`.
    if (headers.has('api-key')) headers.set('api-key', target.apiKey);
  }
  if (target.ownEndpoint) {
    // The original account's organization and project mean nothing to another endpoint.
    headers.delete('openai-organization');
    headers.delete('openai-project');
    if (target.organization !== undefined) headers.set('openai-organization', target.organization);
    if (target.project !== undefined) headers.set('openai-project', target.project);
  }
  if (!rewritesModel) {
    return { url, headers, body: request.bodyText ?? request.rawBody, json: undefined };
  }
  if (request.modelInPath) {
    // Azure names the model by its deployment in the path.
    url = url.replace(/\/deployments\/[^/]+\//, `/deployments/${encodeURIComponent(model)}/`);
    return { url, headers, body: request.bodyText ?? request.rawBody, json: undefined };
  }
  const parsed = parseBody(request);
  if (parsed === undefined)
    return { url, headers, body: request.bodyText ?? request.rawBody, json: undefined };
  const json = { ...parsed, model };
  headers.delete('content-length');
  return { url, headers, body: JSON.stringify(json), json };
}
