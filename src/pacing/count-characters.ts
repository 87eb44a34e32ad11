/**
 * The character estimate of a text's tokens: one pass over its characters, each costed by its
 * kind (`character-rates.ts`) — Latin words by their length, digits by groups of three, runs of one
 * character at a discount, CJK and emoji per character. Linear in the text, loads nothing, holds
 * nothing: it replaces a tokenizer, whose cost grows with the square of a long run without spaces
 * (issue 19) and whose tables take ~70 MB (toolchain.md §5).
 */
import type { CharacterRates, WordRates } from './character-rates.js';

// Kinds of character.
const LOWER = 0;
const UPPER = 1;
const LATIN_1 = 2;
const LATIN_EXTENDED = 3;
const LATIN_ADDITIONAL = 4;
const COMBINING = 5;
const CYRILLIC = 6;
const GREEK = 7;
const HEBREW = 8;
const ARABIC = 9;
const INDIC = 10;
const THAI = 11;
const DIGIT = 12;
const SPACE = 13;
const NEWLINE = 14;
const PUNCTUATION = 15;
const HAN = 16;
const KANA = 17;
const HANGUL = 18;
const CJK_PUNCTUATION = 19;
const UNICODE_PUNCTUATION = 20;
const EMOJI = 21;
const JOINER = 22;
const OTHER = 23;

// The scripts a word is written in (a kind of letter, or none outside a word).
const NO_WORD = -1;
const LATIN = 0;

/** The kind of each ASCII character. */
const ASCII_KINDS = ((): Uint8Array => {
  const kinds = new Uint8Array(128).fill(PUNCTUATION);
  for (let code = 0; code < 32; code += 1) kinds[code] = OTHER;
  for (let code = 0x61; code <= 0x7a; code += 1) kinds[code] = LOWER;
  for (let code = 0x41; code <= 0x5a; code += 1) kinds[code] = UPPER;
  for (let code = 0x30; code <= 0x39; code += 1) kinds[code] = DIGIT;
  kinds[0x20] = SPACE;
  kinds[0x09] = SPACE;
  kinds[0x0b] = SPACE;
  kinds[0x0c] = SPACE;
  kinds[0x0a] = NEWLINE;
  kinds[0x0d] = NEWLINE;
  kinds[0x7f] = OTHER;
  return kinds;
})();

/** The kind of a code point outside ASCII. Ranges from the Unicode block charts. */
function kindOf(code: number): number {
  if (code < 0x0300) {
    if (code === 0xa0) return SPACE;
    if (code === 0xd7 || code === 0xf7) return UNICODE_PUNCTUATION;
    if (code >= 0x100) return LATIN_EXTENDED;
    return code >= 0xc0 ? LATIN_1 : code >= 0xa1 ? UNICODE_PUNCTUATION : OTHER;
  }
  if (code < 0x0370) return COMBINING;
  if (code < 0x0400) return GREEK;
  if (code < 0x0530) return CYRILLIC;
  if (code < 0x0590) return OTHER;
  if (code < 0x0600) return HEBREW;
  if (code < 0x0700) return ARABIC;
  if (code >= 0x0750 && code < 0x0780) return ARABIC;
  if (code >= 0x08a0 && code < 0x0900) return ARABIC;
  if (code >= 0x0900 && code < 0x0e00) return INDIC;
  if (code < 0x0f00) return code >= 0x0e00 ? THAI : OTHER;
  if (code >= 0x1100 && code < 0x1200) return HANGUL;
  if (code >= 0x1e00 && code < 0x1f00) return LATIN_ADDITIONAL;
  if (code >= 0x1f00 && code < 0x2000) return GREEK;
  if (code >= 0x2000 && code < 0x2c00) {
    if (code === 0x200d) return JOINER;
    if (code <= 0x200a) return SPACE;
    if (code === 0x2028 || code === 0x2029) return NEWLINE;
    // Watches and hourglasses (U+23xx), weather and dingbats (U+26xx–U+27Bx), stars and arrows
    // of U+2Bxx are emoji; the rest are punctuation, arrows, math and box drawing.
    if ((code >= 0x2300 && code < 0x2400) || (code >= 0x2600 && code < 0x27c0) || code >= 0x2b00)
      return EMOJI;
    return UNICODE_PUNCTUATION;
  }
  if (code >= 0x3000 && code < 0x3040) return code === 0x3000 ? SPACE : CJK_PUNCTUATION;
  if (code >= 0x3040 && code < 0x3100) return KANA;
  if (code >= 0x3130 && code < 0x3190) return HANGUL;
  if (code >= 0x31f0 && code < 0x3200) return KANA;
  if (code >= 0x3400 && code < 0x4dc0) return HAN;
  if (code >= 0x4e00 && code < 0xa000) return HAN;
  if (code >= 0xac00 && code < 0xd7b0) return HANGUL;
  if (code >= 0xf900 && code < 0xfb00) return HAN;
  if (code >= 0xfb1d && code < 0xfb50) return HEBREW;
  if (code >= 0xfb50 && code < 0xfe00) return ARABIC;
  if (code >= 0xfe00 && code < 0xfe10) return JOINER;
  if (code >= 0xfe70 && code < 0xff00) return ARABIC;
  if (code >= 0xff00 && code < 0xff66) return CJK_PUNCTUATION;
  if (code >= 0xff66 && code < 0xffa0) return KANA;
  if (code >= 0x1f000 && code < 0x1fb00) return EMOJI;
  if (code >= 0x20000 && code < 0x40000) return HAN;
  if (code >= 0xe0000 && code < 0xe0080) return JOINER;
  return OTHER;
}

