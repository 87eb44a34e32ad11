/**
 * What a pacing row reports, computed from what the client measured (each call's submit and
 * settle times) and what the server recorded (each arrival): served, failed, requests sent, 429s,
 * finish time against the ideal, latency percentiles, and arrivals per 0.5 s bin.
 */
import { percentile } from '../stats.js';
import type { CallResult } from './client.js';
import type { ServerArrival } from './servers.js';

export const BIN_MS = 500;
export const BINS = 10;

/** How many of `timesMs` fall in each 0.5 s bin: the first `count` bins (default: up to the last time). */
export function binsOf(timesMs: readonly number[], count?: number): number[] {
  const length = count ?? Math.floor(Math.max(0, ...timesMs) / BIN_MS) + 1;
  const bins = new Array<number>(length).fill(0);
  for (const atMs of timesMs) {
    const bin = Math.floor(atMs / BIN_MS);
    if (bin >= 0 && bin < length) bins[bin] = (bins[bin] ?? 0) + 1;
  }
  return bins;
}

/** One burst row. */
export interface BurstRow {
  readonly server: string;
  readonly latency: string;
  readonly strategy: string;
  readonly calls: number;
  readonly served: number;
  readonly failed: number;
  /** Requests that reached the server (retries included). */
  readonly requests: number;
  readonly refused: number;
  /** From the client's start (or, for processes sharing Redis, the server's first arrival) to the last answer. */
  readonly finishMs: number;
  readonly idealMs: number;
  /** Latency of each call from the start: the 50th and 99th percentiles. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Arrivals at the server per 0.5 s from the start, for the first 5 s. */
  readonly bins: readonly number[];
  /** The same, to the last arrival. */
  readonly allBins: readonly number[];
  /** What the server charged the served calls differs from the charges the ideal assumed. */
  readonly chargeMismatch: string | undefined;
}

/** What a burst run produced. */
export interface BurstRun {
  readonly server: string;
  readonly latency: string;
  readonly strategy: string;
  /** Wall-clock ms of the start every time is counted from. */
  readonly startedAtMs: number;
  /** Each call, times in ms from `startedAtMs`. */
  readonly calls: readonly CallResult[];
  readonly arrivals: readonly ServerArrival[];
  /** The exact charge of each call of the workload, and the ideal finish for them. */
  readonly charges: readonly number[];
  readonly idealMs: number;
}

/** The sum of what the server charged, checked against the charges the ideal assumed. */
function checkCharges(run: BurstRun, served: number): string | undefined {
  if (served !== run.calls.length) return undefined;
  const expected = run.charges.reduce((sum, charge) => sum + charge, 0);
  const charged = run.arrivals.reduce((sum, arrival) => sum + arrival.charged, 0);
  return charged === expected ? undefined : `server charged ${charged} tokens, the ideal assumed ${expected}`;
}

export function burstRow(run: BurstRun): BurstRow {
  const served = run.calls.filter((call) => call.ok).length;
  const settled = run.calls.map((call) => call.settledMs);
  return {
    server: run.server,
    latency: run.latency,
    strategy: run.strategy,
    calls: run.calls.length,
    served,
    failed: run.calls.length - served,
    requests: run.arrivals.length,
    refused: run.arrivals.filter((arrival) => arrival.refused).length,
    finishMs: Math.max(0, ...settled),
    idealMs: run.idealMs,
    p50Ms: percentile(settled, 0.5),
    p99Ms: percentile(settled, 0.99),
    bins: binsOf(
      run.arrivals.map((arrival) => arrival.atMs - run.startedAtMs),
      BINS,
    ),
    allBins: binsOf(run.arrivals.map((arrival) => arrival.atMs - run.startedAtMs)),
    chargeMismatch: checkCharges(run, served),
  };
}

/** One steady-load row: latency of each call from its own submission. */
export interface SteadyRow {
  readonly strategy: string;
  readonly load: string;
  readonly calls: number;
  readonly served: number;
  readonly failed: number;
  readonly requests: number;
  readonly refused: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** p99 of the calls submitted after the first window: what is left once the start is over. */
  readonly p99AfterFirstWindowMs: number;
}

export function steadyRow(
  strategy: string,
  load: string,
  calls: readonly CallResult[],
  arrivals: readonly ServerArrival[],
  windowMs: number,
): SteadyRow {
  const latencies = calls.map((call) => call.settledMs - call.submittedMs);
  const later = calls
    .filter((call) => call.submittedMs >= windowMs)
    .map((call) => call.settledMs - call.submittedMs);
  const served = calls.filter((call) => call.ok).length;
  return {
    strategy,
    load,
    calls: calls.length,
    served,
    failed: calls.length - served,
    requests: arrivals.length,
    refused: arrivals.filter((arrival) => arrival.refused).length,
    p50Ms: percentile(latencies, 0.5),
    p90Ms: percentile(latencies, 0.9),
    p99Ms: percentile(latencies, 0.99),
    maxMs: Math.max(0, ...latencies),
    p99AfterFirstWindowMs: percentile(later, 0.99),
  };
}
