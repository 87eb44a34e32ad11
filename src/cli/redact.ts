/**
 * The last filter before anything the CLI writes reaches a terminal: the library's `maskSecrets`,
 * plus the spellings a relay or a pasted log can give a key that a word-boundary pattern misses —
 * URL-encoded (`Bearer%20sk-…`, `key%3Dsk-…`, `sk%2Dproj…`) and JSON-escaped (`sk\u002dproj…`) —
 * and every spelling of the keys the CLI knows from its environment. Replacements never contain a
 * quote or a backslash, so a JSON text stays valid JSON.
 */
import { maskKey, maskSecrets } from '../util/mask.js';

// A hyphen as it appears plain, URL-encoded (once or twice) or JSON-escaped (inside JSON text too).
const DASH = String.raw`(?:-|%(?:25)?2[dD]|\\+u002[dD])`;
// A key starts after something that is not a letter or digit, or right after an escape (`%3D`, `\u003d`).
const START = String.raw`(?:(?<![A-Za-z0-9])|(?<=%[0-9A-Fa-f]{2})|(?<=\\u[0-9A-Fa-f]{4}))`;
const ENCODED_KEY = new RegExp(
  `${START}sk${DASH}(?:(?:proj|svcacct|admin|ant)${DASH})?(?:[A-Za-z0-9_]|${DASH}){12,}`,
  'g',
);
// A bearer token after an encoded space (`Bearer%20…`, `Bearer+…`, `Bearer\u0020…`).
const ENCODED_BEARER = /\b(Bearer(?:%20|\+|\\u0020))([A-Za-z0-9._~+/-]{16,}=*)/g;
// Azure-style 32-hex keys in upper or mixed case (maskSecrets covers lower case).
const HEX_KEY = /\b[0-9A-Fa-f]{32}\b/g;
const ENCODED_DASH = /%(?:25)?2[dD]|\\+u002[dD]/g;

/** The spellings of one known secret an echo may carry: plain, URL-encoded and JSON-escaped. */
export function secretSpellings(secret: string): string[] {
  const spellings = new Set<string>([
    secret,
    encodeURIComponent(secret),
    JSON.stringify(secret).slice(1, -1),
    secret.replaceAll('-', '%2D'),
    secret.replaceAll('-', '%2d'),
    secret.replaceAll('-', String.raw`\u002d`),
    secret.replaceAll('-', String.raw`\u002D`),
  ]);
  return [...spellings].filter((spelling) => spelling.length >= 8);
}

/** `text` with every known secret, and everything that looks like a key in any spelling, masked. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let masked = text;
  for (const secret of secrets) {
    if (secret.trim().length < 8) continue;
    const shown = maskKey(secret);
    for (const spelling of secretSpellings(secret)) masked = masked.split(spelling).join(shown);
  }
  return maskSecrets(masked)
    .replace(ENCODED_KEY, (key) => maskKey(key.replace(ENCODED_DASH, '-')))
    .replace(ENCODED_BEARER, (_match, bearer: string, token: string) => `${bearer}${maskKey(token)}`)
    .replace(HEX_KEY, (hex) => maskKey(hex));
}

/** The secrets the CLI knows from its environment: the keys a user's tools read. */
export function environmentSecrets(env: Readonly<Record<string, string | undefined>>): string[] {
  return ['OPENAI_API_KEY', 'AZURE_OPENAI_API_KEY', 'OPENAI_ADMIN_KEY']
    .map((name) => env[name])
    .filter((value): value is string => value !== undefined && value.trim().length >= 8);
}
