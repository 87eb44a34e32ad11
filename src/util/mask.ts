/**
 * Masking of secrets: no hint, message, event or CLI line tierguard writes may carry a full API key,
 * in any encoding it travels in (plain, URL-encoded, JSON-escaped).
 */

// A dash as it appears in a key: plain, JSON-escaped (`\u002d`) or URL-encoded (`%2D`).
const DASH = String.raw`(?:-|\\u002[dD]|%2[dD])`;
// What may stand right before a key: the start, a character that is no letter or digit (`_` of
// `token_sk-…` included), or an escape (`%3Dsk-…`, `\u0022sk-…`, `\nsk-…`). Checked after the
// key's literal prefix (`sk(?<=…sk)`), so that the engine scans for the prefix, not at every position.
const EDGE = String.raw`(?:^|[^A-Za-z0-9]|%[0-9A-Fa-f]{2}|\\u[0-9A-Fa-f]{4}|\\[nrt])`;
// Every quantifier is bounded: a run of millions of key-like characters must neither backtrack
// nor overflow the regular-expression stack (an unbounded `{12,}` threw RangeError on 8 MB).
const KEY_BODY = String.raw`(?:[A-Za-z0-9_]|${DASH}){12,512}`;

/** A pattern and what replaces each match. */
interface SecretPattern {
  readonly pattern: RegExp;
  readonly replace: (match: string, ...groups: string[]) => string;
  /** The pattern is a bare shape with no prefix or name (Azure's keys): it also matches ids and checksums. */
  readonly bare?: true;
}

const PATTERNS: readonly SecretPattern[] = [
  // OpenAI keys: sk-…, sk-proj-…, sk-svcacct-…, sk-admin-…; Anthropic-style sk-ant-….
  {
    pattern: new RegExp(`sk(?<=${EDGE}sk)${DASH}(?:(?:proj|svcacct|admin|ant)${DASH})?${KEY_BODY}`, 'g'),
    replace: (key) => maskKey(key),
  },
  // Restricted keys and relay tokens: rk_…, rk-….
  {
    pattern: new RegExp(String.raw`rk(?<=${EDGE}rk)(?:_|${DASH})(?:[A-Za-z0-9_]|${DASH}){16,512}`, 'g'),
    replace: (key) => maskKey(key),
  },
  // Bearer tokens, also URL-encoded (`Bearer%20…`) or form-encoded (`Bearer+…`).
  {
    pattern: /(\bBearer(?:\s{1,8}|%20|\+))((?:[A-Za-z0-9._~+/=-]|%[0-9A-Fa-f]{2}){16,2048})/g,
    replace: (_match, prefix = '', token = '') => `${prefix}${maskKey(token)}`,
  },
  // A credential named by its parameter or header: `api-key: …`, `?api-key=…`, `"api_key":"…"`.
  {
    pattern:
      /(\b(?:x-api-key|api[-_]?key|api%2[dD]key|access[-_]?token)["']?\s{0,4}(?::|=|%3[aAdD])\s{0,4}["']?)([^\s"'&,;<>]{8,1024})/gi,
    replace: (_match, prefix = '', value = '') => `${prefix}${maskKey(value)}`,
  },
  // Azure OpenAI keys: 84 letters and digits (newer resources) or 32 hex digits, either case. A
  // request id (`req_` + 32 hex) stays: `_` before the hex is no boundary.
  {
    pattern: /(?<![A-Za-z0-9_])(?:[A-Za-z0-9]{84}|[A-Fa-f0-9]{32})(?![A-Za-z0-9_])/g,
    replace: (key) => maskKey(key),
    bare: true,
  },
];

// A key's own prefix: shown when masked, and which an echo may leave out (`Incorrect key: proj-…`).
const KEY_PREFIX = /^(?:sk-(?:proj-|svcacct-|admin-)?|rk[_-])/;

/** A key's dashes decoded, so that its masked form shows its prefix (`sk-proj-…abcd`). */
function plainDashes(key: string): string {
  return key.replace(/\\u002[dD]|%2[dD]/g, '-');
}

/** Masks one key for display: its prefix and last four characters, `sk-proj-…abcd`. */
export function maskKey(key: string): string {
  if (typeof key !== 'string' || key.length <= 8) return '…';
  const plain = plainDashes(key);
  const prefix = KEY_PREFIX.exec(plain)?.[0] ?? '';
  return `${prefix}…${plain.slice(-4)}`;
}

