/**
 * A failure diagnosed with what the guard knows of the call's account: its tier (configured or
 * detected), the limits its lane learned from headers, the provider its base URL names, and the
 * secrets to mask (the call's key, the fallback keys).
 */
import { providerOfBaseURL } from '../advisor/endpoint.js';
import { diagnose } from '../diagnose/diagnose.js';
import type { Diagnosis, RetrySummary } from '../diagnose/types.js';
import type { Lane } from '../pacing/lane.js';
import type { Pacer } from '../pacing/pacer.js';
import { maskSecrets } from '../util/mask.js';
import type { ResolvedOptions } from './options.js';
import type { Call } from './request.js';

/** Diagnoses one failure of `call`, on `model` at `baseURL`, paced on `lane` (when paced). */
export type CallDiagnoser = (
  call: Call,
  facts: unknown,
  model: string | undefined,
  baseURL: string,
  lane: Lane | undefined,
  retries?: RetrySummary,
) => Diagnosis;

/** The diagnoser of a guard's calls. */
export function callDiagnoser(
  options: ResolvedOptions,
  pacer: Pacer,
  secretsOf: (call: Call) => readonly string[],
): CallDiagnoser {
  return (call, facts, model, baseURL, lane, retries) => {
    const requests = lane?.limits.get('requests');
    const tokens = lane?.limits.get('tokens');
    const learned = requests?.source === 'headers' || tokens?.source === 'headers';
    const tier =
      options.tier === 'auto' ? (lane?.learning.tierDetected ?? pacer.detectedTier()) : options.tier;
    const diagnosis = diagnose(facts, {
      locale: options.locale,
      ...(model === undefined ? {} : { model }),
      ...(tier === undefined ? {} : { tier }),
      provider: providerOfBaseURL(baseURL) ?? 'other',
      baseURL,
      ...(learned
        ? {
            learnedLimits: {
              ...(requests?.source === 'headers' ? { requests: requests.capacity } : {}),
              ...(tokens?.source === 'headers' ? { tokens: tokens.capacity } : {}),
              windowMs: (tokens ?? requests)?.windowMs ?? options.windowMs,
            },
          }
        : {}),
      ...(retries === undefined ? {} : { retries }),
    });
    const secrets = secretsOf(call);
    return secrets.length === 0
      ? diagnosis
      : (JSON.parse(maskSecrets(JSON.stringify(diagnosis), secrets)) as Diagnosis);
  };
}
