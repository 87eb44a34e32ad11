/**
 * Fault injection: what can go wrong between a service and the API, and when. Rules fire by seeded
 * rate or by count; `fault-answers.ts` holds what each fault sends.
 */

/** Every fault the simulator can inject. */
export const FAULT_KINDS = [
  'server-error',
  'overloaded',
  'reset',
  'hang',
  'relay-html',
  'malformed-json',
  'no-rate-headers',
  'minus-one-headers',
  'garbage-headers',
  'retry-after-day',
  'rate-limit-no-headers',
  'slow-down',
  'stream-error',
] as const;

/**
 * A fault the simulator can inject:
 * - `server-error`: 500 `server_error` (openai-api.md Table 1 #33);
 * - `overloaded`: 503 `server_is_overloaded` (#35);
 * - `reset`: a 200 whose connection is destroyed after the headers and part of the body;
 * - `hang`: the request is accepted and never answered (until the client gives up or `close()`);
 * - `relay-html`: a proxy's HTML 502 page;
 * - `malformed-json`: a 200 whose JSON (or SSE data) is cut off;
 * - `no-rate-headers`, `minus-one-headers`, `garbage-headers`: the answer is the normal one, its
 *   `x-ratelimit-*` headers absent (openai-node#1477), Azure's -1 (Table 1b), or unparsable;
 * - `retry-after-day`: a 429 per-day refusal with `retry-after: 86400`;
 * - `rate-limit-no-headers`: a relay's own 429, without any of the API's headers;
 * - `slow-down`: 429 `slow_down` (#20);
 * - `stream-error`: a 200 stream that carries an error event after a few deltas (note C,
 *   openai-node#1730); applies to `stream: true` requests only.
 */
export type FaultKind = (typeof FAULT_KINDS)[number];

/** When a fault applies. With no `rate` and no `count` it applies to every matching request. */
export interface FaultRule {
  readonly fault: FaultKind;
  /** Probability per matching request, 0–1, from the simulator's seeded generator. */
  readonly rate?: number;
  /** Fire at most this many times (the next `count` matching requests when there is no `rate`). */
  readonly count?: number;
  /** Let the first `after` matching requests through. */
  readonly after?: number;
  /** Only requests for these models (names as the request writes them). */
  readonly models?: readonly string[];
  /** Only these paths, such as `/v1/chat/completions`. */
  readonly paths?: readonly string[];
}

/** Faults that change the headers of the normal answer instead of replacing it. */
export const HEADER_FAULTS: ReadonlySet<FaultKind> = new Set<FaultKind>([
  'no-rate-headers',
  'minus-one-headers',
  'garbage-headers',
]);

/** What a rule is matched against. */
export interface FaultTarget {
  readonly path: string;
  /** The model the request names, when it names one. */
  readonly model: string | undefined;
  /** The request asked for a stream. */
  readonly stream: boolean;
}

/** The faults that apply to one request. */
export interface PickedFaults {
  /** The fault that replaces the answer, if any (the first rule in order that fired). */
  readonly answer: FaultKind | undefined;
  /** Faults that only change the answer's rate-limit headers. */
  readonly headers: readonly FaultKind[];
}

interface ActiveRule {
  readonly rule: FaultRule;
  seen: number;
  fired: number;
}

const NONE: PickedFaults = { answer: undefined, headers: [] };

/** The rules in force, consulted once per request. */
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

  /**
   * The faults for this request. Every matching rule counts the request (for `after`), but once an
   * answer fault has fired, later answer rules are not consulted, so their `count` is not spent.
   */
  pick(target: FaultTarget): PickedFaults {
    if (this.#rules.length === 0) return NONE;
    let answer: FaultKind | undefined;
    const headers: FaultKind[] = [];
    for (const active of this.#rules) {
      const { rule } = active;
      const headerFault = HEADER_FAULTS.has(rule.fault);
      if (!headerFault && answer !== undefined) continue;
      if (rule.fault === 'stream-error' && !target.stream) continue;
      if (rule.paths !== undefined && !rule.paths.includes(target.path)) continue;
      if (rule.models !== undefined && (target.model === undefined || !rule.models.includes(target.model)))
        continue;
      active.seen += 1;
      if (rule.after !== undefined && active.seen <= rule.after) continue;
      if (rule.count !== undefined && active.fired >= rule.count) continue;
      if (rule.rate !== undefined && this.#random() >= rule.rate) continue;
      active.fired += 1;
      if (headerFault) headers.push(rule.fault);
      else answer = rule.fault;
    }
    return answer === undefined && headers.length === 0 ? NONE : { answer, headers };
  }
}
