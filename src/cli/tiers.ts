/**
 * `tierguard tiers`: what each tier allows (per-model limits) and what reaching it takes, in
 * English or Chinese, fitting 100 columns unless `--wide`.
 */
import { parseArgs } from 'node:util';
import { requiredTier } from '../advisor/required-tier.js';
import {
  MODEL_TIER_LIMITS,
  TIERS,
  TIER_QUALIFICATIONS,
  type Tier,
  type TierLimits,
  type TierRow,
} from '../data/tiers.js';
import type { Locale } from '../diagnose/types.js';
import { resolveModel } from '../models/resolve.js';
import type { Command, CommandIO } from './command.js';
import { DEFAULT_WIDTH, renderGrid, wrapLines, type GridCell } from './layout.js';
import { parseLocale } from './options.js';
import { citedPages } from './sources.js';
import { TIERS_TEXT, type TiersText } from './tiers-text.js';

const HELP = `Usage: tierguard tiers [--model <name>] [--tier <tier>] [options]

Prints the usage tiers: what each takes (paid amount, days since the first payment), its monthly
usage limit, and each model's rate limits on it — from the tables tierguard ships, with their
date and the public pages they come from.

Options:
  --model <name>       one model across every tier, and the lowest tier that can use it
  --tier <tier>        one tier (free, tier-1 … tier-5): what it takes and every model's limits
  --locale <en|zh-CN>  language (default en)
  --wide               do not wrap to ${DEFAULT_WIDTH} columns
  --json               print the data as JSON
  -v, --version        print the version
  -h, --help           show this help`;

// Pages cited when a table's source names none of OpenAI's public pages.
const LIMITS_PAGE = 'https://platform.openai.com/docs/models';
const TIERS_PAGE = 'https://platform.openai.com/docs/guides/rate-limits';

const rows: Readonly<Record<string, TierRow>> = MODEL_TIER_LIMITS.models;

const compact = (value: number): string => {
  if (value >= 1_000_000_000) return `${value / 1_000_000_000}B`;
  if (value >= 1_000_000) return `${value / 1_000_000}M`;
  if (value >= 10_000) return `${value / 1_000}k`;
  return value.toLocaleString('en-US');
};

/** One tier's limits for one model, as parts ("500 RPM", "30k TPM") kept whole when a cell wraps. */
function limitParts(limits: TierLimits | null | undefined, text: TiersText): string[] {
  if (limits === null) return [text.notSupported];
  if (limits === undefined) return [text.notPublished];
  const parts: string[] = [];
  if (limits.requestsPerMinute !== undefined) parts.push(`${compact(limits.requestsPerMinute)} RPM`);
  if (limits.tokensPerMinute !== undefined) parts.push(`${compact(limits.tokensPerMinute)} TPM`);
  if (limits.requestsPerDay !== undefined) parts.push(`${compact(limits.requestsPerDay)} RPD`);
  if (limits.imagesPerMinute !== undefined) parts.push(`${compact(limits.imagesPerMinute)} IPM`);
  return parts.length === 0 ? [text.notPublished] : parts;
}

/** What reaching `tier` takes and its monthly usage limit, without the tier's name. */
function needsOf(tier: Tier, text: TiersText): { needs: string; usageLimit: string } | undefined {
  const row = TIER_QUALIFICATIONS.rows.find((candidate) => candidate.tier === tier);
  if (row === undefined) return undefined;
  const parts =
    row.paidUsd === 0
      ? [text.allowedCountry]
      : [
          text.paid(row.paidUsd.toLocaleString('en-US')),
          ...(row.daysSinceFirstPayment > 0 ? [text.days(row.daysSinceFirstPayment)] : []),
        ];
  return { needs: text.needs(parts), usageLimit: row.monthlyUsageLimitUsd.toLocaleString('en-US') };
}

function qualificationLine(tier: Tier, text: TiersText): string {
  const found = needsOf(tier, text);
  return found === undefined ? '' : text.qualification(text.tierName(tier), found.needs, found.usageLimit);
}

/** The footer: where the numbers come from (public pages only) and the date they hold for. */
function footer(text: TiersText, model?: string): string {
  const limits = citedPages(MODEL_TIER_LIMITS.source, LIMITS_PAGE, model).join(', ');
  const tiers = citedPages(TIER_QUALIFICATIONS.source, TIERS_PAGE).join(', ');
  return `${text.limitsSource(limits, MODEL_TIER_LIMITS.asOf)}\n${text.tiersSource(tiers, TIER_QUALIFICATIONS.asOf)}`;
}

