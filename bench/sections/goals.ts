/**
 * The goals the issues set for the benchmark, each beside what this run measured: the guard's own
 * cost and the cold start (issue 15), the event-loop stall and idle lanes (issue 19), the
 * pacing rows per server mode, wait-or-reroute and the budget's overshoot (issue 16). A goal whose row did not run is left out.
 */
import { COLD_START_GOALS, STALL_GOAL_MS, type ColdStartRow, type StallRow } from '../estimate.js';
import type { BurstRow, SteadyRow } from '../pacing/metrics.js';
import { SERVER_MODES, type ServerName } from '../pacing/servers.js';
import { STRATEGIES, type StrategyName } from '../pacing/strategies.js';
import type { LanesReport } from './lanes.js';
import type { OverheadReport } from './overhead.js';
import type { BudgetRow } from './budget.js';
import type { QueuedReport } from './queued.js';
import { MAX_WAIT_MS, type RerouteRow } from './reroute.js';

/** One goal and what the run measured. */
export interface GoalRow {
  readonly issue: number;
  readonly what: string;
  readonly goal: string;
  readonly measured: string;
  readonly met: boolean;
  /** The README's group: rows of one group are summed up in one line there. */
  readonly group: string;
}

/** What the run produced, filled in section by section (a section that did not run is absent). */
export interface GoalInputs {
  overhead?: OverheadReport;
  queued?: QueuedReport;
  cold?: ColdStartRow;
  stalls?: readonly StallRow[];
  lanes?: LanesReport;
  bursts?: readonly BurstRow[];
  steady?: readonly SteadyRow[];
  reroute?: readonly RerouteRow[];
  budget?: readonly BudgetRow[];
}

const pct = (share: number): string => `${(share * 100).toFixed(1)} %`;

const serverByLabel = new Map(
  (Object.keys(SERVER_MODES) as ServerName[]).map((name) => [SERVER_MODES[name].label as string, name]),
);
const strategyByLabel = new Map(
  (Object.keys(STRATEGIES) as StrategyName[]).map((name) => [STRATEGIES[name] as string, name]),
);

/** Issue 16's goal for a burst row, or none (the peers' rows are for comparison). */
function burstGoal(row: BurstRow): GoalRow | undefined {
  const server = serverByLabel.get(row.server);
  const latencyMs = Number.parseFloat(row.latency);
  const redis = row.strategy.startsWith('3 processes');
  const strategy = redis ? 'guard-told' : strategyByLabel.get(row.strategy);
  if (server === undefined || (strategy !== 'guard-told' && strategy !== 'guard-auto')) return undefined;
  const utilization = row.failed > 0 ? 0 : row.idealMs / row.finishMs;
  const refusedShare = row.requests === 0 ? 0 : row.refused / row.requests;
  const times = row.finishMs / row.idealMs;
  const where = `${row.server}, ${row.latency}, ${redis ? '3 processes on Redis' : strategy === 'guard-told' ? 'told the limits' : "tier: 'auto'"}`;
  const measuredBurst = `${row.served}/${row.calls}, utilization ${utilization.toFixed(3)}, ${pct(refusedShare)} 429s`;
  if (latencyMs >= 500) {
    const bound = strategy === 'guard-told' ? 1.05 : 1.15;
    return {
      issue: 16,
      group: `burst at 0.8–2 s latency, ${strategy === 'guard-told' ? 'told' : "tier: 'auto'"}`,
      what: `burst, ${where}`,
      goal: `300/300, ≤ 0.5 % 429s, finish ≤ ×${bound.toFixed(2)} (ideal + one latency)`,
      measured: `${row.served}/${row.calls}, ${pct(refusedShare)} 429s, ×${times.toFixed(3)}`,
      met: row.failed === 0 && refusedShare <= 0.005 && times <= bound,
    };
  }
  const [least, most, group] = redis
    ? [0.95, 0.01, 'burst, 3 processes sharing Redis']
    : strategy === 'guard-auto'
      ? [0.93, 0.03, "burst, tier: 'auto', nothing told"]
      : server === 'sim/tokens' || server === 'sim/spread'
        ? [0.97, 0.005, 'burst, server counts as the guard expects']
        : [0.95, 0.01, 'burst, server counts differently'];
  return {
    issue: 16,
    group,
    what: `burst, ${where}`,
    goal: `≥ ${least.toFixed(2)} of ideal, ≤ ${pct(most)} 429s`,
    measured: measuredBurst,
    met: row.failed === 0 && utilization >= least && refusedShare <= most,
  };
}

