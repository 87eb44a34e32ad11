/**
 * One attempt of a call on one target: admit (the budget, the queue bound and the wait bound, the
 * buckets) → send (the request as prepared for the target, bounded by the client's timeout, which
 * starts when the request leaves: time in the queue is not counted) → observe. With `pacing: false`
 * only the budget admits: the attempt is sent at once and nothing is learned for pacing. Failures
 * are outcomes; the caller's abort is thrown.
 */
import { providerOfBaseURL } from '../advisor/endpoint.js';
import { countTextTokens, type RequestEstimate } from '../tokens/estimate.js';
import { PacingRefusal, type Pacer } from '../pacing/pacer.js';
import type { Lane } from '../pacing/lane.js';
import { abortReason } from '../util/delay.js';
import type { BudgetGate, SpendReservation } from '../budget/gate.js';
import type { EventHub } from '../telemetry/events.js';
import { deploymentFor, type Target } from './fallback.js';
import { localAnswer, type LocalCause } from './local-response.js';
import { observeAnswer, type Failure, type Outcome } from './observe.js';
import type { ResolvedOptions } from './options.js';
import { estimateBody, parseBody, type Call } from './request.js';
import { prepareRequest, withBodyField, type PreparedRequest } from './send.js';
import { accountOf } from './account.js';
import type { CallDiagnoser } from './call-diagnosis.js';
import { pacedSlot, unpacedSlot, type Slot } from './slot.js';

/** What every attempt of a guard needs. */
export interface AttemptContext {
  readonly options: ResolvedOptions;
  readonly pacer: Pacer;
  readonly events: EventHub;
  readonly budget: BudgetGate | undefined;
  readonly transport: typeof globalThis.fetch;
  /** The wrapped client's own timeout: it bounds each attempt, from the moment it is sent. */
  readonly attemptTimeoutMs: number | undefined;
  /** Attempts out with `pacing: false` (the pacer counts the others): `stats().inFlight` adds them. */
  readonly unpaced: { inFlight: number };
  /** Secrets that may appear in a base URL: the call's key, and the fallback keys. */
  readonly secretsOf: (call: Call) => readonly string[];
  /** Diagnoses an attempt's failure with what the guard knows (tier, provider, learned limits). */
  readonly diagnose: CallDiagnoser;
}

/** One attempt's place in its call. */
export interface AttemptPlan {
  readonly call: Call;
  readonly target: Target;
  /** Attempts already sent for this call (every target counted). */
  readonly sent: number;
  /** The server said this attempt may go now (its `retry-after` passed): admitted whatever the buckets say. */
  readonly serverSaid: boolean;
  /**
   * The bound on the predicted wait that made the call leave an earlier model of its chain: it
   * holds here too (with this model's own `maxWaitMs`, whichever is lower).
   */
  readonly maxWaitMs: number | undefined;
  /** The cheapest target of the chain under the budget's `fallback` policy: admitted past the budget. */
  readonly budgetLastResort: boolean;
}

/** Was the call sent before the network failed? A refused or unresolved connection never reached the API. */
function reachedApi(error: unknown): boolean {
  // Node's fetch puts the code on the error's cause; Bun's, on the error itself.
  const failed = error as { code?: unknown; cause?: { code?: unknown } } | undefined;
  const code = failed?.cause?.code ?? failed?.code;
  return !(
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'EAI_AGAIN' ||
    code === 'UND_ERR_CONNECT_TIMEOUT'
  );
}

/**
 * An error the transport threw, as the client reports it: openai-node makes every one a connection
 * error ("Connection error.", the error as its cause), or a timeout when its words say so, and
 * retries it. Diagnosed that way, a custom `fetch`'s own words ("Failed to fetch", "Load failed")
 * need not be known to tell it is one.
 */
function asTheClientReportsIt(error: unknown): { message: string; cause: unknown } {
  return { message: 'Connection error.', cause: error };
}

