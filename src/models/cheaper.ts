/**
 * Cheaper fallback chains built from the tables (`fallback: 'cheaper'`): for a chat model, the
 * models that take the same input (images where it takes images), offer every feature it offers
 * (function calling, Structured Outputs), reason if and only if it reasons (the two kinds take
 * different parameters), cost less per token on input and output alike, and are reachable on the
 * account's tier. Closest in price first.
 */
import { MODEL_FEATURES, type ModelFeatures } from '../data/model-features.js';
import { TOKEN_PRICES, type TokenPrice } from '../data/prices.js';
import { MODEL_TIER_LIMITS, type Tier, type TierRow } from '../data/tiers.js';
import { resolveModel } from './resolve.js';
import { tableOf } from './table.js';

/** The longest chain built: each entry is one more attempt for a call that cannot be served. */
export const MAX_CHEAPER_CHAIN = 3;

/** The tier assumed when the account's is neither configured nor detected yet: the lowest paid one. */
export const ASSUMED_TIER: Tier = 'tier-1';

const features = tableOf<ModelFeatures>(MODEL_FEATURES.models);
const prices = tableOf<TokenPrice>(TOKEN_PRICES.models);
const rows = tableOf<TierRow>(MODEL_TIER_LIMITS.models);

/** The model's family as the tables know it, when it has features, a price and tier limits. */
function familyOf(model: string, deployments: Readonly<Record<string, string>>): string | undefined {
  const resolved = resolveModel(model, deployments);
  if (!resolved.known) return undefined;
  const family = resolved.info?.priceFamily ?? resolved.family;
  return features.has(family) && prices.has(family) ? family : undefined;
}

/** `candidate` can do everything `wanted` does, the same way (reasoning or not). */
function covers(candidate: ModelFeatures, wanted: ModelFeatures): boolean {
  return (
    candidate.reasoning === wanted.reasoning &&
    (candidate.imageInput || !wanted.imageInput) &&
    (candidate.functionCalling || !wanted.functionCalling) &&
    (candidate.structuredOutputs || !wanted.structuredOutputs)
  );
}

/** Cheaper on input and on output, and not the same price. */
function cheaper(candidate: TokenPrice, than: TokenPrice): boolean {
  const candidateOutput = candidate.outputPerMillion ?? 0;
  const thanOutput = than.outputPerMillion ?? 0;
  return (
    candidate.inputPerMillion <= than.inputPerMillion &&
    candidateOutput <= thanOutput &&
    (candidate.inputPerMillion < than.inputPerMillion || candidateOutput < thanOutput)
  );
}

function reachable(family: string, tier: Tier): boolean {
  const row = rows.get(family);
  // A tier the table leaves out is not published for the model: not offered.
  return row !== undefined && row[tier] !== undefined && row[tier] !== null;
}

const blended = (price: TokenPrice): number => price.inputPerMillion + (price.outputPerMillion ?? 0);

/**
 * The cheaper chain of `model` for an account on `tier`: model family names, closest in price
 * first, at most `MAX_CHEAPER_CHAIN`. Empty for a model the tables cannot place (unknown, no
 * features or price listed) or with nothing cheaper that can serve it.
 */
export function cheaperChain(
  model: string,
  tier: Tier,
  deployments: Readonly<Record<string, string>> = {},
): string[] {
  const family = familyOf(model, deployments);
  if (family === undefined) return [];
  const wanted = features.get(family) as ModelFeatures;
  const price = prices.get(family) as TokenPrice;
  const found: { family: string; price: number }[] = [];
  for (const [candidate, candidateFeatures] of features) {
    const candidatePrice = prices.get(candidate);
    if (candidate === family || candidatePrice === undefined) continue;
    if (!covers(candidateFeatures, wanted) || !cheaper(candidatePrice, price)) continue;
    if (!reachable(candidate, tier)) continue;
    found.push({ family: candidate, price: blended(candidatePrice) });
  }
  found.sort((left, right) => right.price - left.price || left.family.localeCompare(right.family));
  return found.slice(0, MAX_CHEAPER_CHAIN).map((entry) => entry.family);
}

/** Every chat model the tables can place, with its cheaper chain on `tier` (for the README's table). */
export function cheaperChains(tier: Tier): { model: string; chain: string[] }[] {
  return [...features.keys()].map((model) => ({ model, chain: cheaperChain(model, tier) }));
}
