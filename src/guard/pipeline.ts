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
import type { ClientBodies } from './client-bodies.js';
import type { EventHub } from './events.js';
import type { Lessons } from './lessons.js';
import { buildChain, nextTarget, type Target } from './fallback.js';
import { localErrorBody, localResponse, withHeaders, type LocalCause } from './local-response.js';
import { peekStream, usageFromBody, type ObservedUsage, type StreamErrorEvent } from './observe.js';
import type { ResolvedOptions } from './options.js';
import {
  headerOf,
  parseBody,
  readAddress,
  readCall,
  readRequest,
  type CallAddress,
  type CallRequest,
  type ReadCall,
} from './read-request.js';
import { planRetry, withRetries, type RetryPlan } from './retry.js';
import { prepareSend, sendsAsGiven, type PreparedSend } from './send.js';
import { headersView, stampHeaders } from './served-headers.js';

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
  /** What answers taught and the pacer has not learned yet. */
  readonly lessons: Lessons;
  /** Bodies wrapped clients serialized, so that the pipeline need not parse them again. */
  readonly bodies: ClientBodies;
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

  const prepare = (
    request: CallRequest,
    target: Target,
    json?: Record<string, unknown>,
  ): Admission | Failure | Promise<Admission | Failure> => {
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
    const key = pacer.laneKey({
      baseURL: target.baseURL ?? request.baseURL,
      organization: target.ownEndpoint ? target.organization : request.organization,
      project: target.ownEndpoint ? target.project : request.project,
      model,
    });
    const estimate = estimateRequest(request.endpoint, send.json ?? json ?? parseBody(request), model, {
      defaultMaxOutputTokens: options.defaultMaxOutputTokens,
    });
    return { kind: 'admission', send, estimate, key, model };
  };

  /** Ends an attempt's reservation once (its answer, its failure or its stream's end). */
  const release = (ticket: Ticket, reachedApi: boolean): void => {
    if (ticket.released) return;
    counters.inFlight -= 1;
    pacer.release(ticket, reachedApi);
  };

  /** A pacer's refusal (queue full, too large, closed) as the call's local failure; anything else is thrown. */
  const refused = (error: unknown, model: string | undefined): Failure => {
    if (error instanceof PacingRefusal) return localFailure(error.kind, error.message, model);
    throw error;
  };

  /**
   * Waits for the attempt's place on its buckets. It returns the pacer's own promise rather than
   * awaiting it, so that no async frame stays suspended while a call waits: 100,000 waiting calls
   * must fit in memory (each suspended frame keeps its whole register file).
   */
  const admit = (admission: Admission, request: CallRequest): Promise<Ticket | Failure> => {
    deps.lessons.take();
    return pacer
      .acquire(admission.key, admission.estimate, request.signal, admission.model)
      .catch((error: unknown) => refused(error, admission.model));
  };

  /** One attempt: prepare, wait for its place, send, observe. Aborts propagate; other failures are outcomes. */
  const attemptOnce = async (request: CallRequest, target: Target, state: CallState): Promise<Outcome> => {
    if (request.signal?.aborted) throw abortReason(request.signal);
    const admission = await prepare(request, target);
    if (admission.kind === 'failure') return admission;
    const ticket = await admit(admission, request);
    if ('kind' in ticket) return ticket;
    return sendAttempt(request, admission, ticket, state);
  };

  /** The `sent` event. (Built only when someone listens: this runs on every call.) */
  const announceSent = (
    request: CallRequest,
    model: string | undefined,
    attempt: number,
    queuedMs: number,
    estimate: RequestEstimate,
  ): void => {
    if (events.size === 0) return;
    events.emit({
      type: 'sent',
      ...(model === undefined ? {} : { model }),
      endpoint: request.endpoint,
      attempt,
      queuedMs,
      estimatedTokens: estimate.totalTokens,
    });
  };

  /**
   * Sends an admitted attempt: the transport's promise of its answer. Not an async function: the
   * common answer (a JSON success whose body the guard need not read) is observed in that
   * promise's own `then`.
   */
  const dispatch = (
    request: CallRequest,
    admission: Admission,
    ticket: Ticket,
    state: CallState,
  ): Promise<Response> => {
    const { send, estimate, model } = admission;
    if (request.signal?.aborted) {
      // The pacer's release, not the pipeline's: `inFlight` counts a call only once it is sent
      // (below), and `sendFailed` then finds this ticket already released.
      pacer.release(ticket, false);
      return Promise.reject(abortReason(request.signal));
    }
    announceSent(request, model, state.attemptCount + 1, ticket.queuedMs, estimate);
    state.attemptCount += 1;
    state.firstSentAtMs ??= deps.now();
    counters.inFlight += 1;
    try {
      // An attempt that changes nothing sends the caller's own arguments: the transport sees
      // exactly what it would have seen without the guard.
      if (request.asGiven !== undefined && sendsAsGiven(send, request))
        return transport(request.asGiven.input, request.asGiven.init);
      const init: RequestInit = { ...request.init, method: request.method, headers: send.headers };
      if (send.body !== undefined) init.body = send.body;
      if (request.signal !== undefined) init.signal = request.signal;
      return transport(send.url, init);
    } catch (error) {
      // A transport that throws instead of rejecting.
      return Promise.reject(error);
    }
  };

  /** A transport that rejected (or an abort before sending): the caller's abort propagates. */
  const sendFailed = (
    request: CallRequest,
    ticket: Ticket,
    model: string | undefined,
    error: unknown,
  ): Failure => {
    release(ticket, reachedApi(error));
    if (request.signal?.aborted) throw error;
    return { kind: 'failure', diagnosis: diagnoseQuietly(error, model), error, model };
  };

  /** Sends an admitted attempt and observes its answer. */
  const sendAttempt = (
    request: CallRequest,
    admission: Admission,
    ticket: Ticket,
    state: CallState,
  ): Promise<Outcome> =>
    dispatch(request, admission, ticket, state).then(
      (response) => observeAnswer(response, ticket, admission.model, state),
      (error: unknown) => sendFailed(request, ticket, admission.model, error),
    );

  /**
   * What an answer teaches and what it leads to. Synchronous for a JSON success left unread: its
   * headers are learned after the caller has it (lessons.ts), or not read at all when they would
   * change nothing (Pacer.passUnread).
   */
  const observeAnswer = (
    response: Response,
    ticket: Ticket,
    model: string | undefined,
    state: CallState,
  ): Outcome | Promise<Outcome> => {
    if (!response.ok) return observeFailure(response, ticket, model);
    // The headers the caller will see, read through the same view (a lookup in the list the
    // caller's client builds when it iterates them).
    const headers = headersView(response.headers, model, state.attemptCount);
    const contentType = headers.get('content-type') ?? '';
    if (contentType.includes('text/event-stream') && response.body !== null)
      return observeStream(response, ticket, model, state);
    // The body is read only when its usage is needed (the budget, a token bucket with no headers
    // to correct it, the lane still learning how the server counts); otherwise it streams through
    // untouched.
    if (
      contentType.includes('json') &&
      (deps.budget !== undefined || pacer.wantsUsage(ticket, headers.has('x-ratelimit-remaining-tokens')))
    )
      return observeBody(response, ticket, model, state, headers);
    const answer = served(response, undefined, model, state, headers);
    // Far from every limit, and saying what the buckets already hold, the headers would teach
    // nothing: the reservation ends now (Pacer.passUnread). Earlier answers' lessons go first,
    // since the release may admit waiting calls.
    if (pacer.passUnread(ticket, headers)) {
      deps.lessons.take();
      release(ticket, true);
      return { kind: 'success', response: answer, model };
    }
    // The caller gets its answer first; the pacer learns from it at the next turn.
    const status = response.status;
    deps.lessons.add(() => {
      try {
        pacer.observe(ticket, { status, headers });
      } finally {
        release(ticket, true);
      }
    });
    return { kind: 'success', response: answer, model };
  };

  /** A JSON success whose usage is read: its body is read, and the answer rebuilt around it. */
  const observeBody = async (
    response: Response,
    ticket: Ticket,
    model: string | undefined,
    state: CallState,
    headers: Headers,
  ): Promise<Outcome> => {
    const text = await response.text().catch((error: unknown) => error);
    if (typeof text !== 'string') {
      release(ticket, true);
      return { kind: 'failure', diagnosis: diagnoseQuietly(text, model), error: text, model };
    }
    const usage = usageFromBody(text);
    pacer.observe(ticket, {
      status: response.status,
      headers: response.headers,
      usage,
      processingMs: processingMs(response.headers),
    });
    release(ticket, true);
    if (usage !== undefined && model !== undefined) deps.budget?.record(model, usage.raw);
    return { kind: 'success', response: served(response, text, model, state, headers), model };
  };

  /** A 200 stream: held until its first token or its first error, its usage read as it ends. */
  const observeStream = async (
    response: Response,
    ticket: Ticket,
    model: string | undefined,
    state: CallState,
  ): Promise<Outcome> => {
    let usage: ObservedUsage | undefined;
    pacer.observe(ticket, {
      status: response.status,
      headers: response.headers,
      processingMs: processingMs(response.headers),
    });
    const peeked = await peekStream(response.body as ReadableStream<Uint8Array>, {
      onUsage: (seen) => (usage = seen),
      onError: (error) =>
        events.emit({ type: 'diagnosed', diagnosis: diagnoseStreamError(error, response, model) }),
      onEnd: () => {
        if (usage !== undefined) {
          pacer.observe(ticket, { status: response.status, usage });
          if (model !== undefined) deps.budget?.record(model, usage.raw);
        }
        release(ticket, true);
      },
    }).catch((error: unknown) => ({ kind: 'broken' as const, error }));
    if (peeked.kind === 'broken')
      return { kind: 'failure', diagnosis: diagnoseQuietly(peeked.error, model), error: peeked.error, model };
    if (peeked.kind === 'error') return streamFailure(peeked.error, response, model);
    return {
      kind: 'success',
      response: withHeaders(response, peeked.body, servedHeaders(model, state)),
      model,
    };
  };

  /** An error answer: its body read and diagnosed, and what it says taught to the pacer. */
  const observeFailure = async (
    response: Response,
    ticket: Ticket,
    model: string | undefined,
  ): Promise<Outcome> => {
    const bodyText = await response.text().catch(() => '');
    const diagnosis = diagnoseQuietly(
      { status: response.status, body: bodyText, headers: response.headers },
      model,
    );
    pacer.observe(ticket, {
      status: response.status,
      headers: response.headers,
      processingMs: processingMs(response.headers),
      rateLimit: diagnosis.limit?.kind === 'context' ? undefined : diagnosis.limit,
      retryAfterMs: diagnosis.retryAfterMs,
      rateLimitedCause:
        RATE_LIMIT_KIND[diagnosis.cause] ??
        (response.status === 429 && diagnosis.cause === 'unknown' ? 'unknown' : undefined),
    });
    release(ticket, true);
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
   * pipeline); one whose body was read is rebuilt around the text. Either way it shows `view`, the
   * view of its headers `observeAnswer` read through, and its headers stay read-only, as an
   * answer's are.
   */
  const served = (
    response: Response,
    text: string | undefined,
    model: string | undefined,
    state: CallState,
    view: Headers,
  ): Response => {
    const answer =
      text === undefined
        ? response
        : new Response(text, {
            status: response.status,
            statusText: response.statusText,
            headers: response.headers,
          });
    return (
      stampHeaders(answer, view) ?? withHeaders(response, text ?? response.body, servedHeaders(model, state))
    );
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

  /**
   * A call's first attempt: admitted and waiting to be sent, or already decided (a local refusal,
   * or the failed answer of an attempt sent at once).
   */
  type First =
    Failure | { readonly kind: 'admitted'; readonly admission: Admission; readonly ticket: Ticket };

  const newState = (request: CallRequest): CallState => ({
    requestedModel: request.model,
    attemptCount: 0,
    firstSentAtMs: undefined,
    attempts: [],
  });

  // A budget reads every call's usage, and a shared store answers later: no call goes ahead then.
  const goesAhead = deps.budget === undefined && pacer.mayGoAhead;

  /**
   * The guarded fetch. A JSON call on a lane with room is sent first and admitted as it travels
   * (`sendAhead`, docs/decisions.md §15). Any other call that fits now — nothing waits on its lane
   * — is read, admitted and sent without an async frame or a promise of the pipeline's own before
   * the transport's. A success leaves without entering the retry loop either way.
   */
  const handle = (input: string | URL | Request, init: RequestInit | undefined): Promise<Response> => {
    // A body parsed to find the lane is not parsed again when the call is admitted first after all.
    let parsed: Record<string, unknown> | undefined;
    if (typeof input === 'string' && init !== undefined && goesAhead && init.signal?.aborted !== true) {
      const address = readAddress(input, init, deps.bodies);
      if (address !== undefined) {
        const ahead = sendAhead(input, init, address);
        if (ahead !== undefined) return ahead;
        if (address.parsed) parsed = address.json;
      }
    }
    let read: ReadCall | Promise<ReadCall>;
    try {
      read = readRequest(input, init, deps.bodies, parsed);
    } catch (error) {
      return Promise.reject(error);
    }
    return read instanceof Promise ? read.then(begin) : begin(read);
  };

  /**
   * Sends a call whose JSON body names its model (a wrapped client's, the AI SDK's through
   * `guard.fetch`…) before it is admitted, when its lane is far enough from every limit that its
   * admission could only succeed (`Pacer.sendAhead`): the request goes out first, and it is read,
   * estimated and admitted within the same turn of the event loop, while it travels (`admitSent`,
   * a lesson) — work the caller would otherwise wait for before its request left. `address` is
   * what `readAddress` found. Returns `undefined`, having done nothing, when the call must wait for
   * its admission.
   */
  const sendAhead = (
    input: string,
    init: RequestInit,
    address: CallAddress,
  ): Promise<Response> | undefined => {
    const estimated = estimateRequest(address.endpoint, address.json, address.model, {
      defaultMaxOutputTokens: options.defaultMaxOutputTokens,
    });
    const bound = {
      promptTokens: estimated.promptTokens,
      outputTokens: estimated.maxOutputTokens * estimated.n,
    };
    // Earlier answers' lessons first: the pacer decides on what it knows.
    deps.lessons.take();
    const key = pacer.laneKey(address);
    const held = pacer.sendAhead(key, bound);
    if (held === undefined) return undefined;
    counters.inFlight += 1;
    const startedAtMs = deps.now();
    let sent: Promise<Response>;
    try {
      sent = transport(input, init);
    } catch (error) {
      // A transport that throws instead of rejecting.
      sent = Promise.reject(error);
    }
    let admitted: Admitted | undefined;
    const parsed = address.parsed ? address.json : undefined;
    const admit = (): Admitted =>
      (admitted ??= admitSent(input, init, parsed, key, held, startedAtMs, estimated));
    deps.lessons.add(admit);
    return sent.then(
      (response) => {
        // The call's own admission, and every lesson before it, come before its answer's.
        deps.lessons.take();
        const { request, ticket, state } = admit();
        const outcome = observeAnswer(response, ticket, request.model, state);
        return outcome instanceof Promise
          ? outcome.then((settled) => settleFirst(settled, request, state, startedAtMs))
          : settleFirst(outcome, request, state, startedAtMs);
      },
      (error: unknown) => {
        deps.lessons.take();
        const { request, ticket, state } = admit();
        return settleFirst(sendFailed(request, ticket, request.model, error), request, state, startedAtMs);
      },
    );
  };

  /** A call sent ahead, once admitted. */
  interface Admitted {
    readonly request: CallRequest;
    readonly ticket: Ticket;
    readonly state: CallState;
  }

  /**
   * Reads and admits a call `sendAhead` sent (`parsed`: its body, when `readAddress` parsed it;
   * `held`: what the pacer holds for it; `estimate`: its estimate, made before it was sent).
   */
  const admitSent = (
    input: string,
    init: RequestInit,
    parsed: Record<string, unknown> | undefined,
    key: string,
    held: number,
    startedAtMs: number,
    estimate: RequestEstimate,
  ): Admitted => {
    const { request } = readCall(input, init, deps.bodies, parsed);
    const ticket = pacer.admitSent(key, estimate, request.model, held);
    const state = newState(request);
    state.attemptCount = 1;
    state.firstSentAtMs = startedAtMs;
    announceSent(request, request.model, 1, 0, estimate);
    return { request, ticket, state };
  };

  /**
   * What a first attempt's outcome leads to: the caller's answer, or the retry loop over `chain`
   * (the request model's, unless given).
   */
  const settleFirst = (
    outcome: Outcome,
    request: CallRequest,
    state: CallState,
    startedAtMs: number,
    chain?: readonly Target[],
  ): Response | Promise<Response> =>
    outcome.kind === 'success'
      ? deliver(outcome, request, state, startedAtMs)
      : run(request, chain ?? chainFor(request.model), outcome, state, startedAtMs);

  /** Picks the chain and prepares the first attempt. */
  const begin = ({ request, json }: ReadCall): Promise<Response> => {
    if (request.signal?.aborted) return Promise.reject(abortReason(request.signal));
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
    let prepared: Admission | Failure | Promise<Admission | Failure>;
    try {
      prepared = prepare(request, chain[0] as Target, json);
    } catch (error) {
      return Promise.reject(error);
    }
    return prepared instanceof Promise
      ? prepared.then((ready) => admitFirst(request, chain, ready))
      : admitFirst(request, chain, prepared);
  };

  /**
   * Admits the first attempt: sent at once when it fits, else queued. While a call waits, only the
   * pacer's promise and one `then` on it hold it: no async frame of the pipeline is suspended.
   */
  const admitFirst = (
    request: CallRequest,
    chain: readonly Target[],
    admission: Admission | Failure,
  ): Promise<Response> => {
    if (admission.kind === 'failure') return run(request, chain, admission);
    // Earlier answers' lessons first: the pacer decides on what it knows.
    deps.lessons.take();
    const ticket = pacer.tryAcquire(admission.key, admission.estimate, admission.model);
    if (ticket === undefined)
      return pacer.acquire(admission.key, admission.estimate, request.signal, admission.model).then(
        (queued) => run(request, chain, { kind: 'admitted', admission, ticket: queued }),
        (error: unknown) => run(request, chain, refused(error, admission.model)),
      );
    const state = newState(request);
    const startedAtMs = deps.now();
    const { model } = admission;
    // One `then` on the transport's promise from the answer to the caller.
    return dispatch(request, admission, ticket, state).then(
      (response) => {
        const outcome = observeAnswer(response, ticket, model, state);
        return outcome instanceof Promise
          ? outcome.then((settled) => settleFirst(settled, request, state, startedAtMs, chain))
          : settleFirst(outcome, request, state, startedAtMs, chain);
      },
      (error: unknown) =>
        settleFirst(sendFailed(request, ticket, model, error), request, state, startedAtMs, chain),
    );
  };

  /** A success's way out: counted, announced, handed to the caller. */
  const deliver = (
    outcome: Success,
    request: CallRequest,
    state: CallState,
    startedAtMs: number,
  ): Response => {
    const servedBy = outcome.model ?? 'unknown';
    counters.servedByModel.set(servedBy, (counters.servedByModel.get(servedBy) ?? 0) + 1);
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
  };

  /**
   * Runs a call from its first attempt to its answer: retries, fallbacks, the final failure. `state`
   * is given when the first attempt was already sent.
   */
  const run = async (
    request: CallRequest,
    chain: readonly Target[],
    first: First,
    state: CallState = newState(request),
    startedAtMs: number = deps.now(),
  ): Promise<Response> => {
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
      if (outcome.kind === 'success') return deliver(outcome, request, state, startedAtMs);
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

  return (input, init) => handle(input as string | URL | Request, init);
}
