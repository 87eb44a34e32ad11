/**
 * Fallback chains: which model (or endpoint) to try next when one cannot serve, and whether a
 * given failure may move there. Account-level causes (quota, billing, key, region) only move to a
 * target with its own endpoint or key: a cheaper model on the same account fails the same way. A
 * context-length failure only moves to a model whose window holds the request.
 */
import type { Cause } from '../data/causes.js';
import type { Tier } from '../data/tiers.js';
import type { Diagnosis } from '../diagnose/types.js';
import { cheaperChain } from '../models/cheaper.js';
import { fitsContextWindow, resolveModel } from '../models/resolve.js';
import type { FallbackTarget, ResolvedOptions } from './options.js';
import type { Call } from './request.js';

/** Where one attempt goes. */
export interface Target {
  readonly model: string | undefined;
  readonly baseURL?: string;
  readonly apiKey?: string;
  readonly organization?: string;
  readonly project?: string;
  /** The target has its own endpoint or key: another account can serve. */
  readonly ownEndpoint: boolean;
}

function toTarget(entry: FallbackTarget): Target {
  if (typeof entry === 'string') return { model: entry, ownEndpoint: false };
  return {
    model: entry.model,
    ...(entry.baseURL === undefined ? {} : { baseURL: entry.baseURL.replace(/\/+$/, '') }),
    ...(entry.apiKey === undefined ? {} : { apiKey: entry.apiKey }),
    ...(entry.organization === undefined ? {} : { organization: entry.organization }),
    ...(entry.project === undefined ? {} : { project: entry.project }),
    ownEndpoint: entry.baseURL !== undefined || entry.apiKey !== undefined,
  };
}

/** A call's chain: its own target, then its fallbacks; `fromTables` when `'cheaper'` built it. */
export interface Chain {
  readonly targets: readonly Target[];
  readonly fromTables: boolean;
}

/**
 * The chain of a call to `model` (on Azure, to `deployment`): the chain written for it (looked up
 * by the deployment, then by the model's name as written, then by the model's family), else —
 * where `options.cheaperFallback(model)` says so — the cheaper chain the tables give for `tier`.
 */
export function buildChain(
  model: string | undefined,
  deployment: string | undefined,
  options: Pick<ResolvedOptions, 'fallback' | 'deployments' | 'cheaperFallback'>,
  tier: Tier,
): Chain {
  const first: Target = { model, ownEndpoint: false };
  const { fallback, deployments } = options;
  const written =
    (deployment === undefined ? undefined : fallback.get(deployment)) ??
    (model === undefined
      ? undefined
      : (fallback.get(model) ?? fallback.get(resolveModel(model, deployments).family)));
  if (written !== undefined) return { targets: [first, ...written.map(toTarget)], fromTables: false };
  if (model === undefined || !options.cheaperFallback(model)) return { targets: [first], fromTables: false };
  const cheaper = cheaperChain(model, tier, deployments).map((next) => toTarget(next));
  return { targets: [first, ...cheaper], fromTables: true };
}

/** The base `AzureOpenAI` builds (`${endpoint}/openai`): its calls name a deployment in the path. */
const AZURE_BASE = /\/openai$/;

/**
 * The Azure deployment an attempt of `call` for `target` goes to, when the call names one in its
 * path and the target is on Azure (the same resource, or a base URL ending in `/openai`): the
 * call's own for its own model; for another model of the chain, the entry itself when it is a
 * deployment `deployments` names, else the first deployment `deployments` says serves that model,
 * else a deployment named after the model (Azure's default name). `undefined` for an endpoint of
 * the OpenAI shape (the model in the body).
 */
export function deploymentFor(
  call: Call,
  target: Target,
  deployments: Readonly<Record<string, string>>,
): string | undefined {
  if (call.deployment === undefined) return undefined;
  if (target.baseURL !== undefined && !AZURE_BASE.test(target.baseURL)) return undefined;
  const model = target.model;
  if (model === undefined || model === call.model) return call.deployment;
  if (Object.hasOwn(deployments, model)) return model;
  return Object.keys(deployments).find((name) => deployments[name] === model) ?? model;
}

/** A local refusal because the predicted wait for the rate limit was above `maxWaitMs`. */
export function isWaitRefusal(diagnosis: Diagnosis): boolean {
  return (
    diagnosis.origin === 'local' &&
    (diagnosis.cause === 'rate_limited_tokens' || diagnosis.cause === 'rate_limited_requests')
  );
}

/** May a failure with this diagnosis move to `target`? */
export function canServe(
  diagnosis: Diagnosis,
  target: Target,
  fallbackOn: ReadonlySet<Cause>,
  deployments: Readonly<Record<string, string>>,
): boolean {
  if (!fallbackOn.has(diagnosis.cause)) return false;
  if (diagnosis.fallbackTo === 'endpoint') return target.ownEndpoint;
  if (diagnosis.fallbackTo !== 'model') return false;
  // A larger window only: a model with the same window fails the same way. What the request came
  // to is the message's word; a window the table does not know is tried.
  const limit = diagnosis.limit;
  if (
    diagnosis.cause === 'context_length_exceeded' &&
    limit?.kind === 'context' &&
    target.model !== undefined
  ) {
    const input = limit.prompt ?? limit.requested ?? limit.limit + 1;
    if (fitsContextWindow(target.model, input, limit.completion ?? 0, deployments) === false) return false;
  }
  return true;
}
