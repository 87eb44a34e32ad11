/**
 * The token estimate's cost as a user meets it, measured on the built package (`dist/`, from
 * `npm run build`) in fresh child processes:
 *
 * - **Stall**: the longest synchronous block of estimating a 100 KB prompt of each hostile kind
 *   (plain text, spaces only, one letter, unpunctuated CJK, emoji) — the first estimate in a new
 *   process and the longest of the next ones — and the longest the event loop was held during one
 *   call with that prompt, guarded and bare, against a loopback server; each the median of three
 *   new processes. Goal: ≤ 20 ms.
 * - **Cold start**: a new process that imports the package, creates a guard and makes one call,
 *   against one that makes the same call bare: time from process start to the answer, and RSS
 *   after it. Goals: ≤ 20 ms and ≤ 25 MB added.
 *
 * Run: `npm run build && node --import tsx bench/estimate.ts [--dist <dir>] [--pairs <n>]`
 * (`--dist` measures another build, e.g. an older commit's). Prints markdown tables.
 * `measureStalls`, `measureColdStart`, `stallMarkdown` and `coldStartMarkdown` are for `bench/run.ts`.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startLoopbackServer } from './loopback-server.js';
import { percentile } from './stats.js';

/** The prompts of the stall rows: 100 KB (100,000 UTF-16 units) each. */
export const STALL_PROMPTS = [
  'plain text',
  'spaces only',
  'one letter ("aaaa…")',
  'unpunctuated CJK',
  'emoji',
] as const;
export type StallPrompt = (typeof STALL_PROMPTS)[number];

/** A synchronous block, in ms: wall time, and the process's CPU time (what a busy machine does not inflate). */
export interface Block {
  readonly wall: number;
  readonly cpu: number;
}

export interface StallRow {
  readonly prompt: StallPrompt;
  /** The first estimate in a new process (its table built, its code not yet compiled). */
  readonly firstEstimate: Block;
  /** The longest of the 20 estimates after it. */
  readonly laterEstimateMax: Block;
  /** The longest the event loop was held during one call with the prompt, guarded / bare, ms. */
  readonly guardedCallMaxDelayMs: number;
  readonly bareCallMaxDelayMs: number;
}

export interface ColdStartRow {
  readonly pairs: number;
  /**
   * Medians over the pairs: ms from process start to the first answer, CPU ms the process used
   * until then, RSS after it in MB.
   */
  readonly bareMs: number;
  readonly guardedMs: number;
  readonly bareCpuMs: number;
  readonly guardedCpuMs: number;
  readonly bareRssMb: number;
  readonly guardedRssMb: number;
}

interface ColdRun {
  readonly answeredMs: number;
  readonly cpuMs: number;
  readonly rss: number;
}

const STALL_REPEATS = 20;
// Each stall figure is the median of this many new processes: one process's figure carries the
// machine's other work.
const STALL_PROCESSES = 3;

// The child processes are plain ES modules run by plain `node` (no loader: a loader would add its
// own start-up to what is measured). Their imports are absolute URLs handed in the environment.
const CHILD = String.raw`
const cpuMs = (since) => { const used = process.cpuUsage(since); return (used.user + used.system) / 1000; };
const { role, prompt: promptName, baseURL } = JSON.parse(process.argv[2]);
const { default: OpenAI } = await import(process.env.BENCH_OPENAI_URL);
const makePrompt = (name) => {
  const size = 100_000;
  switch (name) {
    case 'plain text': return 'The committee met on Tuesday to review the budget, and agreed to meet again in March. '.repeat(1_200).slice(0, size);
    case 'spaces only': return ' '.repeat(size);
    case 'unpunctuated CJK': return '的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经'.repeat(1_500).slice(0, size);
    case 'emoji': return '😀🎉🚀👍🔥💡🌍🍕🐱🎵🙏🏽👩‍💻'.repeat(5_000).slice(0, size);
    case 'one letter ("aaaa…")': return 'a'.repeat(size);
    default: throw new Error('unknown prompt: ' + name);
  }
};
const call = (client, content) =>
  client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }], max_tokens: 16 });
const bare = () => new OpenAI({ apiKey: 'sk-bench-0000', baseURL, maxRetries: 0 });
const loadGuard = async () => (await import(process.env.BENCH_DIST_URL)).guard;
let result;
if (role === 'cold-bare' || role === 'cold-guarded') {
  let client = bare();
  if (role === 'cold-guarded') client = (await loadGuard())(client);
  await call(client, 'Say hello.');
  result = { answeredMs: performance.now(), cpuMs: cpuMs(), rss: process.memoryUsage().rss };
} else if (role === 'estimate') {
  const { estimateRequest } = await import(process.env.BENCH_DIST_URL);
  const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: makePrompt(promptName) }] };
  const timed = () => {
    const startedCpu = process.cpuUsage();
    const started = performance.now();
    estimateRequest('chat', body, 'gpt-4o-mini');
    return { wall: performance.now() - started, cpu: cpuMs(startedCpu) };
  };
  const first = timed();
  let later = { wall: 0, cpu: 0 };
  for (let run = 0; run < ${STALL_REPEATS}; run += 1) {
    const next = timed();
    later = { wall: Math.max(later.wall, next.wall), cpu: Math.max(later.cpu, next.cpu) };
  }
  result = { first, later };
} else {
  // One call with the prompt, the client warmed by a short one first: the delay is the prompt's.
  let client = bare();
  if (role === 'call-guarded') client = (await loadGuard())(client);
  await call(client, 'Say hello.');
  // A 1 ms ticker: the longest gap between its ticks is the longest the loop was held.
  // (monitorEventLoopDelay misses a single long block.)
  let longest = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  await call(client, makePrompt(promptName));
  clearInterval(ticker);
  result = { maxDelayMs: Math.max(longest, performance.now() - last) };
}
process.stdout.write(JSON.stringify(result));
process.exit(0);
`;