/** The steady rows' goal: guarded p99 within 100 ms of the bare client's at the same load. */
function steadyGoals(rows: readonly SteadyRow[]): GoalRow[] {
  const bare = new Map(rows.filter((row) => row.strategy.startsWith('bare')).map((row) => [row.load, row]));
  return rows.flatMap((row) => {
    const reference = bare.get(row.load);
    if (row.strategy.startsWith('bare') || reference === undefined) return [];
    const delta = row.p99Ms - reference.p99Ms;
    return [
      {
        issue: 16,
        group: 'steady load below the limit (p99 − bare p99)',
        what: `steady ${row.load} of the limit, 2 s latency, ${row.strategy}`,
        goal: 'p99 ≤ bare p99 + 100 ms',
        measured: `p99 ${(row.p99Ms / 1_000).toFixed(2)} s (bare ${(reference.p99Ms / 1_000).toFixed(2)} s, ${delta >= 0 ? '+' : ''}${delta.toFixed(0)} ms)`,
        met: delta <= 100 && row.failed === 0,
      },
    ];
  });
}

/** Every goal the inputs allow to judge. */
export function goalRows(inputs: GoalInputs): GoalRow[] {
  const rows: GoalRow[] = [];
  const { overhead, queued, cold, stalls, lanes } = inputs;
  if (overhead !== undefined) {
    rows.push({
      issue: 15,
      group: 'time the guard adds to a call (0 ms server)',
      what: 'time the guard adds to a call, 0 ms loopback server',
      goal: '≤ 50 µs',
      measured: `${overhead.addedUs.toFixed(0)} µs (bare call ${overhead.bareUs.toFixed(0)} µs)`,
      met: overhead.addedUs <= 50,
    });
    rows.push({
      issue: 15,
      group: `share it adds to a ${overhead.plan.slowMs} ms call`,
      what: `share the guard adds to a call answered in ${overhead.plan.slowMs} ms`,
      goal: '≤ 0.5 %',
      measured: `${(overhead.slowShare * 100).toFixed(2)} % (${overhead.slowAddedUs.toFixed(0)} µs of ${(overhead.slowBareUs / 1_000).toFixed(1)} ms)`,
      met: overhead.slowShare <= 0.005,
    });
  }
  if (queued !== undefined)
    rows.push({
      issue: 15,
      group: 'memory the guard holds per waiting call',
      what: 'memory the guard holds per waiting call (100,000 waiting)',
      goal: '≤ 2 KB',
      measured: `${(queued.guardBytesPerCall / 1_024).toFixed(2)} KB`,
      met: queued.guardBytesPerCall <= 2_048,
    });
  if (cold !== undefined) {
    const addedMs = cold.guardedMs - cold.bareMs;
    const addedMb = cold.guardedRssMb - cold.bareRssMb;
    rows.push({
      issue: 15,
      group: 'cold start: time added to the first answer',
      what: "cold start: a new process's first guarded call over a bare one",
      goal: `≤ ${COLD_START_GOALS.addedMs} ms`,
      measured: `+${addedMs.toFixed(1)} ms (CPU +${(cold.guardedCpuMs - cold.bareCpuMs).toFixed(1)} ms)`,
      met: addedMs <= COLD_START_GOALS.addedMs,
    });
    rows.push({
      issue: 15,
      group: 'cold start: RSS added',
      what: 'cold start: RSS of a process that made a guarded call over a bare one',
      goal: `≤ ${COLD_START_GOALS.addedRssMb} MB`,
      measured: `+${addedMb.toFixed(1)} MB`,
      met: addedMb <= COLD_START_GOALS.addedRssMb,
    });
  }
  for (const stall of stalls ?? [])
    rows.push({
      issue: 19,
      group: 'event loop held by a guarded call with a 100 KB prompt',
      what: `event loop held by a guarded call with 100 KB of ${stall.prompt}`,
      goal: `≤ ${STALL_GOAL_MS} ms`,
      measured: `${stall.guardedCallMaxDelayMs.toFixed(1)} ms (bare ${stall.bareCallMaxDelayMs.toFixed(1)} ms)`,
      met: stall.guardedCallMaxDelayMs <= STALL_GOAL_MS,
    });
  if (lanes !== undefined)
    rows.push({
      issue: 19,
      group: '10,000 idle lanes evicted',
      what: `${lanes.lanes.toLocaleString('en-US')} idle lanes, after eviction`,
      goal: 'idle lanes evicted (the issue gives no figure)',
      measured: `${lanes.lanesAfterSweep} lanes left; heap +${(lanes.idleHeapMb - lanes.baselineHeapMb).toFixed(1)} MB idle → +${(lanes.evictedHeapMb - lanes.baselineHeapMb).toFixed(1)} MB`,
      met: lanes.lanesAfterSweep === 0,
    });
  for (const burst of inputs.bursts ?? []) {
    const goal = burstGoal(burst);
    if (goal !== undefined) rows.push(goal);
  }
  rows.push(...steadyGoals(inputs.steady ?? []));
  const rerouted = inputs.reroute?.find((row) => row.strategy === 'guard, maxWaitMs + gpt-4o-mini');
  if (rerouted !== undefined)
    rows.push({
      issue: 16,
      group: 'wait or reroute: a burst over gpt-4o’s TPM, maxWaitMs and gpt-4o-mini',
      what: `wait or reroute: p99 from the burst's start, maxWaitMs ${MAX_WAIT_MS} ms`,
      goal: `p99 ≤ ${MAX_WAIT_MS / 1_000} s, 0 × 429, none failed`,
      measured: `p99 ${(rerouted.p99Ms / 1_000).toFixed(2)} s, ${rerouted.rateLimited} × 429, ${rerouted.failed} failed (${rerouted.servedMini} served by gpt-4o-mini)`,
      met: rerouted.p99Ms <= MAX_WAIT_MS && rerouted.rateLimited === 0 && rerouted.failed === 0,
    });
  for (const budget of inputs.budget ?? []) {
    // 'warn' is the comparison: it never refuses, so it shows what an after-the-fact check lets through.
    if (budget.policy !== 'refuse') continue;
    const over = budget.spentUsd - budget.budgetUsd;
    rows.push({
      issue: 16,
      group: 'budget: 50 concurrent calls against a budget that holds 10',
      what: `budget, ${budget.store}, ${budget.clamp ? 'output clamped' : 'not clamped'}`,
      goal: 'spent ≤ budget',
      measured: `$${budget.spentUsd.toFixed(5)} of $${budget.budgetUsd.toFixed(5)} (${budget.served} served)`,
      met: over <= 1e-9,
    });
  }
  return rows;
}

