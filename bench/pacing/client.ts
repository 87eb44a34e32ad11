/**
 * One strategy in a process of its own, so that each run starts cold (nothing loaded, nothing
 * learned): reads its task (JSON, one argument), creates the client, runs the workload, prints one
 * JSON line of results and exits. The clock starts just before the client is created; the burst is
 * fired right after. Times are ms from that start; `startedAtMs` is its wall-clock time, to line up
 * with the server's arrivals.
 */
import { createSender, type StrategyName } from './strategies.js';
import { planOf, type Limits, type Workload } from './workload.js';

/** What the harness asks of a client process. */
export interface ClientTask {
  readonly strategy: StrategyName;
  readonly baseURL: string;
  readonly limits: Limits;
  readonly workload: Workload;
  /** Run only the calls `index, index + of, …` (processes that share one workload). */
  readonly slice?: { readonly index: number; readonly of: number };
  readonly redis?: { readonly url: string; readonly keyPrefix: string };
  /**
   * Wall-clock ms to start at, after loading: processes that run together start together, none
   * slowed by another's start-up.
   */
  readonly startAtMs?: number;
}

/** One call's result. */
export interface CallResult {
  /** When it was handed to the strategy (ms from the start). */
  readonly submittedMs: number;
  /** When it was answered or failed for good. */
  readonly settledMs: number;
  readonly ok: boolean;
  /** The status of a failure, when it had one. */
  readonly status?: number;
}

/** What a client process prints. */
export interface ClientResult {
  readonly startedAtMs: number;
  readonly calls: readonly CallResult[];
}

const task = JSON.parse(process.argv[2] ?? '{}') as ClientTask;
const plan = planOf(task.workload);
const slice = task.slice ?? { index: 0, of: 1 };
const mine = plan.jobs
  .map((job, index) => ({ job, offsetMs: plan.offsetsMs[index] ?? 0 }))
  .filter((_, index) => index % slice.of === slice.index);

const untilStartMs = (task.startAtMs ?? 0) - (performance.timeOrigin + performance.now());
if (untilStartMs > 0) await new Promise((resolve) => setTimeout(resolve, untilStartMs));

const started = performance.now();
const startedAtMs = performance.timeOrigin + started;
const since = (): number => performance.now() - started;
const sender = createSender(task.strategy, {
  baseURL: task.baseURL,
  limits: task.limits,
  ...(task.redis === undefined ? {} : { redis: task.redis }),
});

async function run(job: (typeof mine)[number]['job']): Promise<CallResult> {
  const submittedMs = since();
  try {
    await sender.send(job);
    return { submittedMs, settledMs: since(), ok: true };
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    return {
      submittedMs,
      settledMs: since(),
      ok: false,
      ...(typeof status === 'number' ? { status } : {}),
    };
  }
}

const calls = await Promise.all(
  mine.map(({ job, offsetMs }) =>
    offsetMs <= 0
      ? run(job)
      : new Promise<CallResult>((resolve) => setTimeout(() => resolve(run(job)), offsetMs - since())),
  ),
);
await sender.close();
const result: ClientResult = { startedAtMs, calls };
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