/** A loopback server: every POST gets the same chat completion with rate-limit headers. */
const startServer = () =>
  startLoopbackServer({
    content: 'Hello.',
    promptTokens: 12,
    completionTokens: 2,
    headers: {
      'content-type': 'application/json',
      'x-ratelimit-limit-requests': '5000',
      'x-ratelimit-remaining-requests': '4999',
      'x-ratelimit-reset-requests': '12ms',
      'x-ratelimit-limit-tokens': '4000000',
      'x-ratelimit-remaining-tokens': '3990000',
      'x-ratelimit-reset-tokens': '150ms',
    },
  });

interface Harness {
  readonly run: <T>(args: Record<string, string>) => Promise<T>;
  readonly close: () => Promise<void>;
}

async function startHarness(distDir: string): Promise<Harness> {
  const distEntry = join(distDir, 'index.js');
  if (!existsSync(distEntry)) throw new Error(`${distEntry} is missing: run \`npm run build\` first.`);
  const { server, baseURL } = await startServer();
  const directory = mkdtempSync(join(tmpdir(), 'tierguard-estimate-'));
  const script = join(directory, 'child.mjs');
  writeFileSync(script, CHILD);
  const env = {
    ...process.env,
    BENCH_OPENAI_URL: import.meta.resolve('openai'),
    BENCH_DIST_URL: pathToFileURL(distEntry).href,
  };
  const run = <T>(args: Record<string, string>): Promise<T> =>
    new Promise((done, fail) => {
      execFile(
        process.execPath,
        [script, JSON.stringify({ ...args, baseURL })],
        { env, timeout: 120_000 },
        (error, stdout, stderr) => {
          if (error !== null) fail(new Error(`${error.message}\n${stderr}`));
          else done(JSON.parse(stdout) as T);
        },
      );
    });
  const close = async (): Promise<void> => {
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
    rmSync(directory, { recursive: true, force: true });
  };
  return { run, close };
}

const median = (values: number[]): number => percentile(values, 0.5);
const medianBlock = (blocks: readonly Block[]): Block => ({
  wall: median(blocks.map((block) => block.wall)),
  cpu: median(blocks.map((block) => block.cpu)),
});

/** The stall rows: each figure the median of STALL_PROCESSES new processes. */
export async function measureStalls(distDir: string): Promise<StallRow[]> {
  const harness = await startHarness(distDir);
  try {
    const rows: StallRow[] = [];
    for (const prompt of STALL_PROMPTS) {
      const estimates: { first: Block; later: Block }[] = [];
      const guarded: number[] = [];
      const bare: number[] = [];
      for (let round = 0; round < STALL_PROCESSES; round += 1) {
        estimates.push(await harness.run({ role: 'estimate', prompt }));
        guarded.push(
          (await harness.run<{ maxDelayMs: number }>({ role: 'call-guarded', prompt })).maxDelayMs,
        );
        bare.push((await harness.run<{ maxDelayMs: number }>({ role: 'call-bare', prompt })).maxDelayMs);
      }
      rows.push({
        prompt,
        firstEstimate: medianBlock(estimates.map((estimate) => estimate.first)),
        laterEstimateMax: medianBlock(estimates.map((estimate) => estimate.later)),
        guardedCallMaxDelayMs: median(guarded),
        bareCallMaxDelayMs: median(bare),
      });
    }
    return rows;
  } finally {
    await harness.close();
  }
}

