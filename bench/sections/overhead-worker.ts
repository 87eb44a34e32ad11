/**
 * The guard's own time per call, in a process of its own (started by bench/sections/overhead.ts):
 * bare and guarded calls alternate one at a time, each with a new prompt, against loopback servers
 * in this same process — one that answers at once and one that answers after 50 ms. Prints one
 * JSON line (`OverheadForkResult`).
 *
 *   node --import tsx bench/sections/overhead-worker.ts '{"warmUpPairs":2000,"pairs":3000,"slowPairs":300}'
 */
import OpenAI from 'openai';
import { built } from '../built.js';
import { startLoopbackServer } from '../loopback-server.js';
import { percentile } from '../stats.js';

const { createGuard } = built;

/** How many pairs to run, and the slow server's latency. */
export interface OverheadPlan {
  /** Pairs against the 0 ms server before measuring (V8 compiles both paths meanwhile). */
  readonly warmUpPairs: number;
  /** Measured pairs against the 0 ms server. */
  readonly pairs: number;
  /** Measured pairs against the slow server (after the others: the process is warm). */
  readonly slowPairs: number;
  /** The slow server's latency, ms. */
  readonly slowMs: number;
}

/** One server's pairs, in µs. */
export interface PairStats {
  readonly pairs: number;
  readonly bareMedianUs: number;
  readonly guardedMedianUs: number;
  /** Median over the pairs of (guarded − bare): the time the guard adds to a call. */
  readonly addedMedianUs: number;
  readonly addedP25Us: number;
  readonly addedP75Us: number;
  /**
   * Mean of (guarded − bare) without the highest and lowest 10 %. Against the slow server this is
   * the figure to read: Node's timers fire on a millisecond clock, so the server's 50 ms is 50 or
   * 51, and a few µs more before the request arrives move some calls to the next millisecond — the
   * median of the differences jumps between 0 and 1 ms, while their mean is the added time.
   */
  readonly addedTrimmedMeanUs: number;
  /** The process's CPU time during a bare call (median), and what a guarded call adds to it (trimmed mean). */
  readonly bareCpuUs: number;
  readonly addedCpuUs: number;
}

export interface OverheadForkResult {
  readonly fast: PairStats;
  readonly slow: PairStats;
}

const HEADERS = {
  'content-type': 'application/json',
  // As the API sends them, with limits far above what the loop can use: the guard reads them on
  // every answer, and nothing ever waits.
  'x-ratelimit-limit-requests': '1000000000',
  'x-ratelimit-remaining-requests': '999999999',
  'x-ratelimit-reset-requests': '1ms',
  'x-ratelimit-limit-tokens': '1000000000000',
  'x-ratelimit-remaining-tokens': '999999999000',
  'x-ratelimit-reset-tokens': '1ms',
};

/** A loopback server answering every POST with the same chat completion after `latencyMs`. */
export const startServer = (latencyMs: number) =>
  startLoopbackServer({
    content: 'Paris.',
    promptTokens: 64,
    completionTokens: 2,
    headers: HEADERS,
    latencyMs,
  });

let prompts = 0;
/** A user message of about 230 characters that no earlier call sent. */
const newBody = () => {
  prompts += 1;
  return {
    model: 'gpt-4o-mini',
    messages: [
      { role: 'system' as const, content: 'You are a helpful assistant that answers briefly.' },
      {
        role: 'user' as const,
        content: `Question ${prompts}: ${'Name the capital of one country and answer in a single word. '.repeat(3)}`,
      },
    ],
    max_tokens: 20,
  };
};

const cpuUs = (): number => {
  const used = process.cpuUsage();
  return used.user + used.system;
};

/** One call: its wall time and the process's CPU time meanwhile, µs. */
async function timed(client: OpenAI): Promise<[number, number]> {
  const body = newBody();
  const cpuAt = cpuUs();
  const at = performance.now();
  await client.chat.completions.create(body);
  return [(performance.now() - at) * 1_000, cpuUs() - cpuAt];
}

/** The mean of `values` without their highest and lowest 10 %. */
function trimmedMean(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const kept = sorted.slice(Math.floor(sorted.length * 0.1), Math.ceil(sorted.length * 0.9));
  return kept.reduce((sum, value) => sum + value, 0) / Math.max(1, kept.length);
}

/** `pairs` alternating pairs (which of the two goes first alternates too). */
export async function runPairs(bare: OpenAI, guarded: OpenAI, pairs: number): Promise<PairStats> {
  const bareUs: number[] = [];
  const guardedUs: number[] = [];
  const bareCpu: number[] = [];
  const guardedCpu: number[] = [];
  const one = async (client: OpenAI, wall: number[], cpu: number[]): Promise<void> => {
    const [wallUs, cpuUsed] = await timed(client);
    wall.push(wallUs);
    cpu.push(cpuUsed);
  };
  for (let index = 0; index < pairs; index += 1) {
    if (index % 2 === 0) {
      await one(bare, bareUs, bareCpu);
      await one(guarded, guardedUs, guardedCpu);
    } else {
      await one(guarded, guardedUs, guardedCpu);
      await one(bare, bareUs, bareCpu);
    }
  }
  const added = guardedUs.map((guardedTime, index) => guardedTime - (bareUs[index] as number));
  const addedCpu = guardedCpu.map((used, index) => used - (bareCpu[index] as number));
  return {
    pairs,
    bareMedianUs: percentile(bareUs, 0.5),
    guardedMedianUs: percentile(guardedUs, 0.5),
    addedMedianUs: percentile(added, 0.5),
    addedP25Us: percentile(added, 0.25),
    addedP75Us: percentile(added, 0.75),
    addedTrimmedMeanUs: trimmedMean(added),
    bareCpuUs: percentile(bareCpu, 0.5),
    addedCpuUs: trimmedMean(addedCpu),
  };
}

/** Measures one fork's pairs against both servers. */
export async function measureOverhead(plan: OverheadPlan): Promise<OverheadForkResult> {
  const fastServer = await startServer(0);
  const slowServer = await startServer(plan.slowMs);
  // One guard, as a service has one; told limits as large as the servers say.
  const guard = createGuard({ limits: { '*': { requests: 1e9, tokens: 1e12 } } });
  try {
    const clients = (baseURL: string) => ({
      bare: new OpenAI({ apiKey: 'sk-bench', baseURL }),
      guarded: guard.wrap(new OpenAI({ apiKey: 'sk-bench', baseURL })),
    });
    const fastClients = clients(fastServer.baseURL);
    await runPairs(fastClients.bare, fastClients.guarded, plan.warmUpPairs);
    const fast = await runPairs(fastClients.bare, fastClients.guarded, plan.pairs);
    const slowClients = clients(slowServer.baseURL);
    const slow = await runPairs(slowClients.bare, slowClients.guarded, plan.slowPairs);
    return { fast, slow };
  } finally {
    await guard.close();
    for (const { server } of [fastServer, slowServer]) {
      server.closeAllConnections();
      server.close();
    }
  }
}

if (process.argv[1]?.endsWith('overhead-worker.ts')) {
  const plan = JSON.parse(process.argv[2] ?? '{}') as Partial<OverheadPlan>;
  const result = await measureOverhead({
    warmUpPairs: plan.warmUpPairs ?? 2_000,
    pairs: plan.pairs ?? 3_000,
    slowPairs: plan.slowPairs ?? 300,
    slowMs: plan.slowMs ?? 50,
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}
