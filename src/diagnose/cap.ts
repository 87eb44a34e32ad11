/**
 * Bounds on the text `diagnose` reads: every string taken from a failure is cut to its head before
 * any pattern runs, so that no message, body or header can make recognition slow
 * (docs/decisions.md, "The error text is capped").
 */

/** A message or a body: the API's longest real messages are a few hundred characters. */
export const MAX_TEXT = 16_384;
/** A JSON body parsed to find the API's error object. */
export const MAX_JSON = 1_048_576;
/** A code, type, param, request id or header value. */
export const MAX_FIELD = 1_024;
/** Headers kept from one answer. */
export const MAX_HEADERS = 256;

/** `text` cut to its first `max` characters. */
export function capped(text: string, max: number = MAX_TEXT): string {
  return text.length > max ? text.slice(0, max) : text;
}
