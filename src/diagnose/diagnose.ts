/**
 * `diagnose(error)`: whatever was caught → a `Diagnosis`. Pure and synchronous; it never throws.
 * The steps, one file each: normalize (text capped) → recognize → waits → limits → account →
 * context → hint.
 */
import { CAUSE_CATALOGUE, isCause, type Cause, type Origin } from '../data/causes.js';
import { resolveModel } from '../models/resolve.js';
import { maskSecrets } from '../util/mask.js';
import { accountOf, retriesOption, retryableOf, type Account } from './account.js';
import { attachedDiagnosis } from './attach.js';
import { capped } from './cap.js';
import { hintContext } from './context.js';
import { renderHint } from './hint.js';
import { findLimit } from './limits.js';
import { normalize, type ErrorFacts } from './normalize.js';
import { modelInMessage, recognize } from './recognize.js';
import type { Diagnosis, DiagnoseOptions, Locale } from './types.js';
import { findWait } from './waits.js';

export { describeDiagnosis } from './describe.js';
export type { DescribeOptions } from './describe.js';

// The headers a diagnosis keeps: what explains a refusal, nothing that could carry a secret, and
// none of the guard's own (`x-tierguard-*`), which an upstream could forge.
const KEPT_HEADER =
  /^(?:x-ratelimit-[a-z-]{1,40}|retry-after(?:-ms)?|x-ms-retry-after-ms|x-request-id|x-should-retry|openai-organization|openai-processing-ms|openai-version|content-type)$/;

function originOf(facts: ErrorFacts, cause: Cause): Origin {
  // A local refusal says so in its body (`type: "tierguard_local"`); a header could be forged.
  if (facts.type === 'tierguard_local') return 'local';
  if (facts.kind === 'abort') return 'local';
  if (facts.kind === 'connection' || facts.kind === 'timeout' || cause === 'relay_error') return 'network';
  return CAUSE_CATALOGUE[cause].origin === 'local' ? 'local' : 'api';
}

function keptHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    if (KEPT_HEADER.test(name)) kept[name] = maskSecrets(value);
  return kept;
}

/** Masks every string of a diagnosis (a relay may echo the key in its body). */
function masked(diagnosis: Diagnosis): Diagnosis {
  return JSON.parse(maskSecrets(JSON.stringify(diagnosis))) as Diagnosis;
}

/** Two names of one model: equal, one the other behind a relay prefix, or one family's alias and snapshot. */
function sameModel(named: string, asked: string): boolean {
  const a = named.trim().toLowerCase();
  const b = asked.trim().toLowerCase();
  if (a === b || a.endsWith(`/${b}`) || b.endsWith(`/${a}`)) return true;
  const first = resolveModel(a);
  const second = resolveModel(b);
  return first.known && second.known && first.family === second.family;
}

function accountFields(account: Account): Pick<Diagnosis, 'tier' | 'provider' | 'region'> {
  return {
    ...(account.tier === undefined ? {} : { tier: account.tier }),
    ...(account.provider === undefined ? {} : { provider: account.provider }),
    ...(account.region === undefined ? {} : { region: account.region }),
  };
}

