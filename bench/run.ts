/**
 * tierguard's benchmark: the pacing rows (bench/pacing/: a burst per server mode, latency and
 * strategy, a steady load, three processes sharing Redis), the guard's overhead per call, 100,000
 * queued calls, and a soak at twice the limit. Writes bench/results/latest.md and a chart, and
 * updates the README's results section. Every figure comes from this run.
 *
 *   npm run bench            (builds first; ~15 minutes; pacing flags as for bench:pacing)
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { built } from './built.js';
import { parsePacingFlags } from './pacing/flags.js';
import { runPacingSection } from './pacing/section.js';
import {
  STEADY_AFTER_PAIRS,
  WARM_UP_PAIRS,
  type OverheadResult,
  type OverheadWindow,
  type OverheadPrompt,
  type OverheadServer,
} from './overhead-worker.js';
import { startRemoteSimulator } from './remote-sim.js';

const { createGuard, estimateRequest } = built;

const root = new URL('../', import.meta.url).pathname;
const TPM = 30_000;
const LATENCY = { min: 40, max: 100 };
const PROMPT =
  'Summarize the customer ticket below in one line for the support queue. '.repeat(2) +
  'The customer reports that the invoice for order 1182 shows the wrong shipping address, a duplicate line for the same item, and a total that does not match the quote they received by email last week. '.repeat(
    4,
  );
const started = Date.now();
const log = (line: string): void => {
  process.stdout.write(`[${((Date.now() - started) / 1_000).toFixed(0).padStart(4)} s] ${line}\n`);
};

/**
 * The guard's cost per call, measured in a process of its own (bench/overhead-worker.ts): the
 * sections before it ran other guards (Redis, throttled queues) whose type feedback would shape
 * how V8 compiles the shared code — the profile pollution JMH forks a JVM per benchmark against.
 */
async function overheadFork(
  latencyMs: number,
  server: OverheadServer,
  prompt: OverheadPrompt,
): Promise<OverheadResult> {
  const output = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'bench/overhead-worker.ts', String(latencyMs), server, prompt],
      { cwd: root, timeout: 600_000, maxBuffer: 1_048_576 },
      (error, stdout) => (error === null ? resolve(stdout) : reject(error)),
    );
  });
  const result = JSON.parse(output) as OverheadResult;
  for (const window of result.windows)
    log(
      `overhead (${server}, server latency ${latencyMs} ms, ${prompt} prompt, after ${window.after} pairs): bare ${window.bareMedian.toFixed(0)} µs, guarded ${window.guardedMedian.toFixed(0)} µs (median)`,
    );
  return result;
}

// The same measurement in this many processes, one after the other: on this machine the bare call
// alone moves between 330 and 500 µs from one process to the next, and the overhead of one process
// by a point and more either way (JMH, for the same reason, forks a JVM more than once).
const OVERHEAD_FORKS = 3;

const PROMPT_LABELS: Readonly<Record<OverheadPrompt, string>> = {
  fixed: 'the same',
  new: 'new each pair',
  short: '"hi"',
};

/** One window as the forks measured it: the fork with the median overhead, and every fork's. */
interface OverheadSummary {
  readonly server: OverheadServer;
  readonly latencyMs: number;
  readonly prompt: OverheadPrompt;
  readonly window: OverheadWindow;
  readonly forks: readonly number[];
}

const overheadOf = (window: OverheadWindow): number =>
  (window.guardedMedian - window.bareMedian) / window.bareMedian;

/** The guard's overhead in `OVERHEAD_FORKS` processes, window by window. */
async function overhead(
  latencyMs: number,
  server: OverheadServer,
  prompt: OverheadPrompt = 'fixed',
): Promise<OverheadSummary[]> {
  const runs: OverheadResult[] = [];
  for (let fork = 0; fork < OVERHEAD_FORKS; fork += 1)
    runs.push(await overheadFork(latencyMs, server, prompt));
  return (runs[0]?.windows ?? []).map((_, index) => {
    const windows = runs.map((run) => run.windows[index] as OverheadWindow);
    const sorted = [...windows].sort((a, b) => overheadOf(a) - overheadOf(b));
    return {
      server,
      latencyMs,
      prompt,
      window: sorted[Math.floor(sorted.length / 2)] as OverheadWindow,
      forks: windows.map(overheadOf),
    };
  });
}

const gc = (): void => {
  (globalThis as { gc?: () => void }).gc?.();
};

