/**
 * Fallback chains: which model (or endpoint) to try next when one cannot serve, and whether a
 * given cause may move there. Account-level causes (quota, billing, key, region) only move to a
 * target with its own endpoint: a cheaper model on the same account fails the same way.
 */
import type { Cause } from '../data/causes.js';
import type { Diagnosis } from '../diagnose/types.js';
import { resolveModel } from '../models/resolve.js';
import type { FallbackTarget } from './options.js';

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

/** The request's own target followed by its fallbacks (looked up by the model as written, then its family). */
export function buildChain(
  model: string | undefined,
  fallback: Readonly<Record<string, readonly FallbackTarget[]>>,
  deployments: Readonly<Record<string, string>>,
): Target[] {
  const first: Target = { model, ownEndpoint: false };
  if (model === undefined) return [first];
  const entries = fallback[model] ?? fallback[resolveModel(model, deployments).family] ?? [];
  return [first, ...entries.map(toTarget)];
}

/** May a failure with this diagnosis move to `target`? */
export function canServe(diagnosis: Diagnosis, target: Target, fallbackOn: ReadonlySet<Cause>): boolean {
  if (!fallbackOn.has(diagnosis.cause)) return false;
  if (diagnosis.fallbackTo === 'model') return true;
  return diagnosis.fallbackTo === 'endpoint' && target.ownEndpoint;
}

/** The index of the next target of `chain` after `index` that can take this failure, or -1. */
export function nextTarget(
  chain: readonly Target[],
  index: number,
  diagnosis: Diagnosis,
  fallbackOn: ReadonlySet<Cause>,
): number {
  for (let next = index + 1; next < chain.length; next += 1) {
    if (canServe(diagnosis, chain[next] as Target, fallbackOn)) return next;
  }
  return -1;
}
