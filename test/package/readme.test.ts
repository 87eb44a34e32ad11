import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CAUSES, CAUSE_CATALOGUE } from '../../src/data/causes.js';

// The README's "what went wrong" table is checked against the catalogue, so the two cannot drift.
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('lists every cause with the catalogue’s retry and fallback', () => {
    const section = readme.slice(
      readme.indexOf('<!-- causes:start -->'),
      readme.indexOf('<!-- causes:end -->'),
    );
    const rows = section.split('\n').filter((line) => line.startsWith('| `'));
    expect(rows.map((row) => /^\| `([a-z_]+)`/.exec(row)?.[1])).toEqual([...CAUSES]);
    for (const row of rows) {
      const cells = row.split('|').map((cell) => cell.trim());
      const cause = CAUSES.find((candidate) => cells[1] === `\`${candidate}\``);
      if (cause === undefined) throw new Error(`unknown cause in README: ${row}`);
      const entry = CAUSE_CATALOGUE[cause];
      expect(cells[3]).toBe(entry.retryable ? 'yes' : 'no');
      expect(cells[4]).toBe(
        entry.fallbackTo === 'model'
          ? 'yes'
          : entry.fallbackTo === 'endpoint'
            ? 'another endpoint only'
            : 'no',
      );
    }
  });

  it('gives the two set-up commands that CI and the demo use', () => {
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toContain('npm test ');
  });
});
