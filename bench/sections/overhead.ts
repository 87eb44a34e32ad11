/**
 * The guard's own cost per call (issue 15): the time it adds to a call, as the median over
 * interleaved bare/guarded pairs of (guarded − bare), each call with a new prompt, against a
 * loopback server in the same process that answers at once; and the share it adds to a call
 * against a server answering in 50 ms. Each fork is a new process (bench/sections/overhead-worker.ts):
 * one process's figure carries the machine's other work and how V8 happened to compile it.
 */
import { execFile } from 'node:child_process';
import type { OverheadForkResult, OverheadPlan, PairStats } from './overhead-worker.js';
import { percentile } from '../stats.js';

const root = new URL('../../', import.meta.url).pathname;

/** The plan `npm run bench` runs. */
export const OVERHEAD_PLAN: OverheadPlan = { warmUpPairs: 2_000, pairs: 3_000, slowPairs: 300, slowMs: 50 };
export const OVERHEAD_FORKS = 3;

/** The section's result: the median fork's figures, and every fork's. */
export interface OverheadReport {
  readonly plan: OverheadPlan;
  readonly forks: readonly OverheadForkResult[];
  /** Median over the forks of each fork's median added µs, at 0 ms. */
  readonly addedUs: number;
  /** Median over the forks of each fork's bare median, at 0 ms. */
  readonly bareUs: number;
  /** Median over the forks of added (trimmed mean) / bare (median) at the slow server. */
  readonly slowShare: number;
  readonly slowAddedUs: number;
  readonly slowBareUs: number;
}

async function fork(plan: OverheadPlan): Promise<OverheadForkResult> {
  const output = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'bench/sections/overhead-worker.ts', JSON.stringify(plan)],
      { cwd: root, timeout: 900_000, maxBuffer: 1_048_576 },
      (error, stdout) => (error === null ? resolve(stdout) : reject(error)),
    );
  });
  return JSON.parse(output) as OverheadForkResult;
}

const median = (values: readonly number[]): number => percentile(values, 0.5);

/** Runs the forks one after the other. */
export async function runOverheadSection(
  log: (line: string) => void,
  plan: OverheadPlan = OVERHEAD_PLAN,
  forks = OVERHEAD_FORKS,
): Promise<OverheadReport> {
  const results: OverheadForkResult[] = [];
  for (let index = 0; index < forks; index += 1) {
    const result = await fork(plan);
    results.push(result);
    log(
      `overhead fork ${index + 1}/${forks}: +${result.fast.addedMedianUs.toFixed(0)} µs a call at 0 ms (bare ${result.fast.bareMedianUs.toFixed(0)} µs); +${result.slow.addedTrimmedMeanUs.toFixed(0)} µs at ${plan.slowMs} ms (${((result.slow.addedTrimmedMeanUs / result.slow.bareMedianUs) * 100).toFixed(2)} %, trimmed mean)`,
    );
  }
  return {
    plan,
    forks: results,
    addedUs: median(results.map((result) => result.fast.addedMedianUs)),
    bareUs: median(results.map((result) => result.fast.bareMedianUs)),
    slowShare: median(results.map((result) => result.slow.addedTrimmedMeanUs / result.slow.bareMedianUs)),
    slowAddedUs: median(results.map((result) => result.slow.addedTrimmedMeanUs)),
    slowBareUs: median(results.map((result) => result.slow.bareMedianUs)),
  };
}

const us = (value: number): string => `${Math.round(value).toLocaleString('en-US')} µs`;
const row = (label: string, stats: PairStats, slow: boolean): string =>
  `| ${label} | ${stats.pairs.toLocaleString('en-US')} | ${us(stats.bareMedianUs)} | ${us(stats.guardedMedianUs)} | ${slow ? us(stats.addedMedianUs) : `**${us(stats.addedMedianUs)}**`} | ${slow ? `**${us(stats.addedTrimmedMeanUs)}**` : us(stats.addedTrimmedMeanUs)} | ${us(stats.addedP25Us)} – ${us(stats.addedP75Us)} | ${us(stats.bareCpuUs)} | ${us(stats.addedCpuUs)} |${slow ? ` ${((stats.addedTrimmedMeanUs / stats.bareMedianUs) * 100).toFixed(2)} % |` : ' |'}`;

/** The section in markdown. */
export function overheadMarkdown(report: OverheadReport): string {
  const { plan } = report;
  return [
    `Bare and guarded calls alternate one at a time (which goes first alternates too) through the real \`openai\` client, each call with a new user message of about 230 characters, against a loopback server in the same process that answers every call with the same chat completion and \`x-ratelimit-*\` headers as the API does (limits far above the loop's rate; the guard is told the same). The time the guard adds to a call is the median over the pairs of guarded − bare. Against the ${plan.slowMs} ms server the share uses the mean of the differences without their highest and lowest 10 % instead: Node's timers fire on a millisecond clock, so the server's ${plan.slowMs} ms is ${plan.slowMs} or ${plan.slowMs + 1}, and the few µs the guard adds before the request arrives move some calls to the next millisecond — the median of the differences jumps between 0 and 1 ms, their mean does not. The CPU columns are the process's CPU time during each call (\`process.cpuUsage\`): against the ${plan.slowMs} ms server a bare call uses several times the CPU it uses against the 0 ms one (a process that waits between calls runs its code from colder caches, on a machine whose cores other work shares), and what the guard adds grows with it. Each of ${report.forks.length} forks is a new process (\`bench/sections/overhead-worker.ts\`): ${plan.warmUpPairs.toLocaleString('en-US')} pairs of warm-up, ${plan.pairs.toLocaleString('en-US')} measured pairs against the server answering at once, then ${plan.slowPairs} against one answering after ${plan.slowMs} ms. The headline figures are the medians over the forks.`,
    '',
    '| fork, server | pairs | bare (median) | guarded (median) | added (median of pairs) | added (10 % trimmed mean) | added, 25th – 75th percentile | CPU of a bare call (median) | CPU added (trimmed mean) | share of the call |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...report.forks.flatMap((result, index) => [
      row(`${index + 1}, 0 ms`, result.fast, false),
      row(`${index + 1}, ${plan.slowMs} ms`, result.slow, true),
    ]),
  ].join('\n');
}
