/**
 * The most a call can cost, before it is sent: its prompt (estimated, with a margin when the
 * estimate came from characters) and its largest possible output × choices, at the prices of the
 * service tier it asks for, with the residency uplift of a regional host. And how far its output
 * can be clamped to fit what a budget has left.
 */
import { estimateCost } from '../advisor/estimate-cost.js';
import { resolveModel } from '../models/resolve.js';
import type { OutputField, SpendRequest } from './gate.js';
import type { Endpoint } from '../tokens/estimate.js';

/**
 * A prompt estimated from its characters may count fewer tokens than the API (docs/decisions.md
 * §24 lists how far); the reservation takes this much more, so that what the answer reports stays
 * within it. A prompt counted by the caller's tokenizer is taken as counted.
 */
export const CHARACTER_ESTIMATE_MARGIN = 1.5;

/** A call's worst case, split so that its output can be clamped. */
export interface WorstCase {
  /** Prompt and largest output, USD. */
  readonly usd: number;
  /** The prompt's part, USD. */
  readonly promptUsd: number;
  /** One output token, USD. */
  readonly outputTokenUsd: number;
  /** Output tokens counted: the maximum per choice. */
  readonly maxOutputTokens: number;
  readonly choices: number;
  /** The body field that sets the output maximum (what a clamp writes); absent where none applies. */
  readonly outputField?: OutputField;
}

/** The field of `body` that bounds the output on `endpoint`: the one the caller set, else the current one. */
function outputFieldOf(
  endpoint: Endpoint,
  body: Readonly<Record<string, unknown>> | undefined,
): OutputField | undefined {
  if (endpoint === 'responses') return 'max_output_tokens';
  if (endpoint === 'completions') return 'max_tokens';
  if (endpoint !== 'chat') return undefined;
  // `max_tokens` is deprecated and reasoning models refuse it; a caller's own choice is kept.
  return body?.max_completion_tokens === undefined && body?.max_tokens !== undefined
    ? 'max_tokens'
    : 'max_completion_tokens';
}

/**
 * The largest output per choice: the maximum the call sets; without one, the most the model can
 * produce (its page's "max output tokens", within its window) — the API's own default — and the
 * guard's assumed output only when the model's is not known.
 */
function maxOutputOf(request: SpendRequest, deployments: Readonly<Record<string, string>>): number {
  const { estimate } = request;
  if (!estimate.outputDefaulted || (request.endpoint !== 'chat' && request.endpoint !== 'responses'))
    return estimate.maxOutputTokens;
  const context =
    request.model === undefined ? undefined : resolveModel(request.model, deployments).info?.context;
  if (context?.maxOutput === undefined) return estimate.maxOutputTokens;
  return Math.max(0, Math.min(context.maxOutput, context.tokens - estimate.promptTokens));
}

/** The service tier a request asks for: `flex` and `priority` are priced as such; anything else at Standard. */
function serviceTierOf(body: Readonly<Record<string, unknown>> | undefined): string {
  const tier = body?.service_tier;
  return tier === 'flex' || tier === 'priority' ? tier : 'default';
}

/** The worst case of a call; `undefined` when its model has no price (nothing to reserve). */
export function worstCaseOf(
  request: SpendRequest,
  deployments: Readonly<Record<string, string>>,
): WorstCase | undefined {
  if (request.model === undefined) return undefined;
  const model = deployments[request.model] ?? request.model;
  const pricing = { serviceTier: serviceTierOf(request.body), baseURL: request.baseURL };
  const { estimate } = request;
  const margin = estimate.method === 'tokenizer' ? 1 : CHARACTER_ESTIMATE_MARGIN;
  const prompt = estimateCost(model, { prompt_tokens: Math.ceil(estimate.promptTokens * margin) }, pricing);
  if (!prompt.known) return undefined;
  const outputTokenUsd = estimateCost(model, { completion_tokens: 1_000_000 }, pricing).usd / 1_000_000;
  const maxOutputTokens = maxOutputOf(request, deployments);
  const choices = Math.max(1, estimate.n);
  const outputField = outputFieldOf(request.endpoint, request.body);
  return {
    usd: prompt.usd + outputTokenUsd * maxOutputTokens * choices,
    promptUsd: prompt.usd,
    outputTokenUsd,
    maxOutputTokens,
    choices,
    ...(outputField === undefined ? {} : { outputField }),
  };
}

/** The output maximum per choice that `usd` pays for (rounded down); 0 when it pays for none. */
export function outputTokensFor(worst: WorstCase, usd: number): number {
  if (worst.outputTokenUsd <= 0) return worst.maxOutputTokens;
  return Math.max(0, Math.floor((usd - worst.promptUsd) / (worst.outputTokenUsd * worst.choices)));
}

/** The cost of a call whose output is clamped to `outputTokens` per choice. */
export function costWithOutput(worst: WorstCase, outputTokens: number): number {
  return worst.promptUsd + worst.outputTokenUsd * outputTokens * worst.choices;
}
