/**
 * The README's code blocks and the files they come from. A block preceded by
 * `<!-- snippet: examples/readme/name.ts -->` is that file, byte for byte: CI type-checks and runs
 * the file, and test/package/readme.test.ts checks the block is still the same text.
 *
 *   npm run readme:snippets   # copies every file into its README block
 */
import { readFileSync, writeFileSync } from 'node:fs';

/** A fenced code block of the README. */
export interface ReadmeBlock {
  /** The fence's language (`ts`, `sh`…), '' when none. */
  readonly lang: string;
  /** The file the block is a copy of, when a snippet marker precedes it. */
  readonly file: string | undefined;
  /** The block's text between the fences (every line with its newline). */
  readonly code: string;
  /** The `## ` heading the block sits under. */
  readonly section: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
}

const MARKER = /^<!-- snippet: (\S+) -->$/;

/** Every fenced block of `readme`, top-level or indented in a list. */
export function readmeBlocks(readme: string): ReadmeBlock[] {
  const lines = readme.split('\n');
  const blocks: ReadmeBlock[] = [];
  let section = '';
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] as string;
    if (line.startsWith('## ')) section = line.slice(3).trim();
    const open = /^(\s*)```(\S*)\s*$/.exec(line);
    if (open === null) continue;
    const indent = open[1] as string;
    let end = index + 1;
    while (end < lines.length && (lines[end] as string).trim() !== '```') end += 1;
    const code = lines
      .slice(index + 1, end)
      .map((text) => (text.startsWith(indent) ? text.slice(indent.length) : text))
      .map((text) => `${text}\n`)
      .join('');
    let previous = index - 1;
    while (previous >= 0 && (lines[previous] as string).trim() === '') previous -= 1;
    const marker = previous >= 0 ? MARKER.exec((lines[previous] as string).trim()) : null;
    blocks.push({ lang: open[2] as string, file: marker?.[1], code, section, line: index + 1 });
    index = end;
  }
  return blocks;
}

/** `readme` with every marked block replaced by its file's text. */
export function syncReadme(readme: string, read: (file: string) => string): string {
  const lines = readme.split('\n');
  const out: string[] = [];
  let pending: string | undefined;
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] as string;
    const marker = MARKER.exec(line.trim());
    if (marker !== null) pending = marker[1];
    const open = /^(\s*)```(\S*)\s*$/.exec(line);
    if (open === null || pending === undefined) {
      out.push(line);
      continue;
    }
    const indent = open[1] as string;
    let end = index + 1;
    while (end < lines.length && (lines[end] as string).trim() !== '```') end += 1;
    const body = read(pending).replace(/\n$/, '').split('\n');
    out.push(line, ...body.map((text) => (text === '' ? '' : `${indent}${text}`)), lines[end] as string);
    pending = undefined;
    index = end;
  }
  return out.join('\n');
}

if (process.argv.includes('--write')) {
  const root = new URL('../../', import.meta.url);
  const path = new URL('README.md', root);
  const before = readFileSync(path, 'utf8');
  const after = syncReadme(before, (file) => readFileSync(new URL(file, root), 'utf8'));
  writeFileSync(path, after);
  console.log(before === after ? 'README.md: every snippet was up to date' : 'README.md: snippets copied');
}
