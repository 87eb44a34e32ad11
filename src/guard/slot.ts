/**
 * What an attempt holds while it is out: its pacing ticket (sent, taught by the answer, finished),
 * or with `pacing: false` only a place among the calls in flight.
 */
import type { Lane } from '../pacing/lane.js';
import type { Observation, Pacer, Ticket } from '../pacing/pacer.js';
import { readableBase } from '../pacing/lane-setup.js';

/** What an attempt holds while it is out: its pacing ticket, or (with `pacing: false`) a count. */
export interface Slot {
  /** The limit key events name: the lane's label, or with `pacing: false` the host and model. */
  readonly key: string;
  readonly lane: Lane | undefined;
  /** Tokens taken from the lane's bucket (0 without pacing). */
  readonly reservedTokens: number;
  sent(): void;
  learn(observation: Observation): void;
  /** Ends the attempt: `reachedApi: false` gives a reservation back. Once only. */
  finish(reachedApi: boolean): void;
}

export function pacedSlot(pacer: Pacer, ticket: Ticket, lane: Lane): Slot {
  return {
    key: lane.label,
    lane,
    reservedTokens: ticket.amounts.tokens ?? 0,
    sent: () => pacer.sent(ticket),
    learn: (observation) => pacer.observe(ticket, observation),
    finish: (reachedApi) => pacer.finish(ticket, reachedApi),
  };
}

/** An attempt sent without admission: counted in flight until it ends, nothing learned. */
export function unpacedSlot(
  unpaced: { inFlight: number },
  secrets: readonly string[],
  baseURL: string,
  model: string | undefined,
): Slot {
  let out = false;
  return {
    key: `${readableBase(baseURL, secrets)}|${model ?? '*'}`,
    lane: undefined,
    reservedTokens: 0,
    sent: () => {
      out = true;
      unpaced.inFlight += 1;
    },
    learn: () => undefined,
    finish: () => {
      if (out) unpaced.inFlight -= 1;
      out = false;
    },
  };
}
