/**
 * The character estimate of a text's tokens: one pass over its characters, each costed by its
 * kind (`character-rates.ts`) — Latin words by their length, digits by groups of three, runs of one
 * character at a discount, CJK and emoji per character. Linear in the text; loads nothing and holds
 * one 64 KB table: it replaces a tokenizer, whose cost grows with the square of a long run without
 * spaces (issue 19) and whose tables are slow to load and large to hold (toolchain.md §5).
 */
import type { CharacterRates, WordRates } from './character-rates.js';

// The kinds of character, and which code points are of which kind (ranges from the Unicode
// block charts).

// Letters, in words: Latin (ASCII, then outside ASCII), then the other scripts written in words.
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
// Everything else, costed character by character.
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

const KINDS = OTHER + 1;

/** `[first, last, kind]`: code points not in any range are OTHER; a later range wins over an earlier one. */
const RANGES: readonly (readonly [number, number, number])[] = [
  // ASCII
  [0x21, 0x7e, PUNCTUATION],
  [0x30, 0x39, DIGIT],
  [0x41, 0x5a, UPPER],
  [0x61, 0x7a, LOWER],
  [0x20, 0x20, SPACE],
  [0x09, 0x09, SPACE],
  [0x0b, 0x0c, SPACE],
  [0x0a, 0x0a, NEWLINE],
  [0x0d, 0x0d, NEWLINE],
  // Latin-1 Supplement, Latin Extended-A and -B, IPA, spacing modifiers; combining marks
  [0xa0, 0xa0, SPACE],
  [0xa1, 0xbf, UNICODE_PUNCTUATION],
  [0xc0, 0xff, LATIN_1],
  [0xd7, 0xd7, UNICODE_PUNCTUATION],
  [0xf7, 0xf7, UNICODE_PUNCTUATION],
  [0x100, 0x2ff, LATIN_EXTENDED],
  [0x300, 0x36f, COMBINING],
  // Greek, Cyrillic, Hebrew, Arabic, the scripts of South Asia, Thai and Lao
  [0x370, 0x3ff, GREEK],
  [0x400, 0x52f, CYRILLIC],
  [0x590, 0x5ff, HEBREW],
  [0x600, 0x6ff, ARABIC],
  [0x750, 0x77f, ARABIC],
  [0x8a0, 0x8ff, ARABIC],
  [0x900, 0xdff, INDIC],
  [0xe00, 0xeff, THAI],
  [0x1100, 0x11ff, HANGUL],
  [0x1e00, 0x1eff, LATIN_ADDITIONAL],
  [0x1f00, 0x1fff, GREEK],
  // General punctuation, symbols, arrows, math, box drawing; the emoji among them (watches and
  // hourglasses, weather and dingbats, stars); spaces, line separators and the joiner
  [0x2000, 0x2bff, UNICODE_PUNCTUATION],
  [0x2300, 0x23ff, EMOJI],
  [0x2600, 0x27bf, EMOJI],
  [0x2b00, 0x2bff, EMOJI],
  [0x2000, 0x200a, SPACE],
  [0x200d, 0x200d, JOINER],
  [0x2028, 0x2029, NEWLINE],
  // CJK
  [0x3000, 0x3000, SPACE],
  [0x3001, 0x303f, CJK_PUNCTUATION],
  [0x3040, 0x30ff, KANA],
  [0x3130, 0x318f, HANGUL],
  [0x31f0, 0x31ff, KANA],
  [0x3400, 0x4dbf, HAN],
  [0x4e00, 0x9fff, HAN],
  [0xac00, 0xd7af, HANGUL],
  [0xf900, 0xfaff, HAN],
  // Presentation forms, variation selectors, full-width and half-width forms
  [0xfb1d, 0xfb4f, HEBREW],
  [0xfb50, 0xfdff, ARABIC],
  [0xfe00, 0xfe0f, JOINER],
  [0xfe70, 0xfefe, ARABIC],
  [0xfeff, 0xfeff, JOINER],
  [0xff00, 0xff65, CJK_PUNCTUATION],
  [0xff66, 0xff9f, KANA],
  // Beyond the Basic Multilingual Plane: emoji and pictographs, rarer Han, tags
  [0x1f000, 0x1faff, EMOJI],
  [0x20000, 0x3ffff, HAN],
  [0xe0000, 0xe007f, JOINER],
];

let basicPlane: Uint8Array | undefined;

/** The kind of every code point of the Basic Multilingual Plane (64 KB), built at its first use. */
function basicPlaneKinds(): Uint8Array {
  if (basicPlane === undefined) {
    const table = new Uint8Array(0x10000).fill(OTHER);
    for (const [first, last, kind] of RANGES) if (first < 0x10000) table.fill(kind, first, last + 1);
    basicPlane = table;
  }
  return basicPlane;
}

const ASTRAL_RANGES = RANGES.filter(([first]) => first >= 0x10000);

/** The kind of a code point beyond the Basic Multilingual Plane. */
function astralKind(code: number): number {
  // An index loop, no destructuring: this runs once per character of a text of emoji, often cold
  // in a new process, where the iterator protocol held the event loop twice as long
  // (docs/decisions.md §33).
  for (let index = 0; index < ASTRAL_RANGES.length; index += 1) {
    const range = ASTRAL_RANGES[index] as readonly [number, number, number];
    if (code >= range[0] && code <= range[1]) return range[2];
  }
  return OTHER;
}

// The scripts a word is written in: Latin, or the kind of its letters; none outside a word.
const NO_WORD = -1;
const LATIN = 0;

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
  const kinds = basicPlaneKinds();
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
        kind = astralKind(code);
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
      }
    }
    if (kind !== DIGIT) digits = 0;
    previousKind = kind;
  }
  if (script !== NO_WORD) tokens += wordCost(rates, script, letters, capitals, accents, accented);
  return Math.ceil(tokens);
}