const KINDS = OTHER + 1;

/** The kind of every code point of the Basic Multilingual Plane, built at the first count (64 KB). */
let bmpKinds: Uint8Array | undefined;

function bmpTable(): Uint8Array {
  if (bmpKinds === undefined) {
    const table = new Uint8Array(0x10000);
    table.set(ASCII_KINDS);
    for (let code = 128; code < 0x10000; code += 1) table[code] = kindOf(code);
    bmpKinds = table;
  }
  return bmpKinds;
}

/**
 * What a character of each kind costs outside a word: when it follows something else, when it
 * follows one of its kind, and when it is the third or later of a run of one character.
 */
interface KindCosts {
  readonly first: Float64Array;
  readonly next: Float64Array;
  readonly repeated: Float64Array;
}

const kindCosts = new WeakMap<CharacterRates, KindCosts>();

function costsOf(rates: CharacterRates): KindCosts {
  let costs = kindCosts.get(rates);
  if (costs !== undefined) return costs;
  const first = new Float64Array(KINDS);
  const next = new Float64Array(KINDS);
  const repeated = new Float64Array(KINDS);
  const each = (kind: number, cost: number): void => {
    first[kind] = cost;
    next[kind] = cost;
    repeated[kind] = cost;
  };
  each(HAN, rates.han);
  each(KANA, rates.kana);
  each(HANGUL, rates.hangul);
  each(CJK_PUNCTUATION, rates.cjkPunctuation);
  each(EMOJI, rates.emoji);
  each(JOINER, rates.joiner);
  each(OTHER, rates.other);
  each(UNICODE_PUNCTUATION, rates.unicodePunctuation);
  repeated[UNICODE_PUNCTUATION] = rates.repeatPunctuation;
  // The first space of a run joins the word after it.
  next[SPACE] = rates.space;
  repeated[SPACE] = rates.repeatSpace;
  first[NEWLINE] = rates.newline;
  next[NEWLINE] = rates.newlineNext;
  repeated[NEWLINE] = rates.repeatNewline;
  first[PUNCTUATION] = rates.punctuation;
  next[PUNCTUATION] = rates.punctuationNext;
  repeated[PUNCTUATION] = rates.repeatPunctuation;
  costs = { first, next, repeated };
  kindCosts.set(rates, costs);
  return costs;
}

function wordRates(rates: CharacterRates, script: number): WordRates {
  switch (script) {
    case CYRILLIC:
      return rates.cyrillic;
    case GREEK:
      return rates.greek;
    case HEBREW:
      return rates.hebrew;
    case ARABIC:
      return rates.arabic;
    case INDIC:
      return rates.indic;
    default:
      return rates.thai;
  }
}

