/**
 * The pacing section of the benchmark (issue 16): the 300-call burst per server mode × latency ×
 * strategy, each strategy in a fresh process against a fresh server; a steady Poisson load at 80 %
 * and 50 % of the token limit; three processes sharing the limit through Redis. Measures only: the
 * guard runs as built, with the options a user would give it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, redisServerBinary, startRedisServer } from '../../test/support/redis-server.js';
import { renderChart, tokensPerSecond } from '../chart.js';
import type { ClientResult, ClientTask } from './client.js';
import { idealFinishMs, idealSendTimes } from './ideal.js';
import { burstLine, burstTable, idealLine, steadyTable, summaryTable, wholeRunBins } from './markdown.js';
import { BINS, binsOf, burstRow, steadyRow, type BurstRow, type SteadyRow } from './metrics.js';
import { killChildren, runScript, track } from './processes.js';
import { SERVER_MODES, type ServerArrival, type ServerName } from './servers.js';
import { STRATEGIES, type StrategyName } from './strategies.js';
import { BURST_CALLS, LIMITS, jobsFor, type Workload } from './workload.js';

/** Which rows to run; an absent field means all of the default plan. */
export interface PacingSelection {
  readonly servers?: readonly ServerName[];
  readonly latencies?: readonly number[];
  readonly strategies?: readonly StrategyName[];
  readonly rows?: readonly ('burst' | 'steady' | 'redis')[];
}

/** What the section produced. */
export interface PacingReport {
  readonly markdown: string;
  /** The short table for the README. */
  readonly summary: string;
  /** SVG: tokens charged per second at the independent server /4, 60 ms, per strategy. */
  readonly chart: string;
  readonly bursts: readonly BurstRow[];
  readonly steady: readonly SteadyRow[];
  readonly elapsedMs: number;
}

type Log = (line: string) => void;

const SEED = 16;
const BURST: Workload = { kind: 'burst', calls: BURST_CALLS, seed: SEED };
const BIG_MATRIX_LATENCY_MS = 60;
const STEADY = { server: 'bucket/4', latencyMs: 2_000, durationMs: 20_000, loads: [0.8, 0.5] } as const;
const STEADY_STRATEGIES: readonly StrategyName[] = ['bare', 'guard-told', 'guard-auto'];
const CLIENT_TIMEOUT_MS = 180_000;
// The Redis row's processes are told to start this long after they are spawned: enough for each to
// load (about 1 s here) before any starts.
const TOGETHER_DELAY_MS = 3_000;
const wallClock = (): number => performance.timeOrigin + performance.now();

const DEFAULT_SERVERS: readonly ServerName[] = ['bucket/4', 'bucket/3', 'sim/tokens', 'sim/chars3-sparse'];
const DEFAULT_STRATEGIES: readonly StrategyName[] = ['guard-told', 'guard-auto', 'cookbook', 'bare'];

/** The default burst plan: every mode at 60 ms; the long latencies on the independent server only. */
function defaultBursts(): [ServerName, number, StrategyName][] {
  const plan: [ServerName, number, StrategyName][] = [];
  for (const server of DEFAULT_SERVERS)
    for (const strategy of DEFAULT_STRATEGIES) plan.push([server, BIG_MATRIX_LATENCY_MS, strategy]);
  for (const latency of [800, 2_000])
    for (const server of ['bucket/4', 'bucket/3'] as const)
      for (const strategy of DEFAULT_STRATEGIES) plan.push([server, latency, strategy]);
  return plan;
}

/**
 * The bursts to run: the default plan's that match the selection; or, when the selection names a
 * server, latency or strategy the default plan does not run (or matches nothing), every combination
 * of the lists given (a list not given: the four default servers, 60 ms, the four default strategies).
 */
export function burstPlan(selection: PacingSelection): [ServerName, number, StrategyName][] {
  const plan = defaultBursts();
  const keep = ([server, latency, strategy]: [ServerName, number, StrategyName]): boolean =>
    (selection.servers?.includes(server) ?? true) &&
    (selection.latencies?.includes(latency) ?? true) &&
    (selection.strategies?.includes(strategy) ?? true);
  const filtered = plan.filter(keep);
  const outside =
    (selection.servers ?? []).some((server) => !plan.some(([name]) => name === server)) ||
    (selection.latencies ?? []).some((latency) => !plan.some(([, ms]) => ms === latency)) ||
    (selection.strategies ?? []).some((strategy) => !plan.some(([, , name]) => name === strategy));
  if (filtered.length > 0 && !outside) return filtered;
  const product: [ServerName, number, StrategyName][] = [];
  for (const server of selection.servers ?? DEFAULT_SERVERS)
    for (const latency of selection.latencies ?? [BIG_MATRIX_LATENCY_MS])
      for (const strategy of selection.strategies ?? DEFAULT_STRATEGIES)
        product.push([server, latency, strategy]);
  return product;
}

