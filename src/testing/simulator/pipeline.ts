/**
 * The way of one request through the simulated API, in the API's order: key → organization header
 * → injected fault → region → route; and for a model call: body → billing → model on this tier →
 * project allow-list → verification → credit and spend → rate limits (charged at request time) →
 * the answer, JSON or streamed. A request refused by a check is never rate-limited nor charged.
 */
import { apiErrors, fakeRequestId, type ErrorFixture } from '../fixtures.js';
import type { AccountBook } from './account.js';
import { refuseKey, refuseOrganization } from './account.js';
import type { CatalogueEntry, ModelCatalogue } from './catalogue.js';
import { costUsd } from './cost.js';
import { promptCharacters, tokensFromCharacters } from './characters.js';
import {
  chatCompletionBody,
  embeddingsBody,
  imagesBody,
  modelObject,
  modelsListBody,
  responseBody,
  type Generation,
} from './endpoints.js';
import { faultAnswer } from './fault-answers.js';
import type { FaultBook, FaultKind } from './faults.js';
import { drawLatency } from './latency.js';
import type { Admission, Lane, RateLimiter } from './limiter.js';
import type { ResolvedSimulatorOptions } from './options.js';
import { rateLimitHeadersFor } from './rate-headers.js';
import type { IncomingCall, Reply } from './server.js';
import { errorCodeOf, type StatsRecorder } from './stats.js';
import { chatStreamFrames, responsesStreamFrames } from './streaming.js';
import { countRequest, requestOutput, type CountedEndpoint } from './tokens.js';

/** Everything one simulator holds; the pipeline reads and updates it. */
export interface SimulatorState {
  readonly options: ResolvedSimulatorOptions;
  readonly account: AccountBook;
  readonly catalogue: ModelCatalogue;
  readonly limiter: RateLimiter;
  readonly faults: FaultBook;
  readonly stats: StatsRecorder;
  /** Draws latencies (a generator apart from the faults', so that latencies never shift fault picks). */
  readonly latencyRandom: () => number;
  /** Draws which answers carry rate-limit headers in a `{ share }` mode (a third generator). */
  readonly headerRandom: () => number;
  /** Requests received so far: numbers request ids and generated ids. */
  sequence: number;
}

/** The model endpoints, and the kind of model each serves. */
const MODEL_ENDPOINTS: Readonly<Record<string, { endpoint: CountedEndpoint; kind: string }>> = {
  '/v1/chat/completions': { endpoint: 'chat', kind: 'chat' },
  '/v1/responses': { endpoint: 'responses', kind: 'chat' },
  '/v1/embeddings': { endpoint: 'embeddings', kind: 'embedding' },
  '/v1/images/generations': { endpoint: 'images', kind: 'image' },
};
const MODEL_PATH = /^\/v1\/models\/([^/]+)$/;
const JSON_HEADERS = { 'content-type': 'application/json' } as const;
const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
} as const;

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One request in flight: what every step needs. */
interface Call {
  readonly state: SimulatorState;
  readonly reply: Reply;
  readonly requestId: string;
  readonly number: number;
  readonly latencyMs: number;
  readonly nowMs: number;
  /** The budget of the model the call names, when the account can call it on this endpoint. */
  lane: Lane | undefined;
  /** Faults that change the rate-limit headers of this call's answer. */
  headerFaults: readonly FaultKind[];
}

function apiHeaders(call: Call): Record<string, string> {
  return {
    'openai-organization': call.state.options.organization,
    'openai-processing-ms': String(Math.max(1, Math.round(call.latencyMs))),
    'openai-version': '2020-10-01',
    'x-request-id': call.requestId,
  };
}

/** Waits the call's latency; true when the client is still there to answer. */
async function delayed(call: Call): Promise<boolean> {
  if (call.latencyMs >= 1) await wait(call.latencyMs);
  return call.reply.open;
}

