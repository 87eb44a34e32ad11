/**
 * `createSimulator(options)`: an OpenAI-compatible HTTP server on 127.0.0.1 that behaves like the
 * API for the account its options describe — tier limits enforced with the API's statuses,
 * bodies and headers; billing, credit, spend limits, region, verification and model access; and
 * injected faults. The embedded server of tierguard's demo, examples, tests and benchmark.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { estimateCost } from '../../advisor/estimate-cost.js';
import {
  DEFAULT_LIMITS_FAMILIES,
  MODEL_TIER_LIMITS,
  VERIFICATION_REQUIREMENTS,
  type Tier,
  type TierLimits,
  type TierRow,
  type VerificationNeed,
} from '../../data/tiers.js';
import { KNOWN_MODELS } from '../../data/models.js';
import { resolveModel } from '../../models/resolve.js';
import { estimateRequest, type Endpoint } from '../../pacing/estimate.js';
import { formatGoDuration } from '../../util/duration.js';
import { apiErrors, fakeRequestId, type ErrorFixture } from '../fixtures.js';
import {
  chatBody,
  chatStream,
  embeddingsBody,
  modelObject,
  responsesBody,
  responsesStream,
  type SimUsage,
} from './bodies.js';
import { SimBucket, type SimLimits } from './buckets.js';
import { FaultBook, HEADER_FAULTS, seededRandom, type FaultKind, type FaultRule } from './faults.js';

/** The account the simulator plays. */
export interface SimulatorAccount {
  /** @default true */
  readonly billingActive?: boolean;
  /** Prepaid credit in USD; at 0 the API answers `insufficient_quota`. @default Infinity */
  readonly creditUsd?: number;
  /** The organization's hard spend limit for the month, USD. */
  readonly spendLimitUsd?: number;
  /** The project's spend limit, USD. */
  readonly projectSpendLimitUsd?: number;
  /** OpenAI's monthly usage limit of the tier, USD. */
  readonly usageLimitUsd?: number;
  /** @default true */
  readonly regionSupported?: boolean;
  /** @default true */
  readonly organizationVerified?: boolean;
  /** A project allow-list of models; others get 403. */
  readonly allowedModels?: readonly string[];
  /** Also report the quota refusal as `credit_balance_exhausted` (prepaid credit) instead of `insufficient_quota`. */
  readonly prepaid?: boolean;
}

/** Options of the simulator. Everything is JSON-friendly (the CLI passes them through). */
export interface SimulatorOptions {
  /** @default 'tier-1' */
  readonly tier?: Tier;
  /** Limits per window by model, family or `'*'`, overriding the tier table. */
  readonly limits?: Readonly<
    Record<string, { requests?: number; tokens?: number; requestsPerDay?: number; images?: number }>
  >;
  /** The length of a "minute". @default 60_000 */
  readonly windowMs?: number;
  /** Added before each answer: a number, or a range drawn from the seeded generator. @default 0 */
  readonly latencyMs?: number | { readonly min: number; readonly max: number };
  /** Delay between streamed events. @default 0 */
  readonly streamChunkDelayMs?: number;
  /** @default 1 */
  readonly seed?: number;
  /** @default 0 (any free port) */
  readonly port?: number;
  /** @default 'org-simulated' */
  readonly organization?: string;
  /** When set, any other key gets 401 `invalid_api_key` (echoed masked, as the API does). */
  readonly apiKey?: string;
  readonly account?: SimulatorAccount;
  /** The server counts this × the tokenizer's prompt tokens, in the rate-limit charge and in usage. @default 1 */
  readonly tokenCountFactor?: number;
  /**
   * Output charged when a request sets no maximum. OpenAI does not document it; the default is
   * tierguard's own assumption, so that the simulator counts as the guard estimates.
   * @default 1_024
   */
  readonly defaultMaxOutputTokens?: number;
  /** Tokens a completion "generates" (never more than its maximum). @default 20 */
  readonly outputTokens?: number;
  /** @default 'full' */
  readonly rateLimitHeaders?: 'full' | 'none' | 'minus-one';
  /** Send `retry-after` and `retry-after-ms` on 429s (Azure does; OpenAI is not confirmed to). @default false */
  readonly retryAfterHeaders?: boolean;
  readonly faults?: readonly FaultRule[];
  /** Keep this many entries of the timeline (oldest dropped first). @default 200_000 */
  readonly timelineLimit?: number;
}