/**
 * 100,000 calls queued behind a tiny limit: the live heap while they all wait, then whether they
 * drain in submission order. The limit starts at one request; the first call's answer is held until
 * every call is queued, and then says (x-ratelimit-*) that the limit is far higher, so the queue
 * drains as fast as the guard can send.
 */
async function queued100k(): Promise<{
  calls: number;
  peakHeapMb: number;
  liveHeapMb: number;
  waitingAtPeak: number;
  baselineHeapMb: number;
  drainMs: number;
  inOrder: boolean;
  served: number;
}> {
  const total = 100_000;
  const order: number[] = [];
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const headers = {
    'content-type': 'application/json',
    'x-ratelimit-limit-requests': '100000000',
    'x-ratelimit-remaining-requests': '99999999',
    'x-ratelimit-limit-tokens': '100000000000',
    'x-ratelimit-remaining-tokens': '99999999999',
  };
  const transport = (async (_input: string | URL | Request, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body)) as { metadata?: { n?: string } };
    const n = Number(body.metadata?.n);
    order.push(n);
    if (n === 0) await gate;
    return new Response(
      '{"id":"x","object":"chat.completion","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":1}}',
      { headers },
    );
  }) as typeof fetch;
  const guard = createGuard({ limits: { '*': { requests: 1, tokens: 1e12 } }, fetch: transport });
  gc();
  const baselineHeapMb = process.memoryUsage().heapUsed / 1_048_576;
  let peak = baselineHeapMb;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().heapUsed / 1_048_576);
  }, 50);
  const pending: Promise<unknown>[] = [];
  for (let index = 0; index < total; index += 1) {
    pending.push(
      guard
        .fetch('http://127.0.0.1:1/v1/chat/completions', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            model: 'gpt-4o-mini',
            messages: [{ role: 'user', content: 'hi' }],
            max_tokens: 1,
            metadata: { n: String(index) },
          }),
        })
        .then((response) => response.text()),
    );
  }
  for (let tries = 0; tries < 600 && guard.stats().waiting < total - 1; tries += 1)
    await new Promise((resolve) => setTimeout(resolve, 50));
  const waitingAtPeak = guard.stats().waiting;
  // The live heap with every call waiting: after a full GC, so that garbage not yet collected does not count.
  gc();
  const liveHeapMb = process.memoryUsage().heapUsed / 1_048_576;
  peak = Math.max(peak, liveHeapMb);
  const at = performance.now();
  release();
  const results = await Promise.allSettled(pending);
  clearInterval(sampler);
  await guard.close();
  const inOrder = order.every((value, index) => index === 0 || value > (order[index - 1] as number));
  const served = results.filter((result) => result.status === 'fulfilled').length;
  const summary = {
    calls: total,
    peakHeapMb: peak,
    liveHeapMb,
    waitingAtPeak,
    baselineHeapMb,
    drainMs: performance.now() - at,
    inOrder,
    served,
  };
  log(
    `100,000 queued: live heap ${liveHeapMb.toFixed(0)} MB with ${waitingAtPeak} waiting (peak before GC ${peak.toFixed(0)} MB, baseline ${baselineHeapMb.toFixed(0)} MB), drained in ${(summary.drainMs / 1_000).toFixed(1)} s, in order: ${inOrder}`,
  );
  return summary;
}

