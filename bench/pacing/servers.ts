/**
 * The servers the pacing rows run against, each in a process of its own and fresh for every run
 * (full buckets, nothing learned): the independent token-bucket server (`bench/servers/`) charging
 * characters / 4 (close to what a tokenizer counts of English) or / 3 (a third more, unknown to the
 * client), and tierguard's simulator in its token mode and in modes that differ from the guard's
 * assumptions. Every mode enforces `LIMITS` and knows the exact charge of each call, for the ideal.
 */
import { countRequest } from '../../src/testing/simulator/tokens.js';
import type { SimulatorOptions, SimulatorStats } from '../../src/testing/index.js';
import type { Arrival } from '../servers/token-bucket.js';
import { startServerProcess } from './processes.js';
import { LIMITS, promptCharacters, type Job } from './workload.js';

/** One arrival at a server, on the wall clock (ms), whatever the server. */
export interface ServerArrival {
  readonly atMs: number;
  readonly refused: boolean;
  /** What the server charged a served call (0 when refused). */
  readonly charged: number;
}

/** A server running for one run. */
export interface RunningServer {
  readonly baseURL: string;
  arrivals(): Promise<ServerArrival[]>;
  close(): Promise<void>;
}

/** A kind of server, at any latency. */
export interface ServerMode {
  /** What the tables say. */
  readonly label: string;
  /** What it does, for the legend. */
  readonly description: string;
  /** The latency the rows quote for it, given the row's nominal one (a spread's median). */
  readonly latencyLabel: (latencyMs: number) => string;
  /** The server's exact charge for a job (what an omniscient client would know). */
  charge(job: Job): Promise<number>;
  start(latencyMs: number): Promise<RunningServer>;
}

const now = (): number => performance.timeOrigin + performance.now();

function tokenBucket(charactersPerToken: number): ServerMode {
  return {
    label: `independent server, characters / ${charactersPerToken}`,
    description: `bench/servers/token-bucket.ts: charges ceil(prompt characters / ${charactersPerToken}) + max_tokens on arrival; floored \`remaining\` on every answer; 429 with \`retry-after-ms\`; no \`openai-processing-ms\``,
    latencyLabel: (latencyMs) => `${latencyMs} ms`,
    charge: async (job) => Math.ceil(promptCharacters(job) / charactersPerToken) + job.max_tokens,
    start: async (latencyMs) => {
      const server = await startServerProcess('bench/servers/token-bucket-main.ts', [
        JSON.stringify({
          requestsPerWindow: LIMITS.requests,
          tokensPerWindow: LIMITS.tokens,
          windowMs: LIMITS.windowMs,
          charactersPerToken,
          latencyMs,
        }),
      ]);
      return {
        baseURL: server.first.baseURL as string,
        arrivals: async () =>
          (JSON.parse(await server.ask({ op: 'arrivals' })) as Arrival[]).map((arrival) => ({
            atMs: arrival.atMs,
            refused: arrival.refused !== null,
            charged: arrival.refused === null ? arrival.charge : 0,
          })),
        close: () => server.close(),
      };
    },
  };
}

/** The simulator's options of a mode, at a latency. */
type SimulatorModeOptions = (latencyMs: number) => SimulatorOptions;

function simulator(
  label: string,
  description: string,
  options: SimulatorModeOptions,
  charactersPerToken: number | undefined,
  latencyLabel: (latencyMs: number) => string = (latencyMs) => `${latencyMs} ms`,
): ServerMode {
  return {
    label,
    description,
    latencyLabel,
    charge: async (job) =>
      charactersPerToken === undefined
        ? (await countRequest('chat', job as unknown as Record<string, unknown>, 'o200k_base', 1_024))
            .promptTokens + job.max_tokens
        : Math.ceil(promptCharacters(job) / charactersPerToken) + job.max_tokens,
    start: async (latencyMs) => {
      const server = await startServerProcess('bench/sim-server.ts', [
        JSON.stringify({
          tier: 'tier-1',
          windowMs: LIMITS.windowMs,
          limits: { '*': { requests: LIMITS.requests, tokens: LIMITS.tokens } },
          outputTokens: 20,
          seed: 16,
          ...options(latencyMs),
        } satisfies SimulatorOptions),
      ]);
      const baseURL = server.first.baseURL as string;
      // The server's tokenizer loads on its first count: loaded before the run, on another model's
      // budget (gpt-4o), as a server that has been up for a while has it.
      await fetch(`${baseURL}/chat/completions`, {
        method: 'POST',
        headers: { authorization: 'Bearer sk-warm', 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'gpt-4o',
          messages: [{ role: 'user', content: 'warm' }],
          max_tokens: 1,
        }),
      }).then((response) => response.text());
      // The timeline counts from the reset: its wall-clock origin is the middle of the round trip.
      const before = now();
      await server.ask({ op: 'reset' });
      const originMs = (before + now()) / 2;
      return {
        baseURL,
        arrivals: async () =>
          (JSON.parse(await server.ask({ op: 'stats' })) as SimulatorStats).timeline.map((entry) => ({
            atMs: originMs + entry.atMs,
            refused: entry.status === 429,
            charged: entry.status === 200 ? entry.tokens : 0,
          })),
        close: () => server.close(),
      };
    },
  };
}

/** Every server mode, by the name the flags use. */
export const SERVER_MODES = {
  'bucket/4': tokenBucket(4),
  'bucket/3': tokenBucket(3),
  'sim/tokens': simulator(
    'simulator, tokens',
    "tierguard's simulator as it is: the tokenizer's count + max_tokens, full headers, `openai-processing-ms`",
    (latencyMs) => ({ latencyMs }),
    undefined,
  ),
  'sim/chars3-sparse': simulator(
    'simulator, characters / 3, 30 % headers, reset in whole s',
    'the simulator charging ceil(characters / 3) + max_tokens, `x-ratelimit-*` on a seeded 30 % of answers, `x-ratelimit-reset-*` rounded up to whole seconds',
    (latencyMs) => ({
      latencyMs,
      promptCount: { charactersPerToken: 3 },
      rateLimitHeaders: { share: 0.3 },
      resetGranularityMs: 1_000,
    }),
    3,
  ),
  'sim/spread': simulator(
    'simulator, tokens, log-normal latency',
    'the simulator in its token mode with a log-normal latency: median L, 90th percentile 2.5 L, at most 10 L',
    (latencyMs) => ({ latencyMs: { median: latencyMs, p90: 2.5 * latencyMs, max: 10 * latencyMs } }),
    undefined,
    (latencyMs) => `median ${latencyMs} ms`,
  ),
} as const satisfies Record<string, ServerMode>;

export type ServerName = keyof typeof SERVER_MODES;