/** A timed-out attempt, as the error the client recognises as a timeout (`APIConnectionTimeoutError`). */
function timeoutError(ms: number): Error {
  const error = new Error(`tierguard: the attempt timed out after ${ms} ms (the client's timeout)`);
  error.name = 'TimeoutError';
  return error;
}

function local(
  context: AttemptContext,
  plan: AttemptPlan,
  model: string | undefined,
  lane: Lane | undefined,
  cause: LocalCause,
  message: string,
  waitMs?: number,
): Failure {
  const answer = localAnswer(cause, message, waitMs);
  const diagnosis = context.diagnose(
    plan.call,
    { status: answer.status, body: answer.bodyText, headers: answer.headers },
    model,
    plan.target.baseURL ?? plan.call.baseURL,
    lane,
  );
  return { kind: 'failure', diagnosis, model, answer };
}

/**
 * The account a lane is kept for: none when the limits are not the key's (keys shared by option,
 * an Azure deployment whatever credential reaches it, another endpoint without a key of its own).
 */
function laneAccount(
  context: AttemptContext,
  call: Call,
  target: Target,
  deployment: string | undefined,
): string | undefined {
  if (context.options.shareLimitsAcrossKeys || deployment !== undefined) return undefined;
  // Azure's `/openai/v1/` path names the deployment as the body's model: a lane per model is one
  // per deployment, whichever of the resource's keys or Entra ID tokens reaches it.
  const azure = target.baseURL === undefined ? call.azure : providerOfBaseURL(target.baseURL) === 'azure';
  if (azure) return undefined;
  if (target.apiKey !== undefined) return accountOf(target.apiKey);
  return target.ownEndpoint ? undefined : call.account;
}

/** The lane an attempt for `target` is paced on. */
function laneFor(
  context: AttemptContext,
  call: Call,
  target: Target,
  model: string | undefined,
  deployment: string | undefined,
): Lane {
  const own = target.ownEndpoint;
  // Azure's quotas are per deployment: another resource's deployment is paced by its model.
  const paced = target.baseURL === undefined ? deployment : undefined;
  return context.pacer.lane({
    baseURL: target.baseURL ?? call.baseURL,
    organization: own ? target.organization : call.organization,
    project: own ? target.project : call.project,
    // A deployment's quota is the deployment's, whatever credential reaches it (the resource's two
    // keys, an Entra ID token that rotates every hour): one lane, not one a credential.
    account: laneAccount(context, call, target, paced),
    model,
    deployment: paced,
    secrets: context.secretsOf(call),
  });
}

/** Refuses the attempt when the month's budget is spent and the policy is to refuse. */
function budgetRefusal(
  context: AttemptContext,
  plan: AttemptPlan,
  model: string | undefined,
  lane: Lane | undefined,
): Failure | undefined {
  const { options, budget } = context;
  if (budget?.state() !== 'exhausted' || options.budget?.onExhausted !== 'refuse') return undefined;
  return local(
    context,
    plan,
    model,
    lane,
    'budget_exhausted',
    `tierguard: the monthly budget of $${options.budget.monthlyUsd} is spent (${budget.month()}); calls are refused until the next month or a higher budget.`,
  );
}

/** The budget's word on an attempt: its reservation (and the estimate of the call clamped to fit), or its refusal. */
async function reserveSpend(
  context: AttemptContext,
  plan: AttemptPlan,
  budget: BudgetGate,
  estimate: RequestEstimate,
  model: string | undefined,
): Promise<
  | { readonly refused: string }
  | { readonly reservation: SpendReservation; readonly estimate: RequestEstimate }
> {
  const { call } = plan;
  const body = parseBody(call);
  const decision = await budget.reserve(
    { model, endpoint: call.endpoint, body, estimate, baseURL: plan.target.baseURL ?? call.baseURL },
    plan.budgetLastResort,
  );
  if (decision.kind === 'refused') return { refused: decision.message };
  const { reservation } = decision;
  const clamp = reservation.clamp;
  if (clamp === undefined || body === undefined) return { reservation, estimate };
  const clamped = { ...body, [clamp.field]: clamp.maxOutputTokens };
  return { reservation, estimate: estimateBody(call.endpoint, clamped, model, context.options) };
}

