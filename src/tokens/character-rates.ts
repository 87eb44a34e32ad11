/**
 * What each kind of character costs in tokens, per encoding: the table the character estimate
 * (`count-characters.ts`) reads. Pure data. The rates were fitted against gpt-tokenizer 4.0.0
 * (o200k_base, cl100k_base) on the corpus of `test/pacing/corpus.ts` and checked on held-out text;
 * docs/decisions.md §24 gives the fit and the error it leaves per kind of text.
 */
import type { Encoding } from '../data/models.js';

/** A script written in words (letters between spaces): a word costs `word + letter × letters`. */
export interface WordRates {
  /** Tokens a word costs whatever its length. */
  readonly word: number;
  /** Tokens each of its letters adds. */
  readonly letter: number;
}

/** Tokens per character, by kind of character, for one encoding. */
export interface CharacterRates {
  /**
   * Latin words (ASCII letters, and Latin letters with diacritics), split where a lower-case
   * letter meets an upper-case one (`camelCase` is two words, as the tokenizer splits it). A word
   * of up to `latinShortLetters` letters costs `latinWord`.
   */
  readonly latinWord: number;
  readonly latinShortLetters: number;
  /** Each letter past `latinShortLetters`, up to `latinLongLetters`. */
  readonly latinLetter: number;
  readonly latinLongLetters: number;
  /** Each letter past `latinLongLetters`: a run that long is an identifier or encoded data, not a word. */
  readonly latinLongLetter: number;
  /** A Latin word that holds letters outside ASCII (é, ß, ư) or combining marks, on top of its cost… */
  readonly latinAccentedWord: number;
  /** …and each such letter or mark: of Latin-1 (à, ß, ñ), of Latin Extended-A and -B (ą, ł, ő, ư) and combining marks, of Latin Extended Additional (ạ, ế, ữ: Vietnamese). */
  readonly latinAccent: number;
  readonly latinAccentExtended: number;
  readonly latinAccentAdditional: number;
  /** Each upper-case letter of a word after its first (`HTTP`, and encoded data like `QZfOYVk`). */
  readonly latinCapital: number;
  /** Letters and digits that touch (`v2`, `e9c5`, base64): the tokenizers split them. */
  readonly letterDigitJoin: number;
  /** Each group of up to three digits (the tokenizers split numbers so). */
  readonly digitGroup: number;
  /** An ASCII punctuation mark or symbol that follows something else. */
  readonly punctuation: number;
  /** Each further mark of a run of them (`");`, `=>`, `||`). */
  readonly punctuationNext: number;
  /** A space or tab right after another (the first one joins the word that follows it). */
  readonly space: number;
  /** A line break that follows something else. */
  readonly newline: number;
  /** Each further line break of a run. */
  readonly newlineNext: number;
  /**
   * A character repeated a third time and more in a row (`aaaa`, `====`, spaces): the tokenizers
   * hold tokens for long runs of one character. Digits, CJK and emoji are not discounted.
   */
  readonly repeatLetter: number;
  readonly repeatPunctuation: number;
  readonly repeatSpace: number;
  readonly repeatNewline: number;
  /** Scripts written in words, each costed on its own. */
  readonly cyrillic: WordRates;
  readonly greek: WordRates;
  readonly hebrew: WordRates;
  readonly arabic: WordRates;
  /** Devanagari, Bengali, Tamil and the other scripts of South Asia (U+0900–U+0DFF). */
  readonly indic: WordRates;
  /** Thai and Lao, written without spaces between words: a "word" is a whole run. */
  readonly thai: WordRates;
  /** Each Han character (Chinese; kanji). */
  readonly han: number;
  /** Each kana (Japanese). */
  readonly kana: number;
  /** Each Hangul syllable or jamo (Korean). */
  readonly hangul: number;
  /** Each CJK or full-width punctuation mark (，。「」！). */
  readonly cjkPunctuation: number;
  /** Each mark of Unicode's general punctuation or Latin-1 symbols (“ ” — … • ©). */
  readonly unicodePunctuation: number;
  /** Each emoji or pictograph (flags count one per letter). */
  readonly emoji: number;
  /** Each zero-width joiner or variation selector (the glue of emoji sequences). */
  readonly joiner: number;
  /** Any other character. */
  readonly other: number;
}

/**
 * The rates per encoding. o200k_base (gpt-4o and later) holds far more tokens for scripts other
 * than Latin than cl100k_base (gpt-4, gpt-3.5, text-embedding-3) does, so the two differ most there.
 */
export const CHARACTER_RATES: Readonly<Record<Encoding, CharacterRates>> = {
  o200k_base: {
    latinWord: 0.95,
    latinShortLetters: 7,
    latinLetter: 0.25,
    latinLongLetters: 13,
    latinLongLetter: 0.51,
    latinAccentedWord: 0.017,
    latinAccent: 0.1,
    latinAccentExtended: 1.42,
    latinAccentAdditional: 0,
    latinCapital: 0.19,
    letterDigitJoin: 0.81,
    digitGroup: 1,
    punctuation: 0.62,
    punctuationNext: 0.17,
    space: 0.71,
    newline: 1.52,
    newlineNext: 0.023,
    repeatLetter: 0.125,
    repeatPunctuation: 0.015,
    repeatSpace: 0.009,
    repeatNewline: 0.06,
    cyrillic: { word: 1, letter: 0.13 },
    greek: { word: 1.28, letter: 0.19 },
    hebrew: { word: 1.34, letter: 0.17 },
    arabic: { word: 1, letter: 0.15 },
    indic: { word: 0.65, letter: 0.25 },
    thai: { word: 0.66, letter: 0.38 },
    han: 0.66,
    kana: 0.73,
    hangul: 0.72,
    cjkPunctuation: 1.05,
    unicodePunctuation: 0.56,
    emoji: 1.88,
    joiner: 1.1,
    other: 1,
  },
  cl100k_base: {
    latinWord: 1,
    latinShortLetters: 7,
    latinLetter: 0.45,
    latinLongLetters: 11,
    latinLongLetter: 0.53,
    latinAccentedWord: 0.5,
    latinAccent: 1.09,
    latinAccentExtended: 1.34,
    latinAccentAdditional: 0,
    latinCapital: 0.3,
    letterDigitJoin: 0.81,
    digitGroup: 1,
    punctuation: 0.52,
    punctuationNext: 0.25,
    space: 0.38,
    newline: 0.94,
    newlineNext: 0.005,
    repeatLetter: 0.125,
    repeatPunctuation: 0.015,
    repeatSpace: 0.009,
    repeatNewline: 0.03,
    cyrillic: { word: 0.88, letter: 0.4 },
    greek: { word: 0.82, letter: 0.88 },
    hebrew: { word: 1.22, letter: 0.96 },
    arabic: { word: 1.28, letter: 0.57 },
    indic: { word: 0.24, letter: 1.38 },
    thai: { word: 1.6, letter: 0.9 },
    han: 1.08,
    kana: 0.95,
    hangul: 1.25,
    cjkPunctuation: 0.95,
    unicodePunctuation: 1.09,
    emoji: 2.63,
    joiner: 1.6,
    other: 1,
  },
};
