import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { countTextTokens, estimateRequest, type TokenCounter } from '../../src/tokens/estimate.js';
import { countByCharacters } from '../../src/tokens/count-characters.js';
import { CHARACTER_RATES } from '../../src/tokens/character-rates.js';
import { pieceEnd } from '../../src/tokens/token-count.js';

const PIECE = 2_048;
const BUDGET = 65_536;

/**
 * A tokenizer whose work grows with the square of what it is given (as gpt-tokenizer's does on a
 * run without spaces): it records every piece and the steps it took, and answers a quarter of the
 * piece's length.
 */
function quadraticCounter(): { counter: TokenCounter; pieces: string[]; steps: () => number } {
  const pieces: string[] = [];
  let steps = 0;
  const counter: TokenCounter = (text) => {
    pieces.push(text);
    for (let outer = 0; outer < text.length; outer += 1)
      for (let inner = 0; inner < text.length; inner += 1) steps += 1;
    return Math.ceil(text.length / 4);
  };
  return { counter, pieces, steps: () => steps };
}

/** Seeded text from `alphabet`, so that no two pieces of it are alike (the counter's cache answers for repeats). */
function randomText(alphabet: string, length: number, seed: number): string {
  let state = seed;
  let text = '';
  for (let index = 0; index < length; index += 1) {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    text += alphabet[(state >>> 16) % alphabet.length];
  }
  return text;
}

/**
 * The least CPU time `run` took in five runs, in ms: CPU time, not wall time, so that other
 * processes on a shared machine do not count; the least, so that a collection does not either.
 */
function leastCpuMs(run: () => void): number {
  let least = Infinity;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const started = process.cpuUsage();
    run();
    const used = process.cpuUsage(started);
    least = Math.min(least, (used.user + used.system) / 1_000);
  }
  return least;
}

const chat = (...contents: string[]) => ({
  messages: contents.map((content) => ({ role: 'user', content })),
});

/** A fresh prompt each time: the counter's cache must not answer for it. */
let fresh = 0;
const unique = (text: string): string => `${(fresh += 1)} ${text}`;