/** The request as it leaves: prepared for its target, its output maximum clamped to what the budget reserved. */
function requestFor(
  plan: AttemptPlan,
  reservation: SpendReservation | undefined,
  deployment: string | undefined,
): PreparedRequest {
  const request = prepareRequest(plan.call, plan.target, plan.sent, deployment);
  const clamp = reservation?.clamp;
  return clamp === undefined
    ? request
    : withBodyField(request, plan.call, clamp.field, clamp.maxOutputTokens);
}

/** Runs one attempt. Resolves with its outcome; rejects only with the caller's abort (or a closed guard). */
export async function runAttempt(context: AttemptContext, plan: AttemptPlan): Promise<Outcome> {
  const { call, target } = plan;
  const { options, pacer } = context;
  const model = target.model ?? call.model;
  const deployment = deploymentFor(call, target, options.deployments);
  const lane = options.pacing ? laneFor(context, call, target, model, deployment) : undefined;
  // The call's own estimate, unless it goes to another model. The request itself is prepared
  // when it leaves: a call waiting in the queue holds none of it.
  let estimate: RequestEstimate =
    model === call.model ? call.estimate : estimateBody(call.endpoint, parseBody(call), model, options);
  const refused = budgetRefusal(context, plan, model, lane);
  if (refused !== undefined) return refused;
  const spend =
    context.budget === undefined
      ? undefined
      : await reserveSpend(context, plan, context.budget, estimate, model);
  if (spend !== undefined && 'refused' in spend)
    return local(context, plan, model, lane, 'budget_exhausted', spend.refused);
  const reservation = spend?.reservation;
  if (spend !== undefined) estimate = spend.estimate;
  if (lane === undefined) {
    const slot = unpacedSlot(context.unpaced, context.secretsOf(call), target.baseURL ?? call.baseURL, model);
    emitSent(context, plan, slot, model, 0, estimate.totalTokens);
    return send(context, plan, requestFor(plan, reservation, deployment), slot, model, reservation);
  }
  const ownBound = options.maxWaitMsFor(model);
  const maxWaitMs =
    plan.maxWaitMs === undefined ? ownBound : Math.min(ownBound ?? Number.POSITIVE_INFINITY, plan.maxWaitMs);
  if (maxWaitMs !== undefined && !plan.serverSaid) {
    const predicted = pacer.predictWaitMs(lane, estimate);
    if (predicted > maxWaitMs) {
      reservation?.release();
      const bucket = predicted > 0 && lane.limits.has('tokens') ? 'tokens' : 'requests';
      return local(
        context,
        plan,
        model,
        lane,
        bucket === 'tokens' ? 'tokens_wait_exceeded' : 'requests_wait_exceeded',
        `tierguard: ${model ?? 'this call'} would wait about ${Math.ceil(predicted / 100) / 10} s for its rate limit (maxWaitMs ${maxWaitMs}); not sent.`,
        predicted,
      );
    }
  }
  const admission = plan.serverSaid
    ? pacer.admitNow(lane, estimate, model)
    : pacer.admit(lane, estimate, call.signal, model);
  // Returned, not awaited: a call waiting in the queue holds no suspended frame of this function
  // (about 600 bytes each; issue 15 bounds what a waiting call holds).
  return admission.then(
    (ticket) => {
      if (call.signal?.aborted) {
        pacer.finish(ticket, false);
        reservation?.release();
        throw abortReason(call.signal);
      }
      const slot = pacedSlot(pacer, ticket, lane);
      emitSent(context, plan, slot, model, ticket.queuedMs, estimate.totalTokens);
      return send(context, plan, requestFor(plan, reservation, deployment), slot, model, reservation);
    },
    (error: unknown) => {
      // Never sent: the reservation goes back.
      reservation?.release();
      if (error instanceof PacingRefusal) return local(context, plan, model, lane, error.kind, error.message);
      throw error;
    },
  );
}

