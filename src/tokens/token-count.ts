/**
 * Counting the texts of one call within a bounded amount of work, whatever they hold. By default
 * each text is estimated from its characters (`count-characters.ts`); past a budget of characters
 * per call, from evenly spaced samples of it. With an exact tokenizer (`countTokens`), text is
 * handed to it in pieces of at most ~2 KB, cut at whitespace where possible — tokenizers' cost can
 * grow with the square of a run without spaces (issue 19) — and past a budget per call the rest is
 * estimated from characters.
 */
import type { Encoding } from '../data/models.js';
import { resolveModel } from '../models/resolve.js';
import { CHARACTER_RATES, type CharacterRates } from './character-rates.js';
import { countByCharacters } from './count-characters.js';

/**
 * An exact tokenizer: the tokens of `text` for `model` (`''` when the request names none), e.g.
 * gpt-tokenizer's `countTokens`. It is called only on pieces of at most a few KB; a throw or an
 * answer that is not a finite number ≥ 0 is ignored and the text estimated from its characters.
 */
export type TokenCounter = (text: string, model: string) => number;

/** How a call's text was counted. */
export type CountMethod = 'characters' | 'tokenizer';

// Characters a call scans in full; a text that does not fit what is left of it is estimated from
// samples of at least SAMPLE_MIN_CHARACTERS, in SAMPLE_WINDOWS evenly spaced windows. These bound
// the work per call (docs/decisions.md §24 gives the time they take).
const SCAN_BUDGET_CHARACTERS = 262_144;
const SAMPLE_MIN_CHARACTERS = 32_768;
const SAMPLE_WINDOWS = 32;
// With a tokenizer: the largest piece it is given, how far back a cut looks for whitespace, and
// the characters per call it counts before the rest is estimated from characters.
const PIECE_CHARACTERS = 2_048;
const PIECE_CUT_LOOKBACK = 256;
const TOKENIZER_BUDGET_CHARACTERS = 65_536;
// Pieces whose count is remembered, per tokenizer: system prompts, tool schemas and a
// conversation's earlier turns come back on every call.
const CACHED_PIECES = 256;

// A service names a handful of models: each name's encoding is resolved once.
const ENCODINGS_KEPT = 256;
const encodings = new Map<string, Encoding>();

function encodingFor(model: string | undefined): Encoding {
  if (model === undefined) return 'o200k_base';
  let encoding = encodings.get(model);
  if (encoding === undefined) {
    try {
      encoding = resolveModel(model).info?.encoding ?? 'o200k_base';
    } catch {
      encoding = 'o200k_base';
    }
    if (encodings.size < ENCODINGS_KEPT) encodings.set(model, encoding);
  }
  return encoding;
}

const pieceCaches = new WeakMap<TokenCounter, Map<string, number>>();

function cacheOf(counter: TokenCounter): Map<string, number> {
  let cache = pieceCaches.get(counter);
  if (cache === undefined) {
    cache = new Map();
    pieceCaches.set(counter, cache);
  }
  return cache;
}

function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x09 || code === 0x0d;
}

/**
 * Where the piece of `text` starting at `start` ends: at most PIECE_CHARACTERS on, just after the
 * last whitespace of its final PIECE_CUT_LOOKBACK characters when there is one, and never between
 * the two halves of a surrogate pair.
 */
export function pieceEnd(text: string, start: number): number {
  const limit = start + PIECE_CHARACTERS;
  if (limit >= text.length) return text.length;
  for (let index = limit; index > limit - PIECE_CUT_LOOKBACK; index -= 1)
    if (isWhitespace(text.charCodeAt(index - 1))) return index;
  const code = text.charCodeAt(limit - 1);
  return code >= 0xd800 && code < 0xdc00 ? limit - 1 : limit;
}

/** Estimates a long text from SAMPLE_WINDOWS evenly spaced windows holding `sampled` characters in all. */
function countSampled(text: string, sampled: number, rates: CharacterRates): number {
  const window = Math.max(1, Math.floor(sampled / SAMPLE_WINDOWS));
  const stride = text.length / SAMPLE_WINDOWS;
  let tokens = 0;
  let read = 0;
  for (let index = 0; index < SAMPLE_WINDOWS; index += 1) {
    const start = Math.floor(index * stride);
    const piece = text.slice(start, Math.min(text.length, start + window));
    tokens += countByCharacters(piece, rates);
    read += piece.length;
  }
  return read === 0 ? 0 : Math.ceil((tokens * text.length) / read);
}

/** Counts the texts of one call; one per call, since its budgets are the call's. */
export class CallCounter {
  readonly #model: string;
  readonly #rates: CharacterRates;
  #tokenizer: TokenCounter | undefined;
  #scanLeft = SCAN_BUDGET_CHARACTERS;
  #tokenizerLeft = TOKENIZER_BUDGET_CHARACTERS;
  #usedCharacters = false;

  constructor(model: string | undefined, countTokens?: TokenCounter) {
    this.#model = model ?? '';
    this.#rates = CHARACTER_RATES[encodingFor(model)];
    this.#tokenizer = countTokens;
  }

  /** How the texts counted so far were counted: `tokenizer` only if it counted all of them. */
  get method(): CountMethod {
    return this.#tokenizer !== undefined && !this.#usedCharacters ? 'tokenizer' : 'characters';
  }

  /** The tokens of `text`. Never throws. */
  count(text: string): number {
    if (text.length === 0) return 0;
    if (this.#tokenizer === undefined) return this.#byCharacters(text);
    let tokens = 0;
    for (let start = 0; start < text.length;) {
      const end = pieceEnd(text, start);
      const counted = this.#byTokenizer(text.slice(start, end));
      if (counted === undefined) {
        // The tokenizer's budget is spent (or it failed): the rest by characters.
        return tokens + this.#byCharacters(start === 0 ? text : text.slice(start));
      }
      tokens += counted;
      start = end;
    }
    return tokens;
  }

  #byCharacters(text: string): number {
    this.#usedCharacters = true;
    if (text.length <= this.#scanLeft) {
      this.#scanLeft -= text.length;
      return countByCharacters(text, this.#rates);
    }
    const sampled = Math.max(this.#scanLeft, SAMPLE_MIN_CHARACTERS);
    this.#scanLeft = 0;
    return countSampled(text, sampled, this.#rates);
  }

  /** A piece's count by the tokenizer (or its cache); `undefined` past its budget or when it fails. */
  #byTokenizer(piece: string): number | undefined {
    const tokenizer = this.#tokenizer;
    if (tokenizer === undefined) return undefined;
    const cache = cacheOf(tokenizer);
    const key = `${this.#model}\u0000${piece}`;
    const known = cache.get(key);
    if (known !== undefined) {
      // Most recently used last: the oldest piece is the one dropped.
      cache.delete(key);
      cache.set(key, known);
      return known;
    }
    if (piece.length > this.#tokenizerLeft) return undefined;
    this.#tokenizerLeft -= piece.length;
    let tokens: unknown;
    try {
      tokens = tokenizer(piece, this.#model);
    } catch {
      tokens = undefined;
    }
    if (typeof tokens !== 'number' || !Number.isFinite(tokens) || tokens < 0) {
      // A tokenizer that fails once (an unknown model, a special token) fails again: not asked
      // again for this call.
      this.#tokenizer = undefined;
      return undefined;
    }
    const whole = Math.ceil(tokens);
    if (cache.size >= CACHED_PIECES) cache.delete(cache.keys().next().value as string);
    cache.set(key, whole);
    return whole;
  }
}
