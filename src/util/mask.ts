/**
 * Masking of secrets: no hint, message, event or CLI line tierguard writes may carry a full API key.
 */

// OpenAI keys (`sk-…`, `sk-proj-…`, `sk-svcacct-…`, `sk-admin-…`), Azure-style 32-hex keys and
// bearer tokens. Keys the API itself masked (`sk-abc*****xyz`) contain `*` and stop the match.
const KEY_PATTERN =
  /\b(sk-(?:proj-|svcacct-|admin-|ant-)?[A-Za-z0-9_-]{12,})|\b(Bearer\s+)([A-Za-z0-9._~+/-]{16,}=*)/g;
const AZURE_KEY_PATTERN = /\b[a-f0-9]{32}\b/g;

/** Masks one key for display: its prefix and last four characters, `sk-proj-…abcd`. */
export function maskKey(key: string): string {
  if (key.length <= 8) return '…';
  const prefix = /^(sk-(?:proj-|svcacct-|admin-)?)/.exec(key)?.[1] ?? '';
  return `${prefix}…${key.slice(-4)}`;
}

/** Replaces everything in `text` that looks like an API key or bearer token with its masked form. */
export function maskSecrets(text: string, extraSecrets: readonly string[] = []): string {
  let masked = text;
  for (const secret of extraSecrets) {
    if (secret.length >= 8) masked = masked.split(secret).join(maskKey(secret));
  }
  return masked
    .replace(
      KEY_PATTERN,
      (_match, key: string | undefined, bearer: string | undefined, token: string | undefined) =>
        key !== undefined ? maskKey(key) : `${bearer ?? ''}${maskKey(token ?? '')}`,
    )
    .replace(AZURE_KEY_PATTERN, (hex) => maskKey(hex));
}
