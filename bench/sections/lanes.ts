/**
 * Memory of 10,000 idle lanes (issue 19): a gateway that passes user-chosen model names makes a
 * lane per name. One call each to 10,000 distinct model names through `guard.fetch`
 * (an in-memory transport answering with rate-limit headers), then the live heap (after a full GC)
 * with every lane idle, after the guard evicted them, and after `close()`.
 *
 * The guard evicts a lane idle for 10 minutes, on a sweep that runs every minute; it has no option
 * to shorten either. The section moves the clock the guard reads (`performance.now`) 11 minutes on
 * and waits for the next sweep (at most a minute of real time), then puts the clock back.
 */
import { built } from '../built.js';
import { collectGarbage, heapMb } from '../heap.js';

const { createGuard } = built;

export interface LanesReport {
  readonly lanes: number;
  readonly baselineHeapMb: number;
  readonly idleHeapMb: number;
  readonly lanesAfterSweep: number;
  readonly evictedHeapMb: number;
  readonly closedHeapMb: number;
  readonly sweepWaitMs: number;
  /** Models `stats().servedByModel` still counts after `close()` (one per name served). */
  readonly servedByModelAfterClose: number;
}

const MODELS = 10_000;
const CLOCK_STEP_MS = 11 * 60_000;
const SWEEP_WAIT_MS = 75_000;
const ANSWER =
  '{"id":"x","object":"chat.completion","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":1}}';
const HEADERS = {
  'content-type': 'application/json',
  'x-ratelimit-limit-requests': '10000',
  'x-ratelimit-remaining-requests': '9999',
  'x-ratelimit-reset-requests': '6ms',
  'x-ratelimit-limit-tokens': '30000000',
  'x-ratelimit-remaining-tokens': '29999990',
  'x-ratelimit-reset-tokens': '0s',
};

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the section (needs `--expose-gc`). */
export async function runLanesSection(log: (line: string) => void): Promise<LanesReport> {
  const transport = (async () => new Response(ANSWER, { headers: HEADERS })) as typeof fetch;
  const guard = createGuard({ fetch: transport });
  collectGarbage();
  const baselineHeapMb = heapMb();
  // A few at a time, as a gateway's traffic arrives; every call answered before the next batch.
  for (let start = 0; start < MODELS; start += 100) {
    const batch: Promise<string>[] = [];
    for (let index = start; index < start + 100; index += 1)
      batch.push(
        guard
          .fetch('http://127.0.0.1:1/v1/chat/completions', {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench-lanes' },
            body: JSON.stringify({
              model: `user-model-${index}`,
              messages: [{ role: 'user', content: 'hi' }],
              max_tokens: 1,
            }),
          })
          .then((response) => response.text()),
      );
    await Promise.all(batch);
  }
  const lanes = guard.stats().limits.length;
  collectGarbage();
  const idleHeapMb = heapMb();

  const realNow = performance.now.bind(performance);
  performance.now = () => realNow() + CLOCK_STEP_MS;
  const waitStarted = realNow();
  try {
    while (guard.stats().limits.length > 0 && realNow() - waitStarted < SWEEP_WAIT_MS) await tick(250);
  } finally {
    performance.now = realNow;
  }
  const sweepWaitMs = realNow() - waitStarted;
  const lanesAfterSweep = guard.stats().limits.length;
  collectGarbage();
  const evictedHeapMb = heapMb();
  await guard.close();
  collectGarbage();
  const closedHeapMb = heapMb();
  const servedByModelAfterClose = Object.keys(guard.stats().servedByModel).length;
  const report = {
    lanes,
    baselineHeapMb,
    idleHeapMb,
    lanesAfterSweep,
    evictedHeapMb,
    closedHeapMb,
    sweepWaitMs,
    servedByModelAfterClose,
  };
  log(
    `idle lanes: ${lanes} lanes +${(idleHeapMb - baselineHeapMb).toFixed(1)} MB; after the sweep ${lanesAfterSweep} lanes +${(evictedHeapMb - baselineHeapMb).toFixed(1)} MB; after close() +${(closedHeapMb - baselineHeapMb).toFixed(1)} MB`,
  );
  return report;
}

/** The section in markdown. */
export function lanesMarkdown(report: LanesReport): string {
  const above = (value: number): string =>
    `${value - report.baselineHeapMb >= 0 ? '+' : ''}${(value - report.baselineHeapMb).toFixed(1)} MB`;
  return [
    `One call each to ${MODELS.toLocaleString('en-US')} distinct model names a gateway passes through (\`user-model-N\`, unknown to the model table: a lane each) through \`guard.fetch\` with an in-memory transport that answers with rate-limit headers; the live heap after a full GC, against the heap with the guard created and no call made. The guard evicts a lane idle for 10 minutes on a sweep every minute, and neither is an option: the section moved the clock the guard reads 11 minutes on and waited for the sweep (${(report.sweepWaitMs / 1_000).toFixed(0)} s here).`,
    '',
    '| | lanes | live heap above the guard alone |',
    '|---|---|---|',
    `| every lane idle | ${report.lanes.toLocaleString('en-US')} | ${above(report.idleHeapMb)} (${(((report.idleHeapMb - report.baselineHeapMb) * 1_048_576) / Math.max(1, report.lanes)).toFixed(0)} B a lane) |`,
    `| after eviction | ${report.lanesAfterSweep.toLocaleString('en-US')} | **${above(report.evictedHeapMb)}** |`,
    `| after \`close()\` | 0 | ${above(report.closedHeapMb)} |`,
    '',
    `After \`close()\`, \`stats().servedByModel\` still counts ${report.servedByModelAfterClose.toLocaleString('en-US')} model names (held as long as the guard object is).`,
  ].join('\n');
}
