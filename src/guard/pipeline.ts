/**
 * The request's way through the guard, composed in one place:
 * read → admit → throttle → send → observe → on failure diagnose → retry | fall back | surface.
 * Each step lives in its own file; this one decides the order and what each outcome leads to.
 */
import { CAUSE_CATALOGUE, type Cause } from '../data/causes.js';
import { attachDiagnosis, DIAGNOSIS_HEADER, encodeDiagnosis } from '../diagnose/attach.js';
import { diagnose } from '../diagnose/diagnose.js';
import type { Attempt, Diagnosis } from '../diagnose/types.js';
import { estimateRequest, type RequestEstimate } from '../pacing/estimate.js';
import { PacingRefusal, type Pacer, type Ticket } from '../pacing/pacer.js';
import { abortReason } from '../util/delay.js';
import { maskSecrets } from '../util/mask.js';
import type { BudgetGate } from './budget-gate.js';
import type { EventHub } from './events.js';
import { buildChain, nextTarget, type Target } from './fallback.js';
import { localErrorBody, localResponse, withHeaders, type LocalCause } from './local-response.js';
import { peekStream, usageFromBody, type ObservedUsage, type StreamErrorEvent } from './observe.js';
import type { ResolvedOptions } from './options.js';
import { headerOf, parseBody, readRequest, type CallRequest } from './read-request.js';
import { planRetry, withRetries, type RetryPlan } from './retry.js';
import { prepareSend, type PreparedSend } from './send.js';
import { stampHeaders } from './served-headers.js';

/** Counters the guard's `stats()` shows. */
export interface PipelineCounters {
  readonly servedByModel: Map<string, number>;
  readonly failuresByCause: Map<Cause, number>;
  retries: number;
  fallbacks: number;
  inFlight: number;
}

/** What the pipeline needs. */
export interface PipelineDeps {
  readonly options: ResolvedOptions;
  readonly pacer: Pacer;
  readonly events: EventHub;
  readonly budget: BudgetGate | undefined;
  readonly counters: PipelineCounters;
  /** Secrets the guard knows (fallback keys), masked wherever they could show. */
  readonly secrets: readonly string[];
  readonly now: () => number;
}

type Success = { readonly kind: 'success'; readonly response: Response; readonly model: string | undefined };
type Failure = {
  readonly kind: 'failure';
  readonly diagnosis: Diagnosis;
  /** The answer to hand the SDK (its body already read into `bodyText`), or the network error to throw. */
  readonly response?: Response;
  readonly bodyText?: string;
  readonly error?: unknown;
  readonly model: string | undefined;
};
type Outcome = Success | Failure;

/** The status an error found inside a 200 stream is delivered with, so the SDK raises the right class. */
const STREAM_ERROR_STATUS: Partial<Record<Cause, number>> = {
  insufficient_quota: 429,
  spend_limit_reached: 429,
  billing_not_active: 429,
  rate_limited_requests: 429,
  rate_limited_tokens: 429,
  request_too_large: 429,
  slow_down: 429,
  overloaded: 503,
  server_error: 500,
  invalid_api_key: 401,
  model_not_found: 404,
  model_access_denied: 404,
  verification_required: 400,
  region_unsupported: 403,
};

const RATE_LIMIT_KIND: Partial<Record<Cause, 'requests' | 'tokens' | 'slow_down'>> = {
  rate_limited_requests: 'requests',
  rate_limited_tokens: 'tokens',
  slow_down: 'slow_down',
};