/**
 * What a word costs: a Latin one by its letters, capitals and accents (`accents`: their summed
 * extra cost, `accented`: whether it has any), one of another script by its letters.
 */
function wordCost(
  rates: CharacterRates,
  script: number,
  letters: number,
  capitals: number,
  accents: number,
  accented: boolean,
): number {
  if (script !== LATIN) {
    const costs = wordRates(rates, script);
    return letters > 0 ? costs.word + letters * costs.letter : 0;
  }
  const medium = Math.min(letters, rates.latinLongLetters) - rates.latinShortLetters;
  const long = letters - rates.latinLongLetters;
  return (
    rates.latinWord +
    (medium > 0 ? medium * rates.latinLetter : 0) +
    (long > 0 ? long * rates.latinLongLetter : 0) +
    capitals * rates.latinCapital +
    (accented ? rates.latinAccentedWord + accents : 0)
  );
}

/** The extra cost of a Latin letter outside ASCII. */
function accentCost(rates: CharacterRates, kind: number): number {
  if (kind === LATIN_1) return rates.latinAccent;
  return kind === LATIN_ADDITIONAL ? rates.latinAccentAdditional : rates.latinAccentExtended;
}

/**
 * Estimates the tokens of `text` from its characters alone. One pass, no allocation; never
 * throws (lone surrogates and control characters are characters like the others).
 */
export function countByCharacters(text: string, rates: CharacterRates): number {
  const kinds = bmpTable();
  const { first, next, repeated } = costsOf(rates);
  const length = text.length;
  let tokens = 0;
  let previousCode = -1;
  let previousKind = -1;
  // How many times in a row the current character has come.
  let same = 0;
  // The word being read (`script` is NO_WORD outside one): its letters (repeats aside), its
  // capitals after the first letter, the extra cost of its letters outside ASCII.
  let script = NO_WORD;
  let letters = 0;
  let capitals = 0;
  let accents = 0;
  let accented = false;
  let digits = 0;

  for (let index = 0; index < length; index += 1) {
    let code = text.charCodeAt(index);
    let kind: number;
    if (code >= 0xd800 && code < 0xdc00 && index + 1 < length) {
      const low = text.charCodeAt(index + 1);
      if (low >= 0xdc00 && low < 0xe000) {
        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        index += 1;
        kind = kindOf(code);
      } else kind = OTHER;
    } else kind = kinds[code] as number;
    same = code === previousCode ? same + 1 : 1;
    previousCode = code;

    if (kind <= THAI) {
      // A letter. A new word starts with another script, or at an upper-case letter after a
      // lower-case one (camelCase: the tokenizers split there).
      const letterScript = kind <= COMBINING ? LATIN : kind;
      if (script !== letterScript || (kind === UPPER && previousKind === LOWER)) {
        if (script !== NO_WORD) tokens += wordCost(rates, script, letters, capitals, accents, accented);
        script = letterScript;
        letters = 0;
        capitals = 0;
        accents = 0;
        accented = false;
      }
      if (previousKind === DIGIT) tokens += rates.letterDigitJoin;
      if (same >= 3) tokens += rates.repeatLetter;
      else {
        if (kind === UPPER && letters > 0) capitals += 1;
        letters += 1;
        if (kind >= LATIN_1 && kind <= COMBINING) {
          accented = true;
          accents += accentCost(rates, kind);
        }
      }
    } else {
      if (script !== NO_WORD) {
        tokens += wordCost(rates, script, letters, capitals, accents, accented);
        script = NO_WORD;
      }
      if (kind === DIGIT) {
        if (previousKind <= THAI && previousKind >= 0) tokens += rates.letterDigitJoin;
        if (digits % 3 === 0) tokens += rates.digitGroup;
        digits += 1;
      } else {
        tokens += (same >= 3 ? repeated : previousKind === kind ? next : first)[kind] as number;
        digits = 0;
      }
    }
    if (kind !== DIGIT) digits = 0;
    previousKind = kind;
  }
  if (script !== NO_WORD) tokens += wordCost(rates, script, letters, capitals, accents, accented);
  return Math.ceil(tokens);
}