function build(facts: ErrorFacts, locale: Locale, options: DiagnoseOptions): Diagnosis {
  const asked =
    typeof options.model === 'string' && options.model !== '' ? capped(options.model, 256) : undefined;
  const message = maskSecrets(facts.message);
  const named = modelInMessage(message);
  const model = named ?? asked;
  const cause = recognize(facts, model);
  const entry = CAUSE_CATALOGUE[cause];
  const origin = originOf(facts, cause);
  const kind = entry.rateLimitKind;
  const wait = findWait(facts.headers, message, kind === 'slow_down' ? undefined : kind, Date.now());
  const limit = findLimit(cause, message, facts.headers, options.learnedLimits);
  const retries = retriesOption(options.retries);
  const requestedModel =
    named !== undefined && asked !== undefined && !sameModel(named, asked) ? asked : undefined;
  const core: Omit<Diagnosis, 'hint'> = {
    cause,
    origin,
    ...(facts.status === undefined ? {} : { status: facts.status }),
    ...(facts.code === undefined ? {} : { code: facts.code }),
    ...(facts.type === undefined ? {} : { type: facts.type }),
    ...(facts.param === undefined ? {} : { param: facts.param }),
    ...(facts.requestId === undefined ? {} : { requestId: facts.requestId }),
    ...(model === undefined ? {} : { model }),
    ...(requestedModel === undefined ? {} : { requestedModel }),
    message,
    retryable: retryableOf(entry, facts.headers, facts.status),
    fallback: entry.fallbackTo === 'model',
    fallbackTo: entry.fallbackTo,
    ...(wait === undefined ? {} : { retryAfterMs: wait.ms, retryAfterSource: wait.source }),
    ...(limit === undefined ? {} : { limit }),
    headers: keptHeaders(facts.headers),
    ...accountFields(accountOf(options, facts)),
    ...(retries === undefined ? {} : { retries }),
  };
  return masked({ ...core, hint: renderHint(locale, hintContext(core, facts)) });
}

function unknownDiagnosis(locale: Locale): Diagnosis {
  const core: Omit<Diagnosis, 'hint'> = {
    cause: 'unknown',
    origin: 'api',
    message: '',
    retryable: false,
    fallback: false,
    fallbackTo: 'none',
    headers: {},
  };
  try {
    return { ...core, hint: renderHint(locale, hintContext(core, {})) };
  } catch {
    return { ...core, hint: { title: 'An unrecognised error', why: '', steps: [], links: [] } };
  }
}

/** A diagnosis a guard attached, if it has the shape of one (a forged or partial one is not). */
function wellFormed(value: Diagnosis | undefined): Diagnosis | undefined {
  if (value === undefined) return undefined;
  const hint = value.hint as Partial<Diagnosis['hint']> | null | undefined;
  const ok =
    isCause(value.cause) &&
    typeof value.message === 'string' &&
    typeof value.retryable === 'boolean' &&
    typeof value.headers === 'object' &&
    value.headers !== null &&
    typeof hint === 'object' &&
    hint !== null &&
    typeof hint.title === 'string' &&
    typeof hint.why === 'string' &&
    Array.isArray(hint.steps) &&
    Array.isArray(hint.links);
  return ok ? value : undefined;
}

/**
 * Names what went wrong and how to fix it, for the account at hand. Accepts anything a `catch` can
 * hold: an `APIError` of openai 4–7, the SDK's connection, timeout and abort errors, an error thrown
 * mid-stream, a network error, a plain `{ status, error | body, headers }`, JSON text or a message.
 * Never throws; no text it reads can make it slow (it is capped before any pattern runs).
 *
 * `options` says what the caller knows: the model asked for, the account's `tier`, the `provider`
 * and `baseURL` the call went to, the limits a guard learned, and how its `retries` ended. A hint
 * never asks an account to reach a tier it has, and names the real suspects when the tier is not
 * the reason.
 *
 * An error that went through a guard carries the guard's own diagnosis (with every attempt); it is
 * returned as is, or with its hint re-rendered when `options` asks for another language or gives
 * what the account is.
 */
export function diagnose(error: unknown, options: DiagnoseOptions = {}): Diagnosis {
  const given: DiagnoseOptions = typeof options === 'object' && options !== null ? options : {};
  const locale: Locale = given.locale === 'zh-CN' ? 'zh-CN' : 'en';
  try {
    const attached = wellFormed(attachedDiagnosis(error));
    if (attached !== undefined) {
      const account = accountOf(given, {});
      const retries = retriesOption(given.retries);
      const rerender = given.locale !== undefined || Object.keys(account).length > 0 || retries !== undefined;
      if (!rerender) return attached;
      const merged: Omit<Diagnosis, 'hint'> = {
        ...attached,
        ...accountFields(account),
        ...(retries === undefined ? {} : { retries }),
      };
      return masked({ ...merged, hint: renderHint(locale, hintContext(merged, {})) });
    }
    return build(normalize(error), locale, given);
  } catch {
    return unknownDiagnosis(locale);
  }
}
