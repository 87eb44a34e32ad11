/**
 * tierguard's benchmark: the cold start and the event-loop stall of a 100 KB prompt, the guard's
 * own time per call, what each store costs, the memory of 100,000 waiting calls and of 10,000 idle
 * lanes, a soak at twice the limit, the pacing rows (bench/pacing/: a burst per server mode,
 * latency and strategy, a steady load, three processes sharing Redis), wait-or-reroute, and the
 * budget's overshoot under a burst. Writes
 * bench/results/latest.md (each goal beside its measurement) and a chart, and the README's results
 * block. Every figure comes from this run.
 *
 *   npm run bench                              (builds first; about 20 minutes here)
 *   npm run bench -- --sections overhead,cold  (a subset, written to bench/results/partial.tmp)
 *
 * Pacing flags (`--server`, `--latency`, `--strategy`, `--rows`) are those of `npm run bench:pacing`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import {
  coldStartMarkdown,
  measureColdStart,
  measureStalls,
  stallMarkdown,
  type ColdStartRow,
  type StallRow,
} from './estimate.js';
import { parsePacingFlags } from './pacing/flags.js';
import { summaryTable } from './pacing/markdown.js';
import { runPacingSection, type PacingReport } from './pacing/section.js';
import { SERVER_MODES } from './pacing/servers.js';
import { goalRows, goalSummary, goalTable, type GoalInputs } from './sections/goals.js';
import { lanesMarkdown, runLanesSection, type LanesReport } from './sections/lanes.js';
import { overheadMarkdown, runOverheadSection, type OverheadReport } from './sections/overhead.js';
import { queuedMarkdown, runQueuedSection, type QueuedReport } from './sections/queued.js';
import { runBudgetSection } from './sections/budget.js';
import { runRerouteSection } from './sections/reroute.js';
import { runSoakSection, soakMarkdown } from './sections/soak.js';
import { runStoreSection, storeTable } from './stores.js';

const root = new URL('../', import.meta.url).pathname;
const dist = join(root, 'dist');
const started = Date.now();
const log = (line: string): void => {
  process.stdout.write(`[${((Date.now() - started) / 1_000).toFixed(0).padStart(4)} s] ${line}\n`);
};

const SECTIONS = [
  'cold',
  'stall',
  'overhead',
  'stores',
  'queued',
  'lanes',
  'soak',
  'pacing',
  'reroute',
  'budget',
] as const;
type SectionName = (typeof SECTIONS)[number];

/** `--sections` picks sections; every other flag goes to the pacing section. */
function readFlags(argv: readonly string[]): { sections: readonly SectionName[]; pacingArgs: string[] } {
  const index = argv.indexOf('--sections');
  if (index === -1) return { sections: SECTIONS, pacingArgs: [...argv] };
  const names = (argv[index + 1] ?? '').split(',').filter((name) => name !== '');
  for (const name of names)
    if (!SECTIONS.includes(name as SectionName))
      throw new Error(`--sections: unknown "${name}" (known: ${SECTIONS.join(', ')})`);
  return {
    sections: names as SectionName[],
    pacingArgs: [...argv.slice(0, index), ...argv.slice(index + 2)],
  };
}