async function runClient(task: ClientTask): Promise<ClientResult> {
  return JSON.parse(
    await runScript('bench/pacing/client.ts', [JSON.stringify(task)], CLIENT_TIMEOUT_MS),
  ) as ClientResult;
}

/** The exact charges of the burst's calls on a server mode (computed once per mode). */
const chargesCache = new Map<ServerName, number[]>();
async function burstCharges(server: ServerName): Promise<number[]> {
  let charges = chargesCache.get(server);
  if (charges === undefined) {
    const mode = SERVER_MODES[server];
    charges = await Promise.all(jobsFor(BURST_CALLS, SEED).map((job) => mode.charge(job)));
    chargesCache.set(server, charges);
  }
  return charges;
}

async function burst(
  server: ServerName,
  latencyMs: number,
  strategy: StrategyName,
): Promise<{ row: BurstRow; arrivals: ServerArrival[]; startedAtMs: number }> {
  const mode = SERVER_MODES[server];
  const charges = await burstCharges(server);
  const running = await mode.start(latencyMs);
  try {
    const result = await runClient({ strategy, baseURL: running.baseURL, limits: LIMITS, workload: BURST });
    const arrivals = await running.arrivals();
    const row = burstRow({
      server: mode.label,
      latency: mode.latencyLabel(latencyMs),
      strategy: STRATEGIES[strategy],
      startedAtMs: result.startedAtMs,
      calls: result.calls,
      arrivals,
      charges,
      idealMs: idealFinishMs(charges, LIMITS, latencyMs),
    });
    return { row, arrivals, startedAtMs: result.startedAtMs };
  } finally {
    await running.close();
  }
}