/** Counts the simulator keeps. */
export interface SimulatorStats {
  requests: number;
  served: number;
  byStatus: Record<string, number>;
  rateLimited: {
    requests: number;
    tokens: number;
    requestsPerDay: number;
    images: number;
    tooLarge: number;
    total: number;
  };
  errorsByCode: Record<string, number>;
  tokensCharged: number;
  usage: { promptTokens: number; completionTokens: number };
  spentUsd: number;
  perModel: Record<string, { requests: number; served: number; rateLimited: number; tokensCharged: number }>;
  /** Every answer to a model endpoint: when (ms since start), for which model, its status and the tokens charged. */
  timeline: { atMs: number; model: string; status: number; tokens: number }[];
}

/** A running simulator. */
export interface Simulator {
  readonly url: string;
  /** Pass to `new OpenAI({ baseURL })`. */
  readonly baseURL: string;
  readonly port: number;
  stats(): SimulatorStats;
  resetStats(): void;
  /** Changes the account mid-run (credit runs out, billing is fixed…). */
  setAccount(patch: SimulatorAccount): void;
  inject(rule: FaultRule): void;
  clearFaults(): void;
  /** Closes the server and every open connection (hanging calls end). */
  close(): Promise<void>;
}

const rows: Readonly<Record<string, TierRow>> = MODEL_TIER_LIMITS.models;
const verification: Readonly<Record<string, VerificationNeed>> = VERIFICATION_REQUIREMENTS.models;
const MODEL_PATHS: Readonly<Record<string, Endpoint>> = {
  '/v1/chat/completions': 'chat',
  '/v1/responses': 'responses',
  '/v1/embeddings': 'embeddings',
};
const MAX_BODY_BYTES = 32 * 1_048_576;

function emptyStats(): SimulatorStats {
  return {
    requests: 0,
    served: 0,
    byStatus: {},
    rateLimited: { requests: 0, tokens: 0, requestsPerDay: 0, images: 0, tooLarge: 0, total: 0 },
    errorsByCode: {},
    tokensCharged: 0,
    usage: { promptTokens: 0, completionTokens: 0 },
    spentUsd: 0,
    perModel: {},
    timeline: [],
  };
}

function maskEcho(key: string): string {
  return key.length <= 12 ? `${key.slice(0, 3)}****` : key;
}

