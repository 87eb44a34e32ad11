/**
 * An answer's `remaining` is the server's level when it counted the call — one latency ago for a
 * slow model. Brought up to now, it is what the server's own bucket did since: refill, capped at
 * the capacity, less every call this process sent after it (as the server counts them now that
 * the lane knows its scale), in the order they left. Used when a lane first learns a bucket from
 * an answer (`tier: 'auto'`): the calls it sent while it knew nothing are in no bucket, and a
 * ramp that sent little at first left the server's bucket at its cap, losing refill.
 *
 * Calls sent together reach the server in any order, so `remaining` may or may not count the
 * others of a burst: every call sent after the answered one is subtracted, and so is every call
 * sent before it that is still unanswered. Counting a call twice costs a moment's wait until a
 * later answer raises the level; counting it not at all costs a 429 (four calls sent at once to a
 * server allowing six: the first answer said 5 left, and the lane sent five more).
 */
import type { Lane, SendRecord, Ticket } from './lane.js';

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
  const pending = new Set<SendRecord>();
  for (const other of lane.unanswered) if (other !== ticket) pending.add(other.send);
  let level = remaining;
  let atMs = ticket.send.atMs;
  for (const record of lane.sends) {
    if (record.uncounted || record === ticket.send) continue;
    if (record.sequence < ticket.send.sequence && !pending.has(record)) continue;
    const sentAtMs = Math.max(atMs, record.atMs);
    level =
      Math.min(limit.capacity, level + ratePerMs * (sentAtMs - atMs)) -
      lane.amountOf(record.estimate, dimension);
    atMs = sentAtMs;
  }
  return Math.min(limit.capacity, level + ratePerMs * Math.max(0, nowMs - atMs));
}
