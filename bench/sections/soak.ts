/**
 * A soak: calls arrive at twice gpt-4o's TPM for ten scaled windows through
 * `guard(client, { tier: 'tier-1', maxQueued: 200 })` against the simulator in its own process;
 * the heap (after GC) and active handles per window, 429s, local refusals.
 */
import OpenAI from 'openai';
import { built } from '../built.js';
import { startRemoteSimulator } from '../remote-sim.js';

const { createGuard, estimateRequest } = built;

export interface SoakWindow {
  readonly heapMb: number;
  readonly handles: number;
  readonly served: number;
  readonly refused: number;
  readonly localRefusals: number;
}

export interface SoakReport {
  readonly windows: readonly SoakWindow[];
  readonly requests: number;
  readonly refused: number;
}

const TPM = 30_000;
const WINDOW_MS = 3_000;
const WINDOWS = 10;
const PROMPT =
  'Summarize the customer ticket below in one line for the support queue. '.repeat(2) +
  'The customer reports that the invoice for order 1182 shows the wrong shipping address, a duplicate line for the same item, and a total that does not match the quote they received by email last week. '.repeat(
    4,
  );

const gc = (): void => {
  (globalThis as { gc?: () => void }).gc?.();
};

/** Runs the soak (about 30 s). */
export async function runSoakSection(log: (line: string) => void): Promise<SoakReport> {
  const sim = await startRemoteSimulator({
    tier: 'tier-1',
    windowMs: WINDOW_MS,
    latencyMs: { min: 40, max: 100 },
    outputTokens: 120,
    seed: 11,
  });
  const guard = createGuard({ tier: 'tier-1', windowMs: WINDOW_MS, maxQueued: 200 });
  const client = guard.wrap(new OpenAI({ apiKey: 'sk-bench', baseURL: sim.baseURL }));
  const body = { model: 'gpt-4o', messages: [{ role: 'user' as const, content: PROMPT }], max_tokens: 200 };
  const estimate = estimateRequest('chat', body, 'gpt-4o');
  // Twice the TPM: arrivals every (window / (2 × TPM / tokens per call)) ms.
  const intervalMs = WINDOW_MS / ((2 * TPM) / estimate.totalTokens);
  let served = 0;
  let localRefusals = 0;
  const perWindow: SoakWindow[] = [];
  const inFlight = new Set<Promise<unknown>>();
  const end = performance.now() + WINDOWS * WINDOW_MS;
  let nextWindow = performance.now() + WINDOW_MS;
  let lastRefused = 0;
  while (performance.now() < end) {
    const call = client.chat.completions.create(body).then(
      () => (served += 1),
      (error: unknown) => {
        if (
          (error as { status?: number }).status === 429 &&
          /queue is full/.test(String((error as Error).message))
        )
          localRefusals += 1;
      },
    );
    inFlight.add(call);
    void call.finally(() => inFlight.delete(call));
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    if (performance.now() >= nextWindow) {
      nextWindow += WINDOW_MS;
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
  log(
    `soak: ${stats.served} served, ${stats.rateLimited.total} × 429 of ${stats.requests}; heap ${perWindow.map((window) => window.heapMb.toFixed(0)).join(' ')} MB`,
  );
  return { windows: perWindow, requests: stats.requests, refused: stats.rateLimited.total };
}

/** The section in markdown. */
export function soakMarkdown(report: SoakReport): string {
  const growth = (report.windows.at(-1)?.heapMb ?? 0) - (report.windows[0]?.heapMb ?? 0);
  const handles = (report.windows.at(-1)?.handles ?? 0) - (report.windows[0]?.handles ?? 0);
  const share = report.requests === 0 ? 0 : (report.refused / report.requests) * 100;
  return [
    `Calls arrive at twice gpt-4o's TPM for ten ${WINDOW_MS / 1_000} s windows (a scaled ten minutes) through \`guard(client, { tier: 'tier-1', maxQueued: 200 })\`; the calls the queue cannot hold are refused locally (\`queue_full\`), the rest are served at the limit.`,
    '',
    '| window | heap (after GC) | active handles | served so far | 429s in the window | local refusals so far |',
    '|---|---|---|---|---|---|',
    ...report.windows.map(
      (window, index) =>
        `| ${index + 1} | ${window.heapMb.toFixed(1)} MB | ${window.handles} | ${window.served} | ${window.refused} | ${window.localRefusals} |`,
    ),
    '',
    `Heap from the first to the last window: ${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MB; handles: ${handles >= 0 ? '+' : ''}${handles}. ${report.refused} of ${report.requests} requests answered 429 (${share.toFixed(1)} %).`,
  ].join('\n');
}