const mark = (met: boolean): string => (met ? '✅ met' : '❌ not met');

/** Every goal, one row each (bench/results/latest.md). */
export function goalTable(rows: readonly GoalRow[]): string {
  return [
    '| issue | what | goal | measured | |',
    '|---|---|---|---|---|',
    ...rows.map(
      (row) => `| #${row.issue} | ${row.what} | ${row.goal} | ${row.measured} | ${mark(row.met)} |`,
    ),
  ].join('\n');
}

/** One line per group: how many of its rows meet their goal, and the single row's figure when alone (README). */
export function goalSummary(rows: readonly GoalRow[]): string {
  const groups = new Map<string, GoalRow[]>();
  for (const row of rows) groups.set(row.group, [...(groups.get(row.group) ?? []), row]);
  return [
    '| goal (issue) | target | measured | |',
    '|---|---|---|---|',
    ...[...groups].map(([group, members]) => {
      const first = members[0] as GoalRow;
      const met = members.filter((member) => member.met).length;
      const measured = members.length === 1 ? first.measured : `${met} of ${members.length} rows meet it`;
      const targets = [...new Set(members.map((member) => member.goal))];
      return `| ${group} (#${first.issue}) | ${targets.length === 1 ? first.goal : 'per row'} | ${measured} | ${mark(met === members.length)} |`;
    }),
  ].join('\n');
}
