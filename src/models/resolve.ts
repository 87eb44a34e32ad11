/**
 * Model names as callers write them → the family tierguard knows: dated snapshots
 * (`gpt-4o-2024-08-06`), relay prefixes (`openai/gpt-4o`), fine-tunes (`ft:gpt-4o-mini-…`),
 * and Azure deployment names the user maps.
 */
import { KNOWN_MODELS, RETIRED_MODELS, type ModelInfo } from '../data/models.js';
import { MODEL_TIER_LIMITS } from '../data/tiers.js';

/** What tierguard knows of one model name. */
export interface ResolvedModel {
  /** The name as given. */
  readonly name: string;
  /** The known family the name resolves to, or the cleaned name when it is unknown. */
  readonly family: string;
  /** The family is in the known-model table. */
  readonly known: boolean;
  /** The model was retired; `successor` is a current model of the same class. */
  readonly retired: boolean;
  readonly successor?: string;
  /** The family whose published tier limits apply, when there is one. */
  readonly limitsFamily?: string;
  readonly info?: ModelInfo;
}

const models: Readonly<Record<string, ModelInfo>> = KNOWN_MODELS.models;
const retired: Readonly<Record<string, string>> = RETIRED_MODELS;
const tiered: Readonly<Record<string, unknown>> = MODEL_TIER_LIMITS.models;

// Snapshot suffixes: -2024-08-06, -20240806 and the older -0613 / -0125 / -1106 forms.
const SNAPSHOT = /-(?:\d{4}-\d{2}-\d{2}|\d{8}|\d{4})$/;
// Suffixes that name a moving alias of the same family.
const ALIAS = /-(?:latest|preview)$/;

function lookup(name: string): string | undefined {
  if (name in models || name in retired) return name;
  const undated = name.replace(SNAPSHOT, '');
  if (undated !== name && (undated in models || undated in retired)) return undated;
  const unaliased = undated.replace(ALIAS, '');
  if (unaliased !== undated && unaliased in models) return unaliased;
  return undefined;
}

/**
 * Resolves a model name to its family. `deployments` maps Azure deployment names (or any alias the
 * caller uses) to model names. Never throws: an unknown name comes back with `known: false`.
 */
export function resolveModel(
  name: string,
  deployments: Readonly<Record<string, string>> = {},
): ResolvedModel {
  const mapped = deployments[name] ?? name;
  let cleaned = mapped.trim().toLowerCase();
  // Fine-tunes: ft:<base>:<org>:<suffix>:<id>
  if (cleaned.startsWith('ft:')) cleaned = cleaned.slice(3).split(':')[0] ?? cleaned;
  // Relay prefixes such as `openai/gpt-4o` or `azure/gpt-4o`: the last path segment names the model.
  const segment = cleaned.includes('/') ? (cleaned.split('/').pop() ?? cleaned) : cleaned;
  const family = lookup(segment);
  if (family === undefined) return { name, family: segment, known: false, retired: false };
  const successor = retired[family];
  if (successor !== undefined) return { name, family, known: false, retired: true, successor };
  const info = models[family];
  const limitsFamily = info?.limitsFamily ?? (family in tiered ? family : undefined);
  return {
    name,
    family,
    known: true,
    retired: false,
    ...(limitsFamily === undefined ? {} : { limitsFamily }),
    ...(info === undefined ? {} : { info }),
  };
}

/**
 * The context window of a model, in tokens, when the model table knows it; `undefined` otherwise.
 * (Placeholder until the model table has a context-window column.)
 */
export function contextWindowOf(
  _model: string,
  _deployments: Readonly<Record<string, string>> = {},
): number | undefined {
  return undefined;
}