/** A soak: calls arrive at twice the TPM for ten windows; heap and handles per window. */
async function soak(): Promise<{
  windows: { heapMb: number; handles: number; served: number; refused: number; localRefusals: number }[];
  requests: number;
  refused: number;
}> {
  const windowMs = 3_000;
  const windows = 10;
  const sim = await startRemoteSimulator({
    tier: 'tier-1',
    windowMs,
    latencyMs: LATENCY,
    outputTokens: 120,
    seed: 11,
  });
  const guard = createGuard({ tier: 'tier-1', windowMs, maxQueued: 200 });
  const client = guard.wrap(new OpenAI({ apiKey: 'sk-bench', baseURL: sim.baseURL }));
  const estimate = await estimateRequest(
    'chat',
    { model: 'gpt-4o', messages: [{ role: 'user', content: PROMPT }], max_tokens: 200 },
    'gpt-4o',
  );
  // Twice the TPM: arrivals every (window / (2 × TPM / tokens per call)) ms.
  const intervalMs = windowMs / ((2 * TPM) / estimate.totalTokens);
  let served = 0;
  let localRefusals = 0;
  let other = 0;
  const perWindow: {
    heapMb: number;
    handles: number;
    served: number;
    refused: number;
    localRefusals: number;
  }[] = [];
  const inFlight = new Set<Promise<unknown>>();
  const end = performance.now() + windows * windowMs;
  let nextWindow = performance.now() + windowMs;
  let lastRefused = 0;
  while (performance.now() < end) {
    const call = client.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: PROMPT }], max_tokens: 200 })
      .then(
        () => (served += 1),
        (error: unknown) =>
          (error as { status?: number }).status === 429 &&
          /queue is full/.test(String((error as Error).message))
            ? (localRefusals += 1)
            : (other += 1),
      );
    inFlight.add(call);
    void call.finally(() => inFlight.delete(call));
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    if (performance.now() >= nextWindow) {
      nextWindow += windowMs;
      gc();
      const stats = await sim.stats();
      perWindow.push({
        heapMb: process.memoryUsage().heapUsed / 1_048_576,
        handles: process.getActiveResourcesInfo().length,
        served,
        refused: stats.rateLimited.total - lastRefused,
        localRefusals,
      });
      lastRefused = stats.rateLimited.total;
    }
  }
  await Promise.allSettled([...inFlight]);
  const stats = await sim.stats();
  await guard.close();
  await sim.close();
  void other;
  log(
    `soak: ${stats.served} served, ${stats.rateLimited.total} × 429 of ${stats.requests}; heap ${perWindow.map((window) => window.heapMb.toFixed(0)).join(' ')} MB`,
  );
  return { windows: perWindow, requests: stats.requests, refused: stats.rateLimited.total };
}

const pct = (part: number, whole: number): string =>
  whole === 0 ? '0.0%' : `${((part / whole) * 100).toFixed(1)}%`;
const secs = (ms: number): string => `${(ms / 1_000).toFixed(1)} s`;

async function main(): Promise<void> {
  const pacing = await runPacingSection(parsePacingFlags(process.argv.slice(2)), log);
  const costs = [
    ...(await overhead(0, 'simulator')),
    ...(await overhead(0, 'simulator', 'new')),
    ...(await overhead(0, 'simulator', 'short')),
    ...(await overhead(2, 'simulator')),
    ...(await overhead(0, 'plain')),
  ];
  const memory = await queued100k();
  const soaked = await soak();

  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/tokens-per-second.svg'), pacing.chart);

  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 1_073_741_824).toFixed(0)} GiB, Node ${process.version}, ${process.platform}`;
  const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const soakGrowth = (soaked.windows.at(-1)?.heapMb ?? 0) - (soaked.windows[0]?.heapMb ?? 0);
  const handleGrowth = (soaked.windows.at(-1)?.handles ?? 0) - (soaked.windows[0]?.handles ?? 0);
  const overheadRows = costs
    .map(
      ({ server, latencyMs, prompt, window, forks }) =>
        `| ${server === 'plain' ? 'plain server, no rate-limit headers' : 'simulator'} | ${latencyMs} ms | ${PROMPT_LABELS[prompt]} | ${window.after < STEADY_AFTER_PAIRS ? 'first calls' : 'steady state'}: pairs ${(window.after + 1).toLocaleString('en-US')}–${(window.after + window.pairs).toLocaleString('en-US')} | ${window.bareMedian.toFixed(0)} µs | ${window.guardedMedian.toFixed(0)} µs | **${pct(window.guardedMedian - window.bareMedian, window.bareMedian)}** | ${forks.map((share) => `${(share * 100).toFixed(1)}%`).join(', ')} | ${window.bareMean.toFixed(0)} µs | ${window.guardedMean.toFixed(0)} µs | ${pct(window.guardedMean - window.bareMean, window.bareMean)} |`,
    )
    .join('\n');
  const markdown = `# tierguard benchmark results

