/**
 * An answer's `remaining` is the server's level when it counted the call — one latency ago for a
 * slow model. Brought up to now, it is what the server's own bucket did since: refill, capped at
 * the capacity, less every call this process sent after it (as the server counts them now that
 * the lane knows its scale), in the order they left. Used when a lane first learns a bucket from
 * an answer (`tier: 'auto'`): the calls it sent while it knew nothing are in no bucket, and a
 * ramp that sent little at first left the server's bucket at its cap, losing refill.
 *
 * Calls sent within `CONCURRENT_MS` of the answered one may have reached the server before it
 * (requests sent together arrive in any order): they are not subtracted, so the level is never
 * lowered for them twice.
 */
import type { Lane, Ticket } from './lane.js';

const CONCURRENT_MS = 20;

/** The server's level of `dimension` now, from what it said was left after `ticket`'s call. */
export function replayLevel(
  lane: Lane,
  ticket: Ticket,
  dimension: 'requests' | 'tokens',
  remaining: number,
  nowMs: number,
): number | undefined {
  const limit = lane.limits.get(dimension);
  if (limit === undefined) return undefined;
  const ratePerMs = limit.capacity / limit.windowMs;
  let level = remaining;
  let atMs = ticket.send.atMs;
  for (const record of lane.sends) {
    if (record.uncounted || record.atMs <= ticket.send.atMs + CONCURRENT_MS) continue;
    const sentAtMs = Math.max(atMs, record.atMs);
    level =
      Math.min(limit.capacity, level + ratePerMs * (sentAtMs - atMs)) -
      lane.amountOf(record.estimate, dimension);
    atMs = sentAtMs;
  }
  return Math.min(limit.capacity, level + ratePerMs * Math.max(0, nowMs - atMs));
}
