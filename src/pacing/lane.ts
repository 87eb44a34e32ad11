/**
 * One limit key's lane: its limits (per dimension, with where each came from), its FIFO of
 * waiting calls, the calls it has in flight, and what it is learning about the server. The pacer
 * (`pacer.ts`) drives lanes; the rules of learning live in `learning.ts`.
 */
import type { Tier } from '../data/tiers.js';
import type { ResolvedModel } from '../models/resolve.js';
import { AdmissionQueue, type HeldBy } from './admission-queue.js';
import type { RequestEstimate } from '../tokens/estimate.js';
import type { BucketSnapshot, Dimension, LimitSource, TakeItem } from './types.js';

/** What a call takes from each bucket of its lane. */
export type Amounts = Partial<Record<Dimension, number>>;

/** One dimension's limit, and how sure the lane is of it. */
export interface DimensionLimit {
  capacity: number;
  windowMs: number;
  source: LimitSource;
  /**
   * Answers whose headers said this capacity in a row. A capacity heard once may be a proxy's
   * glitch: it paces, but never refuses a call before sending (`Lane.tooLarge`).
   */
  confirmations: number;
}

/** What the lane is learning about how the server counts. */
export interface LaneLearning {
  /** Server-counted prompt tokens / our estimate, learned from `usage` (a moving average). */
  promptScale: number;
  /** Usage samples the scale was learned from. */
  scaleSamples: number;
  /** An answer has said how the server counted a prompt (`usage`): the estimates are no longer a guess. */
  usageSeen: boolean;
  /**
   * Only answers of calls admitted after this admission may raise a level: the prompt scale changed
   * markedly since the older ones were taken, or the server refused a call (the lane's view was off).
   */
  raiseAfter: number;
  /** Window estimates from reset headers, both buckets pooled (`learning.ts` adopts their median). */
  readonly windowSamples: number[];
  /** The window was given by the caller: never inferred. */
  readonly windowFixed: boolean;
  /** No answer of this lane has carried rate-limit headers yet. */
  headerless: boolean;
  tierDetected: Tier | undefined;
  /** The (requests, tokens) pair last looked up in the tier table. */
  tierChecked: string | undefined;
}

/** Per limit key, what `stats()` shows. */
export interface LaneStats {
  /** A readable limit key: host and path of the base URL, organization, project, account, family. */
  readonly key: string;
  readonly family: string;
  readonly waiting: number;
  readonly inFlight: number;
  /** The bound on calls in flight; `null` when the buckets alone pace the key. */
  readonly concurrency: number | null;
  readonly buckets: Readonly<Partial<Record<Dimension, BucketSnapshot & { readonly source: LimitSource }>>>;
  readonly rateLimited: number;
  readonly pausedForMs: number;
  readonly tier?: Tier;
}

/** One call this process sent on a lane: when, and whether the server counted it. */
export interface SendRecord {
  /** The call's place among the lane's admissions. */
  readonly sequence: number;
  readonly estimate: RequestEstimate;
  /** When it was admitted, then when it left for the server. */
  atMs: number;
  /** When it was admitted: the log's order. */
  readonly admittedAtMs: number;
  /** The server refused it (a 429) or it never reached the server: it charged nothing. */
  uncounted: boolean;
  /** What the sends logged before it came to, so that a stretch of the log sums in two lookups. */
  readonly before: SendTotals;
}

/** Running totals of a lane's sends. */
interface SendTotals {
  readonly calls: number;
  readonly promptTokens: number;
  readonly outputTokens: number;
  readonly images: number;
}