/** The `x-ratelimit-*` headers of the call's answer, read when the answer is decided (after any charge). */
function limitHeaders(call: Call): Record<string, string> {
  const { options, headerRandom } = call.state;
  const format = {
    mode: options.rateLimitHeaders,
    remaining: options.remainingHeader,
    resetGranularityMs: options.resetGranularityMs,
  };
  return rateLimitHeadersFor(call.lane, call.nowMs, format, call.headerFaults, headerRandom);
}

/** Answers with one of the API's error fixtures (counted), after the latency. */
async function refuse(call: Call, fixture: ErrorFixture, model: string | undefined): Promise<void> {
  call.state.stats.answer(model, fixture.status, errorCodeOf(fixture.body), 0, call.nowMs);
  const headers = { ...fixture.headers, ...apiHeaders(call), ...limitHeaders(call) };
  if (await delayed(call)) call.reply.send(fixture.status, headers, fixture.body);
}

/** The 429 for a refusal of the limiter, worded by `apiErrors` (Table 1 #16–19). */
function rateLimitFixture(
  call: Call,
  model: string,
  admission: Exclude<Admission, { admitted: true }>,
): ErrorFixture {
  const { organization, retryAfterHeaders } = call.state.options;
  if (admission.refusal === 'tooLarge')
    return apiErrors.requestTooLarge({
      model,
      organization,
      limit: admission.limit,
      requested: admission.requested,
    });
  // A whole number of ms, rounded up: after the announced wait the call fits.
  const retryAfterMs = Math.ceil(admission.waitMs);
  if (admission.refusal === 'images') {
    const fixture = apiErrors.imagesRateLimited({
      model,
      organization,
      limit: admission.limit,
      used: admission.used,
      requested: admission.requested,
      retryAfterMs,
    });
    if (!retryAfterHeaders) return fixture;
    return {
      ...fixture,
      headers: {
        ...fixture.headers,
        'retry-after-ms': String(retryAfterMs),
        'retry-after': String(Math.ceil(retryAfterMs / 1_000)),
      },
    };
  }
  return apiErrors.rateLimited({
    model,
    organization,
    kind: admission.refusal === 'tokens' ? 'tokens' : 'requests',
    window: admission.refusal === 'requestsPerDay' ? 'day' : 'minute',
    limit: admission.limit,
    used: admission.used,
    requested: admission.requested,
    retryAfterMs,
    retryAfterHeaders,
  });
}

/** How many tokens a completion generates: the options' number, cut to the request's maximum. */
function generatedTokens(
  state: SimulatorState,
  endpoint: 'chat' | 'responses',
  model: string,
  body: Readonly<Record<string, unknown>>,
  maxOutputTokens: number,
): { tokens: number; truncated: boolean } {
  const setting = state.options.outputTokens;
  const wanted = typeof setting === 'number' ? setting : setting({ endpoint, model, body, maxOutputTokens });
  const tokens = Number.isFinite(wanted) ? Math.max(0, Math.floor(wanted)) : 0;
  return { tokens: Math.min(tokens, maxOutputTokens), truncated: tokens > maxOutputTokens };
}

