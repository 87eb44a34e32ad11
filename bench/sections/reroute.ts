/**
 * The wait-or-reroute row (issue 16): a burst of gpt-4o calls at twice its TPM, against the
 * simulator (Tier 1 limits: gpt-4o 30,000 TPM, gpt-4o-mini 200,000 TPM, on a minute run in 6 s),
 * answered after 200–400 ms. Four ways to send it: the bare SDK (its own retries), the guard
 * waiting its turn, the guard with `maxWaitMs` and a gpt-4o-mini fallback, and the guard with
 * `maxWaitMs` alone. Each on a fresh simulator in its own process.
 *
 *   npm run bench:reroute        (builds first; writes bench/results/reroute.md)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import OpenAI from 'openai';
import type { GuardEvent, GuardOptions } from '../../src/index.js';
import { built } from '../built.js';
import { startRemoteSimulator } from '../remote-sim.js';
import { percentile } from '../stats.js';

type Log = (line: string) => void;

const CALLS = 120;
const MAX_TOKENS = 500;
const WINDOW_MS = 6_000;
/** The bound the rerouting rows set (`maxWaitMs`). */
export const MAX_WAIT_MS = 1_500;
const LATENCY = { min: 200, max: 400 };
const PROMPT =
  'Summarize the customer ticket below in one line for the support queue. The customer reports that the invoice for order 1182 shows the wrong shipping address and a duplicate line.';

export type Strategy =
  | 'bare SDK (maxRetries 2)'
  | 'guard, waits its turn'
  | 'guard, maxWaitMs + gpt-4o-mini'
  | 'guard, maxWaitMs alone';
const STRATEGIES: readonly Strategy[] = [
  'bare SDK (maxRetries 2)',
  'guard, waits its turn',
  'guard, maxWaitMs + gpt-4o-mini',
  'guard, maxWaitMs alone',
];

/** One way of sending the burst, and what came of it. */
export interface RerouteRow {
  readonly strategy: Strategy;
  readonly servedBig: number;
  readonly servedMini: number;
  readonly failed: number;
  readonly rerouted: number;
  readonly rateLimited: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** The longest any call waited before it was sent (the guard's `sent` events). */
  readonly maxQueuedMs: number | undefined;
}

function guardOptions(strategy: Strategy, events: GuardEvent[]): GuardOptions | undefined {
  const base: GuardOptions = { tier: 'tier-1', windowMs: WINDOW_MS, onEvent: (event) => events.push(event) };
  switch (strategy) {
    case 'bare SDK (maxRetries 2)':
      return undefined;
    case 'guard, waits its turn':
      return base;
    case 'guard, maxWaitMs + gpt-4o-mini':
      return { ...base, maxWaitMs: MAX_WAIT_MS, fallback: { 'gpt-4o': ['gpt-4o-mini'] } };
    case 'guard, maxWaitMs alone':
      return { ...base, maxWaitMs: MAX_WAIT_MS };
  }
}

async function runOne(strategy: Strategy): Promise<RerouteRow> {
  const simulator = await startRemoteSimulator({
    tier: 'tier-1',
    windowMs: WINDOW_MS,
    latencyMs: LATENCY,
    outputTokens: 50,
  });
  const events: GuardEvent[] = [];
  const options = guardOptions(strategy, events);
  const guard = options === undefined ? undefined : built.createGuard(options);
  try {
    const bare = new OpenAI({ apiKey: 'sk-bench', baseURL: simulator.baseURL, maxRetries: 2 });
    const client = guard === undefined ? bare : guard.wrap(bare);
    const started = performance.now();
    const outcomes = await Promise.all(
      Array.from({ length: CALLS }, async (_, index) => {
        try {
          const completion = await client.chat.completions.create({
            model: 'gpt-4o',
            messages: [{ role: 'user', content: `${PROMPT} (#${index})` }],
            max_tokens: MAX_TOKENS,
          });
          return { ms: performance.now() - started, model: completion.model };
        } catch {
          return { ms: performance.now() - started, model: undefined };
        }
      }),
    );
    const stats = await simulator.stats();
    const served = outcomes.filter((outcome) => outcome.model !== undefined);
    const queued = events.flatMap((event) => (event.type === 'sent' ? [event.queuedMs] : []));
    return {
      strategy,
      servedBig: served.filter((outcome) => outcome.model?.startsWith('gpt-4o-mini') === false).length,
      servedMini: served.filter((outcome) => outcome.model?.startsWith('gpt-4o-mini') === true).length,
      failed: outcomes.length - served.length,
      rerouted: events.filter((event) => event.type === 'fallback' && event.predictedWaitMs !== undefined)
        .length,
      rateLimited: stats.rateLimited.total,
      p50Ms: percentile(
        served.map((outcome) => outcome.ms),
        0.5,
      ),
      p99Ms: percentile(
        served.map((outcome) => outcome.ms),
        0.99,
      ),
      maxQueuedMs: guard === undefined ? undefined : Math.max(0, ...queued),
    };
  } finally {
    await guard?.close();
    await simulator.close();
  }
}

/** Runs the wait-or-reroute rows and returns their table. */
export async function runRerouteSection(log: Log): Promise<{ markdown: string; rows: RerouteRow[] }> {
  const rows: RerouteRow[] = [];
  for (const strategy of STRATEGIES) {
    log(`reroute: ${strategy}`);
    rows.push(await runOne(strategy));
  }
  const table = [
    '| strategy | served by gpt-4o | by gpt-4o-mini | failed | rerouted before waiting | 429s at the server | p50 | p99 | longest wait before sending |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.strategy} | ${row.servedBig} | ${row.servedMini} | ${row.failed} | ${row.rerouted} | ${row.rateLimited} | ${(row.p50Ms / 1_000).toFixed(2)} s | ${(row.p99Ms / 1_000).toFixed(2)} s | ${row.maxQueuedMs === undefined ? '—' : `${(row.maxQueuedMs / 1_000).toFixed(2)} s`} |`,
    ),
  ].join('\n');
  const markdown = `### Wait or reroute\n\n${CALLS} gpt-4o calls fired at once (prompt ~40 tokens, \`max_tokens\` ${MAX_TOKENS}: about twice gpt-4o's Tier 1 TPM of 30,000), against the simulator in its own process (Tier 1, a minute run in ${WINDOW_MS / 1_000} s, answers after ${LATENCY.min}–${LATENCY.max} ms), each way on a fresh simulator. \`maxWaitMs\` is ${MAX_WAIT_MS} ms: a call predicted to wait longer goes to gpt-4o-mini (200,000 TPM) before it has waited, or, without a chain, is refused at once. Latencies from the burst's start to each served call's answer.\n\n${table}\n`;
  return { markdown, rows };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = Date.now();
  const log: Log = (line) =>
    process.stdout.write(`[${((Date.now() - started) / 1_000).toFixed(0).padStart(4)} s] ${line}\n`);
  const { markdown } = await runRerouteSection(log);
  const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
  mkdirSync(new URL('../results/', import.meta.url), { recursive: true });
  writeFileSync(
    new URL('../results/reroute.md', import.meta.url),
    `# Wait or reroute\n\nMeasured by \`npm run bench:reroute\` on ${when} UTC.\n\n${markdown}`,
  );
  process.stdout.write(`\n${markdown}`);
}
