/**
 * Text that fits a terminal: paragraphs wrapped to a width, and grids whose long cells wrap so the
 * whole table fits. Widths are display columns (a CJK character takes two).
 */
import { displayWidth, isWide } from './output.js';

/** The width CLI output fits unless asked otherwise. */
export const DEFAULT_WIDTH = 100;

/** The pieces a line may break between: runs of non-space text, single wide characters, spaces. */
function tokens(text: string): string[] {
  const found: string[] = [];
  let run = '';
  for (const character of text) {
    if (character === ' ') {
      if (run !== '') found.push(run);
      found.push(' ');
      run = '';
    } else if (isWide(character)) {
      if (run !== '') found.push(run);
      found.push(character);
      run = '';
    } else run += character;
  }
  if (run !== '') found.push(run);
  return found;
}

/** Cuts a piece wider than `width` into pieces of at most `width` columns. */
function hardBreak(piece: string, width: number): string[] {
  const pieces: string[] = [];
  let current = '';
  let used = 0;
  for (const character of piece) {
    const size = isWide(character) ? 2 : 1;
    if (used + size > width && current !== '') {
      pieces.push(current);
      current = '';
      used = 0;
    }
    current += character;
    used += size;
  }
  if (current !== '') pieces.push(current);
  return pieces;
}

/** `text` wrapped into lines of at most `width` columns (breaking at spaces and between CJK characters). */
export function wrapText(text: string, width: number): string[] {
  const limit = Math.max(1, Math.floor(width));
  const lines: string[] = [];
  let line = '';
  let used = 0;
  const flush = (): void => {
    lines.push(line.trimEnd());
    line = '';
    used = 0;
  };
  for (const token of tokens(text)) {
    if (token === ' ') {
      if (used > 0 && used < limit) {
        line += ' ';
        used += 1;
      }
      continue;
    }
    const size = displayWidth(token);
    if (used + size <= limit) {
      line += token;
      used += size;
      continue;
    }
    if (used > 0) flush();
    for (const piece of size <= limit ? [token] : hardBreak(token, limit)) {
      if (used > 0) flush();
      line = piece;
      used = displayWidth(piece);
    }
  }
  if (line !== '' || lines.length === 0) flush();
  return lines;
}

// A list marker whose text the wrapped lines align under: "1. ", "→ ", "- ", a check mark.
const MARKER = /^(?:\d{1,2}\. |[→✓✗!–-] )/;

/**
 * Every line of `text` wrapped to `width` (unchanged when `width` is undefined). Continuation
 * lines keep the line's indent, align under a list marker's text, and add `indent`.
 */
export function wrapLines(text: string, width: number | undefined, indent = ''): string {
  if (width === undefined) return text;
  return text
    .split('\n')
    .flatMap((line) => {
      if (displayWidth(line) <= width) return [line];
      const lead = /^ */.exec(line)?.[0] ?? '';
      const marker = MARKER.exec(line.slice(lead.length))?.[0] ?? '';
      const hanging = lead + ' '.repeat(displayWidth(marker)) + indent;
      const [first = '', ...rest] = wrapText(line.slice(lead.length), width - displayWidth(hanging));
      return [lead + first, ...rest.map((piece) => hanging + piece)];
    })
    .join('\n');
}

/** A grid cell: one text, or parts that are kept whole on a line when they fit. */
export type GridCell = string | readonly string[];

const GAP = 2;

function cellText(cell: GridCell, separator: string): string {
  return typeof cell === 'string' ? cell : cell.join(separator);
}

/** A cell's lines at `width`: parts packed greedily, any part wider than the column wrapped. */
function cellLines(cell: GridCell, width: number, separator: string): string[] {
  const whole = cellText(cell, separator);
  if (displayWidth(whole) <= width) return [whole];
  const parts = typeof cell === 'string' ? [cell] : cell;
  const lines: string[] = [];
  let line = '';
  for (const part of parts) {
    const joined = line === '' ? part : `${line}${separator}${part}`;
    if (displayWidth(joined) <= width) {
      line = joined;
      continue;
    }
    if (line !== '') lines.push(line.trimEnd());
    const wrapped = wrapText(part, width);
    line = wrapped.pop() ?? '';
    lines.push(...wrapped);
  }
  if (line !== '') lines.push(line.trimEnd());
  return lines;
}

/**
 * Column widths that fit `maxWidth`: the first `keep` columns keep their natural width when they
 * can; the others are capped at the largest width that fits (narrow columns stay as they are).
 */
function fitWidths(natural: readonly number[], maxWidth: number, keep: number): number[] {
  const budget = maxWidth - GAP * (natural.length - 1);
  if (natural.reduce((sum, width) => sum + width, 0) <= budget) return [...natural];
  const kept = natural.slice(0, keep);
  const keptWidth = kept.reduce((sum, width) => sum + width, 0);
  const others = natural.slice(keep);
  const room = budget - keptWidth;
  if (others.length === 0 || room < others.length * 4) {
    // Not even the kept columns fit beside the others: cap every column alike.
    return capped(natural, budget);
  }
  return [...kept, ...capped(others, room)];
}

/** `widths` capped at the largest cap whose total fits `budget` (at least 1 column each). */
function capped(widths: readonly number[], budget: number): number[] {
  let cap = Math.max(...widths);
  while (cap > 1 && widths.reduce((sum, width) => sum + Math.min(width, cap), 0) > budget) cap -= 1;
  return widths.map((width) => Math.min(width, cap));
}

/** Options of `renderGrid`. */
export interface GridOptions {
  /** Fit this many columns by wrapping long cells; unlimited when absent. */
  readonly maxWidth?: number;
  /** Between a cell's parts on one line. */
  readonly separator?: string;
  /** How many leading columns keep their width while others wrap (the row labels). */
  readonly keep?: number;
}

/** A table with a header, a rule under it, and its rows; rows that wrap are set apart by a blank line. */
export function renderGrid(
  headers: readonly string[],
  rows: readonly (readonly GridCell[])[],
  options: GridOptions = {},
): string {
  const separator = options.separator ?? ' / ';
  const natural = headers.map((header, column) =>
    Math.max(
      displayWidth(header),
      ...rows.map((row) => displayWidth(cellText(row[column] ?? '', separator))),
    ),
  );
  const widths =
    options.maxWidth === undefined ? natural : fitWidths(natural, options.maxWidth, options.keep ?? 1);
  const render = (cells: readonly GridCell[]): string[] => {
    const columns = widths.map((width, column) => cellLines(cells[column] ?? '', width, separator));
    const height = Math.max(...columns.map((lines) => lines.length));
    return Array.from({ length: height }, (_unused, index) =>
      columns
        .map((lines, column) => {
          const value = lines[index] ?? '';
          return value + ' '.repeat(Math.max(0, (widths[column] ?? 0) - displayWidth(value)));
        })
        .join(' '.repeat(GAP))
        .trimEnd(),
    );
  };
  const body = rows.map(render);
  const spaced = body.some((lines) => lines.length > 1);
  return [
    ...render(headers),
    widths.map((width) => '-'.repeat(width)).join(' '.repeat(GAP)),
    ...body.flatMap((lines, index) => (spaced && index > 0 ? ['', ...lines] : lines)),
  ].join('\n');
}