/** A model call: the checks, the rate limits, the answer. */
async function modelCall(
  call: Call,
  route: { endpoint: CountedEndpoint; kind: string },
  body: Readonly<Record<string, unknown>> | undefined,
  entry: CatalogueEntry | undefined,
): Promise<void> {
  const { state } = call;
  if (body === undefined) return refuse(call, apiErrors.invalidJson(), undefined);
  const model = body.model;
  if (typeof model !== 'string' || model === '') return refuse(call, apiErrors.missingModel(), undefined);
  const stream = body.stream === true;

  const billing = state.account.refuseBilling();
  if (billing !== undefined) return refuse(call, billing, model);
  // Unknown, retired, above the tier, or not a model this endpoint serves: the API's one 404
  // ("does not exist or you do not have access to it", Table 1 #10).
  if (entry === undefined || call.lane === undefined)
    return refuse(
      call,
      apiErrors.modelNotFound(model, entry === undefined ? 'model_not_found' : 'model_access_denied'),
      model,
    );
  const refusal =
    state.account.refuseProject(entry) ??
    state.account.refuseVerification(entry, body, stream) ??
    state.account.refuseMoney();
  if (refusal !== undefined) return refuse(call, refusal, model);

  // Rate limits: charged now, the prompt as the server counts it plus the largest output × n.
  const { options } = state;
  const counted =
    options.charactersPerToken === undefined
      ? await countRequest(route.endpoint, body, entry.encoding, options.defaultMaxOutputTokens)
      : {
          promptTokens: tokensFromCharacters(
            promptCharacters(route.endpoint, body),
            options.charactersPerToken,
          ),
          ...requestOutput(route.endpoint, body, options.defaultMaxOutputTokens),
        };
  const promptTokens = Math.ceil(counted.promptTokens * options.tokenCountFactor);
  const outputChoices = route.endpoint === 'chat' ? counted.choices : 1;
  const images = route.endpoint === 'images' ? counted.choices : 0;
  const charge = promptTokens + counted.maxOutputTokens * outputChoices;
  const admission = state.limiter.admit(call.lane, { tokens: charge, images }, call.nowMs);
  if (!admission.admitted) {
    state.stats.rateLimited(model, admission.refusal);
    return refuse(call, rateLimitFixture(call, model, admission), model);
  }

  const generated =
    route.endpoint === 'chat' || route.endpoint === 'responses'
      ? generatedTokens(state, route.endpoint, model, body, counted.maxOutputTokens)
      : { tokens: 0, truncated: false };
  const completionTokens = generated.tokens;
  const usd = costUsd(entry, promptTokens, completionTokens * outputChoices, images, body);
  state.account.spend(usd);
  state.stats.served(model, charge, promptTokens, completionTokens * outputChoices, usd);
  state.stats.answer(model, 200, undefined, charge, call.nowMs);
  const headers = { ...JSON_HEADERS, ...apiHeaders(call), ...limitHeaders(call) };
  const generation: Generation = {
    idSuffix: idSuffix(call),
    model,
    createdSeconds: Math.floor(call.nowMs / 1_000),
    usage: { promptTokens, completionTokens },
    choices: outputChoices,
    truncated: generated.truncated,
  };
  if (!(await delayed(call))) return;
  if (stream && (route.endpoint === 'chat' || route.endpoint === 'responses')) {
    const streamOptions = body.stream_options;
    const frames =
      route.endpoint === 'chat'
        ? chatStreamFrames(generation, isRecord(streamOptions) && streamOptions.include_usage === true)
        : responsesStreamFrames(generation, body);
    await call.reply.stream(200, { ...headers, ...SSE_HEADERS }, frames, options.streamChunkDelayMs);
    return;
  }
  let answer: Record<string, unknown>;
  switch (route.endpoint) {
    case 'chat':
      answer = chatCompletionBody(generation);
      break;
    case 'responses':
      answer = responseBody(generation, body, 'done');
      break;
    case 'embeddings': {
      const dimensions =
        typeof body.dimensions === 'number' && body.dimensions >= 1
          ? Math.min(4_096, Math.floor(body.dimensions))
          : options.embeddingDimensions;
      answer = embeddingsBody(model, body, dimensions, promptTokens);
      break;
    }
    case 'images':
      answer = imagesBody(model, body, images, generation.createdSeconds);
      break;
  }
  call.reply.send(200, headers, JSON.stringify(answer));
}

function idSuffix(call: Call): string {
  return `sim${call.number.toString(36).padStart(8, '0')}`;
}