/** Three processes, a third of the burst each, one guard each told the limits, sharing them through Redis. */
async function sharedRedis(log: Log): Promise<BurstRow | string> {
  const binary = redisServerBinary();
  if (binary === '') return 'skipped: redis-server is not installed';
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tierguard-pacing-redis-'));
  const redis = track(await startRedisServer(binary, port, dir));
  const server: ServerName = 'bucket/4';
  const mode = SERVER_MODES[server];
  const running = await mode.start(BIG_MATRIX_LATENCY_MS);
  try {
    const keyPrefix = `tierguard-pacing:${Date.now()}:`;
    const startAtMs = wallClock() + TOGETHER_DELAY_MS;
    const results = await Promise.all(
      [0, 1, 2].map((index) =>
        runClient({
          strategy: 'guard-told',
          baseURL: running.baseURL,
          limits: LIMITS,
          workload: BURST,
          slice: { index, of: 3 },
          redis: { url: `redis://127.0.0.1:${port}`, keyPrefix },
          startAtMs,
        }),
      ),
    );
    const arrivals = await running.arrivals();
    // From the server's first arrival (the processes start a little apart) to the last answer.
    const firstMs = Math.min(...arrivals.map((arrival) => arrival.atMs));
    const calls = results.flatMap((result) =>
      result.calls.map((call) => ({
        ...call,
        submittedMs: result.startedAtMs + call.submittedMs - firstMs,
        settledMs: result.startedAtMs + call.settledMs - firstMs,
      })),
    );
    const charges = await burstCharges(server);
    const row = burstRow({
      server: mode.label,
      latency: mode.latencyLabel(BIG_MATRIX_LATENCY_MS),
      strategy: '3 processes, tierguard told the limits, sharing through Redis',
      startedAtMs: firstMs,
      calls,
      arrivals,
      charges,
      idealMs: idealFinishMs(charges, LIMITS, BIG_MATRIX_LATENCY_MS),
    });
    log(`redis: ${row.served}/${row.calls}, ${row.refused} × 429, ${(row.finishMs / 1_000).toFixed(2)} s`);
    return row;
  } finally {
    await running.close();
    redis.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Poisson arrivals at `load` of the token limit for 20 s, 2 s latency, one strategy. */
async function steady(load: number, strategy: StrategyName): Promise<SteadyRow> {
  const mode = SERVER_MODES[STEADY.server];
  // The mean charge of the workload's calls on this server, from a large sample of the same distribution.
  const sample = await Promise.all(jobsFor(5_000, SEED + 1).map((job) => mode.charge(job)));
  const meanCharge = sample.reduce((sum, charge) => sum + charge, 0) / sample.length;
  const ratePerSecond = (load * LIMITS.tokens * 1_000) / LIMITS.windowMs / meanCharge;
  const running = await mode.start(STEADY.latencyMs);
  try {
    const result = await runClient({
      strategy,
      baseURL: running.baseURL,
      limits: LIMITS,
      workload: { kind: 'steady', ratePerSecond, durationMs: STEADY.durationMs, seed: SEED + 2 },
    });
    return steadyRow(
      STRATEGIES[strategy],
      `${load * 100} %`,
      result.calls,
      await running.arrivals(),
      LIMITS.windowMs,
    );
  } finally {
    await running.close();
  }
}

/** Runs the selected rows and renders them. Every child process is killed when it ends, even on failure. */
export async function runPacingSection(selection: PacingSelection, log: Log): Promise<PacingReport> {
  const started = performance.now();
  const rows = selection.rows ?? ['burst', 'steady', 'redis'];
  try {
    const bursts: BurstRow[] = [];
    const sections: string[] = [];
    const chartSeries: { label: string; points: [number, number][] }[] = [];
    if (rows.includes('burst')) {
      const plan = burstPlan(selection);
      const servers = [...new Set(plan.map(([server]) => server))];
      for (const server of servers) {
        const lines: string[] = [];
        const latencies = [
          ...new Set(plan.filter(([name]) => name === server).map(([, latency]) => latency)),
        ];
        for (const latencyMs of latencies) {
          const charges = await burstCharges(server);
          lines.push(
            idealLine(
              SERVER_MODES[server].latencyLabel(latencyMs),
              idealFinishMs(charges, LIMITS, latencyMs),
              binsOf(idealSendTimes(charges, LIMITS), BINS),
            ),
          );
          for (const [, , strategy] of plan.filter(
            ([name, latency]) => name === server && latency === latencyMs,
          )) {
            const { row, arrivals, startedAtMs } = await burst(server, latencyMs, strategy);
            bursts.push(row);
            lines.push(burstLine(row));
            log(
              `${server} ${latencyMs} ms ${strategy}: ${row.served}/${row.calls}, ${row.refused} × 429 of ${row.requests}, ${(row.finishMs / 1_000).toFixed(2)} s (ideal ${(row.idealMs / 1_000).toFixed(2)} s)${row.chargeMismatch === undefined ? '' : `; ${row.chargeMismatch}`}`,
            );
            if (server === 'bucket/4' && latencyMs === BIG_MATRIX_LATENCY_MS)
              chartSeries.push({
                label: STRATEGIES[strategy].slice(0, 30),
                points: tokensPerSecond(
                  [
                    { atMs: 0, status: 0, tokens: 0 },
                    ...arrivals.map((arrival) => ({
                      atMs: arrival.atMs - startedAtMs,
                      status: arrival.refused ? 429 : 200,
                      tokens: arrival.charged,
                    })),
                  ],
                  500,
                ),
              });
          }
        }
        const ofServer = bursts.filter((row) => row.server === SERVER_MODES[server].label);
        const mismatches = ofServer.filter((row) => row.chargeMismatch !== undefined);
        sections.push(
          `### ${SERVER_MODES[server].label}\n\n${SERVER_MODES[server].description}.\n\n${burstTable(lines)}${mismatches.length > 0 ? `\n\nCharge check failed: ${mismatches.map((row) => `${row.strategy} (${row.chargeMismatch})`).join('; ')}.` : ''}\n\n${wholeRunBins(ofServer)}`,
        );
      }
    }
    const steadyRows: SteadyRow[] = [];
    if (rows.includes('steady')) {
      const strategies = STEADY_STRATEGIES.filter((name) => selection.strategies?.includes(name) ?? true);
      // One after the other: run side by side, the processes cost the bare client's p99 50–200 ms
      // (docs/decisions.md), as much as the goal allows the guard.
      for (const load of STEADY.loads)
        for (const strategy of strategies) {
          const row = await steady(load, strategy);
          steadyRows.push(row);
          log(
            `steady ${row.load} ${row.strategy}: ${row.served}/${row.calls}, ${row.refused} × 429, p50 ${row.p50Ms.toFixed(0)} ms, p90 ${row.p90Ms.toFixed(0)} ms, p99 ${row.p99Ms.toFixed(0)} ms`,
          );
        }
      sections.push(
        `### Steady load below the limit\n\nPoisson arrivals at a share of the token limit for ${STEADY.durationMs / 1_000} s, against the ${SERVER_MODES[STEADY.server].label} answering after ${STEADY.latencyMs / 1_000} s; each call's latency from its own submission. Goal: guarded p99 within 100 ms of the bare client's.\n\n${steadyTable(steadyRows)}`,
      );
    }
    if (rows.includes('redis')) {
      const shared = await sharedRedis(log);
      sections.push(
        `### Three processes sharing the limit through Redis\n\nThe burst split in three processes started together, one guard each told the limits, \`redis\` set; finish counted from the server's first arrival to the last answer.\n\n${typeof shared === 'string' ? shared : `${burstTable([burstLine(shared)])}\n\n${wholeRunBins([shared])}`}`,
      );
      if (typeof shared !== 'string') bursts.push(shared);
    }
    const elapsedMs = performance.now() - started;
    const chart = renderChart(
      chartSeries,
      (LIMITS.tokens * 1_000) / LIMITS.windowMs,
      `Tokens charged per second: ${BURST_CALLS} calls fired at once, independent server /4, ${BIG_MATRIX_LATENCY_MS} ms`,
    );
    return {
      markdown: sections.join('\n\n'),
      summary: summaryTable(bursts),
      chart,
      bursts,
      steady: steadyRows,
      elapsedMs,
    };
  } finally {
    killChildren();
  }
}