function emitSent(
  context: AttemptContext,
  plan: AttemptPlan,
  slot: Slot,
  model: string | undefined,
  queuedMs: number,
  estimatedTokens: number,
): void {
  if (context.events.size > 0)
    context.events.emit({
      type: 'sent',
      key: slot.key,
      ...(model === undefined ? {} : { model }),
      endpoint: plan.call.endpoint,
      attempt: plan.sent + 1,
      queuedMs,
      estimatedTokens,
    });
}

async function send(
  context: AttemptContext,
  plan: AttemptPlan,
  request: PreparedRequest,
  slot: Slot,
  model: string | undefined,
  reservation: SpendReservation | undefined,
): Promise<Outcome> {
  const { call } = plan;
  const lane = slot.lane;
  // The attempt's own signal: the caller's abort, or the attempt's timeout.
  const controller = new AbortController();
  const signal = call.signal;
  const onAbort = (): void => controller.abort(signal === undefined ? undefined : abortReason(signal));
  signal?.addEventListener('abort', onAbort, { once: true });
  const timeoutMs = context.attemptTimeoutMs;
  let timedOut = false;
  let timer: ReturnType<typeof setTimeout> | undefined =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          controller.abort(timeoutError(timeoutMs));
        }, timeoutMs);
  const settle = (ended: boolean): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (ended) signal?.removeEventListener('abort', onAbort);
  };
  const baseURL = plan.target.baseURL ?? call.baseURL;
  // `facts` is what is diagnosed, `error` what the client receives (it makes its own error of it).
  const failure = (error: unknown, facts: unknown = error): Failure => {
    const thrown = timedOut ? timeoutError(timeoutMs as number) : error;
    const diagnosed = timedOut ? thrown : facts;
    return {
      kind: 'failure',
      diagnosis: context.diagnose(call, diagnosed, model, baseURL, lane),
      model,
      error: thrown,
      facts: diagnosed,
    };
  };
  slot.sent();
  let response: Response;
  try {
    const init: RequestInit = {
      ...call.init,
      method: call.method,
      headers: request.headers,
      signal: controller.signal,
    };
    if (request.body !== undefined && request.body !== null) init.body = request.body;
    response = await context.transport(request.url, init);
  } catch (error) {
    settle(true);
    const reached = timedOut || reachedApi(error);
    slot.finish(reached);
    // A call that may have reached the API may have been served (and billed) in full.
    if (reached) reservation?.commit(undefined, undefined);
    else reservation?.release();
    if (signal?.aborted) throw abortReason(signal);
    return failure(error, asTheClientReportsIt(error));
  }
  try {
    return await observeAnswer(response, {
      learn: (observation) => slot.learn(observation),
      release: () => slot.finish(true),
      model,
      reservation,
      countOutput: (text) =>
        countTextTokens(
          text,
          model,
          context.options.countTokens === undefined ? {} : { countTokens: context.options.countTokens },
        ),
      diagnose: (facts) => context.diagnose(call, facts, model, baseURL, lane),
      onLateStreamError: (diagnosis) => context.events.emit({ type: 'diagnosed', diagnosis }),
      onUsage: (usage) => {
        if (context.events.size > 0)
          context.events.emit({
            type: 'usage',
            key: slot.key,
            ...(model === undefined ? {} : { model }),
            reservedTokens: slot.reservedTokens,
            ...(usage.promptTokens === undefined ? {} : { inputTokens: usage.promptTokens }),
            ...(usage.completionTokens === undefined ? {} : { outputTokens: usage.completionTokens }),
          });
      },
      onSettled: settle,
      answersWithObject: call.endpoint !== 'other',
      maxHoldMs: context.attemptTimeoutMs,
    });
  } catch (error) {
    // The body failed while the guard read it (a reset, the timeout, the caller's abort): the API
    // answered, and may have produced the whole output.
    settle(true);
    slot.finish(true);
    reservation?.commit(undefined, undefined);
    if (signal?.aborted) throw abortReason(signal);
    return failure(error);
  }
}
