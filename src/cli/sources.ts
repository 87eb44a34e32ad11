/**
 * The public pages a table's source names, for footers: the tables record where each number came
 * from in the project's own terms too (reference files, table numbers), which mean nothing to a
 * user; a footer cites only pages anyone can open.
 */

// Pages on OpenAI's public sites, with or without the scheme, as the tables' sources write them.
const PUBLIC_PAGE = /(?:https?:\/\/)?(?:platform|developers|help)\.openai\.com(?:\/[\w\-.~%/<>]{0,200})?/g;
const PLACEHOLDER = /\/<[a-z]{1,20}>/g;

/** The distinct public pages `source` names, as https URLs (a `<id>` placeholder filled with `model`, or dropped). */
export function publicPages(source: string, model?: string): string[] {
  const pages = new Set<string>();
  for (const found of source.match(PUBLIC_PAGE) ?? []) {
    const url = found
      .replace(/^(?:https?:\/\/)?/, 'https://')
      .replace(PLACEHOLDER, model === undefined ? '' : `/${encodeURIComponent(model)}`)
      .replace(/[.)/]+$/, '');
    pages.add(url);
  }
  return [...pages];
}

/** The public pages of `source`, or `fallback` when it names none. */
export function citedPages(source: string, fallback: string, model?: string): string[] {
  const pages = publicPages(source, model);
  return pages.length > 0 ? pages : [fallback];
}
