/**
 * The character estimate against a real tokenizer (gpt-tokenizer, a devDependency for this test
 * only), per kind of text and per encoding. `ESTIMATE_TABLE=1` prints the table docs/decisions.md
 * §24 quotes.
 */
import { countTokens as countCl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { countTokens as countO200k } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { countTextTokens } from '../../src/tokens/estimate.js';
import { generatedSamples, WRITTEN_SAMPLES } from './corpus.js';

// Text that spells a special token is plain text to the API.
const plain = { disallowedSpecial: new Set<string>() };
const encodings = [
  { name: 'o200k_base', model: 'gpt-4o', count: (text: string) => countO200k(text, plain) },
  { name: 'cl100k_base', model: 'gpt-4', count: (text: string) => countCl100k(text, plain) },
] as const;

const samples = { ...WRITTEN_SAMPLES, ...generatedSamples() };

function quantile(values: readonly number[], share: number): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.round(share * (sorted.length - 1))] as number;
}

/** estimate / true, per sample, for each kind of text. */
function ratiosOf(encoding: (typeof encodings)[number]): Map<string, number[]> {
  const ratios = new Map<string, number[]>();
  for (const [kind, texts] of Object.entries(samples))
    ratios.set(
      kind,
      texts.map((text) => countTextTokens(text, encoding.model) / encoding.count(text)),
    );
  return ratios;
}

describe.each(encodings)('the character estimate against $name', (encoding) => {
  const ratios = ratiosOf(encoding);

  if (process.env.ESTIMATE_TABLE !== undefined) {
    const rows = [...ratios].map(
      ([kind, values]) =>
        `| ${kind} | ${values.length} | ${quantile(values, 0.5).toFixed(2)} | ${quantile(values, 0.1).toFixed(2)}–${quantile(values, 0.9).toFixed(2)} | ${quantile(
          values.map((ratio) => Math.abs(ratio - 1)),
          0.9,
        ).toFixed(2)} |`,
    );
    console.log(
      `${encoding.name}\n| text | samples | median | p10–p90 | p90 of |error| |\n|---|---|---|---|---|\n${rows.join('\n')}`,
    );
  }

  it.each([...ratios].filter(([kind]) => kind !== 'long runs'))(
    '%s: median within 12 %, nine samples in ten within 30 %',
    (_kind, values) => {
      expect(Math.abs(quantile(values, 0.5) - 1)).toBeLessThanOrEqual(0.12);
      expect(
        quantile(
          values.map((ratio) => Math.abs(ratio - 1)),
          0.9,
        ),
      ).toBeLessThanOrEqual(0.3);
    },
  );

  it('long runs without spaces: median within 12 %, none off by more than ×2.2', () => {
    const values = ratios.get('long runs') ?? [];
    expect(values.length).toBeGreaterThan(10);
    expect(Math.abs(quantile(values, 0.5) - 1)).toBeLessThanOrEqual(0.12);
    for (const ratio of values) {
      expect(ratio).toBeGreaterThan(1 / 2.2);
      expect(ratio).toBeLessThan(2.2);
    }
  });
});