/** A reservation: what a call took, and what its answer needs to correct the buckets. */
export interface Ticket {
  readonly lane: Lane;
  readonly amounts: Amounts;
  readonly estimate: RequestEstimate;
  readonly model: string | undefined;
  /** Per dimension, the store's count of everything taken up to this take (`SyncInput.mark`). */
  readonly marks: Readonly<Partial<Record<Dimension, number>>>;
  /** Which store's counters the marks refer to (`TakeResult.origin`). */
  readonly origin: string | undefined;
  /** How long the call waited in the queue. */
  readonly queuedMs: number;
  /** What held the call back, when it waited. */
  readonly throttledBy: HeldBy | undefined;
  /** When the call left for the server (the age of its answer's headers counts from here). */
  sentAtMs: number | undefined;
  /** Its answer was observed (or it ended without one): it no longer counts as unanswered. */
  answered: boolean;
  /** Its place among the lane's admissions. */
  readonly sequence: number;
  /** Its entry in the lane's log of sends. */
  readonly send: SendRecord;
  finished: boolean;
}

// The log of sends is bounded whatever the rate.
const MAX_SENDS = 8_192;
// The log is pruned every this many sends.
const PRUNE_EVERY = 256;

// The margin a first window holds back until the server has said how it counts (docs/decisions.md).
const UNCERTAIN_RESERVE = 0.25;
const UNCERTAIN_RESERVE_MAX = 0.5;
// …for at most this many windows, for a server whose answers never say (no `usage`).
const UNCERTAIN_WINDOWS = 3;

/** One limit key's lane. */
export class Lane {
  /** The store's key: base URL, organization, project, account hash, family. */
  readonly key: string;
  /** The key as people may read it (no key material, no secrets in the URL). */
  readonly label: string;
  readonly family: string;
  readonly model: ResolvedModel | undefined;
  readonly limits = new Map<Dimension, DimensionLimit>();
  readonly queue = new AdmissionQueue<Ticket>();
  readonly learning: LaneLearning;
  /** Calls admitted and not yet finished (answered and, for a stream, read to its end). */
  inFlight = 0;
  /**
   * Calls admitted and not yet answered, in admission order: when the lane learns that the server
   * counts more than estimated they were under-reserved, and when a bucket is first learned from
   * an answer, those sent after it were not in it.
   */
  readonly unanswered = new Set<Ticket>();
  /** Admissions so far: a ticket's place among them. */
  admissions = 0;
  /**
   * This process's recent sends, oldest first (the last two windows): an answer's `remaining` is
   * brought up to now by replaying them, as the server's bucket saw them (`replay.ts`).
   */
  readonly sends: SendRecord[] = [];
  #totals: SendTotals = { calls: 0, promptTokens: 0, outputTokens: 0, images: 0 };
  /** Tokens taken before any answer said how the server counts (the reserve grows with them). */
  tokensOnGuess = 0;
  /** The most calls in flight; unbounded once the buckets know the limits. */
  concurrency: number;
  /** When the concurrency bound last grew without an answer (calibration, `tier: 'auto'`). */
  concurrencyRaisedAtMs: number;
  /** Nothing is admitted before this time (a wait the API asked for that no bucket expresses). */
  pausedUntilMs = 0;
  timer: ReturnType<typeof setTimeout> | undefined;
  timerDueMs = 0;
  pumping = false;
  repump = false;
  rateLimited = 0;
  /** When the lane last admitted or finished a call (eviction of idle lanes). */
  lastUsedMs: number;
  readonly createdAtMs: number;

  constructor(init: {
    key: string;
    label: string;
    family: string;
    model: ResolvedModel | undefined;
    windowFixed: boolean;
    concurrency: number;
    nowMs: number;
  }) {
    this.key = init.key;
    this.label = init.label;
    this.family = init.family;
    this.model = init.model;
    this.concurrency = init.concurrency;
    this.concurrencyRaisedAtMs = init.nowMs;
    this.lastUsedMs = init.nowMs;
    this.createdAtMs = init.nowMs;
    this.learning = {
      promptScale: 1,
      scaleSamples: 0,
      usageSeen: false,
      raiseAfter: 0,
      windowSamples: [],
      windowFixed: init.windowFixed,
      headerless: true,
      tierDetected: undefined,
      tierChecked: undefined,
    };
  }

