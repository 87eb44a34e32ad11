import { beforeAll, describe, expect, it } from 'vitest';
import { MODEL_TIER_LIMITS, TIERS } from '../../src/data/tiers.js';
import { renderGrid, wrapLines, wrapText } from '../../src/cli/layout.js';
import { publicPages } from '../../src/cli/sources.js';
import { displayWidth, ensureBuilt, tierguard } from './run-cli.js';

beforeAll(ensureBuilt, 60_000);

const widest = (text: string): number => Math.max(...text.split('\n').map(displayWidth));

// Every table `tiers` prints: the whole table, each tier, and each model with a table (and one without).
const TABLES: readonly (readonly string[])[] = [
  [],
  ...TIERS.map((tier) => ['--tier', tier]),
  ...Object.keys(MODEL_TIER_LIMITS.models).map((model) => ['--model', model]),
  ['--model', 'gpt-4o-2024-08-06'],
  ['--model', 'not-a-model-tierguard-knows'],
];

describe('tierguard tiers fits 100 columns, in both locales', () => {
  it.each(['en', 'zh-CN'])('every table in %s: widest line ≤ 100 display columns', async (locale) => {
    const results = await Promise.all(
      TABLES.map((args) => tierguard(['tiers', ...args, '--locale', locale])),
    );
    for (const [index, result] of results.entries()) {
      expect(result.code, `tiers ${TABLES[index]?.join(' ')}`).toBe(0);
      expect(
        widest(result.stdout),
        `tiers ${TABLES[index]?.join(' ')} --locale ${locale}`,
      ).toBeLessThanOrEqual(100);
    }
  });

  it('wraps long cells and keeps each limit whole; --wide does not wrap', async () => {
    const narrow = await tierguard(['tiers']);
    expect(narrow.stdout).toMatch(/^gpt-4o-mini\s+3 RPM\s+500 RPM/m);
    expect(narrow.stdout).toMatch(/^\s+40k TPM\s+200k TPM/m);
    const wide = await tierguard(['tiers', '--wide']);
    expect(widest(wide.stdout)).toBeGreaterThan(100);
    expect(wide.stdout).toMatch(/gpt-4o-mini\s+3 RPM\/40k TPM\/200 RPD\s+500 RPM\/200k TPM\/10k RPD/);
  });

  it('speaks Chinese with --locale zh-CN, and refuses another locale', async () => {
    const model = await tierguard(['tiers', '--model', 'gpt-4o', '--locale', 'zh-CN']);
    expect(model.stdout).toMatch(/^等级\s+限额\s+达到条件$/m);
    expect(model.stdout).toMatch(/^免费\s+不支持\s+需要位于支持的国家或地区$/m);
    expect(model.stdout).toMatch(
      /^Tier 2\s+5,000 RPM \/ 450k TPM\s+需要累计付款 \$50，且首次付款后满 7 天$/m,
    );
    expect(model.stdout).toContain('可以使用它的最低等级：Tier 1。');
    const tier = await tierguard(['tiers', '--tier', 'tier-2', '--locale', 'zh-CN']);
    expect(tier.stdout).toContain('Tier 2：需要累计付款 $50，且首次付款后满 7 天；每月用量上限 $500');
    const bad = await tierguard(['tiers', '--locale', 'fr']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--locale must be en or zh-CN, got "fr"');
  });

  it('footers cite public pages, never the project’s own files', async () => {
    const outputs = await Promise.all(
      [[], ['--tier', 'tier-1'], ['--model', 'gpt-4o'], ['--locale', 'zh-CN']].map((args) =>
        tierguard(['tiers', ...args]),
      ),
    );
    for (const { stdout } of outputs) {
      expect(stdout).not.toMatch(/\.md\b|\bsrc\/|\.ts\b|Table \d|OAI-MODEL/);
      const urls = stdout.match(/https?:\/\/[^\s,（）)]+/g) ?? [];
      expect(urls.length).toBeGreaterThan(0);
      for (const url of urls)
        expect(new URL(url).host).toMatch(/^(?:platform|developers|help)\.openai\.com$/);
    }
    expect(outputs[2]?.stdout).toContain('Limits: https://platform.openai.com/docs/models/gpt-4o (as of');
  });
});

describe('layout', () => {
  it('wraps text at spaces and between CJK characters, never past the width', () => {
    expect(wrapText('one two three four', 9)).toEqual(['one two', 'three', 'four']);
    const chinese = wrapText('需要累计付款，且首次付款后满 7 天', 10);
    for (const line of chinese) expect(displayWidth(line)).toBeLessThanOrEqual(10);
    expect(chinese.join('').replaceAll(' ', '')).toBe('需要累计付款，且首次付款后满7天');
    expect(wrapText('x'.repeat(25), 10)).toEqual(['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
  });

  it('wraps lines under their list marker, and leaves them alone without a width', () => {
    const step = `    2. ${'word '.repeat(30).trim()}`;
    const wrapped = wrapLines(step, 40).split('\n');
    expect(wrapped.length).toBeGreaterThan(1);
    for (const line of wrapped) expect(displayWidth(line)).toBeLessThanOrEqual(40);
    for (const line of wrapped.slice(1)) expect(line).toMatch(/^ {7}word/);
    expect(wrapLines(step, undefined)).toBe(step);
  });

  it('fits a grid to its width by wrapping the widest columns, keeping the first', () => {
    const grid = renderGrid(
      ['model', 'a', 'b'],
      [['a-long-model-name', ['1 RPM', '2 TPM', '3 RPD'], 'words that go on and on and on']],
      { maxWidth: 40 },
    );
    expect(widest(grid)).toBeLessThanOrEqual(40);
    expect(grid.split('\n')[2]).toMatch(/^a-long-model-name {2}/);
  });

  it('reads the public pages out of a source line', () => {
    expect(
      publicPages(
        'platform.openai.com/docs/models/<id> (2025-10-02 scrape, OAI-MODEL-2025); openai-api.md Table 4; https://developers.openai.com/api/docs/guides/rate-limits.',
        'gpt-4o',
      ),
    ).toEqual([
      'https://platform.openai.com/docs/models/gpt-4o',
      'https://developers.openai.com/api/docs/guides/rate-limits',
    ]);
    expect(publicPages('openai-api.md Table 3')).toEqual([]);
  });
});
