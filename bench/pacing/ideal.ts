/**
 * The ideal a pacing row is measured against: an omniscient client that knows each call's exact
 * charge and the server's buckets, and sends in order (FIFO) each call as early as both buckets
 * allow — full at the start, refilled continuously. Its finish is the last send plus one latency
 * (the last answer). Nothing can be served sooner without a 429.
 */
import type { Limits } from './workload.js';

/** When an omniscient client sends each call (ms from the start), in order. */
export function idealSendTimes(charges: readonly number[], limits: Limits): number[] {
  const requestsPerMs = limits.requests / limits.windowMs;
  const tokensPerMs = limits.tokens / limits.windowMs;
  let requests = limits.requests;
  let tokens = limits.tokens;
  let atMs = 0;
  const times: number[] = [];
  for (const charge of charges) {
    if (charge > limits.tokens) throw new Error(`a call of ${charge} tokens never fits ${limits.tokens}`);
    const waitMs = Math.max(0, (1 - requests) / requestsPerMs, (charge - tokens) / tokensPerMs);
    requests = Math.min(limits.requests, requests + waitMs * requestsPerMs) - 1;
    tokens = Math.min(limits.tokens, tokens + waitMs * tokensPerMs) - charge;
    atMs += waitMs;
    times.push(atMs);
  }
  return times;
}

/** The least time the limits allow for the calls, plus one latency for the last answer. */
export function idealFinishMs(charges: readonly number[], limits: Limits, latencyMs: number): number {
  return (idealSendTimes(charges, limits).at(-1) ?? 0) + latencyMs;
}
