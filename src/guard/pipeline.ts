/**
 * The request's way through the guard, in one loop: read the call → for each target of its chain,
 * attempts (admit → send → observe, `attempt.ts`) retried while a retry can help (`retry.ts`) →
 * deliver the answer, or surface the final failure (`answer.ts`).
 */
import type { Cause } from '../data/causes.js';
import type { Tier } from '../data/tiers.js';
import type { Attempt, Diagnosis, RetryStop, RetrySummary } from '../diagnose/types.js';
import { callDiagnoser } from './call-diagnosis.js';
import type { Pacer } from '../pacing/pacer.js';
import { abortReason, delay } from '../util/delay.js';
import { maskSecrets } from '../util/mask.js';
import { failedError, failedResponse, servedResponse } from './answer.js';
import { localAnswer } from './local-response.js';
import { runAttempt, type AttemptContext } from './attempt.js';
import type { BudgetGate } from '../budget/gate.js';
import type { EventHub } from '../telemetry/events.js';
import { MAX_MODEL_NAMES, OTHER_MODELS } from '../telemetry/stats.js';
import { buildChain, canServe, isWaitRefusal, type Target } from './fallback.js';
import type { Failure, Success } from './observe.js';
import type { ResolvedOptions } from './options.js';
import { readCall, requestToRead, type Call } from './request.js';
import { ResendMemo } from './resend-memo.js';
import { planRetry, type NoRetry, type RetryPlan } from './retry.js';
import { ASSUMED_TIER } from '../models/cheaper.js';

/** Counters the guard's `stats()` shows. */
export interface PipelineCounters {
  readonly servedByModel: Map<string, number>;
  readonly failuresByCause: Map<Cause, number>;
  retries: number;
  fallbacks: number;
  /** The chains `fallback: 'cheaper'` built, by the model asked for, and the tier they were built for. */
  readonly cheaperChains: Map<
    string,
    { readonly chain: readonly string[]; readonly tier: Tier; readonly tierAssumed: boolean }
  >;
}

/** What a guard's pipelines share. */
export interface PipelineDeps {
  readonly options: ResolvedOptions;
  readonly pacer: Pacer;
  readonly events: EventHub;
  readonly budget: BudgetGate | undefined;
  readonly counters: PipelineCounters;
  /** Attempts out with `pacing: false` (the pacer counts the others). */
  readonly unpaced: { inFlight: number };
  /** Secrets the guard knows (fallback keys), masked wherever they could show. */
  readonly secrets: readonly string[];
  /** Monotonic milliseconds. */
  readonly now: () => number;
}

/** What one wrapped client adds: its transport, and its own timeout per attempt. */
export interface ClientFacts {
  readonly transport: typeof globalThis.fetch;
  readonly attemptTimeoutMs: number | undefined;
}

/** A call's progress: what the final diagnosis and the events report. */
interface CallState {
  readonly attempts: Attempt[];
  /** Attempts that left for a server. */
  sent: number;
  readonly startedAtMs: number;
}

