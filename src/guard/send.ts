/**
 * Step "send": the request as it leaves for one target. The body's `model` is rewritten for a
 * fallback model; for a target on another host, the URL changes and the request carries that
 * target's credentials only: of the caller's headers only those that describe the request travel
 * (content type, accept, user agent, idempotency key, `x-stainless-*`, trace context), credential
 * query parameters are removed, and a target without its own key gets none. Request headers named
 * `x-tierguard-*` are the caller's word to the guard and are never sent.
 */
import type { Target } from './fallback.js';
import { parseBody, type Call } from './request.js';

/** What goes on the wire for one attempt. */
export interface PreparedRequest {
  readonly url: string;
  readonly headers: Headers;
  readonly body: BodyInit | null | undefined;
  /** The body as the estimate should count it: rewritten for a fallback model, else `undefined` (the call's). */
  readonly json: Record<string, unknown> | undefined;
}

// What a request to another host keeps of the caller's headers: what describes the request itself
// (its body, what it accepts, the client, its retries, beta features, trace context). Any other
// header may carry a credential by a name no list knows (Azure API Management's
// `ocp-apim-subscription-key`, `x-functions-key`…): it stays home.
const PORTABLE_HEADER =
  /^(?:content-type|content-length|accept|accept-language|user-agent|idempotency-key|openai-beta|x-stainless-[a-z0-9-]+|traceparent|tracestate|baggage)$/;
// Query parameters that carry credentials (Azure's `api-key`, proxies' `key`, `token`…).
const CREDENTIAL_PARAM =
  /^(?:api[-_]?key|key|token|access[-_]?token|auth|code|sig|signature|secret|password)$/i;

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

/**
 * The attempt's URL: the target's base in place of the call's, and no credential in its query on
 * another host. An Azure call (`/deployments/{name}/…?api-version=…`) sent `toOpenAIShape` keeps
 * only its operation: the model goes in the body there.
 */
function urlFor(call: Call, target: Target, otherHost: boolean, toOpenAIShape: boolean): string {
  let url = call.url;
  if (target.baseURL !== undefined && url.startsWith(call.baseURL)) {
    let rest = url.slice(call.baseURL.length);
    if (toOpenAIShape) {
      const operation = new URL(rest, 'http://operation');
      operation.searchParams.delete('api-version');
      rest = `${operation.pathname.replace(/^\/deployments\/[^/]+/, '')}${operation.search}`;
    }
    url = `${target.baseURL}${rest}`;
  }
  if (!otherHost) return url;
  const parsed = new URL(url);
  for (const name of [...parsed.searchParams.keys()])
    if (CREDENTIAL_PARAM.test(name)) parsed.searchParams.delete(name);
  // The caller's credentials never travel in the URL to another host either.
  parsed.username = '';
  parsed.password = '';
  return parsed.href;
}

/**
 * Prepares attempt `attempt` (0 for the first) of `call` for `target`, on Azure to `deployment`
 * (`deploymentFor`). `attempt` above 0 is shown to the server as the client shows its own retries
 * (`x-stainless-retry-count`).
 */
export function prepareRequest(
  call: Call,
  target: Target,
  attempt: number,
  deployment: string | undefined,
): PreparedRequest {
  const otherHost = target.baseURL !== undefined && hostOf(target.baseURL) !== hostOf(call.baseURL);
  // An Azure call going to an endpoint of the OpenAI shape: the operation's path, the model in the body.
  const toOpenAIShape = call.deployment !== undefined && deployment === undefined;
  const url = urlFor(call, target, otherHost, toOpenAIShape);
  // A copy for each attempt, changed or not: a transport may add to the headers it is handed, and
  // what it added must not travel with the next attempt.
  const headers = new Headers(call.headers);
  // The guard's own request headers (`x-tierguard-fallback`) are for the guard, never for a server.
  for (const name of [...headers.keys()]) if (name.startsWith('x-tierguard-')) headers.delete(name);
  if (attempt > 0) headers.set('x-stainless-retry-count', String(call.clientRetry + attempt));
  if (otherHost) {
    for (const name of [...headers.keys()]) if (!PORTABLE_HEADER.test(name)) headers.delete(name);
  }
  if (target.apiKey !== undefined) {
    // Azure authenticates with `api-key`; everything else with a bearer token.
    if (deployment !== undefined || (call.headers.has('api-key') && !otherHost)) {
      headers.delete('authorization');
      headers.set('api-key', target.apiKey);
    } else {
      headers.delete('api-key');
      headers.set('authorization', `Bearer ${target.apiKey}`);
    }
  }
  if (target.ownEndpoint) {
    // The caller's organization and project mean nothing to another account.
    headers.delete('openai-organization');
    headers.delete('openai-project');
    if (target.organization !== undefined) headers.set('openai-organization', target.organization);
    if (target.project !== undefined) headers.set('openai-project', target.project);
  }
  const model = target.model;
  // An Azure call's body may name any model: another endpoint serves the one it names.
  if (model === undefined || (model === call.model && !toOpenAIShape))
    return { url, headers, body: call.bodyText ?? call.body, json: undefined };
  if (deployment !== undefined) {
    // Azure names the model by its deployment in the path.
    const rewritten = url.replace(
      /\/deployments\/[^/]+\//,
      `/deployments/${encodeURIComponent(deployment)}/`,
    );
    return { url: rewritten, headers, body: call.bodyText ?? call.body, json: undefined };
  }
  const parsed = parseBody(call);
  if (parsed === undefined) return { url, headers, body: call.bodyText ?? call.body, json: undefined };
  const json = { ...parsed, model };
  headers.delete('content-length');
  return { url, headers, body: JSON.stringify(json), json };
}

/** `request` with `field` set in its JSON body (a budget's clamped output maximum); as it was when the body is not JSON. */
export function withBodyField(
  request: PreparedRequest,
  call: Call,
  field: string,
  value: unknown,
): PreparedRequest {
  const parsed = request.json ?? parseBody(call);
  if (parsed === undefined) return request;
  const json = { ...parsed, [field]: value };
  const headers = new Headers(request.headers);
  headers.delete('content-length');
  return { ...request, headers, body: JSON.stringify(json), json };
}
