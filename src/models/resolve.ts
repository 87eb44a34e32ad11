/**
 * Model names as callers write them → the family tierguard knows: dated snapshots
 * (`gpt-4o-2024-08-06`), relay prefixes (`openai/gpt-4o`), fine-tunes (`ft:gpt-4o-mini:acme::abc123`),
 * Azure deployment names the user maps, and retired ids with their replacement. Every lookup by a
 * caller-given name goes through a `Map`: `constructor` or `__proto__` is just an unknown model.
 */
import { KNOWN_MODELS, RETIRED_MODELS, type ModelInfo, type RetiredModel } from '../data/models.js';
import { TOKEN_PRICES } from '../data/prices.js';
import { MODEL_TIER_LIMITS } from '../data/tiers.js';
import { ownValue, tableOf } from './table.js';

/** How a name was written: a model id, a fine-tune, an Azure deployment the caller mapped, or `vendor/model` for a relay. */
export type ModelNameForm = 'model' | 'fine-tune' | 'deployment' | 'relay';

/** The parts of a fine-tuned model's name: `ft:<base>:<organization>:<suffix>:<id>`. */
export interface FineTuneName {
  /** The base model it was trained from. */
  readonly base: string;
  readonly organization?: string;
  readonly suffix?: string;
  readonly id?: string;
}

/** What tierguard knows of one model name. */
export interface ResolvedModel {
  /** The name as given. */
  readonly name: string;
  /** The known family the name resolves to, or the cleaned name when it is unknown. */
  readonly family: string;
  /** The family is in the known-model table and not retired. */
  readonly known: boolean;
  /** The model was shut down; `successor` is the current model OpenAI recommends instead. */
  readonly retired: boolean;
  readonly successor?: string;
  /** The shutdown date of a retired model (OpenAI's deprecations page). */
  readonly retiredOn?: string;
  /** The family whose published tier limits apply, when there is one. */
  readonly limitsFamily?: string;
  readonly info?: ModelInfo;
  /** How the name was written. */
  readonly form: ModelNameForm;
  /** The parts of a fine-tune's name. */
  readonly fineTune?: FineTuneName;
  /** The vendor prefix of a relay's `vendor/model` name. */
  readonly vendor?: string;
  /** The deployment name the caller mapped to this model. */
  readonly deployment?: string;
}

const models = tableOf<ModelInfo>(KNOWN_MODELS.models);
const retired = tableOf<RetiredModel>(RETIRED_MODELS.models);
const tiered = tableOf<unknown>(MODEL_TIER_LIMITS.models);

// No model id is longer; a longer name is cut before any pattern reads it.
const MAX_NAME = 256;
// Snapshot suffixes: -2024-08-06, -20240806 and the older -0613 / -0125 / -1106 forms.
const SNAPSHOT = /-(?:\d{4}-\d{2}-\d{2}|\d{8}|\d{4})$/;
// Suffixes that name a moving alias of the same family.
const ALIAS = /-(?:latest|preview)$/;

function lookup(name: string): string | undefined {
  if (retired.has(name) || models.has(name)) return name;
  const undated = name.replace(SNAPSHOT, '');
  if (undated !== name && (retired.has(undated) || models.has(undated))) return undated;
  const unaliased = undated.replace(ALIAS, '');
  if (unaliased !== undated && models.has(unaliased)) return unaliased;
  return undefined;
}

/** The replacement of a retired model, followed past replacements that were shut down too. */
function currentSuccessor(model: RetiredModel): string {
  let successor = model.successor;
  for (let hops = 0; hops < 8; hops += 1) {
    const next = retired.get(successor);
    if (next === undefined) break;
    successor = next.successor;
  }
  return successor;
}

/** `ft:<base>:<org>:<suffix>:<id>`, and the legacy `<base>:ft-<org>-<date>`. */
function fineTuneOf(cleaned: string): FineTuneName | undefined {
  if (cleaned.startsWith('ft:')) {
    const [base = '', organization, suffix, id] = cleaned.slice(3).split(':');
    return {
      base,
      ...(organization ? { organization } : {}),
      ...(suffix ? { suffix } : {}),
      ...(id ? { id } : {}),
    };
  }
  const legacy = /^([a-z0-9.-]{1,64}):ft-/.exec(cleaned);
  return legacy?.[1] === undefined ? undefined : { base: legacy[1] };
}

/**
 * Resolves a model name to its family. `deployments` maps Azure deployment names (or any alias the
 * caller uses) to model names. Never throws: an unknown name comes back with `known: false`.
 */
