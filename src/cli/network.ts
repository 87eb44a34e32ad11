/**
 * Which way the network failed when `doctor` got no answer from the API: the name did not
 * resolve, the port refused, the connection was cut, nothing came back in time, TLS failed, or a
 * proxy (or captive portal, or gateway) answered with its own page instead of the API's JSON.
 * Read off what fetch threw (its `cause` chain) or off the answer itself.
 */

/** How the network failed. */
export type NetworkFailureKind =
  'dns' | 'refused' | 'reset' | 'unreachable' | 'timeout' | 'tls' | 'blocked_port' | 'proxy' | 'other';

/** A failure before the API could answer. */
export interface NetworkFailure {
  readonly kind: NetworkFailureKind;
  /** The system or TLS error code (ENOTFOUND, ECONNREFUSED, DEPTH_ZERO_SELF_SIGNED_CERT…). */
  readonly code?: string;
  /** The error's own words, when no code says more. */
  readonly detail?: string;
  /** For a proxy's answer: its status, the title of its page, and who says they sent it. */
  readonly status?: number;
  readonly page?: string;
  readonly server?: string;
}

const DNS = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA']);
const RESET = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const UNREACHABLE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN']);
const TIMEOUT = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
// OpenSSL and Node TLS codes: certificate problems and handshakes with something that is not TLS.
const TLS = /^(?:ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|EPROTO$)/;

/** Reads a property without letting a throwing getter escape. */
function read(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** The way the network failed, from what fetch threw. */
export function failureOfError(error: unknown): NetworkFailure {
  let current: unknown = error;
  let detail: string | undefined;
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth += 1) {
    const name = read(current, 'name');
    const code = read(current, 'code');
    const message = read(current, 'message');
    if (name === 'TimeoutError') return { kind: 'timeout' };
    if (typeof code === 'string') {
      if (DNS.has(code)) return { kind: 'dns', code };
      if (code === 'ECONNREFUSED') return { kind: 'refused', code };
      if (RESET.has(code)) return { kind: 'reset', code };
      if (UNREACHABLE.has(code)) return { kind: 'unreachable', code };
      if (TIMEOUT.has(code)) return { kind: 'timeout', code };
      if (TLS.test(code)) return { kind: 'tls', code };
    }
    // The fetch standard's blocked ports (1, 25, 6000…): fetch refuses them without trying.
    if (message === 'bad port') return { kind: 'blocked_port' };
    // The fetch standard turns a 407 (a proxy asking for credentials) into a network error with no
    // reason at all: undici's `fetch failed` caused by an empty Error. Nothing else a plain request
    // meets fails that way.
    if (depth > 0 && message === '' && code === undefined) return { kind: 'proxy', status: 407 };
    if (typeof message === 'string' && message !== 'fetch failed') detail ??= message.slice(0, 200);
    current = read(current, 'cause');
  }
  return { kind: 'other', ...(detail === undefined ? {} : { detail }) };
}

const TITLE = /<title[^>]{0,100}>([^<]{0,200})</i;
const HEADING = /<h1[^>]{0,100}>([^<]{0,200})</i;

/**
 * An answer that is not the API's: a proxy asking for credentials (407), or a page (HTML, text)
 * where the API always answers JSON — a proxy's block page, a captive portal, a gateway's error.
 * Undefined for a JSON answer, which the API (or an OpenAI-compatible relay) sent.
 */
export function failureOfAnswer(status: number, headers: Headers, body: string): NetworkFailure | undefined {
  const trimmed = body.trim();
  let json = false;
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      JSON.parse(trimmed);
      json = true;
    } catch {
      json = false;
    }
  }
  if (json && status !== 407) return undefined;
  const head = trimmed.slice(0, 4_000);
  const page = (TITLE.exec(head)?.[1] ?? HEADING.exec(head)?.[1])?.trim();
  const server = [headers.get('via'), headers.get('server')].filter((value) => value !== null).join(', ');
  return {
    kind: 'proxy',
    status,
    ...(page === undefined || page === '' ? {} : { page: page.slice(0, 120) }),
    ...(server === '' ? {} : { server: server.slice(0, 120) }),
  };
}
