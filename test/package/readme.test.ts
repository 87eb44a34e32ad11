import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CAUSES, CAUSE_CATALOGUE } from '../../src/data/causes.js';
import { readmeBlocks } from '../support/readme-snippets.js';

// The README is checked against the code it describes, so the two cannot drift: the causes table
// against the catalogue, every code block against the file CI runs, the Guarantees table against
// the tests it names, the API list against the entries' exports.
const root = new URL('../../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');

/** The text of the `## title` section. */
function section(title: string): string {
  const start = readme.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`README has no section "${title}"`);
  const end = readme.indexOf('\n## ', start + 4);
  return readme.slice(start, end < 0 ? undefined : end);
}

// Code blocks that are not (yet) files, by section, each with why (none today).
const UNCHECKED_SECTIONS: Readonly<Record<string, string>> = {};
const CODE_LANGUAGES = new Set(['ts', 'typescript', 'js', 'javascript', 'mjs', 'cjs']);

describe('README', () => {
  it('lists every cause with the catalogue’s retry and fallback', () => {
    const table = readme.slice(
      readme.indexOf('<!-- causes:start -->'),
      readme.indexOf('<!-- causes:end -->'),
    );
    const rows = table.split('\n').filter((line) => line.startsWith('| `'));
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

describe('README code blocks', () => {
  const blocks = readmeBlocks(readme);
  const code = blocks.filter((block) => CODE_LANGUAGES.has(block.lang));

  it('are each a file of examples/readme/, byte for byte (npm run readme:snippets copies them)', () => {
    const marked = code.filter((block) => block.file !== undefined);
    expect(marked.length).toBeGreaterThanOrEqual(14);
    for (const block of marked) {
      expect(block.file, `README line ${block.line}`).toMatch(/^examples\/readme\/[a-z0-9-]+(\.test)?\.ts$/);
      expect(block.code, `README line ${block.line} differs from ${block.file}`).toBe(
        read(block.file as string),
      );
    }
  });

  it('leave no code block unchecked, outside the sections other work owns', () => {
    const unchecked = code.filter((block) => block.file === undefined);
    for (const block of unchecked)
      expect(UNCHECKED_SECTIONS, `README line ${block.line}, under "${block.section}"`).toHaveProperty([
        block.section,
      ]);
  });

  it('use every file of examples/readme/ (none left behind)', () => {
    const used = new Set(code.map((block) => block.file));
    const files = readdirSync(new URL('examples/readme/', root)).filter((name) => name.endsWith('.ts'));
    expect(files.filter((name) => !used.has(`examples/readme/${name}`))).toEqual([]);
  });
});

/** The titles a test file gives its `describe`s and `it`s, as written (templates such as `%s` kept). */
function testTitles(source: string): string[] {
  const titles: string[] = [];
  const literal = /(['"`])((?:\\.|(?!\1)[^\\\n])*)\1/g;
  for (const match of source.matchAll(literal)) {
    // A title is the first argument of it/test/describe, or of the call an `.each(…)` returns.
    const before = source.slice(Math.max(0, (match.index ?? 0) - 2_000), match.index).trimEnd();
    if (!before.endsWith('(')) continue;
    const head = before.slice(0, -1).trimEnd();
    const direct =
      /\b(?:it|test|describe)(?:\.(?:skipIf\([^)]*\)|runIf\([^)]*\)|concurrent|sequential|only))*$/.test(
        head,
      );
    const each =
      head.endsWith(')') &&
      /\b(?:it|test|describe)(?:\.\w+(?:\([^)]*\))?)*\.each\s*\(/.test(head.slice(-2_000));
    if (direct || each) titles.push((match[2] as string).replace(/\\(.)/g, '$1'));
  }
  return titles;
}

describe('README Guarantees table', () => {
  const rows = section('Guarantees')
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| promise') && !line.startsWith('| **'));

  it('names, for every promise, tests that exist (file and title)', () => {
    expect(rows.length).toBeGreaterThanOrEqual(25);
    for (const row of rows) {
      const proof = row.split(' | ').at(-1) ?? '';
      const references = [...proof.matchAll(/`([^`]+)`(?: "([^"]+)")?/g)];
      expect(references.length, row).toBeGreaterThan(0);
      for (const [, path, title] of references) {
        if (path === 'npm run bench') continue;
        expect(existsSync(new URL(path as string, root)), `${path} (in: ${row.slice(0, 60)}…)`).toBe(true);
        if (!(path as string).endsWith('.test.ts')) continue;
        expect(title, `${path} needs a test title`).toBeDefined();
        const titles = testTitles(read(path as string)).map((text) => text.replace(/ \(\$\w+\)$/, ''));
        expect(titles, `${path} has no test or group titled "${title}"`).toContain(title);
      }
    }
  });
});

/** The names `index.ts` exports, values and types, from its `export { … } from` lists. */
function exportsOf(path: string): string[] {
  const names: string[] = [];
  for (const match of read(path).matchAll(/export\s+(?:type\s+)?\{([^}]*)\}\s+from/g))
    for (const part of (match[1] as string).split(','))
      if (part.trim() !== '')
        names.push(
          (
            part
              .trim()
              .split(/\s+as\s+/)
              .at(-1) as string
          ).trim(),
        );
  return names;
}

describe('README API list', () => {
  const api = section('API');
  const [main, testing] = api.split('From `tierguard/testing`:') as [string, string];
  const listed = (text: string): string[] =>
    [...text.matchAll(/`([A-Za-z_][A-Za-z0-9_]*)`/g)].map((m) => m[1] as string);

  it.each([
    ['tierguard', 'src/index.ts', () => main],
    ['tierguard/testing', 'src/testing/index.ts', () => testing],
  ] as const)('names every export of %s, and nothing it does not export', (_entry, path, text) => {
    const exported = exportsOf(path);
    expect(exported.length).toBeGreaterThan(20);
    const names = new Set(listed(text()));
    expect(exported.filter((name) => !names.has(name))).toEqual([]);
    const known = new Set([...exportsOf('src/index.ts'), ...exportsOf('src/testing/index.ts')]);
    // Words in backticks that are not exports: the entry names and the guard's options.
    const prose = new Set(['tierguard', 'GuardOptions']);
    expect(
      [...names].filter((name) => /^[A-Z_a-z]/.test(name) && !known.has(name) && !prose.has(name)),
    ).toEqual([]);
  });
});