export function resolveModel(
  name: string,
  deployments: Readonly<Record<string, string>> = {},
): ResolvedModel {
  const given = typeof name === 'string' ? name : '';
  const mappedTo = ownValue(deployments, given);
  const mapped = typeof mappedTo === 'string' ? mappedTo : given;
  const deployment = mapped === given ? {} : { deployment: given };
  let cleaned = mapped.slice(0, MAX_NAME).trim().toLowerCase();
  const fineTune = fineTuneOf(cleaned);
  if (fineTune !== undefined) cleaned = fineTune.base;
  // Relay prefixes such as `openai/gpt-4o` or `azure/gpt-4o`: the last path segment names the model.
  const segments = cleaned.split('/');
  const segment = segments[segments.length - 1] ?? cleaned;
  const vendor = segments.length > 1 ? { vendor: segments[0] ?? '' } : {};
  const form: ModelNameForm =
    fineTune !== undefined
      ? 'fine-tune'
      : mapped !== given
        ? 'deployment'
        : segments.length > 1
          ? 'relay'
          : 'model';
  const shape = {
    name: given,
    form,
    ...(fineTune === undefined ? {} : { fineTune }),
    ...vendor,
    ...deployment,
  };
  const family = lookup(segment);
  if (family === undefined) return { ...shape, family: segment, known: false, retired: false };
  const info = models.get(family);
  const gone = retired.get(family);
  if (gone !== undefined)
    return {
      ...shape,
      family,
      known: false,
      retired: true,
      successor: currentSuccessor(gone),
      retiredOn: gone.shutdownOn,
      ...(info === undefined ? {} : { info }),
    };
  const limitsFamily = info?.limitsFamily ?? (tiered.has(family) ? family : undefined);
  return {
    ...shape,
    family,
    known: true,
    retired: false,
    ...(limitsFamily === undefined ? {} : { limitsFamily }),
    ...(info === undefined ? {} : { info }),
  };
}

/**
 * The context window of `model` in tokens (prompt and output together), from the model table;
 * `undefined` when its page states none, or the model is unknown or retired. A fine-tune has its
 * base model's window. For a context-length fallback: only a model whose window holds the request.
 */
export function contextWindowOf(
  model: string,
  deployments: Readonly<Record<string, string>> = {},
): number | undefined {
  const resolved = resolveModel(model, deployments);
  return resolved.retired ? undefined : resolved.info?.context?.tokens;
}

/**
 * Whether a request of `input` prompt tokens and `output` output tokens (`max_tokens`) fits
 * `model`'s context window, and its input limit where the API caps the input lower (gpt-5);
 * `undefined` when the window is not known. What a context-length fallback checks before it sends
 * a request to another model.
 */
export function fitsContextWindow(
  model: string,
  input: number,
  output = 0,
  deployments: Readonly<Record<string, string>> = {},
): boolean | undefined {
  const resolved = resolveModel(model, deployments);
  const context = resolved.retired ? undefined : resolved.info?.context;
  if (context === undefined || !Number.isFinite(input) || !Number.isFinite(output)) return undefined;
  if (context.maxInput !== undefined && input > context.maxInput) return false;
  return input + Math.max(0, output) <= context.tokens;
}

/** A model with a context window large enough for a request. */
export interface RoomyModel {
  readonly model: string;
  /** Its context window, in tokens. */
  readonly tokens: number;
}

const prices = tableOf<{ readonly inputPerMillion: number }>(TOKEN_PRICES.models);

/**
 * Current chat models with a published price whose window holds `tokens`, cheapest input first
 * (at most `limit` of them): what a hint suggests after a `context_length_exceeded`. With `input`,
 * `tokens` are prompt tokens alone, and a model must hold them even with its largest output (a
 * model whose input limit is the window less its output, like gpt-5's, is not offered in vain).
 */
export function modelsWithWindow(tokens: number, limit = 3, input = false): RoomyModel[] {
  if (!Number.isFinite(tokens) || tokens <= 0) return [];
  const found: { model: string; tokens: number; price: number }[] = [];
  for (const [model, info] of models) {
    const window = info.context?.tokens;
    const price = prices.get(info.priceFamily ?? model)?.inputPerMillion;
    if (info.kind !== 'chat' || window === undefined || price === undefined) continue;
    const room = input
      ? Math.min(info.context?.maxInput ?? window, window - (info.context?.maxOutput ?? 0))
      : window;
    if (room < tokens) continue;
    if (retired.has(model)) continue;
    found.push({ model, tokens: window, price });
  }
  found.sort((a, b) => a.price - b.price || a.tokens - b.tokens || a.model.localeCompare(b.model));
  return found.slice(0, Math.max(0, limit)).map(({ model, tokens: window }) => ({ model, tokens: window }));
}
