/**
 * English hints for answers a relay, proxy or gateway gave instead of the API: a page in place of
 * the API's error (retried, unless it is a client error the same request gets again), and a
 * relay's saturated upstream.
 */
import { isFinalClientError } from '../causes.js';
import type { Hint } from '../types.js';
import { retried, waitSentence } from './en-parts.js';
import { pageLink } from './links.js';
import type { HintContext } from './types.js';

/** What a proxy's client-error page most often means, by its status. */
function refusalStep(status: number): string {
  if (status === 401 || status === 407)
    return 'It wants its own credentials: the key the relay issued (not an OpenAI key), or the proxy’s (Proxy-Authorization).';
  if (status === 403)
    return 'It blocked the request: an IP allowlist, a blocked region, or a firewall (WAF) rule on the request.';
  if (status === 404 || status === 405)
    return 'The path does not exist there: check the base URL (the relay’s API address, most often ending in /v1, not its web console).';
  if (status === 413) return 'The request is larger than it accepts (its body size limit).';
  return 'It rejected the request as it is: its logs say why.';
}

/** `relay_error`: a page instead of the API's error. */
export function relayErrorHint(c: HintContext): Hint {
  const said = c.message === '' ? 'an empty body' : `"${c.message.slice(0, 160)}"`;
  if (c.status !== undefined && isFinalClientError(c.status))
    return {
      title: `A proxy or relay refused the request (${c.status})`,
      why: `The answer was not the API's error: ${said} came from a gateway, proxy or relay in front of the API, which refused the request. The same request gets the same page: tierguard does not resend it.`,
      steps: [
        refusalStep(c.status),
        'Check the relay or proxy (its logs, its settings); curl the base URL to see who answers (the Server and Via headers).',
      ],
      links: [],
    };
  return {
    title: 'A proxy or relay answered instead of the API',
    why: `The answer${c.status === undefined ? '' : ` (${c.status})`} was not the API's error: ${said} came from a gateway, proxy, CDN or relay in front of the API${c.status !== undefined && c.status >= 520 && c.status <= 530 ? ' (52x statuses are Cloudflare’s)' : ''}.`,
    steps: [
      retried(c, 'Retry after a short backoff (tierguard does, a bounded number of times).'),
      'Check the relay or proxy in front of the API (its status page, its logs); the base URL may be wrong.',
      'If it keeps failing, fall back to another endpoint.',
    ],
    links: [pageLink('status', 'en')],
  };
}

/** `overloaded` on a relay: its pool of upstream accounts is saturated (new-api words every upstream 429 so). */
export function relayOverloadedHint(c: HintContext): Hint {
  return {
    title: 'The relay (or the upstream behind it) is overloaded',
    why: `The relay at the base URL is busy${c.status === undefined ? '' : ` (${c.status})`}: its pool of upstream accounts for this model is saturated. It is not your key's rate limit, and more credit with the relay would not help. ${waitSentence(c)}`,
    steps: [
      retried(c, 'Retry with a longer backoff (tierguard does).'),
      "Switch to another group or channel in the relay's console, if it offers one, or fall back to another model or endpoint for latency-sensitive paths.",
      "Check the relay's status page or announcements.",
    ],
    links: [],
  };
}
