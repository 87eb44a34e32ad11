/**
 * Step 4 of diagnose: which limit was hit and its numbers — a rate limit from the message ("Limit
 * 30000, Used 29420, Requested 1538"), the `x-ratelimit-*` headers (-1 means unknown, Table 1b) or
 * what the guard learned before; the context window from a `context_length_exceeded` message
 * (Table 1 #28: "maximum context length is N tokens … resulted in M tokens" / "you requested T tokens
 * (P in the messages, C in the completion)").
 */
import type { Cause } from '../data/causes.js';
import { readRateLimitHeaders } from '../util/rate-limit-headers.js';
import type { ContextLimitInfo, DiagnoseOptions, RateLimitInfo } from './types.js';

const number = (text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  const value = Number(text.replace(/[,_\s]/g, ''));
  return Number.isFinite(value) ? value : undefined;
};

// Digits with thousands separators, bounded so that no run of digits is read for long.
const COUNT = String.raw`(\d[\d,]{0,15})`;
const WINDOW = new RegExp(String.raw`\bmaximum context length is ${COUNT} tokens`, 'i');
// gpt-5 caps the input alone: "Input tokens exceed the configured limit of 272000 tokens" (cline/cline#5474).
const INPUT_LIMIT = new RegExp(
  String.raw`\binput tokens exceed the configured limit of ${COUNT} tokens`,
  'i',
);
const RESULTED = new RegExp(String.raw`\bresulted in ${COUNT} tokens`, 'i');
const REQUESTED = new RegExp(String.raw`\byou requested ${COUNT} tokens`, 'i');
const COMPLETION = new RegExp(String.raw`${COUNT} in the completion\b`, 'i');

/** The context window a `context_length_exceeded` message names, and what the request came to. */
export function findContextLimit(message: string): ContextLimitInfo | undefined {
  const windowLimit = number(WINDOW.exec(message)?.[1]);
  const inputLimit = windowLimit === undefined ? number(INPUT_LIMIT.exec(message)?.[1]) : undefined;
  const limit = windowLimit ?? inputLimit;
  if (limit === undefined || limit <= 0) return undefined;
  const requested = number(REQUESTED.exec(message)?.[1]) ?? number(RESULTED.exec(message)?.[1]);
  const completion = requested === undefined ? undefined : number(COMPLETION.exec(message)?.[1]);
  const prompt =
    requested !== undefined && completion !== undefined && completion <= requested
      ? requested - completion
      : undefined;
  return {
    kind: 'context',
    limit,
    ...(inputLimit === undefined ? {} : { input: true }),
    ...(requested === undefined ? {} : { requested }),
    ...(prompt === undefined ? {} : { prompt }),
    ...(completion === undefined ? {} : { completion }),
  };
}

/** A positive finite count, or undefined. */
function learned(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

/**
 * The limit a cause is about: the context window for `context_length_exceeded`, the rate limit for
 * the rate-limit causes; `undefined` for other causes. `learnedLimits` fills a per-minute limit's
 * size when neither the message nor the headers give it.
 */
export function findLimit(
  cause: Cause,
  message: string,
  headers: Readonly<Record<string, string>>,
  learnedLimits?: DiagnoseOptions['learnedLimits'],
): RateLimitInfo | ContextLimitInfo | undefined {
  if (cause === 'context_length_exceeded') return findContextLimit(message);
  if (cause !== 'rate_limited_requests' && cause !== 'rate_limited_tokens' && cause !== 'request_too_large')
    return undefined;
  const kind: 'requests' | 'tokens' = cause === 'rate_limited_requests' ? 'requests' : 'tokens';
  const window: 'minute' | 'day' = /per day|\b[RT]PD\b/i.test(message) ? 'day' : 'minute';
  const limit = number(/\bLimit:?\s{0,8}(\d[\d,]{0,15})/i.exec(message)?.[1]);
  const used = number(/\bUsed:?\s{0,8}(\d[\d,]{0,15})/i.exec(message)?.[1]);
  const requested = number(/\bRequested:?\s{0,8}(\d[\d,]{0,15})/i.exec(message)?.[1]);
  // Headers describe the per-minute buckets; they say nothing of a daily limit.
  const said = window === 'minute' ? readRateLimitHeaders(headers)[kind] : {};
  // What the guard learned came from the same per-minute headers, on earlier answers.
  const remembered = window === 'minute' ? learned(learnedLimits?.[kind]) : undefined;
  const resolvedLimit = limit ?? said.limit ?? remembered;
  return {
    kind,
    window,
    ...(resolvedLimit === undefined ? {} : { limit: resolvedLimit }),
    ...(used === undefined ? {} : { used }),
    ...(requested === undefined ? {} : { requested }),
    ...(said.remaining === undefined ? {} : { remaining: said.remaining }),
  };
}
