/**
 * The README's table of cheaper chains is the tables' own word: rendered from them and compared
 * (UPDATE_README=1 rewrites it).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderCheaperChains, TABLE_END, TABLE_START } from '../support/cheaper-table.js';

const readmePath = new URL('../../README.md', import.meta.url);

describe("README: the chains fallback: 'cheaper' builds", () => {
  it('match the tables', () => {
    const readme = readFileSync(readmePath, 'utf8');
    const start = readme.indexOf(TABLE_START);
    const end = readme.indexOf(TABLE_END);
    expect(start, 'the README has the table markers').toBeGreaterThanOrEqual(0);
    expect(end).toBeGreaterThan(start);
    const current = readme.slice(start, end + TABLE_END.length);
    const rendered = renderCheaperChains();
    if (process.env.UPDATE_README === '1' && current !== rendered)
      writeFileSync(readmePath, readme.slice(0, start) + rendered + readme.slice(end + TABLE_END.length));
    else expect(current).toBe(rendered);
  });
});
