/**
 * Fault injection: what can go wrong between a service and the API, by seeded rate or by count.
 */

/** A fault the simulator can inject. */
export type FaultKind =
  | 'server-error'
  | 'overloaded'
  | 'reset'
  | 'hang'
  | 'relay-html'
  | 'malformed-json'
  | 'no-rate-headers'
  | 'minus-one-headers'
  | 'garbage-headers'
  | 'retry-after-day'
  | 'rate-limit-no-headers'
  | 'slow-down'
  | 'stream-error';

/** When a fault applies. */
export interface FaultRule {
  readonly fault: FaultKind;
  /** Probability per matching request, 0–1, from the simulator's seeded generator. */
  readonly rate?: number;
  /** Only the next `count` matching requests. */
  readonly count?: number;
  /** Skip the first `after` matching requests. */
  readonly after?: number;
  /** Only requests for these models. */
  readonly models?: readonly string[];
  /** Only these paths (`/v1/chat/completions`). */
  readonly paths?: readonly string[];
}

/** Faults that replace the answer, and faults that only change its headers. */
export const HEADER_FAULTS: ReadonlySet<FaultKind> = new Set([
  'no-rate-headers',
  'minus-one-headers',
  'garbage-headers',
]);

/** A seeded generator (mulberry32), so that rates are reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface ActiveRule {
  readonly rule: FaultRule;
  seen: number;
  fired: number;
}

/** The faults in force, consulted once per request. */
export class FaultBook {
  readonly #rules: ActiveRule[] = [];
  readonly #random: () => number;

  constructor(rules: readonly FaultRule[], random: () => number) {
    this.#random = random;
    for (const rule of rules) this.add(rule);
  }

  add(rule: FaultRule): void {
    this.#rules.push({ rule, seen: 0, fired: 0 });
  }

  clear(): void {
    this.#rules.length = 0;
  }

  /** The faults that apply to this request (an answer fault and any header faults). */
  pick(path: string, model: string | undefined): FaultKind[] {
    const picked: FaultKind[] = [];
    for (const active of this.#rules) {
      const { rule } = active;
      if (rule.paths !== undefined && !rule.paths.includes(path)) continue;
      if (rule.models !== undefined && (model === undefined || !rule.models.includes(model))) continue;
      active.seen += 1;
      if (rule.after !== undefined && active.seen <= rule.after) continue;
      if (rule.count !== undefined && active.fired >= rule.count) continue;
      if (rule.rate !== undefined && this.#random() >= rule.rate) continue;
      active.fired += 1;
      picked.push(rule.fault);
    }
    return picked;
  }
}
