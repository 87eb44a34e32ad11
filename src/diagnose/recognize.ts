/**
 * Step 2 of diagnose: facts → cause, by the ordered rules of `src/data/recognition.ts`; then the
 * one distinction no rule can make alone — a 404 `model_not_found` for a model that exists is an
 * access problem, not a typo (DESIGN.md "Causes").
 */
import type { Cause } from '../data/causes.js';
import { RECOGNITION_RULES, type RecognitionRule } from '../data/recognition.js';
import { resolveModel } from '../models/resolve.js';
import type { ErrorFacts } from './normalize.js';

function matches(rule: RecognitionRule, facts: ErrorFacts): boolean {
  if (rule.kinds !== undefined && !rule.kinds.includes(facts.kind)) return false;
  if (rule.nonJsonBody !== undefined && rule.nonJsonBody !== facts.nonJsonBody) return false;
  if (rule.apiErrorBody !== undefined && rule.apiErrorBody !== facts.apiErrorBody) return false;
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
  if (rule.message !== undefined && !rule.message.test(facts.message)) return false;
  return true;
}

/** The model an error message names, as the API writes it. */
export function modelInMessage(message: string): string | undefined {
  const patterns = [
    /\bmodel [`'"]([^`'"\s]+)[`'"]/i,
    /\b(?:Rate limit reached|Request too large) for ([\w.:/-]+) in organization\b/i,
    /\bthe model ([\w.:/-]+) (?:does not exist|is currently overloaded)/i,
  ];
  for (const pattern of patterns) {
    const found = pattern.exec(message)?.[1];
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The cause of a failure. `model` is the model the request asked for, when the message names none. */
export function recognize(facts: ErrorFacts, model: string | undefined): Cause {
  const rule = RECOGNITION_RULES.find((candidate) => matches(candidate, facts));
  const cause = rule?.cause ?? 'unknown';
  if (cause === 'model_not_found' && facts.code?.toLowerCase() !== 'deploymentnotfound') {
    const named = model ?? modelInMessage(facts.message);
    if (named !== undefined) {
      const resolved = resolveModel(named);
      if (resolved.known) return 'model_access_denied';
    }
    // A 403 with model_not_found is the project allowed-models restriction (Table 1 #11).
    if (facts.status === 403) return 'model_access_denied';
  }
  return cause;
}