/** Builds the guarded `fetch` of one client. */
export function createPipeline(deps: PipelineDeps, client: ClientFacts): typeof globalThis.fetch {
  const { options, pacer, events, counters } = deps;
  const memo = new ResendMemo(deps.now);
  const chains = new Map<string, readonly Target[]>();

  /** The tier cheaper chains are built for: configured, else detected, else assumed. */
  const chainTier = (): { tier: Tier; assumed: boolean } => {
    if (options.tier !== 'auto') return { tier: options.tier, assumed: false };
    const detected = pacer.detectedTier();
    return detected === undefined
      ? { tier: ASSUMED_TIER, assumed: true }
      : { tier: detected, assumed: false };
  };

  const chainFor = (model: string | undefined, deployment: string | undefined): readonly Target[] => {
    const { tier, assumed } = chainTier();
    // A chain built from the tables depends on the tier, which `'auto'` learns later.
    const key = `${tier}\u0000${model ?? ''}\u0000${deployment ?? ''}`;
    let chain = chains.get(key);
    if (chain === undefined) {
      const built = buildChain(model, deployment, options, tier);
      chain = built.targets;
      if (chains.size < 256) chains.set(key, chain);
      if (built.fromTables && model !== undefined) {
        const shown = {
          chain: chain.slice(1).map((target) => target.model ?? ''),
          tier,
          tierAssumed: assumed,
        };
        if (counters.cheaperChains.size < 256 || counters.cheaperChains.has(model))
          counters.cheaperChains.set(model, shown);
      }
    }
    return chain;
  };

  /** The call's chain: its own (`x-tierguard-fallback`), or the guard's for its model. */
  const chainOf = (call: Call): readonly Target[] => {
    const first: Target = { model: call.model, ownEndpoint: false };
    if (call.fallback?.kind === 'off') return [first];
    if (call.fallback?.kind === 'chain')
      return [first, ...call.fallback.models.map((model): Target => ({ model, ownEndpoint: false }))];
    return chainFor(call.model, call.deployment);
  };

  const secretsOf = (call: Call): readonly string[] =>
    call.apiKey === undefined ? deps.secrets : [...deps.secrets, call.apiKey];

  const diagnoseCall = callDiagnoser(options, pacer, secretsOf);

  /** Notes a failed attempt for the final diagnosis's `attempts`. */
  const record = (call: Call, state: CallState, target: Target, failure: Failure, waitMs: number): void => {
    const { diagnosis } = failure;
    state.attempts.push({
      ...(failure.model === undefined ? {} : { model: failure.model }),
      ...(target.baseURL === undefined ? {} : { baseURL: maskSecrets(target.baseURL, secretsOf(call)) }),
      cause: diagnosis.cause,
      ...(diagnosis.status === undefined ? {} : { status: diagnosis.status }),
      waitMs,
      ...(diagnosis.requestId === undefined ? {} : { requestId: diagnosis.requestId }),
    });
    counters.failuresByCause.set(diagnosis.cause, (counters.failuresByCause.get(diagnosis.cause) ?? 0) + 1);
    events.emit({ type: 'diagnosed', diagnosis });
  };

  const deliver = (success: Success, call: Call, state: CallState): Response => {
    const { servedByModel } = counters;
    let servedBy = success.model ?? 'unknown';
    // Model names are the callers' (a proxy passes on its users'): the count is bounded, not the names.
    if (!servedByModel.has(servedBy) && servedByModel.size >= MAX_MODEL_NAMES) servedBy = OTHER_MODELS;
    servedByModel.set(servedBy, (servedByModel.get(servedBy) ?? 0) + 1);
    if (events.size > 0)
      events.emit({
        type: 'served',
        ...(success.model === undefined ? {} : { model: success.model }),
        ...(call.model === undefined ? {} : { requestedModel: call.model }),
        status: success.response.status,
        attempts: state.sent,
        latencyMs: Math.round(deps.now() - state.startedAtMs),
      });
    return servedResponse(success.response, success.body, success.model, state.sent);
  };

  /** The final failure: its diagnosis with every attempt and how the retries ended, to the caller. */
  const surface = (
    last: Failure,
    call: Call,
    state: CallState,
    target: Target,
    stoppedBy: RetryStop | undefined,
  ): Response => {
    const retries: RetrySummary = {
      attempts: state.sent,
      elapsedMs: Math.round(deps.now() - state.startedAtMs),
      ...(stoppedBy === undefined ? {} : { stoppedBy }),
    };
    const facts =
      last.answer === undefined
        ? (last.facts ?? last.error)
        : { status: last.answer.status, body: last.answer.bodyText, headers: last.answer.headers };
    const baseURL = target.baseURL ?? call.baseURL;
    const diagnosis: Diagnosis = {
      ...diagnoseCall(call, facts, last.model, baseURL, undefined, retries),
      attempts: state.attempts,
      retries,
    };
    events.emit({ type: 'failed', diagnosis });
    if (last.answer !== undefined)
      return failedResponse(last.answer, diagnosis, last.model, state.sent, secretsOf(call));
    throw failedError(last.error, diagnosis);
  };

  const context: AttemptContext = {
    options,
    pacer,
    events,
    budget: deps.budget,
    transport: client.transport,
    attemptTimeoutMs: client.attemptTimeoutMs,
    unpaced: deps.unpaced,
    secretsOf,
    diagnose: diagnoseCall,
  };

  /** The caller's own `x-tierguard-fallback` is wrong: refused before anything is sent, as the API refuses a bad request. */
  const refuseFallbackHeader = (call: Call, state: CallState, reason: string): Response => {
    const answer = localAnswer('invalid_fallback_header', reason);
    const facts = { status: answer.status, body: answer.bodyText, headers: answer.headers };
    const target: Target = { model: call.model, ownEndpoint: false };
    const refusal: Failure = {
      kind: 'failure',
      diagnosis: diagnoseCall(call, facts, call.model, call.baseURL, undefined),
      model: call.model,
      answer,
    };
    record(call, state, target, refusal, 0);
    return surface(refusal, call, state, target, undefined);
  };

  /** The call moves on from `last`'s model to `target`. */
  const noteFallback = (call: Call, last: Failure, target: Target): void => {
    counters.fallbacks += 1;
    events.emit({
      type: 'fallback',
      from: last.model ?? call.model ?? 'unknown',
      to: target.model ?? 'unknown',
      cause: last.diagnosis.cause,
      ...(target.baseURL === undefined ? {} : { endpoint: maskSecrets(new URL(target.baseURL).host) }),
      ...(last.diagnosis.origin === 'local' && last.diagnosis.retryAfterMs !== undefined
        ? { predictedWaitMs: last.diagnosis.retryAfterMs }
        : {}),
    });
  };

  /** The failed attempt `attempt` is retried after the plan's wait. */
  const noteRetry = (
    failure: Failure,
    attempt: number,
    plan: { readonly waitMs: number; readonly source: 'api' | 'backoff' | 'pacing' },
  ): void => {
    counters.retries += 1;
    events.emit({
      type: 'retry',
      ...(failure.model === undefined ? {} : { model: failure.model }),
      cause: failure.diagnosis.cause,
      ...(failure.diagnosis.status === undefined ? {} : { status: failure.diagnosis.status }),
      attempt,
      waitMs: plan.waitMs,
      waitSource: plan.source,
    });
  };

  /** The chain a call runs, and under the budget's `fallback` policy its last resort. */
  const chainToRun = (
    call: Call,
  ): { chain: readonly Target[]; lastResort: number; budgetFallback: boolean } => {
    const chain = chainOf(call);
    // Under the budget's `fallback` policy, the chain's cheapest model is the last resort, served
    // past the budget; a spent budget starts there.
    const budgetFallback = deps.budget !== undefined && options.budget?.onExhausted === 'fallback';
    const lastResort = budgetFallback ? deps.budget.cheapest(chain.map((target) => target.model)) : -1;
    if (budgetFallback && lastResort > 0 && deps.budget.state() === 'exhausted')
      return { chain: [chain[lastResort] as Target], lastResort: 0, budgetFallback };
    return { chain, lastResort, budgetFallback };
  };

  /** Whether, and after how long, a failed attempt is tried again. */
  const retryPlan = (call: Call, state: CallState, failure: Failure, attempt: number): RetryPlan | NoRetry =>
    // A local refusal is decided from what the guard knows: sending again changes nothing.
    failure.diagnosis.origin === 'local'
      ? { retry: false, reason: 'not-retryable' }
      : planRetry(
          failure.diagnosis,
          attempt,
          deps.now() - state.startedAtMs,
          options.retry,
          call.replayable,
          options.pacing,
        );

  /**
   * Runs a call through its chain; its failure is remembered for the client's own resend of it.
   * This frame is what a call waiting in the queue holds: the rarer steps are functions of their own.
   */
  const run = async (call: Call): Promise<Response> => {
    try {
      const state: CallState = { attempts: [], sent: 0, startedAtMs: deps.now() };
      if (call.fallback?.kind === 'invalid') return refuseFallbackHeader(call, state, call.fallback.reason);
      const { chain, lastResort, budgetFallback } = chainToRun(call);
      let last: Failure | undefined;
      let lastTarget = chain[0] as Target;
      let stoppedBy: RetryStop | undefined;
      // The `maxWaitMs` that made the call leave a model holds on the models it moves to.
      let waitBoundMs: number | undefined;
      for (let index = 0; index < chain.length; index += 1) {
        const target = chain[index] as Target;
        if (last !== undefined) {
          if (!call.replayable || deps.now() - state.startedAtMs >= options.retry.maxElapsedMs) break;
          const budgetMove = budgetFallback && last.diagnosis.cause === 'budget_exhausted';
          if (!budgetMove && !canServe(last.diagnosis, target, options.fallbackOn, options.deployments))
            continue;
          noteFallback(call, last, target);
        }
        lastTarget = target;
        let waitBefore = 0;
        let serverSaid = false;
        for (let attemptNumber = 1; ; attemptNumber += 1) {
          const outcome = await runAttempt(context, {
            call,
            target,
            sent: state.sent,
            serverSaid,
            budgetLastResort: index === lastResort,
            maxWaitMs: waitBoundMs,
          });
          if (outcome.kind === 'success') {
            state.sent += 1;
            return deliver(outcome, call, state);
          }
          if (outcome.diagnosis.origin !== 'local') state.sent += 1;
          if (isWaitRefusal(outcome.diagnosis))
            waitBoundMs = Math.min(
              waitBoundMs ?? Number.POSITIVE_INFINITY,
              options.maxWaitMsFor(outcome.model) ?? Number.POSITIVE_INFINITY,
            );
          last = outcome;
          record(call, state, target, outcome, waitBefore);
          const plan = retryPlan(call, state, outcome, attemptNumber);
          if (!plan.retry) {
            stoppedBy = plan.reason === 'not-retryable' ? undefined : plan.reason;
            break;
          }
          noteRetry(outcome, attemptNumber, plan);
          waitBefore = plan.waitMs;
          serverSaid = plan.serverSaid;
          if (plan.waitMs > 0) await delay(plan.waitMs, call.signal);
          if (call.signal?.aborted) throw abortReason(call.signal);
        }
      }
      return surface(last as Failure, call, state, lastTarget, stoppedBy);
    } catch (error) {
      // Aborts too: a per-call `timeout` is the client's timer on the whole call, and with a
      // per-call `maxRetries` the client resends the call when it fires (a caller's abort is never resent).
      memo.remember(call, error);
      throw error;
    }
  };

  /** Runs a call read from `input` and `init`. */
  const start = (input: string | URL | Request, init: RequestInit | undefined, requestBody?: string) => {
    let call: Call;
    try {
      call = readCall(input, init, options, requestBody);
    } catch (error) {
      return Promise.reject(error);
    }
    if (call.signal?.aborted) return Promise.reject(abortReason(call.signal));
    const earlier = memo.recall(call);
    if (earlier !== undefined) return Promise.reject(earlier);
    // Returned, not awaited: a call waiting in the queue holds no frame of this function (each
    // suspended frame is about half a kilobyte).
    return run(call);
  };

  return (input, init) => {
    const source = input as string | URL | Request;
    // Only a `Request` input's own body takes a turn to read.
    const toRead = requestToRead(source, init);
    if (toRead === undefined) return start(source, init);
    return toRead
      .clone()
      .text()
      .then((body) => start(source, init, body));
  };
}