Run on ${date} UTC, ${machine}. Produced by \`npm run bench\` (bench/run.ts); every figure below comes from that run.

## Pacing

300 chat calls fired at once right after the client is created (nothing warmed), prompts of 8–31
repetitions of a 27-character phrase, \`max_tokens\` 100–299, against servers that enforce 100 requests
and 20,000 tokens per 2 s window per model, each strategy in a fresh process against a fresh server
(bench/pacing/, issue 16). *Ideal*: an omniscient client that knows each call's exact charge and
sends in order as early as both buckets allow, plus one latency for the last answer;
*utilization* = ideal / finish. The pacing section took ${secs(pacing.elapsedMs)}.

![tokens per second](tokens-per-second.svg)

${pacing.markdown}

## The guard's overhead per call

Against an unthrottled server in its own process, from a process of its own (\`bench/overhead-worker.ts\`): bare
and guarded calls alternate, one at a time (gpt-4o-mini; both calls of a pair ask the same: the same short system and user
message every call, a user message of about 230 characters new on every pair — counted by the tokenizer each time, as a
service's prompts are — or a lone "hi"). Two servers: the simulator with no limits,
whose answers carry \`x-ratelimit-*\` headers as OpenAI's do (the guard told limits as large as its own), with the added server
latency in the second column; and the plainest server (\`bench/plain-server.ts\`): one fixed answer at once, no rate-limit headers,
as local model servers and many relays answer (the guard told nothing). Two windows of the same
run: the first calls after ${WARM_UP_PAIRS} pairs of warm-up, and the steady state after ${STEADY_AFTER_PAIRS.toLocaleString('en-US')} pairs. Node 20's V8 compiles a
function with TurboFan only after hundreds to thousands of calls; the guard's own functions run once per guarded call
and reached it between the 500th and the 5,500th (\`node --trace-opt\`), while the SDK's and undici's code, which both
clients share, runs twice as often. The first window shows that warm-up; the steady one, what each call costs after it.
Each configuration runs in ${OVERHEAD_FORKS} processes one after the other: a row shows the process whose overhead (of medians) was
the median of the ${OVERHEAD_FORKS}, and the overhead each process measured, in the order they ran.

| server | server latency | prompt | window | bare (median) | guarded (median) | overhead | every process | bare (mean) | guarded (mean) | overhead |
|---|---|---|---|---|---|---|---|---|---|---|
${overheadRows}

## 100,000 queued calls

${memory.calls.toLocaleString('en-US')} calls submitted at once through \`guard.fetch\` (an in-memory transport) behind a limit of one request, held until all had
queued; then the first answer's headers raised the limit and the queue drained.
With ${memory.waitingAtPeak.toLocaleString('en-US')} calls waiting, the live heap (after a full GC) was **${memory.liveHeapMb.toFixed(0)} MB** (${memory.baselineHeapMb.toFixed(0)} MB before they were
submitted; this includes the caller's own request bodies and promises); the highest heap seen before collection was ${memory.peakHeapMb.toFixed(0)} MB.
All drained in ${secs(memory.drainMs)}, ${memory.served.toLocaleString('en-US')} served, sent in submission order: **${memory.inOrder ? 'yes' : 'no'}**.

## Soak: twice the limit for ten windows

Calls arrive at twice gpt-4o's TPM for ten 3 s windows (a scaled ten minutes) through \`guard(client, { tier: 'tier-1', maxQueued: 200 })\`;
the calls the queue cannot hold are refused locally (\`queue_full\`), the rest are served at the limit.

| window | heap (after GC) | active handles | served so far | 429s in the window | local refusals so far |
|---|---|---|---|---|---|
${soaked.windows.map((window, index) => `| ${index + 1} | ${window.heapMb.toFixed(1)} MB | ${window.handles} | ${window.served} | ${window.refused} | ${window.localRefusals} |`).join('\n')}

Heap from the first to the last window: ${soakGrowth >= 0 ? '+' : ''}${soakGrowth.toFixed(1)} MB; handles: ${handleGrowth >= 0 ? '+' : ''}${handleGrowth}.
${soaked.refused} of ${soaked.requests} requests answered 429 (${pct(soaked.refused, soaked.requests)}).
`;
  writeFileSync(join(root, 'bench/results/latest.md'), markdown);

  // The README shows the main table and the chart, with the machine and date.
  const readmePath = join(root, 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const section = `<!-- bench:start -->\nMeasured by \`npm run bench\` on ${date} UTC (${machine}): a burst of 300 calls fired right after the client is created, against servers that enforce 100 requests and 20,000 tokens per 2 s ([details](bench/results/latest.md)).\n\n${pacing.summary}\n\n![tokens per second](bench/results/tokens-per-second.svg)\n<!-- bench:end -->`;
  if (readme.includes('<!-- bench:start -->'))
    writeFileSync(readmePath, readme.replace(/<!-- bench:start -->[\s\S]*<!-- bench:end -->/, section));
  log(
    `wrote bench/results/latest.md and bench/results/tokens-per-second.svg in ${secs(Date.now() - started)}`,
  );
}

await main();
process.exit(0);