describe('counting with a tokenizer', () => {
  it('gives it pieces of at most 2 KB, and at most 64 K characters a call, whatever the text', () => {
    const prompts = [
      randomText('abcdefghijklmnopqrstuvwxyz', 1_000_000, 1),
      randomText('的一是在不了有和人这中大为', 1_000_000, 2),
      randomText('abcdefghij  klmnopq.\n', 1_000_000, 3),
    ];
    for (const prompt of prompts) {
      const { counter, pieces, steps } = quadraticCounter();
      const estimate = estimateRequest(
        'chat',
        chat(unique(prompt), unique(prompt.slice(0, 100_000))),
        'gpt-4o',
        {
          countTokens: counter,
        },
      );
      const given = pieces.reduce((sum, piece) => sum + piece.length, 0);
      expect(Math.max(...pieces.map((piece) => piece.length))).toBeLessThanOrEqual(PIECE);
      expect(given).toBeLessThanOrEqual(BUDGET);
      // Its work is bounded by the budget × the piece, not by the prompt's square.
      expect(steps()).toBeLessThanOrEqual(BUDGET * PIECE);
      // The rest of the text is estimated from its characters, so the estimate covers it all.
      expect(estimate.method).toBe('characters');
      expect(estimate.promptTokens).toBeGreaterThan(
        countByCharacters(prompt, CHARACTER_RATES.o200k_base) * 0.9,
      );
    }
  });

  it('counts a text that repeats itself from its cache, within the same bounds', () => {
    const { counter, pieces } = quadraticCounter();
    const estimate = estimateRequest(
      'chat',
      chat(unique('a'.repeat(1_000_000)), unique(' '.repeat(1_000_000))),
      'gpt-4o',
      {
        countTokens: counter,
      },
    );
    // A few distinct pieces per prompt: its start, the repeated middle, its end.
    expect(pieces.reduce((sum, piece) => sum + piece.length, 0)).toBeLessThanOrEqual(6 * PIECE);
    expect(estimate.method).toBe('tokenizer');
    expect(estimate.promptTokens).toBeGreaterThan(2_000_000 / 4);
  });

  it('cuts pieces at whitespace where there is some, and never inside a surrogate pair', () => {
    const prose = 'Rate limits are counted per minute.\n'.repeat(500);
    for (let start = 0; start < prose.length;) {
      const end = pieceEnd(prose, start);
      expect(end - start).toBeLessThanOrEqual(PIECE);
      if (end < prose.length) expect(/\s/.test(prose[end - 1] as string)).toBe(true);
      start = end;
    }
    const emoji = `x${'😀'.repeat(5_000)}`;
    for (let start = 0; start < emoji.length;) {
      const end = pieceEnd(emoji, start);
      const last = emoji.charCodeAt(end - 1);
      expect(last >= 0xd800 && last < 0xdc00).toBe(false);
      start = end;
    }
  });

  it('counts a call within its budget with the tokenizer alone, close to counting it whole', () => {
    const prose = Array.from(
      { length: 400 },
      (_, line) =>
        `Review ${line}: the parcel arrived ${line % 7} days late, and ${line % 3} items were damaged.`,
    ).join('\n');
    const seen: string[] = [];
    const counter: TokenCounter = (text) => {
      seen.push(text);
      return countTokens(text);
    };
    const counted = countTextTokens(prose, 'gpt-4o', { countTokens: counter });
    expect(seen.length).toBeGreaterThan(10);
    expect(Math.abs(counted / countTokens(prose) - 1)).toBeLessThan(0.01);
    expect(estimateRequest('chat', chat(unique('short')), 'gpt-4o', { countTokens: counter }).method).toBe(
      'tokenizer',
    );
  });

  it('hands it the model, and remembers recent pieces: a repeated system prompt is not counted again', () => {
    const system = unique('You are a careful assistant. '.repeat(200));
    const models: string[] = [];
    const pieces: string[] = [];
    const counter: TokenCounter = (text, model) => {
      models.push(model);
      pieces.push(text);
      return 1;
    };
    estimateRequest('chat', chat(system, unique('first question')), 'gpt-4o-mini', { countTokens: counter });
    const first = pieces.length;
    estimateRequest('chat', chat(system, unique('second question')), 'gpt-4o-mini', { countTokens: counter });
    // The second call counts only its new message (and nothing of the system prompt).
    expect(pieces.slice(first).join('')).not.toContain('careful assistant');
    expect(new Set(models)).toEqual(new Set(['gpt-4o-mini']));
    countTextTokens(unique('no model'), undefined, { countTokens: counter });
    expect(models.at(-1)).toBe('');
  });

  it('falls back to characters, without asking again, when the tokenizer throws or answers nonsense', () => {
    for (const answer of [
      () => {
        throw new Error('unknown model');
      },
      () => Number.NaN,
      () => -1,
      () => '12' as unknown as number,
    ]) {
      let calls = 0;
      const counter: TokenCounter = () => {
        calls += 1;
        return answer();
      };
      const prompt = unique('Hello there, how are you today? '.repeat(300));
      const estimate = estimateRequest('chat', chat(prompt), 'gpt-4o', { countTokens: counter });
      expect(calls).toBe(1);
      expect(estimate.method).toBe('characters');
      expect(estimate.promptTokens).toBeGreaterThanOrEqual(
        countByCharacters(prompt, CHARACTER_RATES.o200k_base),
      );
    }
  });
});

describe('counting by characters', () => {
  // Timed against inputs that stall a tokenizer for seconds (issue 19): 100 KB of each kind.
  // The bound is generous; counting takes about a millisecond.
  it.each([
    ['one long run of a letter', 'a'.repeat(100_000)],
    ['spaces only', ' '.repeat(100_000)],
    [
      'unpunctuated CJK',
      '的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年'.repeat(2_500),
    ],
    ['emoji', '👩‍👩‍👧‍👦🎉'.repeat(7_000)],
    ['base64-like', 'QZfO97oeYVkV6HZzAB/eyNCT+ST8'.repeat(4_000)],
  ])('counts 100 KB of %s in well under 20 ms', (_name, prompt) => {
    const body = chat(prompt);
    expect(leastCpuMs(() => estimateRequest('chat', body, 'gpt-4o'))).toBeLessThan(20);
  });

  it('estimates a 10 MB prompt from samples: bounded work, the same answer as a full count', () => {
    const prompt = 'The quick brown fox jumps over the lazy dog; 42 jumps. '.repeat(190_000);
    const full = countByCharacters(prompt, CHARACTER_RATES.o200k_base);
    const estimate = estimateRequest('chat', chat(prompt), 'gpt-4o');
    expect(Math.abs(estimate.promptTokens / full - 1)).toBeLessThan(0.02);
    // A full pass over 10 MB takes ~50 ms here; the samples a few.
    expect(leastCpuMs(() => estimateRequest('chat', chat(prompt), 'gpt-4o'))).toBeLessThan(20);
  });
});
