/**
 * The pacing rows as Markdown tables: one burst table per server mode (each latency, each strategy,
 * with the ideal's own arrivals as the reference line), the steady-load table, the summary the
 * README shows.
 */
import { BIN_MS, BINS, type BurstRow, type SteadyRow } from './metrics.js';

const secs = (ms: number): string => `${(ms / 1_000).toFixed(2)} s`;
const pct = (part: number, whole: number): string =>
  whole === 0 ? '0.0 %' : `${((part / whole) * 100).toFixed(1)} %`;
const bins = (values: readonly number[]): string =>
  `\`${values.map((value) => String(value).padStart(2)).join(' ')}\``;

/** Finish / ideal and ideal / finish, or why not (calls failed). */
function ratios(row: BurstRow): [string, string] {
  if (row.failed > 0) return ['n/a (calls failed)', 'n/a'];
  return [`×${(row.finishMs / row.idealMs).toFixed(2)}`, (row.idealMs / row.finishMs).toFixed(3)];
}

const BURST_HEADER = `| latency | strategy | served | failed | requests | 429s | finish | ideal | finish / ideal | utilization | p50 | p99 | arrivals per ${BIN_MS / 1_000} s, first ${(BIN_MS * BINS) / 1_000} s |
|---|---|---|---|---|---|---|---|---|---|---|---|---|`;

/** One row of a burst table. */
export function burstLine(row: BurstRow): string {
  const [times, utilization] = ratios(row);
  return `| ${row.latency} | ${row.strategy} | ${row.served}/${row.calls} | ${row.failed} | ${row.requests} | ${row.refused} (${pct(row.refused, row.requests)}) | ${secs(row.finishMs)} | ${secs(row.idealMs)} | ${times} | ${utilization} | ${secs(row.p50Ms)} | ${secs(row.p99Ms)} | ${bins(row.bins)} |`;
}

/** The reference line of a latency: when the omniscient client sends. */
export function idealLine(latency: string, idealMs: number, idealBins: readonly number[]): string {
  return `| ${latency} | *ideal (omniscient FIFO)* | | | | | | ${secs(idealMs)} | | | | | ${bins(idealBins)} |`;
}

/** A burst table: the rows of one server mode, latency by latency, each after its ideal line. */
export function burstTable(lines: readonly string[]): string {
  return [BURST_HEADER, ...lines].join('\n');
}

/** Arrivals per 0.5 s over each whole run, folded away under the table. */
export function wholeRunBins(rows: readonly BurstRow[]): string {
  return [
    '<details><summary>Arrivals per 0.5 s, whole runs</summary>',
    '',
    ...rows.map((row) => `- ${row.latency}, ${row.strategy}: ${bins(row.allBins)}`),
    '',
    '</details>',
  ].join('\n');
}

/** The steady-load table; the last column compares each p99 with the bare client's at the same load. */
export function steadyTable(rows: readonly SteadyRow[]): string {
  const bareP99 = new Map(
    rows.filter((row) => row.strategy.startsWith('bare')).map((row) => [row.load, row.p99Ms]),
  );
  return [
    '| load | strategy | served | failed | requests | 429s | p50 | p90 | p99 | max | p99 − bare p99 | p99, calls sent after the first window |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((row) => {
      const bare = bareP99.get(row.load);
      const delta =
        bare === undefined || row.strategy.startsWith('bare')
          ? ''
          : `${((row.p99Ms - bare) / 1_000).toFixed(2)} s`;
      return `| ${row.load} | ${row.strategy} | ${row.served}/${row.calls} | ${row.failed} | ${row.requests} | ${row.refused} | ${secs(row.p50Ms)} | ${secs(row.p90Ms)} | ${secs(row.p99Ms)} | ${secs(row.maxMs)} | ${delta} | ${secs(row.p99AfterFirstWindowMs)} |`;
    }),
  ].join('\n');
}

/** The short table the README shows: one line per burst row, the essentials. */
export function summaryTable(rows: readonly BurstRow[]): string {
  return [
    '| server | latency | strategy | served | 429s | finish / ideal | utilization |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((row) => {
      const [times, utilization] = ratios(row);
      return `| ${row.server} | ${row.latency} | ${row.strategy} | ${row.served}/${row.calls} | ${pct(row.refused, row.requests)} | ${times} | ${utilization} |`;
    }),
  ].join('\n');
}