/** The server's own processing time, from `openai-processing-ms` (openai-api.md Table 2). */
function processingMs(headers: Headers): number | undefined {
  const value = Number(headers.get('openai-processing-ms'));
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

/** The caller's own key (Authorization or Azure's api-key), to mask wherever it could show. */
function secretsOf(request: CallRequest): string[] {
  const bearer = /^Bearer\s+(.+)$/i.exec(headerOf(request.headers, 'authorization') ?? '')?.[1];
  const azure = headerOf(request.headers, 'api-key');
  return [bearer, azure].filter((secret): secret is string => secret !== undefined && secret.length >= 8);
}

/** Was the call sent before the network failed? A refused or unresolved connection never reached the API. */
function reachedApi(error: unknown): boolean {
  const code = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return !(
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'EAI_AGAIN' ||
    code === 'UND_ERR_CONNECT_TIMEOUT'
  );
}

function hostOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

/** Builds the guarded `fetch` over a transport. */
export function createPipeline(
  deps: PipelineDeps,
  transport: typeof globalThis.fetch,
): typeof globalThis.fetch {
  const { options, pacer, events, counters } = deps;

  const diagnoseQuietly = (error: unknown, model: string | undefined): Diagnosis => {
    const diagnosis = diagnose(error, { locale: options.locale, ...(model === undefined ? {} : { model }) });
    return deps.secrets.length === 0
      ? diagnosis
      : (JSON.parse(maskSecrets(JSON.stringify(diagnosis), deps.secrets)) as Diagnosis);
  };

  const localFailure = (cause: LocalCause, message: string, model: string | undefined): Failure => {
    const response = localResponse(cause, message);
    const bodyText = localErrorBody(cause, message);
    const diagnosis = diagnoseQuietly(
      { status: 429, body: bodyText, headers: { 'x-tierguard-local': '1' } },
      model,
    );
    return { kind: 'failure', diagnosis, response, bodyText, model };
  };

  /** What an attempt needs before it can go: the request as sent, its estimate and its limit key. */
  interface Admission {
    readonly kind: 'admission';
    readonly send: PreparedSend;
    readonly estimate: RequestEstimate;
    readonly key: string;
    readonly model: string | undefined;
  }

  /** Prepares an attempt for `target`: the budget, the request as it will be sent, its estimate. */
  // Each model's chain is built once and shared by its calls (a waiting call holds no copy).
  const chains = new Map<string | undefined, readonly Target[]>();
  const chainFor = (model: string | undefined): readonly Target[] => {
    let chain = chains.get(model);
    if (chain === undefined) {
      chain = buildChain(model, options.fallback, options.deployments);
      if (chains.size < 256) chains.set(model, chain);
    }
    return chain;
  };

  const prepare = async (
    request: CallRequest,
    target: Target,
    json?: Record<string, unknown>,
  ): Promise<Admission | Failure> => {
    const model = target.model ?? request.model;
    if (
      deps.budget !== undefined &&
      deps.budget.state() === 'exhausted' &&
      options.budget?.onExhausted === 'refuse'
    ) {
      return localFailure(
        'budget_exhausted',
        `tierguard: the monthly budget of $${options.budget.monthlyUsd} is spent (${deps.budget.month()}); calls are refused until the next month or a higher budget.`,
        model,
      );
    }
    const send = prepareSend(request, target);
    const estimate = await estimateRequest(request.endpoint, send.json ?? json ?? parseBody(request), model, {
      defaultMaxOutputTokens: options.defaultMaxOutputTokens,
    });
    const key = pacer.laneKey({
      baseURL: target.baseURL ?? request.baseURL,
      organization: target.ownEndpoint ? target.organization : request.organization,
      project: target.ownEndpoint ? target.project : request.project,
      model,
    });
    return { kind: 'admission', send, estimate, key, model };
  };

  /**
   * Waits for the attempt's place on its buckets. It returns the pacer's own promise rather than
   * awaiting it, so that no async frame stays suspended while a call waits: 100,000 waiting calls
   * must fit in memory (each suspended frame keeps its whole register file).
   */
  const admit = (admission: Admission, request: CallRequest): Promise<Ticket | Failure> =>
    pacer
      .acquire(admission.key, admission.estimate, request.signal, admission.model)
      .catch((error: unknown) => {
        if (error instanceof PacingRefusal) return localFailure(error.kind, error.message, admission.model);
        throw error;
      });

  /** One attempt: prepare, wait for its place, send, observe. Aborts propagate; other failures are outcomes. */
  const attemptOnce = async (request: CallRequest, target: Target, state: CallState): Promise<Outcome> => {
    if (request.signal?.aborted) throw abortReason(request.signal);
    const admission = await prepare(request, target);
    if (admission.kind === 'failure') return admission;
    const ticket = await admit(admission, request);
    if ('kind' in ticket) return ticket;
    return sendAttempt(request, admission, ticket, state);
  };

  /** Sends an admitted attempt and observes its answer. */
  const sendAttempt = async (
    request: CallRequest,
    admission: Admission,
    ticket: Ticket,
    state: CallState,
  ): Promise<Outcome> => {
    const { send, estimate, model } = admission;
    if (request.signal?.aborted) {
      pacer.release(ticket, false);
      throw abortReason(request.signal);
    }
    // Send. (Events are built only when someone listens: this runs on every call.)
    if (events.size > 0)
      events.emit({
        type: 'sent',
        ...(model === undefined ? {} : { model }),
        endpoint: request.endpoint,
        attempt: state.attemptCount + 1,
        queuedMs: ticket.queuedMs,
        estimatedTokens: estimate.totalTokens,
      });
    state.attemptCount += 1;
    state.firstSentAtMs ??= deps.now();
    counters.inFlight += 1;
    let released = false;
    const release = (reached: boolean): void => {
      if (released) return;
      released = true;
      counters.inFlight -= 1;
      pacer.release(ticket, reached);
    };
    let response: Response;
    try {
      response = await transport(send.url, {
        ...request.init,
        method: request.method,
        headers: send.headers,
        ...(send.body === undefined ? {} : { body: send.body }),
        ...(request.signal === undefined ? {} : { signal: request.signal }),
      });
    } catch (error) {
      release(reachedApi(error));
      if (request.signal?.aborted) throw error;
      return { kind: 'failure', diagnosis: diagnoseQuietly(error, model), error, model };
    }

    // Observe.
    if (response.ok) {
      const contentType = response.headers.get('content-type') ?? '';
      if (contentType.includes('text/event-stream') && response.body !== null) {
        let usage: ObservedUsage | undefined;
        pacer.observe(ticket, {
          status: response.status,
          headers: response.headers,
          processingMs: processingMs(response.headers),
        });
        const peeked = await peekStream(response.body, {
          onUsage: (seen) => (usage = seen),
          onError: (error) =>
            events.emit({ type: 'diagnosed', diagnosis: diagnoseStreamError(error, response, model) }),
          onEnd: () => {
            if (usage !== undefined) {
              pacer.observe(ticket, { status: response.status, usage });
              if (model !== undefined) deps.budget?.record(model, usage.raw);
            }
            release(true);
          },
        }).catch((error: unknown) => ({ kind: 'broken' as const, error }));
        if (peeked.kind === 'broken')
          return {
            kind: 'failure',
            diagnosis: diagnoseQuietly(peeked.error, model),
            error: peeked.error,
            model,
          };
        if (peeked.kind === 'error') return streamFailure(peeked.error, response, model);
        return {
          kind: 'success',
          response: withHeaders(response, peeked.body, servedHeaders(model, state)),
          model,
        };
      }
      // The body is read only when its usage is needed (the budget, no headers to trust, the lane
      // still learning how the server counts); otherwise it streams through untouched.
      const needsUsage =
        contentType.includes('json') &&
        (deps.budget !== undefined ||
          !response.headers.has('x-ratelimit-remaining-tokens') ||
          pacer.wantsUsage(ticket));
      if (needsUsage) {
        const text = await response.text().catch((error: unknown) => error);
        if (typeof text !== 'string') {
          release(true);
          return { kind: 'failure', diagnosis: diagnoseQuietly(text, model), error: text, model };
        }
        const usage = usageFromBody(text);
        pacer.observe(ticket, {
          status: response.status,
          headers: response.headers,
          usage,
          processingMs: processingMs(response.headers),
        });
        release(true);
        if (usage !== undefined && model !== undefined) deps.budget?.record(model, usage.raw);
        return {
          kind: 'success',
          response: served(response, text, model, state),
          model,
        };
      }
      pacer.observe(ticket, { status: response.status, headers: response.headers });
      release(true);
      return {
        kind: 'success',
        response: served(response, undefined, model, state),
        model,
      };
    }

    const bodyText = await response.text().catch(() => '');
    const diagnosis = diagnoseQuietly(
      { status: response.status, body: bodyText, headers: response.headers },
      model,
    );
    pacer.observe(ticket, {
      status: response.status,
      headers: response.headers,
      processingMs: processingMs(response.headers),
      rateLimit: diagnosis.limit,
      retryAfterMs: diagnosis.retryAfterMs,
      rateLimitedCause:
        RATE_LIMIT_KIND[diagnosis.cause] ??
        (response.status === 429 && diagnosis.cause === 'unknown' ? 'unknown' : undefined),
    });
    release(true);
    return { kind: 'failure', diagnosis, response, bodyText, model };
  };

  /** An error before a stream's first token, as the response the SDK turns into its error class. */
  const streamFailure = (
    error: StreamErrorEvent,
    original: Response,
    failedModel: string | undefined,
  ): Failure => {
    const diagnosis = diagnoseStreamError(error, original, failedModel);
    const status =
      STREAM_ERROR_STATUS[diagnosis.cause] ?? (CAUSE_CATALOGUE[diagnosis.cause].retryable ? 500 : 400);
    const bodyText = JSON.stringify({ error });
    const response = new Response(bodyText, {
      status,
      headers: { 'content-type': 'application/json', ...Object.fromEntries(original.headers) },
    });
    return { kind: 'failure', diagnosis, response, bodyText, model: failedModel };
  };

  const diagnoseStreamError = (
    error: StreamErrorEvent,
    original: Response,
    model: string | undefined,
  ): Diagnosis => diagnoseQuietly({ error, headers: original.headers }, model);

  interface CallState {
    /** The model the caller asked for. */
    readonly requestedModel: string | undefined;
    attemptCount: number;
    firstSentAtMs: number | undefined;
    readonly attempts: Attempt[];
  }

  /**
   * The answer handed to the SDK, showing `x-tierguard-model` (the model that served) and
   * `x-tierguard-attempts`. One whose body the guard did not read keeps its body and status as they
   * came and gains a view of its headers (a rebuilt Response costs more than the rest of the
   * pipeline); one whose body was read is rebuilt around the text. Either way its headers stay
   * read-only, as an answer's are.
   */
  const served = (
    response: Response,
    text: string | undefined,
    model: string | undefined,
    state: CallState,
  ): Response => {
    const stamp = servedHeaders(model, state);
    const answer =
      text === undefined
        ? response
        : new Response(text, {
            status: response.status,
            statusText: response.statusText,
            headers: response.headers,
          });
    return stampHeaders(answer, stamp) ?? withHeaders(response, text ?? response.body, stamp);
  };

  const servedHeaders = (model: string | undefined, state: CallState): Record<string, string> => ({
    ...(model === undefined ? {} : { 'x-tierguard-model': model }),
    'x-tierguard-attempts': String(state.attemptCount),
  });

  /**
   * Notes a failed attempt for the final diagnosis's `attempts`. A success ends the call, and the
   * list is read only when the call fails, so a success is not noted (this runs on every call).
   */
  const record = (state: CallState, target: Target, outcome: Outcome, waitMs: number): void => {
    if (outcome.kind === 'success') return;
    const { diagnosis } = outcome;
    state.attempts.push({
      ...(outcome.model === undefined ? {} : { model: outcome.model }),
      ...(target.baseURL === undefined ? {} : { baseURL: target.baseURL }),
      cause: diagnosis.cause,
      ...(diagnosis.status === undefined ? {} : { status: diagnosis.status }),
      waitMs,
      ...(diagnosis.requestId === undefined ? {} : { requestId: diagnosis.requestId }),
    });
    counters.failuresByCause.set(diagnosis.cause, (counters.failuresByCause.get(diagnosis.cause) ?? 0) + 1);
    events.emit({ type: 'diagnosed', diagnosis });
  };

  const surface = (failure: Failure, state: CallState, request: CallRequest): Response => {
    const diagnosis: Diagnosis = { ...failure.diagnosis, attempts: state.attempts };
    if (failure.response === undefined) {
      // A network failure: the SDK wraps what we throw as the `cause` of its APIConnectionError.
      const error = failure.error instanceof Error ? failure.error : new Error(String(failure.error));
      throw attachDiagnosis(error, diagnosis);
    }
    // A relay may echo the key in its error body; the SDK would put it in its error message.
    const body =
      failure.bodyText === undefined
        ? null
        : maskSecrets(failure.bodyText, [...deps.secrets, ...secretsOf(request)]);
    return withHeaders(failure.response, body, { [DIAGNOSIS_HEADER]: encodeDiagnosis(diagnosis) });
  };

  /** A call read, and its first attempt prepared and admitted (or refused). */
  interface Started {
    readonly request: CallRequest;
    readonly chain: readonly Target[];
    readonly first:
      Failure | { readonly kind: 'admitted'; readonly admission: Admission; readonly ticket: Ticket };
  }

  /**
   * Reads the call and waits for its first attempt's place. It returns the pacer's promise instead
   * of awaiting it: while a call waits in the queue, no async frame of the pipeline is suspended.
   */
  const start = async (input: string | URL | Request, init: RequestInit | undefined): Promise<Started> => {
    const { request, json } = await readRequest(input, init);
    if (request.signal?.aborted) throw abortReason(request.signal);
    let chain = chainFor(request.model);
    // A spent budget with the `fallback` policy starts at the cheapest model of the chain.
    if (
      deps.budget !== undefined &&
      options.budget?.onExhausted === 'fallback' &&
      deps.budget.state() === 'exhausted'
    ) {
      const cheapest = deps.budget.cheapest(chain.map((target) => target.model));
      if (cheapest > 0) chain = [chain[cheapest] as Target];
    }
    // The body parsed while reading serves the first estimate; it is not kept while the call waits.
    const admission = await prepare(request, chain[0] as Target, json);
    if (admission.kind === 'failure') return { request, chain, first: admission };
    // One promise on top of the pacer's, not two: each waiting call keeps every layer alive.
    return pacer.acquire(admission.key, admission.estimate, request.signal, admission.model).then(
      (ticket): Started => ({ request, chain, first: { kind: 'admitted', admission, ticket } }),
      (error: unknown): Started => {
        if (error instanceof PacingRefusal)
          return { request, chain, first: localFailure(error.kind, error.message, admission.model) };
        throw error;
      },
    );
  };

  /** Runs a started call to its answer: attempts, retries, fallbacks. */
  const run = async ({ request, chain, first }: Started): Promise<Response> => {
    const state: CallState = {
      requestedModel: request.model,
      attemptCount: 0,
      firstSentAtMs: undefined,
      attempts: [],
    };
    const startedAtMs = deps.now();
    let index = 0;
    let last: Failure | undefined;
    for (;;) {
      const target = chain[index] as Target;
      let waitBefore = 0;
      const outcome = await withRetries<Outcome>(
        async (attemptNumber) => {
          let result: Outcome;
          if (index === 0 && attemptNumber === 1) {
            result =
              first.kind === 'admitted'
                ? await sendAttempt(request, first.admission, first.ticket, state)
                : first;
          } else {
            result = await attemptOnce(request, target, state);
          }
          record(state, target, result, waitBefore);
          return result;
        },
        (result, attemptNumber) => {
          if (result.kind === 'success') return undefined;
          const elapsed = deps.now() - (state.firstSentAtMs ?? startedAtMs);
          const plan = planRetry(result.diagnosis, attemptNumber, elapsed, options.retry, request.replayable);
          return plan.retry ? plan : undefined;
        },
        (result, plan: RetryPlan, attemptNumber) => {
          waitBefore = plan.waitMs;
          counters.retries += 1;
          if (result.kind === 'failure') {
            events.emit({
              type: 'retry',
              ...(result.model === undefined ? {} : { model: result.model }),
              cause: result.diagnosis.cause,
              ...(result.diagnosis.status === undefined ? {} : { status: result.diagnosis.status }),
              attempt: attemptNumber,
              waitMs: plan.waitMs,
              waitSource: plan.source,
            });
          }
        },
        options.retry.maxAttempts,
        request.signal,
      );
      if (outcome.kind === 'success') {
        const served = outcome.model ?? 'unknown';
        counters.servedByModel.set(served, (counters.servedByModel.get(served) ?? 0) + 1);
        if (events.size > 0)
          events.emit({
            type: 'served',
            ...(outcome.model === undefined ? {} : { model: outcome.model }),
            ...(request.model === undefined ? {} : { requestedModel: request.model }),
            status: outcome.response.status,
            attempts: state.attemptCount,
            latencyMs: deps.now() - startedAtMs,
          });
        return outcome.response;
      }
      last = outcome;
      const elapsed = deps.now() - (state.firstSentAtMs ?? startedAtMs);
      const next =
        request.replayable && elapsed < options.retry.maxElapsedMs
          ? nextTarget(chain, index, outcome.diagnosis, options.fallbackOn)
          : -1;
      if (next < 0) break;
      const nextTargetValue = chain[next] as Target;
      counters.fallbacks += 1;
      const endpoint = hostOf(nextTargetValue.baseURL);
      events.emit({
        type: 'fallback',
        from: outcome.model ?? request.model ?? 'unknown',
        to: nextTargetValue.model ?? 'unknown',
        cause: outcome.diagnosis.cause,
        ...(endpoint === undefined ? {} : { endpoint }),
      });
      index = next;
    }
    return surface(last, state, request);
  };

  const handle = (input: string | URL | Request, init?: RequestInit): Promise<Response> =>
    start(input, init).then(run);

  return (input, init) => handle(input as string | URL | Request, init);
}
