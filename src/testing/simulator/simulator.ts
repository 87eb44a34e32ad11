/**
 * `createSimulator(options)`: an OpenAI-compatible HTTP server on 127.0.0.1 that behaves like the
 * API for the account its options describe — the tier's limits enforced with the API's statuses,
 * bodies and `x-ratelimit-*` headers; billing, credit, spend limits, region, verification and model
 * access; injected faults. The embedded server of tierguard's demo, examples, tests and benchmark.
 *
 * The request's way is in `pipeline.ts`; this file builds the state and the handle.
 */
import { AccountBook } from './account.js';
import { ModelCatalogue } from './catalogue.js';
import { FaultBook, type FaultRule } from './faults.js';
import { RateLimiter } from './limiter.js';
import { parseAccountPatch, type SimulatorAccount, type SimulatorAccountPatch } from './account-options.js';
import { parseFaultRule, parseSimulatorOptions, type SimulatorOptions } from './options.js';
import { handleCall, internalError, type SimulatorState } from './pipeline.js';
import { seededRandom } from './random.js';
import { startServer } from './server.js';
import { StatsRecorder, type SimulatorStats } from './stats.js';

/** A running simulator. */
export interface Simulator {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** `url + '/v1'`: pass it to `new OpenAI({ baseURL })`. */
  readonly baseURL: string;
  readonly port: number;
  /** A snapshot of the counts (a copy). */
  stats(): SimulatorStats;
  /** Starts the counts (and the timeline's clock) afresh; limits, credit and spend stay as they are. */
  resetStats(): void;
  /** The account as it stands (credit left, spend so far). */
  account(): SimulatorAccount;
  /** Changes the account mid-run (credit runs out, billing is fixed…); `undefined`/`null` resets a field. */
  setAccount(patch: SimulatorAccountPatch): void;
  /** Adds a fault rule at run time. */
  inject(rule: FaultRule): void;
  /** Removes every fault rule. */
  clearFaults(): void;
  /** Stops the server and destroys every open connection (hanging calls end). */
  close(): Promise<void>;
}

/** Starts a simulator on 127.0.0.1. Options are checked first: a bad one throws `TierguardOptionsError`. */
export async function createSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const resolved = parseSimulatorOptions(options);
  const state: SimulatorState = {
    options: resolved,
    account: new AccountBook(resolved.account),
    catalogue: new ModelCatalogue(resolved.tier, resolved.limits),
    limiter: new RateLimiter(resolved.windowMs),
    faults: new FaultBook(resolved.faults, seededRandom(resolved.seed)),
    stats: new StatsRecorder(resolved.timelineLimit, resolved.now()),
    // A second stream, so that drawing latencies never changes which requests a fault picks.
    latencyRandom: seededRandom(resolved.seed ^ 0x9e3779b9),
    headerRandom: seededRandom(resolved.seed ^ 0x85ebca6b),
    sequence: 0,
  };
  const server = await startServer(
    resolved.port,
    (call, reply) => handleCall(state, call, reply),
    internalError,
  );
  state.stats.reset(resolved.now());
  const url = `http://127.0.0.1:${server.port}`;
  return {
    url,
    baseURL: `${url}/v1`,
    port: server.port,
    stats: () => state.stats.snapshot(),
    resetStats: () => state.stats.reset(resolved.now()),
    account: () => state.account.current,
    setAccount: (patch) => state.account.patch(parseAccountPatch(patch)),
    inject: (rule) => state.faults.add(parseFaultRule(rule)),
    clearFaults: () => state.faults.clear(),
    close: () => server.close(),
  };
}

export type { SimulatorAccount, SimulatorAccountPatch, SimulatorOptions, SimulatorStats };
