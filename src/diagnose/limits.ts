/**
 * Step 4 of diagnose: which rate limit was hit and its numbers, from the message ("Limit 30000,
 * Used 29420, Requested 1538") and the `x-ratelimit-*` headers (-1 means unknown, Table 1b).
 */
import type { Cause } from '../data/causes.js';
import { readRateLimitHeaders } from '../util/rate-limit-headers.js';
import type { RateLimitInfo } from './types.js';

const number = (text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  const value = Number(text.replace(/[,_\s]/g, ''));
  return Number.isFinite(value) ? value : undefined;
};

/** The limit a rate-limit cause is about; `undefined` for other causes. */
export function findLimit(
  cause: Cause,
  message: string,
  headers: Readonly<Record<string, string>>,
): RateLimitInfo | undefined {
  if (cause !== 'rate_limited_requests' && cause !== 'rate_limited_tokens' && cause !== 'request_too_large')
    return undefined;
  const kind: 'requests' | 'tokens' = cause === 'rate_limited_requests' ? 'requests' : 'tokens';
  const window: 'minute' | 'day' = /per day|\b[RT]PD\b/i.test(message) ? 'day' : 'minute';
  const limit = number(/\bLimit:?\s*([\d,]+)/i.exec(message)?.[1]);
  const used = number(/\bUsed:?\s*([\d,]+)/i.exec(message)?.[1]);
  const requested = number(/\bRequested:?\s*([\d,]+)/i.exec(message)?.[1]);
  // Headers describe the per-minute buckets; they say nothing of a daily limit.
  const said = window === 'minute' ? readRateLimitHeaders(headers)[kind] : {};
  const resolvedLimit = limit ?? said.limit;
  return {
    kind,
    window,
    ...(resolvedLimit === undefined ? {} : { limit: resolvedLimit }),
    ...(used === undefined ? {} : { used }),
    ...(requested === undefined ? {} : { requested }),
    ...(said.remaining === undefined ? {} : { remaining: said.remaining }),
  };
}
