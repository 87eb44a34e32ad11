/**
 * Which models the simulated account can call, and with which limits: the tier table
 * (openai-api.md Table 4, `MODEL_TIER_LIMITS`), the options' `limits`, and tierguard's documented
 * defaults for known models without a table. A model the tier marks "not supported" does not exist
 * for the account, as the API's 404 says (Table 1 #10).
 */
import { KNOWN_MODELS, type Encoding, type ModelKind } from '../../data/models.js';
import { IMAGE_PRICES, TOKEN_PRICES, type ImagePrice, type TokenPrice } from '../../data/prices.js';
import {
  DEFAULT_LIMITS_FAMILIES,
  MODEL_TIER_LIMITS,
  VERIFICATION_REQUIREMENTS,
  type Tier,
  type TierLimits,
  type TierRow,
  type VerificationNeed,
} from '../../data/tiers.js';
import { resolveModel } from '../../models/resolve.js';
import type { SimulatorLimits } from './options.js';

/** What the simulator knows of one model name the account can call. */
export interface CatalogueEntry {
  /** The name as requests write it. */
  readonly name: string;
  /** The known family it resolves to. */
  readonly family: string;
  readonly kind: ModelKind;
  readonly encoding: Encoding;
  /** The budget its calls draw on: models of one shared-limit group share one (note B). */
  readonly laneKey: string;
  /** Its limits on this tier, per window. */
  readonly limits: TierLimits;
  readonly tokenPrice: TokenPrice | undefined;
  readonly imagePrice: ImagePrice | undefined;
  /** What it needs from an unverified organization. */
  readonly verification: VerificationNeed | undefined;
}

const rows: Readonly<Record<string, TierRow>> = MODEL_TIER_LIMITS.models;
const tokenPrices: Readonly<Record<string, TokenPrice>> = TOKEN_PRICES.models;
const imagePrices: Readonly<Record<string, ImagePrice>> = IMAGE_PRICES.models;
const verification: Readonly<Record<string, VerificationNeed>> = VERIFICATION_REQUIREMENTS.models;

/**
 * The table a known model without its own row is limited by — a tierguard default, not an OpenAI
 * figure: embedding models use text-embedding-3-small's row, DALL·E models dall-e-3's, other image
 * models gpt-image-1's, everything else `DEFAULT_LIMITS_FAMILIES` (gpt-4o's row, the lowest TPM of
 * the standard chat families). On the free tier only embedding models get a default: the free tier
 * serves the models its tables list and no others.
 */
function defaultFamilies(kind: ModelKind, family: string): readonly string[] {
  if (kind === 'embedding') return ['text-embedding-3-small'];
  if (kind === 'image') return family.startsWith('dall-e') ? ['dall-e-3'] : ['gpt-image-1'];
  return DEFAULT_LIMITS_FAMILIES;
}

/** The published limits of a family on a tier; `null` when the tier cannot use it. */
function published(tier: Tier, limitsFamily: string | undefined, kind: ModelKind, family: string) {
  if (limitsFamily !== undefined) {
    const own = rows[limitsFamily]?.[tier];
    if (own === null) return null;
    if (own !== undefined) return own;
  }
  // The free tier serves only what its tables list (Table 4, Table 5: "only minis/embeddings").
  if (tier === 'free' && kind !== 'embedding') return null;
  // No published figure for this tier: the first default row that serves it.
  for (const fallback of defaultFamilies(kind, family)) {
    const limits = rows[fallback]?.[tier];
    if (limits !== undefined && limits !== null) return limits;
  }
  return null;
}

function asTierLimits(given: SimulatorLimits | undefined): TierLimits {
  if (given === undefined) return {};
  return {
    ...(given.requests === undefined ? {} : { requestsPerMinute: given.requests }),
    ...(given.tokens === undefined ? {} : { tokensPerMinute: given.tokens }),
    ...(given.requestsPerDay === undefined ? {} : { requestsPerDay: given.requestsPerDay }),
    ...(given.images === undefined ? {} : { imagesPerMinute: given.images }),
  };
}

/** The models of one simulated account, looked up once per name. */
export class ModelCatalogue {
  readonly #tier: Tier;
  readonly #overrides: Readonly<Record<string, SimulatorLimits>>;
  readonly #entries = new Map<string, CatalogueEntry | null>();
  #available: readonly string[] | undefined;

  constructor(tier: Tier, overrides: Readonly<Record<string, SimulatorLimits>>) {
    this.#tier = tier;
    this.#overrides = overrides;
  }

  /**
   * The entry of a model name; `undefined` when the account cannot call it (unknown, retired,
   * above the tier).
   */
  lookup(name: string): CatalogueEntry | undefined {
    let entry = this.#entries.get(name);
    if (entry === undefined) {
      entry = this.#build(name) ?? null;
      // Names come from requests: bound the cache so that a stream of random names cannot grow it.
      if (this.#entries.size >= 10_000) this.#entries.clear();
      this.#entries.set(name, entry);
    }
    return entry ?? undefined;
  }

  /** Every model name the account can call, for `GET /v1/models`. */
  available(): readonly string[] {
    this.#available ??= [
      ...new Set([...Object.keys(KNOWN_MODELS.models), ...Object.keys(this.#overrides)]),
    ].filter((name) => name !== '*' && this.lookup(name) !== undefined);
    return this.#available;
  }

  #build(name: string): CatalogueEntry | undefined {
    const everyModel = asTierLimits(this.#overrides['*']);
    const byName = this.#overrides[name];
    // The API knows exact ids only: no relay prefixes (`openai/gpt-4o`), no other spelling.
    const exact = !name.includes('/') && name === name.trim().toLowerCase();
    const resolved = resolveModel(name);
    if (!exact || !resolved.known || resolved.info === undefined) {
      // A name the API does not know exists only when the options name it (a relay's own model).
      if (byName === undefined) return undefined;
      return {
        name,
        family: resolved.family,
        kind: 'chat',
        encoding: 'o200k_base',
        laneKey: `name:${name}`,
        limits: { ...everyModel, ...asTierLimits(byName) },
        tokenPrice: undefined,
        imagePrice: undefined,
        verification: undefined,
      };
    }
    const { info, family, limitsFamily } = resolved;
    // `limits['gpt-4o']` is the family's, shared with its snapshots, not a budget of its own.
    const ownName = name === family || name === limitsFamily ? undefined : byName;
    const byFamily =
      (limitsFamily === undefined ? undefined : this.#overrides[limitsFamily]) ?? this.#overrides[family];
    const base = published(this.#tier, limitsFamily, info.kind, family);
    // Named in `limits`: served on any tier; '*' alone changes numbers, never access.
    if (base === null && ownName === undefined && byFamily === undefined) return undefined;
    return {
      name,
      family,
      kind: info.kind,
      encoding: info.encoding,
      laneKey: ownName === undefined ? (limitsFamily ?? family) : `name:${name}`,
      limits: {
        ...(base ?? {}),
        ...everyModel,
        ...asTierLimits(byFamily),
        ...asTierLimits(ownName),
      },
      tokenPrice: tokenPrices[info.priceFamily ?? family],
      imagePrice: imagePrices[info.limitsFamily ?? family],
      verification:
        verification[family] ?? (limitsFamily === undefined ? undefined : verification[limitsFamily]),
    };
  }
}
