/**
 * `diagnose(error)`: whatever was caught → a `Diagnosis`. Pure and synchronous; it never throws.
 * The steps, one file each: normalize → recognize → waits → limits → context → hint.
 */
import { CAUSE_CATALOGUE, type Cause, type Origin } from '../data/causes.js';
import { maskSecrets } from '../util/mask.js';
import { attachedDiagnosis } from './attach.js';
import { hintContext } from './context.js';
import { formatWait, renderHint } from './hint.js';
import { findLimit } from './limits.js';
import { normalize, type ErrorFacts } from './normalize.js';
import { modelInMessage, recognize } from './recognize.js';
import type { Diagnosis, DiagnoseOptions, Locale } from './types.js';
import { findWait } from './waits.js';

// The headers a diagnosis keeps: what explains a refusal, nothing that could carry a secret.
const KEPT_HEADER =
  /^(?:x-ratelimit-[a-z-]+|retry-after(?:-ms)?|x-ms-retry-after-ms|x-request-id|x-should-retry|openai-organization|openai-processing-ms|openai-version|content-type|x-tierguard-(?:local|model|attempts))$/;

function originOf(facts: ErrorFacts, cause: Cause): Origin {
  if (facts.type === 'tierguard_local' || facts.headers['x-tierguard-local'] === '1') return 'local';
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

function build(facts: ErrorFacts, locale: Locale, askedModel: string | undefined): Diagnosis {
  const cause = recognize(facts, askedModel);
  const entry = CAUSE_CATALOGUE[cause];
  const origin = originOf(facts, cause);
  const message = maskSecrets(facts.message);
  const model = modelInMessage(message) ?? askedModel;
  const kind = entry.rateLimitKind;
  const wait = findWait(facts.headers, message, kind === 'slow_down' ? undefined : kind, Date.now());
  const limit = findLimit(cause, message, facts.headers);
  const core: Omit<Diagnosis, 'hint'> = {
    cause,
    origin,
    ...(facts.status === undefined ? {} : { status: facts.status }),
    ...(facts.code === undefined ? {} : { code: facts.code }),
    ...(facts.type === undefined ? {} : { type: facts.type }),
    ...(facts.param === undefined ? {} : { param: facts.param }),
    ...(facts.requestId === undefined ? {} : { requestId: facts.requestId }),
    ...(model === undefined ? {} : { model }),
    message,
    retryable: entry.retryable,
    fallback: entry.fallbackTo === 'model',
    fallbackTo: entry.fallbackTo,
    ...(wait === undefined ? {} : { retryAfterMs: wait.ms, retryAfterSource: wait.source }),
    ...(limit === undefined ? {} : { limit }),
    headers: keptHeaders(facts.headers),
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

/**
 * Names what went wrong and how to fix it. Accepts anything a `catch` can hold: an `APIError` of
 * openai 4–7, the SDK's connection, timeout and abort errors, an error thrown mid-stream, a network
 * error, a plain `{ status, error | body, headers }`, JSON text or a message. Never throws.
 *
 * An error that went through a guard carries the guard's own diagnosis (with every attempt); it is
 * returned as is, or with its hint re-rendered when `options.locale` asks for another language.
 */
export function diagnose(error: unknown, options: DiagnoseOptions = {}): Diagnosis {
  const locale: Locale = options.locale === 'zh-CN' ? 'zh-CN' : 'en';
  try {
    const attached = attachedDiagnosis(error);
    if (attached !== undefined) {
      if (options.locale === undefined) return attached;
      return masked({ ...attached, hint: renderHint(locale, hintContext(attached, {})) });
    }
    return build(normalize(error), locale, typeof options.model === 'string' ? options.model : undefined);
  } catch {
    return unknownDiagnosis(locale);
  }
}

/**
 * One line for logs and tables:
 * `rate_limited_tokens (429, retry in 1.9 s): Too many tokens per minute for gpt-4o`.
 */
export function describeDiagnosis(diagnosis: Diagnosis, locale: Locale = 'en'): string {
  const facts = [
    diagnosis.status === undefined ? diagnosis.origin : String(diagnosis.status),
    diagnosis.retryAfterMs === undefined || !diagnosis.retryable
      ? diagnosis.retryable
        ? locale === 'zh-CN'
          ? '可重试'
          : 'retryable'
        : locale === 'zh-CN'
          ? '不重试'
          : 'not retried'
      : `${locale === 'zh-CN' ? '等待' : 'retry in'} ${formatWait(locale, diagnosis.retryAfterMs)}`,
  ];
  return `${diagnosis.cause} (${facts.join(', ')}): ${diagnosis.hint.title}`;
}