  /** Logs a send (at admission; `sent` moves it to when the call left), forgetting old ones. */
  logSend(sequence: number, estimate: RequestEstimate, nowMs: number): SendRecord {
    const before = this.#totals;
    const record: SendRecord = {
      sequence,
      estimate,
      atMs: nowMs,
      admittedAtMs: nowMs,
      uncounted: false,
      before,
    };
    this.#totals = {
      calls: before.calls + 1,
      promptTokens: before.promptTokens + estimate.promptTokens,
      outputTokens: before.outputTokens + estimate.maxOutputTokens * Math.max(1, estimate.n),
      images: before.images + estimate.images,
    };
    this.sends.push(record);
    // Pruned in batches: dropping the oldest one by one moves the whole log on every call.
    if (this.sends.length % PRUNE_EVERY !== 0) return record;
    // Two of the per-minute windows back (day windows are not replayed).
    const windowMs = Math.max(
      this.limits.get('requests')?.windowMs ?? 0,
      this.limits.get('tokens')?.windowMs ?? 0,
      1_000,
    );
    const horizon = nowMs - 2 * windowMs;
    let drop = 0;
    while (
      drop < this.sends.length &&
      ((this.sends[drop] as SendRecord).atMs < horizon || this.sends.length - drop > MAX_SENDS)
    )
      drop += 1;
    if (drop > 0) this.sends.splice(0, drop);
    return record;
  }

  /** Notes that `ticket`'s call was answered (or ended without an answer), once. */
  answered(ticket: Ticket): void {
    if (ticket.answered) return;
    ticket.answered = true;
    this.unanswered.delete(ticket);
  }

  /** The estimated prompt tokens of the calls not yet answered. */
  unansweredPrompt(): number {
    let sum = 0;
    for (const ticket of this.unanswered) sum += ticket.estimate.promptTokens;
    return sum;
  }

  /** What the calls sent within `windowMs` before `ticket` take from `dimension`, as estimated now. */
  sentAround(ticket: Ticket, dimension: Dimension, windowMs: number): number {
    // Two lookups in the log's running totals, not a sum over it: this runs on every answer, and
    // at thousands of calls a minute the log holds thousands of sends. By admission time (the
    // log's order; a call leaves within moments of it), and counting the calls the server later
    // refused: a larger margin only raises less.
    const end = ticket.send.before;
    const start = this.sends[this.#firstAdmittedFrom(ticket.send.admittedAtMs - windowMs)]?.before;
    // Nothing logged in the window before the ticket (or the ticket itself is long forgotten).
    if (start === undefined || start.calls >= end.calls) return 0;
    if (dimension === 'requests' || dimension === 'requests-day') return end.calls - start.calls;
    if (dimension === 'images') return end.images - start.images;
    return Math.ceil(
      (end.promptTokens - start.promptTokens) * this.learning.promptScale +
        (end.outputTokens - start.outputTokens),
    );
  }

  /** The index of the first send in the log admitted at or after `atMs`. */
  #firstAdmittedFrom(atMs: number): number {
    let low = 0;
    let high = this.sends.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.sends[middle] as SendRecord).admittedAtMs < atMs) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** What the calls admitted after `ticket` and not yet answered take from `dimension`, as estimated now. */
  sentSince(ticket: Ticket, dimension: Dimension): number {
    let sum = 0;
    for (const other of this.unanswered) {
      if (other.sequence <= ticket.sequence) continue;
      sum += this.amountOf(other.estimate, dimension);
    }
    return sum;
  }

  /**
   * The margin a take must leave while estimates are a guess: a share of the bucket, and of what
   * was already sent on the guess (a slow server answers after many windows' worth was sent).
   */
  #uncertainReserve(capacity: number): number {
    const base = Math.max(capacity, this.tokensOnGuess);
    return Math.floor(Math.min(capacity * UNCERTAIN_RESERVE_MAX, base * UNCERTAIN_RESERVE));
  }

  /** Whether the lane knows any limit (headers, the caller's limits, or the tier table). */
  get knowsLimits(): boolean {
    return this.limits.has('requests') || this.limits.has('tokens');
  }

  /** What a call with `estimate` takes from each bucket, with the limits known now. */
  amounts(estimate: RequestEstimate): Amounts {
    const amounts: Amounts = {};
    for (const dimension of this.limits.keys()) {
      const amount = this.amountOf(estimate, dimension);
      if (amount > 0) amounts[dimension] = amount;
    }
    return amounts;
  }

  /** What a call with `estimate` takes from one bucket (the sums over many sends allocate nothing). */
  amountOf(estimate: RequestEstimate, dimension: Dimension): number {
    if (dimension === 'requests' || dimension === 'requests-day') return 1;
    if (dimension === 'images') return estimate.images;
    return Math.max(
      1,
      Math.ceil(
        estimate.promptTokens * this.learning.promptScale +
          estimate.maxOutputTokens * Math.max(1, estimate.n),
      ),
    );
  }

  /**
   * The store items of a take of `amounts` (for `estimate`). Before any answer has said how the
   * server counts prompts (and for at most a few windows), a take whose estimate came from characters must leave
   * `UNCERTAIN_RESERVE` of the token bucket: such estimates may be off by that much, and a first
   * burst must not overshoot on a guess.
   */
  items(amounts: Amounts, estimate: RequestEstimate, nowMs: number): TakeItem[] {
    const items: TakeItem[] = [];
    for (const [dimension, limit] of this.limits) {
      const amount = amounts[dimension];
      if (amount === undefined || amount <= 0) continue;
      // Above a limit the headers said only once, the call goes without waiting for that bucket
      // (the server decides): one lying header would otherwise hold it a whole window.
      if (amount > limit.capacity && limit.source === 'headers' && limit.confirmations < 2) continue;
      const uncertain =
        (dimension === 'tokens' || dimension === 'tokens-day') &&
        estimate.method === 'characters' &&
        !this.learning.usageSeen &&
        nowMs - this.createdAtMs < limit.windowMs * UNCERTAIN_WINDOWS;
      items.push({
        dimension,
        amount,
        capacity: limit.capacity,
        windowMs: limit.windowMs,
        ...(uncertain ? { reserve: this.#uncertainReserve(limit.capacity) } : {}),
      });
    }
    return items;
  }

  /**
   * The first dimension whose limit `amounts` can never fit, when the lane is sure of that limit:
   * the caller's own `limits` or tier, or a capacity the server's headers said twice in a row.
   * The prompt part of a token estimate counts at 70 %: a character-based estimate may be high, and
   * a call refused here is never sent. Anything else that does not fit is sent when the bucket is
   * full (above a limit heard only once, at once: `items`), and the server decides.
   */
  tooLarge(amounts: Amounts, estimate: RequestEstimate): [Dimension, number, number] | undefined {
    for (const [dimension, limit] of this.limits) {
      const amount = amounts[dimension];
      if (amount === undefined || amount <= limit.capacity) continue;
      // The caller's own limits and tier are sure; headers only once two answers agree; a default never is.
      const sure =
        limit.source === 'limits' ||
        limit.source === 'tier' ||
        (limit.source === 'headers' && limit.confirmations >= 2);
      if (!sure) continue;
      const certain =
        dimension === 'tokens' || dimension === 'tokens-day'
          ? Math.ceil(
              estimate.promptTokens * this.learning.promptScale * 0.7 +
                estimate.maxOutputTokens * Math.max(1, estimate.n),
            )
          : amount;
      if (certain > limit.capacity) return [dimension, limit.capacity, amount];
    }
    return undefined;
  }
}