/** The cold-start row: `pairs` pairs of fresh processes, bare and guarded in turn. */
export async function measureColdStart(distDir: string, pairs = 9): Promise<ColdStartRow> {
  const harness = await startHarness(distDir);
  try {
    const bare: ColdRun[] = [];
    const guarded: ColdRun[] = [];
    for (let pair = 0; pair < pairs; pair += 1) {
      // Alternating which goes first, so that neither always finds the disk cache warmer.
      const order =
        pair % 2 === 0 ? (['cold-bare', 'cold-guarded'] as const) : (['cold-guarded', 'cold-bare'] as const);
      for (const role of order) {
        const measured = await harness.run<ColdRun>({ role });
        (role === 'cold-bare' ? bare : guarded).push(measured);
      }
    }
    return {
      pairs,
      bareMs: median(bare.map((run) => run.answeredMs)),
      guardedMs: median(guarded.map((run) => run.answeredMs)),
      bareCpuMs: median(bare.map((run) => run.cpuMs)),
      guardedCpuMs: median(guarded.map((run) => run.cpuMs)),
      bareRssMb: median(bare.map((run) => run.rss / 2 ** 20)),
      guardedRssMb: median(guarded.map((run) => run.rss / 2 ** 20)),
    };
  } finally {
    await harness.close();
  }
}

const block = ({ wall, cpu }: Block): string => `${wall.toFixed(1)} ms (${cpu.toFixed(1)})`;

/** The goal of the stall row (issue 19), ms: the longest the event loop is held during a guarded call. */
export const STALL_GOAL_MS = 20;
/** The goals of the cold-start row (issue 15): time added to the first answer, ms; RSS added, MB. */
export const COLD_START_GOALS = { addedMs: 20, addedRssMb: 25 } as const;

/** The stall table, in markdown. */
export function stallMarkdown(stalls: readonly StallRow[]): string {
  return [
    `Each prompt is 100,000 UTF-16 units. For each, new processes (plain \`node\`, the built package): one estimates the prompt 21 times (\`estimateRequest\`: the first time, and the longest of the next 20); one makes a short guarded call to a loopback server and then the call with the prompt, while a 1 ms interval timer records the longest gap between its ticks (the longest the event loop was held; \`monitorEventLoopDelay\` misses a single long block); one does the same bare. Each figure is the median of ${STALL_PROCESSES} processes; wall time, and in parentheses the process's CPU time (other processes on the machine do not inflate it; V8's background compiler and collector count in it). Load average at the end: ${loadavg()[0]?.toFixed(1)} on ${cpus().length} cores.`,
    '',
    `| prompt (100 KB) | first estimate in a new process | longest of the next 20 | **event loop held, guarded call** (goal ≤ ${STALL_GOAL_MS} ms) | event loop held, bare call |`,
    '|---|---|---|---|---|',
    ...stalls.map(
      (row) =>
        `| ${row.prompt} | ${block(row.firstEstimate)} | ${block(row.laterEstimateMax)} | **${row.guardedCallMaxDelayMs.toFixed(1)} ms** | ${row.bareCallMaxDelayMs.toFixed(1)} ms |`,
    ),
  ].join('\n');
}

/** The cold-start table, in markdown. */
export function coldStartMarkdown(cold: ColdStartRow): string {
  const addedMs = cold.guardedMs - cold.bareMs;
  const addedCpuMs = cold.guardedCpuMs - cold.bareCpuMs;
  const addedMb = cold.guardedRssMb - cold.bareRssMb;
  return [
    `A new process (plain \`node\`) imports \`openai\`, and for the guarded one the built package (\`dist/index.js\`) and \`guard(client)\`, then makes one chat call to a loopback server: time from the process's start to the answer, the CPU time it used until then, and its RSS after the answer. Medians of ${cold.pairs} pairs of new processes, bare and guarded in turn (which goes first alternates).`,
    '',
    '| | time to the first answer | CPU time until then | RSS after it |',
    '|---|---|---|---|',
    `| bare client | ${cold.bareMs.toFixed(1)} ms | ${cold.bareCpuMs.toFixed(1)} ms | ${cold.bareRssMb.toFixed(1)} MB |`,
    `| guarded | ${cold.guardedMs.toFixed(1)} ms | ${cold.guardedCpuMs.toFixed(1)} ms | ${cold.guardedRssMb.toFixed(1)} MB |`,
    `| added (goals ≤ ${COLD_START_GOALS.addedMs} ms, ≤ ${COLD_START_GOALS.addedRssMb} MB) | **${addedMs.toFixed(1)} ms** | ${addedCpuMs.toFixed(1)} ms | **${addedMb.toFixed(1)} MB** |`,
  ].join('\n');
}

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index === -1 ? undefined : process.argv[index + 1];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const distDir = resolve(argument('--dist') ?? new URL('../dist', import.meta.url).pathname);
  const pairs = Number(argument('--pairs') ?? 9);
  const stalls = await measureStalls(distDir);
  const cold = await measureColdStart(distDir, pairs);
  process.stdout.write(`${stallMarkdown(stalls)}\n\n${coldStartMarkdown(cold)}\n`);
}