/** The forms a known secret travels in: plain, URL-encoded and JSON-escaped. */
function encodings(secret: string): string[] {
  const forms = new Set<string>([secret]);
  try {
    forms.add(encodeURIComponent(secret));
  } catch {
    // A lone surrogate cannot be URL-encoded; the other forms still apply.
  }
  forms.add(JSON.stringify(secret).slice(1, -1));
  let urlUpper = '';
  let urlLower = '';
  let jsonLower = '';
  let jsonUpper = '';
  // Every character escaped, as a relay's JSON encoder may write it (`\u0073\u006b…`).
  let escapedLower = '';
  let escapedUpper = '';
  for (const char of secret) {
    const code = char.charCodeAt(0);
    const hex4 = code.toString(16).padStart(4, '0');
    escapedLower += `\\u${hex4}`;
    escapedUpper += `\\u${hex4.toUpperCase()}`;
    if (/^[A-Za-z0-9]$/.test(char)) {
      urlUpper += char;
      urlLower += char;
      jsonLower += char;
      jsonUpper += char;
      continue;
    }
    const hex = code.toString(16).padStart(code > 0xff ? 4 : 2, '0');
    urlUpper += `%${hex.toUpperCase()}`;
    urlLower += `%${hex.toLowerCase()}`;
    jsonLower += `\\u${hex4}`;
    jsonUpper += `\\u${hex4.toUpperCase()}`;
  }
  for (const form of [urlUpper, urlLower, jsonLower, jsonUpper, escapedLower, escapedUpper]) forms.add(form);
  return [...forms];
}

function maskKnown(text: string, knownSecrets: readonly unknown[]): string {
  let masked = text;
  for (const secret of knownSecrets) {
    if (typeof secret !== 'string' || secret.length < 8) continue;
    const shown = maskKey(secret);
    const body = secret.replace(KEY_PREFIX, '');
    // Its body alone too, when that is still long enough to be nothing else.
    const whole = body !== secret && body.length >= 16 ? [secret, body] : [secret];
    for (const known of whole) for (const form of encodings(known)) masked = masked.split(form).join(shown);
  }
  return masked;
}

const RUN_CHAR = /^[A-Za-z0-9_\-.%\\+/=~]$/;

/**
 * The fallback when a pattern fails: every run of 20 or more key-like characters is masked, by a
 * plain scan without regular-expression backtracking. Coarse, and never shows a key.
 */
function maskByScan(text: string): string {
  const parts: string[] = [];
  let start = 0;
  let runStart = -1;
  for (let index = 0; index <= text.length; index += 1) {
    const inRun = index < text.length && RUN_CHAR.test(text.charAt(index));
    if (inRun && runStart < 0) runStart = index;
    if (!inRun && runStart >= 0) {
      if (index - runStart >= 20) {
        parts.push(text.slice(start, runStart), `…${text.slice(index - 4, index)}`);
        start = index;
      }
      runStart = -1;
    }
  }
  parts.push(text.slice(start));
  return parts.join('');
}

/**
 * Replaces everything in `text` that looks like an API key or bearer token with its masked form:
 * OpenAI keys (`sk-…`, `sk-proj-…`), restricted keys (`rk_…`), Azure keys (84 characters, or 32 hex
 * digits in either case), `Bearer` tokens and `api-key` values, also URL-encoded (`Bearer%20sk-…`,
 * `%3Dsk-…`) or JSON-escaped (`sk\u002dproj…`); and each of `knownSecrets` in its plain, URL-encoded
 * and JSON-escaped forms. Linear in the text's length; never throws. With `bareShapes: false`, runs
 * of 32 hex digits or 84 letters and digits are kept (a server's trace ids and checksums in a body
 * handed on as it came; a caller's own Azure key is among `knownSecrets`).
 */
export function maskSecrets(
  text: string,
  knownSecrets: readonly string[] = [],
  { bareShapes = true }: { readonly bareShapes?: boolean } = {},
): string {
  let input: string;
  try {
    input = typeof text === 'string' ? text : String(text);
  } catch {
    return '';
  }
  const known = Array.isArray(knownSecrets) ? knownSecrets : [];
  try {
    let masked = maskKnown(input, known);
    for (const { pattern, replace, bare } of PATTERNS) {
      if (bare && !bareShapes) continue;
      pattern.lastIndex = 0;
      masked = masked.replace(pattern, replace);
    }
    return masked;
  } catch {
    try {
      return maskByScan(maskKnown(input, known));
    } catch {
      return maskByScan(input);
    }
  }
}