async function main(): Promise<void> {
  const { sections, pacingArgs } = readFlags(process.argv.slice(2));
  const pacingSelection = parsePacingFlags(pacingArgs);
  const wanted = (name: SectionName): boolean => sections.includes(name);
  const parts: string[] = [];
  const inputs: GoalInputs = {};
  let pacing: PacingReport | undefined;

  // The timing-sensitive rows first, while nothing of the benchmark's own runs beside them.
  if (wanted('cold')) {
    const cold: ColdStartRow = await measureColdStart(dist, 11);
    inputs.cold = cold;
    log(
      `cold start: +${(cold.guardedMs - cold.bareMs).toFixed(1)} ms to the first answer, +${(cold.guardedRssMb - cold.bareRssMb).toFixed(1)} MB RSS`,
    );
    parts.push(`## Cold start\n\n${coldStartMarkdown(cold)}`);
  }
  if (wanted('stall')) {
    const stalls: StallRow[] = await measureStalls(dist);
    inputs.stalls = stalls;
    log(
      `stall: ${stalls.map((row) => `${row.prompt} ${row.guardedCallMaxDelayMs.toFixed(1)} ms`).join(', ')}`,
    );
    parts.push(`## Event-loop stall of a 100 KB prompt\n\n${stallMarkdown(stalls)}`);
  }
  if (wanted('overhead')) {
    const overhead: OverheadReport = await runOverheadSection(log);
    inputs.overhead = overhead;
    parts.push(`## The guard's own time per call\n\n${overheadMarkdown(overhead)}`);
  }
  if (wanted('stores')) {
    const stores = await runStoreSection({ log });
    parts.push(
      `## What each store costs per call\n\nBare and guarded calls alternate against the simulator in its own process (loopback, no latency, rate-limit headers on every answer), one guard per store, unthrottled; "added" is the median over the pairs of guarded − bare (\`bench/stores.ts\`, also \`npm run bench:stores\`). HTTP Redis is \`createUpstashStore\` with the real \`@upstash/redis\` client through a REST bridge to the same loopback redis-server: a real HTTP Redis adds its network round trip to each call.\n\n${typeof stores === 'string' ? stores : storeTable(stores)}`,
    );
  }
  if (wanted('queued')) {
    const queued: QueuedReport = await runQueuedSection(log);
    inputs.queued = queued;
    parts.push(`## 100,000 waiting calls\n\n${queuedMarkdown(queued)}`);
  }
  if (wanted('lanes')) {
    const lanes: LanesReport = await runLanesSection(log);
    inputs.lanes = lanes;
    parts.push(`## 10,000 idle lanes\n\n${lanesMarkdown(lanes)}`);
  }
  if (wanted('soak'))
    parts.push(`## Soak: twice the limit for ten windows\n\n${soakMarkdown(await runSoakSection(log))}`);
  if (wanted('pacing')) {
    pacing = await runPacingSection(pacingSelection, log);
    inputs.bursts = pacing.bursts;
    inputs.steady = pacing.steady;
    parts.push(
      `## Pacing\n\n300 chat calls fired at once right after the client is created (nothing warmed), prompts of 8–31 repetitions of a 27-character phrase, \`max_tokens\` 100–299, against servers that enforce 100 requests and 20,000 tokens per 2 s window per model, each strategy in a fresh process against a fresh server (bench/pacing/, issue 16). *Ideal*: an omniscient client that knows each call's exact charge and sends in order as early as both buckets allow, plus one latency for the last answer; *utilization* = ideal / finish. The pacing section took ${(pacing.elapsedMs / 1_000).toFixed(0)} s.\n\n![tokens per second](tokens-per-second.svg)\n\n${pacing.markdown}`,
    );
  }
  // The sections write their own `###` heading (they also run alone: bench:reroute, bench:budget).
  if (wanted('reroute')) {
    const reroute = await runRerouteSection(log);
    inputs.reroute = reroute.rows;
    parts.push(reroute.markdown.replace(/^### /, '## '));
  }
  if (wanted('budget')) {
    const budget = await runBudgetSection(log);
    inputs.budget = budget.rows;
    parts.push(budget.markdown.replace(/^### /, '## '));
  }

  const goals = goalRows(inputs);
  const elapsed = `${((Date.now() - started) / 60_000).toFixed(1)} min`;
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 1_073_741_824).toFixed(0)} GiB, Node ${process.version}, ${process.platform}`;
  const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const complete = sections.length === SECTIONS.length && pacingArgs.length === 0;
  const markdown = `# tierguard benchmark results

Run on ${date} UTC, ${machine}, by \`npm run bench${complete ? '' : ` -- ${process.argv.slice(2).join(' ')}`}\` (bench/run.ts) in ${elapsed}; load average at the end ${loadavg()
    .map((load) => load.toFixed(1))
    .join(
      ' / ',
    )} (1 / 5 / 15 min; the machine's 2 cores are shared with other work, so wall times carry other processes' turns). Every figure below comes from that run.

## Goals

${goalTable(goals)}

${parts.join('\n\n')}
`;
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  if (!complete) {
    writeFileSync(join(root, 'bench/results/partial.tmp'), markdown);
    log(`wrote bench/results/partial.tmp in ${elapsed}`);
    return;
  }
  writeFileSync(join(root, 'bench/results/latest.md'), markdown);
  if (pacing !== undefined) writeFileSync(join(root, 'bench/results/tokens-per-second.svg'), pacing.chart);

  // The README shows the goals in short, and the chart's burst (the independent server at 60 ms,
  // every strategy) with the chart, with the machine and date.
  const readmePath = join(root, 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const charted = (pacing?.bursts ?? []).filter(
    (row) => row.server === SERVER_MODES['bucket/4'].label && row.latency === '60 ms',
  );
  const block = `<!-- bench:start -->\nMeasured by \`npm run bench\` on ${date} UTC (${machine}) in ${elapsed}; every row, and the pacing rows per server mode and latency, in [bench/results/latest.md](bench/results/latest.md).\n\n${goalSummary(goals)}\n\nA burst of 300 calls fired right after the client is created, against an independent token-bucket server that enforces 100 requests and 20,000 tokens per 2 s and answers in 60 ms:\n\n${summaryTable(charted)}\n\n![tokens per second](bench/results/tokens-per-second.svg)\n<!-- bench:end -->`;
  if (readme.includes('<!-- bench:start -->'))
    writeFileSync(readmePath, readme.replace(/<!-- bench:start -->[\s\S]*<!-- bench:end -->/, block));
  log(`wrote bench/results/latest.md, the chart and the README's block in ${elapsed}`);
}

await main();
process.exit(0);
