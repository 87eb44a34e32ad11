/**
 * Step 2 of diagnose: facts → cause, by the ordered rules of `src/data/recognition.ts`; then the
 * one distinction no rule can make alone — a 404 `model_not_found` for a model that exists is an
 * access problem, not a typo (DESIGN.md "Causes"), unless it is a fine-tune (a fine-tune that is
 * missing was deleted, belongs to another organization, or is misspelled: no tier gives access).
 */
import type { Cause } from '../data/causes.js';
import { RECOGNITION_RULES, type RecognitionRule } from '../data/recognition.js';
import { TIERS, type Tier } from '../data/tiers.js';
import { resolveModel } from '../models/resolve.js';
import type { ErrorFacts } from './normalize.js';

function messageMatches(pattern: RegExp | readonly RegExp[], message: string): boolean {
  const patterns: readonly RegExp[] = pattern instanceof RegExp ? [pattern] : pattern;
  return patterns.every((candidate) => candidate.test(message));
}

const isClientStatus = (status: number | undefined): boolean =>
  status !== undefined && status >= 400 && status < 500;

function matches(rule: RecognitionRule, facts: ErrorFacts): boolean {
  if (rule.kinds !== undefined && !rule.kinds.includes(facts.kind)) return false;
  if (rule.nonJsonBody !== undefined && rule.nonJsonBody !== facts.nonJsonBody) return false;
  if (rule.apiErrorBody !== undefined && rule.apiErrorBody !== facts.apiErrorBody) return false;
  if (rule.clientStatus !== undefined && rule.clientStatus !== isClientStatus(facts.status)) return false;
  if (rule.statuses !== undefined && (facts.status === undefined || !rule.statuses.includes(facts.status)))
    return false;
  if (rule.codes !== undefined) {
    const codes = [facts.code, facts.innerCode]
      .filter((code): code is string => code !== undefined)
      .map((code) => code.toLowerCase());
    if (!rule.codes.some((code) => codes.includes(code.toLowerCase()))) return false;
  }
  if (rule.types !== undefined && (facts.type === undefined || !rule.types.includes(facts.type)))
    return false;
  if (rule.message !== undefined && !messageMatches(rule.message, facts.message)) return false;
  return true;
}

// How the API names a model in its messages (Table 1 #10–13, #16–19, #36; §E5).
const MODEL_PATTERNS = [
  /\bmodel [`'"]([^`'"\s]{1,256})[`'"]/i,
  /\b(?:Rate limit reached|Request too large) for ([\w.:/-]{1,256}) in organization\b/i,
  /\bthe model ([\w.:/-]{1,256}) (?:does not exist|is currently overloaded)/i,
  /\busage tier \d+ (?:or higher )?to (?:access|use) [`'"]?([\w:/-]+(?:\.[\w:/-]+)*)/i,
];

/** The model an error message names, as the API writes it. */
export function modelInMessage(message: string): string | undefined {
  for (const pattern of MODEL_PATTERNS) {
    const found = pattern.exec(message)?.[1];
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The usage tier a tier-gated model's message names ("must qualify for at least usage tier 5"). */
export function tierInMessage(message: string): Tier | undefined {
  const level = /\b(?:qualify for|be on|reach) (?:at least )?usage tier (\d)\b/i.exec(message)?.[1];
  const tier = level === undefined ? undefined : `tier-${level}`;
  return TIERS.find((candidate) => candidate === tier);
}

/**
 * The cause of a failure. `model` is the model the error is about: the one its message names, else
 * the one the request asked for.
 */
export function recognize(facts: ErrorFacts, model: string | undefined): Cause {
  const rule = RECOGNITION_RULES.find((candidate) => matches(candidate, facts));
  const cause = rule?.cause ?? 'unknown';
  if (cause === 'model_not_found' && rule?.endpointCatalogue !== true) {
    if (model !== undefined) {
      const resolved = resolveModel(model);
      if (resolved.form === 'fine-tune') return 'model_not_found';
      if (resolved.known) return 'model_access_denied';
    }
    // A 403 with model_not_found is the project allowed-models restriction (Table 1 #11).
    if (facts.status === 403) return 'model_access_denied';
  }
  return cause;
}
