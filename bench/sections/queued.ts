/**
 * 100,000 calls waiting behind a limit of one request: the memory the guard itself holds per
 * waiting call (issue 15: ≤ 2 KB), then whether the queue drains in submission order.
 *
 * Method. The live heap (after a full GC) is read three times in one process (`--expose-gc`):
 * before anything, with 100,000 *bare* calls pending, and with 100,000 *guarded* calls waiting. A
 * bare call is the same caller code — the same request `init` and body string, the promise and its
 * `.then` — handed to a transport that holds every call until released; so the bare figure is what
 * the caller's own bodies and promises hold, and guarded − bare, divided by the calls, is what the
 * guard adds for each waiting call (its ticket, queue entry, estimate, parsed request). Both runs
 * go through `guard.fetch`'s transport (`fetch` option) in memory: no socket is open.
 */
import { built } from '../built.js';
import { collectGarbage, heapMb } from '../heap.js';

const { createGuard } = built;

export interface QueuedReport {
  readonly calls: number;
  readonly waitingAtPeak: number;
  readonly baselineHeapMb: number;
  /** Live heap with the bare calls pending, and with the guarded calls waiting. */
  readonly bareHeapMb: number;
  readonly guardedHeapMb: number;
  /** (bare − baseline) / calls: what the caller's own requests and promises hold. */
  readonly callerBytesPerCall: number;
  /** (guarded − bare) / calls: what the guard holds per waiting call. */
  readonly guardBytesPerCall: number;
  readonly drainMs: number;
  readonly served: number;
  readonly inOrder: boolean;
}

const CALLS = 100_000;
const URL_OF_CALLS = 'http://127.0.0.1:1/v1/chat/completions';
const ANSWER =
  '{"id":"x","object":"chat.completion","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":1}}';
const HEADERS = {
  'content-type': 'application/json',
  'x-ratelimit-limit-requests': '100000000',
  'x-ratelimit-remaining-requests': '99999999',
  'x-ratelimit-limit-tokens': '100000000000',
  'x-ratelimit-remaining-tokens': '99999999999',
};

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The caller's request, as a service writes it: a new init and body per call. */
const requestOf = (index: number): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'hi' }],
    max_tokens: 1,
    metadata: { n: String(index) },
  }),
});

const answer = (): Response => new Response(ANSWER, { headers: HEADERS });

/**
 * The bare calls' transport: each call is a reaction on one pending promise that keeps the
 * request it was given (as a request in flight does), and nothing else: no suspended frame of its
 * own, so that the bare figure is the caller's requests and promises.
 */
function holdingTransport(): { fetch: typeof fetch; release: () => void } {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const transport = (_input: string | URL | Request, init?: RequestInit) =>
    gate.then(() => (init === undefined ? answer() : answer()));
  return { fetch: transport as typeof fetch, release };
}

/** The guarded calls' transport: the first call is held until `release()`; the order of sends is kept. */
function firstHeldTransport(): { fetch: typeof fetch; release: () => void; order: number[] } {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const order: number[] = [];
  const transport = (async (_input: string | URL | Request, init?: RequestInit) => {
    const n = Number((JSON.parse(String(init?.body)) as { metadata?: { n?: string } }).metadata?.n);
    order.push(n);
    if (n === 0) await gate;
    return answer();
  }) as typeof fetch;
  return { fetch: transport, release, order };
}

/** Runs the section (needs `--expose-gc`). */
export async function runQueuedSection(log: (line: string) => void): Promise<QueuedReport> {
  collectGarbage();
  const baselineHeapMb = heapMb();

  // The caller's own share: the same calls, pending on a transport that holds them all.
  const bare = holdingTransport();
  let pending: Promise<unknown>[] = [];
  for (let index = 0; index < CALLS; index += 1)
    pending.push(bare.fetch(URL_OF_CALLS, requestOf(index)).then((response) => response.text()));
  collectGarbage();
  const bareHeapMb = heapMb();
  bare.release();
  await Promise.all(pending);
  pending = [];
  collectGarbage();

  // The guarded calls: the limit starts at one request; the first call's answer is held until
  // every call is queued, and then says the limit is far higher, so the queue drains at once.
  const held = firstHeldTransport();
  const guard = createGuard({ limits: { '*': { requests: 1, tokens: 1e12 } }, fetch: held.fetch });
  for (let index = 0; index < CALLS; index += 1)
    pending.push(guard.fetch(URL_OF_CALLS, requestOf(index)).then((response) => response.text()));
  for (let tries = 0; tries < 600 && guard.stats().waiting < CALLS - 1; tries += 1) await tick(50);
  const waitingAtPeak = guard.stats().waiting;
  collectGarbage();
  const guardedHeapMb = heapMb();
  const at = performance.now();
  held.release();
  const results = await Promise.allSettled(pending);
  const drainMs = performance.now() - at;
  await guard.close();
  const inOrder = held.order.every(
    (value, index) => index === 0 || value > (held.order[index - 1] as number),
  );
  const served = results.filter((result) => result.status === 'fulfilled').length;
  const report: QueuedReport = {
    calls: CALLS,
    waitingAtPeak,
    baselineHeapMb,
    bareHeapMb,
    guardedHeapMb,
    callerBytesPerCall: ((bareHeapMb - baselineHeapMb) * 1_048_576) / CALLS,
    guardBytesPerCall: ((guardedHeapMb - bareHeapMb) * 1_048_576) / CALLS,
    drainMs,
    served,
    inOrder,
  };
  log(
    `100,000 queued: ${waitingAtPeak} waiting; caller's own ${report.callerBytesPerCall.toFixed(0)} B a call, the guard's ${report.guardBytesPerCall.toFixed(0)} B a waiting call; drained in ${(drainMs / 1_000).toFixed(1)} s, ${served} served, in order: ${inOrder}`,
  );
  return report;
}

/** The section in markdown. */
export function queuedMarkdown(report: QueuedReport): string {
  const mb = (value: number): string => `${value.toFixed(1)} MB`;
  return [
    `${report.calls.toLocaleString('en-US')} calls submitted at once through \`guard.fetch\` (an in-memory transport) behind a limit of one request, held until all had queued; then the first answer's headers raised the limit and the queue drained. The same ${report.calls.toLocaleString('en-US')} calls were first made bare — the same request objects and body strings, the same promise and \`.then\`, handed to a transport that held them all — so that what the caller's own requests and promises hold can be subtracted: the guard's bytes per waiting call = (live heap with the guarded calls waiting − live heap with the bare calls pending) / calls, each heap read after a full GC.`,
    '',
    '| | live heap | per call |',
    '|---|---|---|',
    `| before any call | ${mb(report.baselineHeapMb)} | |`,
    `| ${report.calls.toLocaleString('en-US')} bare calls pending (the caller's own) | ${mb(report.bareHeapMb)} | ${report.callerBytesPerCall.toFixed(0)} B |`,
    `| ${report.waitingAtPeak.toLocaleString('en-US')} guarded calls waiting | ${mb(report.guardedHeapMb)} | **${report.guardBytesPerCall.toFixed(0)} B** held by the guard |`,
    '',
    `All drained in ${(report.drainMs / 1_000).toFixed(1)} s, ${report.served.toLocaleString('en-US')} served, sent in submission order: **${report.inOrder ? 'yes' : 'no'}**.`,
  ].join('\n');
}