interface View {
  readonly text: TiersText;
  readonly width: number | undefined;
  readonly io: CommandIO;
}

function printModel(model: string, json: boolean, view: View): void {
  const { text, width, io } = view;
  const resolved = resolveModel(model);
  const family = resolved.limitsFamily ?? resolved.family;
  // Own keys only: a model named `constructor` has no row.
  const row = Object.hasOwn(rows, family) ? rows[family] : undefined;
  const requirement = requiredTier(model);
  if (json) {
    io.out(
      `${JSON.stringify({ model, family: resolved.family, requirement, limits: row ?? null }, null, 2)}\n`,
    );
    return;
  }
  if (row === undefined) {
    io.out(`${wrapLines(resolved.known ? text.noTable(model) : text.unknownModel(model), width)}\n`);
    return;
  }
  const grid = renderGrid(
    [text.headers.tier, text.headers.limits, text.headers.takes],
    TIERS.map((tier): GridCell[] => [
      text.tierName(tier),
      limitParts(row[tier], text),
      needsOf(tier, text)?.needs ?? '',
    ]),
    width === undefined ? {} : { maxWidth: width },
  );
  const lowest =
    requirement.tier === undefined
      ? ''
      : `${text.lowest(text.tierName(requirement.tier))}${requirement.verification === undefined ? '' : text.verification}\n`;
  io.out(
    `${io.style.bold(`${model} (${resolved.family})`)}\n\n${grid}\n\n${wrapLines(lowest, width)}${io.style.dim(
      wrapLines(footer(text, resolved.family), width),
    )}\n`,
  );
}

function printTier(tier: Tier, json: boolean, view: View): void {
  const { text, width, io } = view;
  const families = Object.keys(rows);
  if (json) {
    io.out(
      `${JSON.stringify(
        {
          tier,
          qualification: TIER_QUALIFICATIONS.rows.find((row) => row.tier === tier),
          limits: Object.fromEntries(families.map((family) => [family, rows[family]?.[tier] ?? null])),
        },
        null,
        2,
      )}\n`,
    );
    return;
  }
  const grid = renderGrid(
    [text.headers.model, text.headers.limits],
    families.map((family): GridCell[] => [family, limitParts(rows[family]?.[tier], text)]),
    width === undefined ? {} : { maxWidth: width },
  );
  io.out(
    `${io.style.bold(wrapLines(qualificationLine(tier, text), width))}\n\n${grid}\n\n${io.style.dim(wrapLines(footer(text), width))}\n`,
  );
}

function printAll(json: boolean, view: View): void {
  const { text, width, io } = view;
  if (json) {
    io.out(
      `${JSON.stringify({ qualifications: TIER_QUALIFICATIONS, limits: MODEL_TIER_LIMITS }, null, 2)}\n`,
    );
    return;
  }
  const families = Object.keys(rows);
  const grid = renderGrid(
    [text.headers.model, ...TIERS.map(text.tierName)],
    families.map((family): GridCell[] => [
      family,
      ...TIERS.map((tier) => limitParts(rows[family]?.[tier], text)),
    ]),
    width === undefined ? { separator: '/' } : { maxWidth: width, separator: '/' },
  );
  io.out(
    `${wrapLines(TIERS.map((tier) => qualificationLine(tier, text)).join('\n'), width, '  ')}\n\n${grid}\n\n${io.style.dim(
      wrapLines(footer(text), width),
    )}\n`,
  );
}

/** The `tiers` command. */
export const tiers: Command = {
  summary: 'what each usage tier allows and what reaching it takes',
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        model: { type: 'string' },
        tier: { type: 'string' },
        locale: { type: 'string', default: 'en' },
        wide: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      io.out(`${HELP}\n`);
      return 0;
    }
    const locale: Locale | undefined = parseLocale('tiers', values.locale, io);
    if (locale === undefined) return 2;
    const tier =
      values.tier === undefined
        ? undefined
        : (TIERS.find((candidate) => candidate === values.tier || candidate === `tier-${values.tier}`) ??
          null);
    if (tier === null) {
      io.err(
        `tierguard tiers: --tier must be one of ${TIERS.join(', ')}, got ${JSON.stringify(values.tier)}\n`,
      );
      return 2;
    }
    const width = values.wide
      ? undefined
      : Math.max(40, Math.min(DEFAULT_WIDTH, io.columns ?? DEFAULT_WIDTH));
    const view: View = { text: TIERS_TEXT[locale], width, io };
    if (values.model !== undefined) printModel(values.model, values.json, view);
    else if (tier !== undefined) printTier(tier, values.json, view);
    else printAll(values.json, view);
    return 0;
  },
};
