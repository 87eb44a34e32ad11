/**
 * The data tables keep their dates and sources row by row (a row without one fails here), agree
 * with each other, and `src/data/` imports nothing outside itself (checked on the files, and the
 * lint rule that enforces it is checked to reject an outside import).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { KNOWN_MODELS, RETIRED_MODELS } from '../../src/data/models.js';
import { SERVICE_TIER_PRICES, TOKEN_PRICES } from '../../src/data/prices.js';
import { DATA_RESIDENCY } from '../../src/data/residency.js';
import {
  MODEL_TIER_LIMITS,
  TIERS,
  TIER_QUALIFICATIONS,
  VERIFICATION_REQUIREMENTS,
} from '../../src/data/tiers.js';
import { contextWindowOf, fitsContextWindow, resolveModel } from '../../src/models/resolve.js';

const DATE = /^\d{4}-\d{2}(?:-\d{2})?$/;
const sourced = (row: { source?: string; asOf?: string }, dated = true): void => {
  expect(row.source?.trim().length ?? 0).toBeGreaterThan(10);
  if (dated) expect(row.asOf).toMatch(DATE);
};

describe('every row keeps its source and date', () => {
  it('tier limits: one provenance per row, and no provenance without a row', () => {
    const rows = Object.keys(MODEL_TIER_LIMITS.models).sort();
    expect(Object.keys(MODEL_TIER_LIMITS.sources).sort()).toEqual(rows);
    for (const row of Object.values(MODEL_TIER_LIMITS.sources)) sourced(row);
  });

  it('tier qualifications and verification needs', () => {
    for (const row of TIER_QUALIFICATIONS.rows) sourced(row, false);
    expect(TIER_QUALIFICATIONS.asOf).toMatch(DATE);
    for (const row of Object.values(VERIFICATION_REQUIREMENTS.models)) sourced(row, false);
  });

  it('prices: Standard, Flex and Priority', () => {
    for (const table of [TOKEN_PRICES.models, SERVICE_TIER_PRICES.flex, SERVICE_TIER_PRICES.priority])
      for (const row of Object.values(table)) sourced(row);
  });

  it('context windows and retired models', () => {
    for (const info of Object.values(KNOWN_MODELS.models))
      if ('context' in info && info.context !== undefined) sourced(info.context);
    for (const row of Object.values(RETIRED_MODELS.models)) {
      sourced(row, false);
      expect(row.shutdownOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });
});

describe('the tables agree with each other', () => {
  it('every tier row lists tiers of TIERS only', () => {
    for (const row of Object.values(MODEL_TIER_LIMITS.models))
      for (const tier of Object.keys(row)) expect(TIERS).toContain(tier);
  });

  it('Flex costs no more than Standard, Priority no less', () => {
    const standard: Record<string, { inputPerMillion: number; outputPerMillion?: number }> =
      TOKEN_PRICES.models;
    for (const [model, flex] of Object.entries(SERVICE_TIER_PRICES.flex)) {
      const base = standard[model];
      if (base !== undefined) expect(flex.inputPerMillion).toBeLessThanOrEqual(base.inputPerMillion);
    }
    for (const [model, priority] of Object.entries(SERVICE_TIER_PRICES.priority)) {
      const base = standard[model];
      if (base !== undefined) expect(priority.inputPerMillion).toBeGreaterThanOrEqual(base.inputPerMillion);
    }
  });

  it('a context window holds its largest output, and contextWindowOf reads the column', () => {
    for (const [model, info] of Object.entries(KNOWN_MODELS.models)) {
      if (!('context' in info) || info.context === undefined) continue;
      expect(info.context.maxOutput ?? 0).toBeLessThanOrEqual(info.context.tokens);
      if (!resolveModel(model).retired) expect(contextWindowOf(model)).toBe(info.context.tokens);
    }
    expect(contextWindowOf('gpt-4o-2024-08-06')).toBe(128_000);
    expect(contextWindowOf('ft:gpt-4.1-mini-2025-04-14:acme::x1')).toBe(1_047_576);
    expect(contextWindowOf('gpt-4o', { 'dep-4o': 'gpt-4o' })).toBe(128_000);
    expect(contextWindowOf('dep-4o', { 'dep-4o': 'gpt-4o' })).toBe(128_000);
    expect(contextWindowOf('gpt-5.5')).toBeUndefined();
    // A request fits when prompt + output fit the window, and the prompt fits an input cap (gpt-5).
    expect(fitsContextWindow('gpt-4o', 100_000, 4_000)).toBe(true);
    expect(fitsContextWindow('gpt-4o', 120_000, 16_000)).toBe(false);
    expect(fitsContextWindow('gpt-5', 270_000, 128_000)).toBe(true);
    expect(fitsContextWindow('gpt-5', 280_000, 0)).toBe(false);
    expect(fitsContextWindow('gpt-5.5', 10)).toBeUndefined();
    expect(fitsContextWindow('constructor', 10)).toBeUndefined();
    expect(contextWindowOf('o1-mini')).toBeUndefined();
  });

  it('a retired model leads to a current one', () => {
    for (const model of Object.keys(RETIRED_MODELS.models)) {
      const resolved = resolveModel(model);
      expect(resolved).toMatchObject({ retired: true, known: false });
      expect(resolveModel(resolved.successor ?? '').known).toBe(true);
    }
    expect(resolveModel('text-davinci-003').successor).toBe('gpt-5-mini');
  });

  it('the residency hosts are OpenAI hosts, one per region', () => {
    for (const [region, host] of Object.entries(DATA_RESIDENCY.hosts))
      expect(host).toBe(`${region}.api.openai.com`);
  });
});

const DATA = resolve(__dirname, '../../src/data');

function files(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('src/data/ imports nothing outside src/data/', () => {
  it('no file of it imports from outside it, or any package', () => {
    const outside: string[] = [];
    for (const file of files(DATA)) {
      const source = readFileSync(file, 'utf8');
      for (const match of source.matchAll(/\bfrom\s+['"]([^'"]+)['"]/g)) {
        const target = match[1] ?? '';
        const inside =
          target.startsWith('.') && !relative(DATA, resolve(file, '..', target)).startsWith('..');
        if (!inside) outside.push(`${relative(DATA, file)} → ${target}`);
      }
    }
    expect(outside).toEqual([]);
  });

  it('the lint rule rejects an import from outside, and accepts one from inside', async () => {
    const eslint = new ESLint({ cwd: resolve(__dirname, '../..') });
    const lint = async (code: string, path: string): Promise<string[]> =>
      (await eslint.lintText(code, { filePath: resolve(DATA, path) }))
        .flatMap((result) => result.messages)
        .map((message) => message.ruleId ?? message.message);
    expect(
      await lint(
        "import type { Diagnosis } from '../diagnose/types.js';\nexport type X = Diagnosis;\n",
        'probe.ts',
      ),
    ).toContain('no-restricted-imports');
    expect(
      await lint(
        "import type { Cause } from '../../diagnose/types.js';\nexport type X = Cause;\n",
        'hints/probe.ts',
      ),
    ).toContain('no-restricted-imports');
    expect(await lint("import { z } from 'zod';\nexport const X = z;\n", 'probe.ts')).toContain(
      'no-restricted-imports',
    );
    expect(
      await lint("import type { Cause } from '../causes.js';\nexport type X = Cause;\n", 'hints/probe.ts'),
    ).toEqual([]);
    expect(
      await lint("import type { Tier } from './tiers.js';\nexport type X = Tier;\n", 'probe.ts'),
    ).toEqual([]);
  });
});
