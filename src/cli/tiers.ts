/**
 * `tierguard tiers`: what each tier allows (per-model limits) and what reaching it takes.
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
import { resolveModel } from '../models/resolve.js';
import type { Command } from './command.js';
import { styleFor } from './output.js';

const HELP = `Usage: tierguard tiers [--model <name>] [--tier <tier>] [--json]

Prints the usage tiers: what each takes (paid amount, days since the first payment), its monthly
usage limit, and each model's rate limits on it — from the tables tierguard ships, with their
date and source.

Options:
  --model <name>   one model across every tier, and the lowest tier that can use it
  --tier <tier>    one tier (free, tier-1 … tier-5): what it takes and every model's limits
  --json           print the data as JSON
  -h, --help       show this help`;

const rows: Readonly<Record<string, TierRow>> = MODEL_TIER_LIMITS.models;
const compact = (value: number | undefined): string => {
  if (value === undefined) return '–';
  if (value >= 1_000_000_000) return `${value / 1_000_000_000}B`;
  if (value >= 1_000_000) return `${value / 1_000_000}M`;
  if (value >= 10_000) return `${value / 1_000}k`;
  return value.toLocaleString('en-US');
};
const cell = (limits: TierLimits | null | undefined): string => {
  if (limits === null) return 'not supported';
  if (limits === undefined) return 'not published';
  const parts = [
    limits.requestsPerMinute === undefined ? undefined : `${compact(limits.requestsPerMinute)} RPM`,
    limits.tokensPerMinute === undefined ? undefined : `${compact(limits.tokensPerMinute)} TPM`,
    limits.requestsPerDay === undefined ? undefined : `${compact(limits.requestsPerDay)} RPD`,
    limits.imagesPerMinute === undefined ? undefined : `${compact(limits.imagesPerMinute)} IPM`,
  ].filter((part) => part !== undefined);
  return parts.join(' / ');
};
const label = (tier: Tier): string => (tier === 'free' ? 'Free' : `Tier ${tier.slice(5)}`);

function grid(headers: readonly string[], body: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...body.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((value, column) => value.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((width) => '-'.repeat(width)).join('  '), ...body.map(line)].join('\n');
}

function qualificationLine(tier: Tier): string {
  const row = TIER_QUALIFICATIONS.rows.find((candidate) => candidate.tier === tier);
  if (row === undefined) return '';
  const needs =
    row.paidUsd === 0
      ? 'an allowed country'
      : `$${row.paidUsd.toLocaleString('en-US')} paid${row.daysSinceFirstPayment > 0 ? ` and ${row.daysSinceFirstPayment}+ days since the first payment` : ''}`;
  return `${label(tier)}: needs ${needs}; usage limit $${row.monthlyUsageLimitUsd.toLocaleString('en-US')}/month`;
}

/** The `tiers` command. */
export const tiers: Command = {
  summary: 'what each usage tier allows and what reaching it takes',
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        model: { type: 'string' },
        tier: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      process.stdout.write(`${HELP}\n`);
      return 0;
    }
    const tier =
      values.tier === undefined
        ? undefined
        : (TIERS.find((candidate) => candidate === values.tier || candidate === `tier-${values.tier}`) ??
          null);
    if (tier === null) {
      process.stderr.write(
        `tierguard tiers: --tier must be one of ${TIERS.join(', ')}, got ${JSON.stringify(values.tier)}\n`,
      );
      return 2;
    }
    const style = styleFor(process.stdout);
    const sources = `Limits: ${MODEL_TIER_LIMITS.source} (as of ${MODEL_TIER_LIMITS.asOf}).\nTiers: ${TIER_QUALIFICATIONS.source} (as of ${TIER_QUALIFICATIONS.asOf}).`;
    if (values.model !== undefined) {
      const model = values.model;
      const resolved = resolveModel(model);
      const row = rows[resolved.limitsFamily ?? resolved.family];
      const requirement = requiredTier(model);
      if (values.json) {
        process.stdout.write(
          `${JSON.stringify({ model, family: resolved.family, requirement, limits: row ?? null }, null, 2)}\n`,
        );
        return 0;
      }
      if (row === undefined) {
        process.stdout.write(
          `${model}: ${resolved.known ? 'no published per-tier table; tierguard learns its limits from the API’s headers.' : 'not a model tierguard knows (a typo, another provider, or a new model).'}\n`,
        );
        return 0;
      }
      process.stdout.write(`${style.bold(`${model} (${resolved.family})`)}\n\n`);
      process.stdout.write(
        `${grid(
          ['tier', 'limits', 'what it takes'],
          TIERS.map((candidate) => [
            label(candidate),
            cell(row[candidate]),
            qualificationLine(candidate).replace(/^[^:]+: /, ''),
          ]),
        )}\n\n`,
      );
      if (requirement.tier !== undefined)
        process.stdout.write(
          `Lowest tier that can use it: ${label(requirement.tier)}.${requirement.verification === undefined ? '' : ' It also needs a verified organization for some uses.'}\n`,
        );
      process.stdout.write(`${style.dim(sources)}\n`);
      return 0;
    }
    const families = Object.keys(rows);
    if (tier !== undefined) {
      if (values.json) {
        process.stdout.write(
          `${JSON.stringify({ tier, qualification: TIER_QUALIFICATIONS.rows.find((row) => row.tier === tier), limits: Object.fromEntries(families.map((family) => [family, rows[family]?.[tier] ?? null])) }, null, 2)}\n`,
        );
        return 0;
      }
      process.stdout.write(
        `${style.bold(qualificationLine(tier))}\n\n${grid(
          ['model', 'limits'],
          families.map((family) => [family, cell(rows[family]?.[tier])]),
        )}\n\n${style.dim(sources)}\n`,
      );
      return 0;
    }
    if (values.json) {
      process.stdout.write(
        `${JSON.stringify({ qualifications: TIER_QUALIFICATIONS, limits: MODEL_TIER_LIMITS }, null, 2)}\n`,
      );
      return 0;
    }
    process.stdout.write(`${TIERS.map(qualificationLine).join('\n')}\n\n`);
    process.stdout.write(
      `${grid(
        ['model', ...TIERS.map(label)],
        families.map((family) => [
          family,
          ...TIERS.map((candidate) => cell(rows[family]?.[candidate]).replace(' / ', '/')),
        ]),
      )}\n\n`,
    );
    process.stdout.write(`${style.dim(sources)}\n`);
    return 0;
  },
};