/** Starts a simulator on 127.0.0.1. */
export async function createSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const tier = options.tier ?? 'tier-1';
  const windowMs = options.windowMs ?? 60_000;
  const organization = options.organization ?? 'org-simulated';
  const factor = options.tokenCountFactor ?? 1;
  const defaultMax = options.defaultMaxOutputTokens ?? 1_024;
  const outputTokens = options.outputTokens ?? 20;
  const headerMode = options.rateLimitHeaders ?? 'full';
  const timelineLimit = options.timelineLimit ?? 200_000;
  const random = seededRandom(options.seed ?? 1);
  const faults = new FaultBook(options.faults ?? [], random);
  let account: SimulatorAccount = { ...options.account };
  let stats = emptyStats();
  let startedAtMs = Date.now();
  const limits = new Map<string, SimLimits>();
  const sockets = new Set<Socket>();

  const latency = (): number => {
    const setting = options.latencyMs ?? 0;
    if (typeof setting === 'number') return setting;
    return setting.min + random() * (setting.max - setting.min);
  };

  /** The published (or given) limits of a family on the simulated tier; `null` when the tier cannot use it. */
  const limitsFor = (name: string, family: string): TierLimits | null => {
    const given = options.limits?.[name] ?? options.limits?.[family] ?? options.limits?.['*'];
    if (given !== undefined) {
      return {
        ...(given.requests === undefined ? {} : { requestsPerMinute: given.requests }),
        ...(given.tokens === undefined ? {} : { tokensPerMinute: given.tokens }),
        ...(given.requestsPerDay === undefined ? {} : { requestsPerDay: given.requestsPerDay }),
        ...(given.images === undefined ? {} : { imagesPerMinute: given.images }),
      };
    }
    const row = rows[family];
    if (row !== undefined) {
      const published = row[tier];
      if (published !== undefined) return published;
    }
    for (const fallback of DEFAULT_LIMITS_FAMILIES) {
      const published = rows[fallback]?.[tier];
      if (published !== undefined && published !== null) return published;
    }
    return {};
  };

  const bucketsFor = (family: string, published: TierLimits): SimLimits => {
    const key = `${organization}|${family}`;
    let buckets = limits.get(key);
    if (buckets === undefined) {
      const now = Date.now();
      buckets = {
        ...(published.requestsPerMinute === undefined
          ? {}
          : { requests: new SimBucket(published.requestsPerMinute, windowMs, now) }),
        ...(published.tokensPerMinute === undefined
          ? {}
          : { tokens: new SimBucket(published.tokensPerMinute, windowMs, now) }),
        ...(published.requestsPerDay === undefined
          ? {}
          : { requestsPerDay: new SimBucket(published.requestsPerDay, windowMs * 1_440, now) }),
        ...(published.imagesPerMinute === undefined
          ? {}
          : { images: new SimBucket(published.imagesPerMinute, windowMs, now) }),
      };
      limits.set(key, buckets);
    }
    return buckets;
  };

  const limitHeaders = (
    buckets: SimLimits | undefined,
    kinds: readonly FaultKind[],
  ): Record<string, string> => {
    if (buckets === undefined || headerMode === 'none' || kinds.includes('no-rate-headers')) return {};
    if (headerMode === 'minus-one' || kinds.includes('minus-one-headers')) {
      // Azure's quirk (Table 1b): -1 limits, 0 reset, no retry-after.
      return {
        'x-ratelimit-limit-tokens': '-1',
        'x-ratelimit-remaining-tokens': '-1',
        'x-ratelimit-reset-tokens': '0',
      };
    }
    if (kinds.includes('garbage-headers')) {
      return {
        'x-ratelimit-limit-requests': 'lots',
        'x-ratelimit-remaining-requests': '',
        'x-ratelimit-reset-requests': 'soon',
        'x-ratelimit-limit-tokens': '1e309',
        'x-ratelimit-remaining-tokens': '-7',
        'x-ratelimit-reset-tokens': '??',
      };
    }
    const now = Date.now();
    const headers: Record<string, string> = {};
    for (const [kind, bucket] of [
      ['requests', buckets.requests],
      ['tokens', buckets.tokens],
    ] as const) {
      if (bucket === undefined) continue;
      headers[`x-ratelimit-limit-${kind}`] = String(bucket.capacity);
      headers[`x-ratelimit-remaining-${kind}`] = String(Math.max(0, Math.floor(bucket.level(now))));
      headers[`x-ratelimit-reset-${kind}`] = formatGoDuration(bucket.resetMs(now));
    }
    return headers;
  };

  const record = (model: string, status: number, tokens: number, code?: string): void => {
    stats.requests += 1;
    stats.byStatus[String(status)] = (stats.byStatus[String(status)] ?? 0) + 1;
    if (code !== undefined) stats.errorsByCode[code] = (stats.errorsByCode[code] ?? 0) + 1;
    if (model === '') return;
    const perModel = (stats.perModel[model] ??= { requests: 0, served: 0, rateLimited: 0, tokensCharged: 0 });
    perModel.requests += 1;
    perModel.tokensCharged += tokens;
    if (status < 400) perModel.served += 1;
    if (status === 429) perModel.rateLimited += 1;
    stats.timeline.push({ atMs: Date.now() - startedAtMs, model, status, tokens });
    if (stats.timeline.length > timelineLimit)
      stats.timeline.splice(0, stats.timeline.length - timelineLimit);
  };

  const send = (
    response: ServerResponse,
    status: number,
    body: string,
    headers: Record<string, string>,
  ): void => {
    if (response.destroyed || response.writableEnded) return;
    response.writeHead(status, {
      'content-type': 'application/json',
      'openai-organization': organization,
      'openai-version': '2020-10-01',
      'openai-processing-ms': '1',
      'x-request-id': headers['x-request-id'] ?? fakeRequestId(stats.requests + 1),
      ...headers,
    });
    response.end(body);
  };

  const sendFixture = (
    response: ServerResponse,
    fixture: ErrorFixture,
    model: string,
    extra: Record<string, string> = {},
  ): void => {
    const code = /"code":\s*"([^"]+)"/.exec(fixture.body)?.[1];
    record(model, fixture.status, 0, code);
    send(response, fixture.status, fixture.body, { ...fixture.headers, ...extra });
  };

  const stream = async (
    response: ServerResponse,
    frames: readonly string[],
    headers: Record<string, string>,
  ): Promise<void> => {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'openai-organization': organization,
      'x-request-id': fakeRequestId(stats.requests),
      ...headers,
    });
    const gap = options.streamChunkDelayMs ?? 0;
    for (const frame of frames) {
      if (response.destroyed) return;
      response.write(frame);
      if (gap > 0) await new Promise((resolve) => setTimeout(resolve, gap));
    }
    response.end();
  };

  /** Applies an answer-replacing fault; true when it answered. */
  const applyFault = (
    fault: FaultKind,
    response: ServerResponse,
    model: string,
    stream: boolean,
  ): boolean => {
    switch (fault) {
      case 'server-error':
        sendFixture(response, apiErrors.serverError(), model);
        return true;
      case 'overloaded':
        sendFixture(response, apiErrors.overloaded(), model);
        return true;
      case 'relay-html': {
        const page = apiErrors.relayHtml(502);
        record(model, 502, 0);
        response.writeHead(502, page.headers);
        response.end(page.body);
        return true;
      }
      case 'slow-down':
        sendFixture(response, apiErrors.slowDown(), model);
        return true;
      case 'retry-after-day':
        sendFixture(
          response,
          apiErrors.rateLimited({
            model: model || 'gpt-4o',
            organization,
            kind: 'requests',
            window: 'day',
            limit: 10_000,
            used: 10_000,
            requested: 1,
            retryAfterMs: 86_400_000,
          }),
          model,
          { 'retry-after': '86400' },
        );
        stats.rateLimited.requestsPerDay += 1;
        stats.rateLimited.total += 1;
        return true;
      case 'rate-limit-no-headers':
        // A relay's own 429: a short JSON body, no x-ratelimit-*, no retry-after.
        record(model, 429, 0, 'rate_limit_exceeded');
        stats.rateLimited.total += 1;
        response.writeHead(429, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            error: {
              message: 'Too many requests, please slow down.',
              type: 'rate_limit_error',
              param: null,
              code: 'rate_limit_exceeded',
            },
          }),
        );
        return true;
      case 'malformed-json':
        record(model, 200, 0);
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(
          '{"id": "chatcmpl-broken", "object": "chat.completion", "choices": [{"index": 0, "message": {"role": "assis',
        );
        return true;
      case 'reset':
        record(model, 200, 0);
        response.writeHead(200, { 'content-type': stream ? 'text/event-stream' : 'application/json' });
        response.write(
          stream
            ? 'data: {"id":"chatcmpl-reset","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant"'
            : '{"id": "chatcmpl-reset", "choices": [',
        );
        // Destroy after the partial body is flushed: the client sees a reset mid-body.
        setTimeout(() => response.socket?.destroy(), 5);
        return true;
      case 'hang':
        // Accept and never answer; close() or the client's timeout ends it.
        record(model, 0, 0);
        return true;
      case 'stream-error': {
        const fixture = apiErrors.streamError({
          cause: 'server_error',
          code: 'server_error',
          type: 'server_error',
          message:
            'An error occurred while processing your request. You can retry your request, or contact us through our help center at help.openai.com if the error persists.',
          source: 'openai-api.md Table 1 #34',
        });
        record(model, 200, 0, 'server_error');
        response.writeHead(200, fixture.headers);
        response.end(fixture.body);
        return true;
      }
      default:
        return false;
    }
  };

  const handleModel = async (
    response: ServerResponse,
    endpoint: Endpoint,
    path: string,
    bodyText: string,
  ): Promise<void> => {
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(bodyText);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw new Error('not an object');
      body = parsed as Record<string, unknown>;
    } catch {
      sendFixture(
        response,
        apiErrors.invalidRequest(
          "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
          null,
        ),
        '',
      );
      return;
    }
    const model = typeof body.model === 'string' ? body.model : '';
    const picked = faults.pick(path, model === '' ? undefined : model);
    const answerFault = picked.find((fault) => !HEADER_FAULTS.has(fault));
    const streaming = body.stream === true;
    if (answerFault !== undefined && applyFault(answerFault, response, model, streaming)) return;

    if (model === '') {
      sendFixture(response, apiErrors.invalidRequest('you must provide a model parameter', null), '');
      return;
    }
    // The API's order: region, billing, model, project, verification, money, then rate limits.
    if (account.regionSupported === false) return sendFixture(response, apiErrors.regionUnsupported(), model);
    if (account.billingActive === false) return sendFixture(response, apiErrors.billingNotActive(), model);
    const resolved = resolveModel(model);
    const family = resolved.limitsFamily ?? resolved.family;
    const published = limitsFor(model, family);
    // Above the tier, the API says the model does not exist "or you do not have access to it" (Table 1 #10).
    const knownKind = resolved.info?.kind;
    const fitsEndpoint =
      endpoint === 'embeddings'
        ? knownKind === 'embedding'
        : knownKind === 'chat' || knownKind === 'completion';
    if (!resolved.known || published === null || !fitsEndpoint)
      return sendFixture(response, apiErrors.modelNotFound(model), model);
    if (
      account.allowedModels !== undefined &&
      !account.allowedModels.includes(model) &&
      !account.allowedModels.includes(resolved.family)
    ) {
      return sendFixture(response, apiErrors.projectModelDenied(model), model);
    }
    if (account.organizationVerified === false) {
      const needs = verification[resolved.family];
      if (needs?.access === true)
        return sendFixture(response, apiErrors.verificationRequired(model, 'model'), model);
      if (needs?.streaming === true && streaming)
        return sendFixture(response, apiErrors.verificationRequired(model, 'stream'), model);
      const reasoning = body.reasoning;
      if (
        needs?.reasoningSummary === true &&
        typeof reasoning === 'object' &&
        reasoning !== null &&
        'summary' in reasoning
      ) {
        return sendFixture(response, apiErrors.verificationRequired(model, 'reasoning.summary'), model);
      }
    }
    if ((account.creditUsd ?? Number.POSITIVE_INFINITY) <= 0) {
      return sendFixture(
        response,
        account.prepaid === true ? apiErrors.creditBalanceExhausted() : apiErrors.insufficientQuota(),
        model,
      );
    }
    if (account.spendLimitUsd !== undefined && stats.spentUsd >= account.spendLimitUsd)
      return sendFixture(response, apiErrors.spendLimit('organization_spend_limit_exceeded'), model);
    if (account.projectSpendLimitUsd !== undefined && stats.spentUsd >= account.projectSpendLimitUsd)
      return sendFixture(response, apiErrors.spendLimit('project_spend_limit_exceeded'), model);
    if (account.usageLimitUsd !== undefined && stats.spentUsd >= account.usageLimitUsd)
      return sendFixture(response, apiErrors.spendLimit('organization_usage_limit_exceeded'), model);

    // Rate limits: charged at request time — the prompt as the server counts it plus the largest output × n.
    const estimate = await estimateRequest(endpoint, body, model, { defaultMaxOutputTokens: defaultMax });
    const promptTokens = Math.ceil(estimate.promptTokens * factor);
    const charge = promptTokens + estimate.maxOutputTokens * estimate.n;
    const buckets = bucketsFor(family, published);
    const now = Date.now();
    if (buckets.tokens !== undefined && charge > buckets.tokens.capacity) {
      stats.rateLimited.tooLarge += 1;
      stats.rateLimited.total += 1;
      return sendFixture(
        response,
        apiErrors.requestTooLarge({ model, organization, limit: buckets.tokens.capacity, requested: charge }),
        model,
        limitHeaders(buckets, picked),
      );
    }
    const refusals: [SimBucket | undefined, 'requests' | 'tokens', 'minute' | 'day', number][] = [
      [buckets.requests, 'requests', 'minute', 1],
      [buckets.requestsPerDay, 'requests', 'day', 1],
      [buckets.tokens, 'tokens', 'minute', charge],
    ];
    for (const [bucket, kind, window, amount] of refusals) {
      if (bucket === undefined) continue;
      const waitMs = bucket.waitFor(amount, now);
      if (waitMs <= 0) continue;
      // A refused request still counts toward the per-minute request limit (note B).
      if (buckets.requests !== undefined && buckets.requests.level(now) >= 1) buckets.requests.take(1, now);
      const counter = kind === 'tokens' ? 'tokens' : window === 'day' ? 'requestsPerDay' : 'requests';
      stats.rateLimited[counter] += 1;
      stats.rateLimited.total += 1;
      const level = bucket.level(now);
      return sendFixture(
        response,
        apiErrors.rateLimited({
          model,
          organization,
          kind,
          window,
          limit: bucket.capacity,
          used: Math.min(bucket.capacity, Math.max(0, Math.ceil(bucket.capacity - level))),
          requested: amount,
          retryAfterMs: Math.ceil(waitMs),
          retryAfterHeaders: options.retryAfterHeaders === true,
        }),
        model,
        limitHeaders(buckets, picked),
      );
    }
    buckets.requests?.take(1, now);
    buckets.requestsPerDay?.take(1, now);
    buckets.tokens?.take(charge, now);
    stats.tokensCharged += charge;

    const completionTokens = endpoint === 'embeddings' ? 0 : Math.min(outputTokens, estimate.maxOutputTokens);
    const usage: SimUsage = { promptTokens, completionTokens };
    const cost = estimateCost(model, {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens * estimate.n,
    });
    stats.spentUsd += cost.usd;
    if (account.creditUsd !== undefined) account = { ...account, creditUsd: account.creditUsd - cost.usd };
    stats.served += 1;
    stats.usage.promptTokens += promptTokens;
    stats.usage.completionTokens += completionTokens * estimate.n;
    record(model, 200, charge);
    const headers = limitHeaders(buckets, picked);
    const delayMs = latency();
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (response.destroyed) return;
    if (streaming && endpoint === 'chat') {
      const options = body.stream_options;
      const includeUsage =
        typeof options === 'object' &&
        options !== null &&
        (options as { include_usage?: unknown }).include_usage === true;
      await stream(response, chatStream(model, usage, includeUsage), headers);
      return;
    }
    if (streaming && endpoint === 'responses') {
      await stream(response, responsesStream(model, usage), headers);
      return;
    }
    let answer: unknown;
    if (endpoint === 'chat') answer = chatBody(model, usage, estimate.n);
    else if (endpoint === 'responses') answer = responsesBody(model, usage);
    else {
      const input = body.input;
      const inputs =
        Array.isArray(input) && input.length > 0 && typeof input[0] !== 'number' ? input.length : 1;
      const dimensions =
        typeof body.dimensions === 'number' && body.dimensions > 0
          ? Math.min(4_096, Math.floor(body.dimensions))
          : 8;
      answer = embeddingsBody(model, inputs, dimensions, promptTokens, body.encoding_format === 'base64');
    }
    send(response, 200, JSON.stringify(answer), headers);
  };

  const availableModels = (): string[] =>
    Object.keys(KNOWN_MODELS.models).filter((model) => {
      const resolved = resolveModel(model);
      return limitsFor(model, resolved.limitsFamily ?? resolved.family) !== null;
    });

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname.replace(/\/+$/, '');
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) {
        send(
          response,
          413,
          JSON.stringify({
            error: {
              message: 'Request body too large.',
              type: 'invalid_request_error',
              param: null,
              code: null,
            },
          }),
          {},
        );
        return;
      }
      chunks.push(chunk as Buffer);
    }
    const authorization = request.headers.authorization ?? '';
    const key =
      /^Bearer\s+(.+)$/i.exec(authorization)?.[1]?.trim() ??
      (typeof request.headers['api-key'] === 'string' ? request.headers['api-key'] : '');
    if (key === '') return sendFixture(response, apiErrors.missingApiKey(), '');
    if (options.apiKey !== undefined && key !== options.apiKey)
      return sendFixture(response, apiErrors.invalidApiKey(maskEcho(key)), '');
    const endpoint = MODEL_PATHS[path];
    if (request.method === 'POST' && endpoint !== undefined) {
      await handleModel(response, endpoint, path, Buffer.concat(chunks).toString('utf8'));
      return;
    }
    if (request.method === 'GET' && path === '/v1/models') {
      record('', 200, 0);
      send(response, 200, JSON.stringify({ object: 'list', data: availableModels().map(modelObject) }), {});
      return;
    }
    const single = /^\/v1\/models\/([^/]+)$/.exec(path);
    if (request.method === 'GET' && single !== null) {
      const model = decodeURIComponent(single[1] as string);
      if (availableModels().includes(model)) {
        record('', 200, 0);
        send(response, 200, JSON.stringify(modelObject(model)), {});
      } else {
        sendFixture(response, apiErrors.modelNotFound(model), '');
      }
      return;
    }
    const notFound = apiErrors.invalidRequest(`Invalid URL (${request.method ?? 'GET'} ${path})`, null);
    record('', 404, 0);
    send(response, 404, notFound.body, {});
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      // A client that went away mid-request must not take the server down.
      if (!response.headersSent && !response.destroyed) send(response, 500, apiErrors.serverError().body, {});
      else response.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;
  startedAtMs = Date.now();

  return {
    url,
    baseURL: `${url}/v1`,
    port,
    stats: () => structuredClone(stats),
    resetStats: () => {
      stats = emptyStats();
      startedAtMs = Date.now();
    },
    setAccount: (patch) => {
      account = { ...account, ...patch };
    },
    inject: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