function parseBody(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined || text === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function decodedModel(path: string): string | undefined {
  const segment = MODEL_PATH.exec(path)?.[1];
  if (segment === undefined) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Handles one request end to end. Never throws for anything a client sends. */
export async function handleCall(state: SimulatorState, incoming: IncomingCall, reply: Reply): Promise<void> {
  state.sequence += 1;
  state.stats.request();
  const { options } = state;
  const { method, path, headers } = incoming;
  const route = method === 'POST' ? MODEL_ENDPOINTS[path] : undefined;
  const body = route === undefined ? undefined : parseBody(incoming.body);
  const model = route !== undefined ? body?.model : method === 'GET' ? decodedModel(path) : undefined;
  const named = typeof model === 'string' && model !== '' ? model : undefined;
  const entry = route === undefined || named === undefined ? undefined : state.catalogue.lookup(named);
  const call: Call = {
    state,
    reply,
    requestId: fakeRequestId(state.sequence),
    number: state.sequence,
    latencyMs: drawLatency(options.latency, state.latencyRandom),
    nowMs: options.now(),
    lane: undefined,
    headerFaults: [],
  };

  const unauthorized =
    refuseKey(headers, options.apiKey) ??
    refuseOrganization(headers, options.organization, options.organizationGiven);
  if (unauthorized !== undefined) return refuse(call, unauthorized, undefined);

  // Past the key, every answer about a model the account can call carries its budget's headers.
  if (entry !== undefined && entry.kind === route?.kind) call.lane = state.limiter.lane(entry, call.nowMs);
  const stream = body?.stream === true;
  const picked = state.faults.pick({ path, model: named, stream });
  call.headerFaults = picked.headers;
  for (const kind of picked.headers) state.stats.fault(kind);
  const counted = route === undefined ? undefined : named;
  if (picked.answer !== undefined) {
    state.stats.fault(picked.answer);
    const answer = faultAnswer(picked.answer, {
      requestId: call.requestId,
      apiHeaders: { ...apiHeaders(call), ...limitHeaders(call) },
      model: named,
      organization: options.organization,
      api: route?.endpoint === 'responses' ? 'responses' : route?.endpoint === 'chat' ? 'chat' : 'other',
      stream,
      body: body ?? {},
      generation: {
        idSuffix: idSuffix(call),
        model: named ?? 'gpt-4o-mini',
        createdSeconds: Math.floor(call.nowMs / 1_000),
        usage: { promptTokens: 0, completionTokens: 4 },
        choices: 1,
        truncated: false,
      },
      requestsPerDay: entry?.limits.requestsPerDay,
    });
    if (answer.status !== undefined) state.stats.answer(counted, answer.status, answer.code, 0, call.nowMs);
    if (answer.status === undefined || (await delayed(call))) await answer.deliver(reply);
    return;
  }

  const region = state.account.refuseRegion();
  if (region !== undefined) return refuse(call, region, counted);

  if (route !== undefined) return modelCall(call, route, body, entry);
  if (method === 'GET' && path === '/v1/models') {
    state.stats.answer(undefined, 200, undefined, 0, call.nowMs);
    const list = JSON.stringify(modelsListBody(state.catalogue.available()));
    if (await delayed(call)) reply.send(200, { ...JSON_HEADERS, ...apiHeaders(call) }, list);
    return;
  }
  if (method === 'GET' && named !== undefined) {
    if (state.catalogue.lookup(named) === undefined)
      return refuse(call, apiErrors.modelNotFound(named), undefined);
    state.stats.answer(undefined, 200, undefined, 0, call.nowMs);
    if (await delayed(call))
      reply.send(200, { ...JSON_HEADERS, ...apiHeaders(call) }, JSON.stringify(modelObject(named)));
    return;
  }
  return refuse(call, apiErrors.invalidUrl(method, path), undefined);
}

/** The answer when the pipeline itself failed: the API's 500. */
export function internalError(reply: Reply): void {
  const fixture = apiErrors.serverError();
  reply.send(fixture.status, fixture.headers, fixture.body);
}
