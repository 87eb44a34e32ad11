/**
 * The pacing engine: per limit key, a FIFO lane over a bucket store. A call reserves one request
 * and its estimated tokens before it is sent and waits until every dimension holds its amount;
 * its answer teaches the real limits (`x-ratelimit-*`), corrects the levels and reconciles the
 * reservation; a call that never reached the API gets its reservation back.
 */
import { MODEL_TIER_LIMITS, TIERS, type Tier, type TierRow } from '../data/tiers.js';
import { resolveModel, type ResolvedModel } from '../models/resolve.js';
import { abortReason } from '../util/delay.js';
import type { RequestEstimate } from './estimate.js';

/** The most a call sent ahead of its admission may take: at least its estimate. */
export interface EstimateBound {
  readonly promptTokens: number;
  readonly outputTokens: number;
}
import { startingLimits, type ExplicitLimit, type StartingLimits } from './limits.js';
import { Fifo } from './queue.js';
import { readRateLimitHeaders, readRemaining, type HeaderSource } from '../util/rate-limit-headers.js';
import {
  SOURCE_PRIORITY,
  type BucketSnapshot,
  type BucketStore,
  type Dimension,
  type LimitSource,
  type TakeItem,
  type TakeResult,
} from './types.js';

/** Where a call goes: what its limit key is made of. */
export interface LaneAddress {
  readonly baseURL: string;
  readonly organization?: string | undefined;
  readonly project?: string | undefined;
  /** The model as the request names it; calls without one share the key's `*` lane. */
  readonly model?: string | undefined;
}

/** What the pacer tells the outside world. */
export type PacerEvent =
  | { type: 'queued'; key: string; model?: string; waiting: number }
  | {
      type: 'throttled';
      key: string;
      model?: string;
      bucket: Dimension | 'concurrency' | 'pause';
      waitMs: number;
      waiting: number;
    }
  | {
      type: 'limits-learned';
      key: string;
      model?: string;
      bucket: Dimension;
      capacity: number;
      windowMs: number;
      previous?: { capacity: number; windowMs: number; source: LimitSource };
    }
  | {
      type: 'tier-detected';
      key: string;
      model?: string;
      family: string;
      tier: Tier;
      requestsPerMinute: number;
      tokensPerMinute: number;
    }
  | {
      type: 'model-unknown';
      key: string;
      model: string;
      family: string;
      requestsPerMinute?: number;
      tokensPerMinute?: number;
    };

/** A refusal decided before sending: the call can never fit, or the queue is full. */
export class PacingRefusal extends Error {
  /** Which cause the refusal is: the call can never fit, or too many calls wait. */
  readonly kind: 'request_too_large' | 'queue_full';
  readonly dimension: Dimension | undefined;
  readonly limit: number | undefined;
  readonly requested: number | undefined;
  readonly model: string | undefined;

  constructor(
    kind: 'request_too_large' | 'queue_full',
    message: string,
    detail: { dimension?: Dimension; limit?: number; requested?: number; model?: string } = {},
  ) {
    super(message);
    this.name = 'PacingRefusal';
    this.kind = kind;
    this.dimension = detail.dimension;
    this.limit = detail.limit;
    this.requested = detail.requested;
    this.model = detail.model;
  }
}

/** The pacer's options, already validated by the guard's option parser. */
export interface PacerOptions {
  readonly tier: Tier | 'auto';
  readonly limits: Readonly<Record<string, ExplicitLimit>>;
  /** The API's window; a minute for OpenAI. */
  readonly windowMs: number;
  /** The caller fixed the window: never infer another from the reset headers. */
  readonly windowFixed: boolean;
  readonly maxQueued: number;
  /** Calls in flight on a key whose limits are not known yet (`tier: 'auto'` before the first headers). */
  readonly initialConcurrency: number;
  /** The most calls in flight on a key that has never sent rate-limit headers. */
  readonly maxUnknownConcurrency: number;
  readonly deployments: Readonly<Record<string, string>>;
  readonly store: BucketStore;
  /** The store is shared with other processes, whose calls in flight this process cannot see. */
  readonly sharedStore?: boolean;
  readonly emit: (event: PacerEvent) => void;
  readonly now?: () => number;
}

interface DimensionLimit {
  capacity: number;
  windowMs: number;
  source: LimitSource;
}

interface Waiter {
  /** What the call takes, computed at admission from the limits known then. */
  amounts: Partial<Record<Dimension, number>>;
  readonly estimate: RequestEstimate;
  readonly model: string | undefined;
  readonly enqueuedAtMs: number;
  readonly resolve: (ticket: Ticket) => void;
  readonly reject: (reason: unknown) => void;
  readonly signal: AbortSignal | undefined;
  onAbort?: () => void;
  settled: boolean;
}

interface WindowSamples {
  values: number[];
}

/** One limit key's lane. */
interface Lane {
  readonly key: string;
  readonly family: string;
  readonly model: ResolvedModel | undefined;
  readonly dims: Map<Dimension, DimensionLimit>;
  readonly queue: Fifo<Waiter>;
  readonly windowFixed: boolean;
  readonly windowSamples: Map<Dimension, WindowSamples>;
  waiting: number;
  inFlight: number;
  concurrency: number;
  /** No answer from this key has carried rate-limit headers yet. */
  headerless: boolean;
  /** What the calls sent and not yet answered reserved, per dimension. */
  readonly unanswered: Map<Dimension, number>;
  pausedUntilMs: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  timerDueMs: number;
  pumping: boolean;
  repump: boolean;
  stalledOn: Waiter | undefined;
  stalledBy: Dimension | 'concurrency' | 'pause' | undefined;
  rateLimited: number;
  served: number;
  /** Server-counted prompt tokens / our estimate, learned from `usage` (EWMA). */
  promptScale: number;
  /** Usage samples the scale was learned from. */
  scaleSamples: number;
  /**
   * Answers whose usage was read, whatever their prompt's size: a short prompt teaches no scale
   * (`MIN_PROMPT_FOR_SCALE`), but a lane of short prompts needs none — its bodies need not all be read.
   */
  usageSamples: number;
  /** Answers observed, to sample usage now and then once the scale is known. */
  answers: number;
  /**
   * The lane has not heard back yet: only a few calls go out, so that the first answer can teach
   * the server's count before a burst is released on a guess.
   */
  calibrating: boolean;
  tierDetected: Tier | undefined;
  /** The requests and tokens limits the tier table was last searched for (they matched no tier). */
  tierChecked: readonly [number, number] | undefined;
  /** Plain successes passed unread since the last answer whose headers were read. */
  unread: number;
  /**
   * The levels the latest take left (per dimension taken), or the store's after the latest success
   * observed; `undefined` from the start of an observation until then, and after a rate-limited
   * answer or while paused. A lower bound of every level while set: buckets only refill between
   * takes and observations. `sendAhead` decides on it.
   */
  openLevels: Readonly<Partial<Record<Dimension, number>>> | undefined;
  /** Calls sent ahead of their admission (`sendAhead`) and not yet admitted, and their tokens. */
  aheadCalls: number;
  aheadTokens: number;
}

/** A reservation: what a call took, and what its answer needs to correct the buckets. */
export interface Ticket {
  readonly key: string;
  readonly amounts: Readonly<Partial<Record<Dimension, number>>>;
  readonly estimate: RequestEstimate;
  readonly model: string | undefined;
  /** Store clock at the take. */
  readonly takenAtMs: number;
  /** This process's clock at the take. */
  readonly takenLocalMs: number;
  readonly marks: Readonly<Partial<Record<Dimension, number>>>;
  /** Per dimension taken: the level the take left. */
  readonly levels: Readonly<Partial<Record<Dimension, number>>>;
  /** How long the call waited in the queue. */
  readonly queuedMs: number;
  /** The limiting bucket, when the call had to wait. */
  readonly throttledBy: Dimension | 'concurrency' | 'pause' | undefined;
  released: boolean;
  /** The API answered (or the call ended): it no longer counts as unanswered. */
  answered: boolean;
}

/** What an answer said that pacing can learn from. */
export interface Observation {
  readonly status: number;
  readonly headers?: HeaderSource | undefined;
  /** Usage the API reported (body or streamed). */
  readonly usage?:
    | { readonly promptTokens?: number | undefined; readonly completionTokens?: number | undefined }
    | undefined;
  /** For a 429: which limit, as the diagnosis parsed it. */
  readonly rateLimit?:
    | {
        readonly kind: 'requests' | 'tokens';
        readonly window: 'minute' | 'day';
        readonly limit?: number | undefined;
        readonly used?: number | undefined;
      }
    | undefined;
  readonly retryAfterMs?: number | undefined;
  /** `openai-processing-ms`: how long the server worked on the call after counting it. */
  readonly processingMs?: number | undefined;
  /** The answer was a rate-limit refusal (429 rate limit or slow_down). */
  readonly rateLimitedCause?: 'requests' | 'tokens' | 'slow_down' | 'unknown' | undefined;
}

/** Per limit key, what `stats()` shows. */
export interface LaneStats {
  readonly key: string;
  readonly family: string;
  readonly waiting: number;
  readonly inFlight: number;
  /** The bound on calls in flight; `null` when the buckets alone pace the key. */
  readonly concurrency: number | null;
  readonly buckets: Readonly<Partial<Record<Dimension, BucketSnapshot & { readonly source: LimitSource }>>>;
  readonly rateLimited: number;
  readonly served: number;
  readonly pausedForMs: number;
  readonly tier?: Tier;
}

const USAGE_SAMPLES_TO_LEARN = 4;
const USAGE_SAMPLE_EVERY = 8;
// Once the scale has settled, one answer in 64: reading a body costs the caller a rebuilt Response.
const USAGE_SAMPLES_SETTLED = 32;
const USAGE_SAMPLE_EVERY_SETTLED = 64;
const PROMPT_SCALE_MIN = 0.5;
const PROMPT_SCALE_MAX = 4;
const PROMPT_SCALE_WEIGHT = 0.2;
const MIN_PROMPT_FOR_SCALE = 16;
const RAISE_MARGIN_SHARE = 0.02;
// `passUnread`: a plain success's headers go unread while its take left every bucket at least half
// full and its own `remaining` is within 2 % of the capacity of what the buckets hold; one answer
// in 8 is read whatever it says.
const UNREAD_ROOM_SHARE = 0.5;
const UNREAD_SLACK_SHARE = 0.02;
const UNREAD_AT_MOST = 7;
// `sendAhead`: a call goes before its admission only while its take would leave every bucket at
// least half full.
const AHEAD_ROOM_SHARE = 0.5;
const WINDOW_SAMPLES = 7;
const WINDOW_MIN_MS = 100;
const WINDOW_MAX_MS = 86_400_000;

const rows: Readonly<Record<string, TierRow>> = MODEL_TIER_LIMITS.models;
const HEADER_KINDS = ['requests', 'tokens'] as const;

function dimensionFor(kind: 'requests' | 'tokens', window: 'minute' | 'day'): Dimension {
  if (window === 'day') return kind === 'requests' ? 'requests-day' : 'tokens-day';
  return kind;
}

/** A take that took nothing (no bucket to take from), at `atMs`. */
function nothingTaken(atMs: number): Extract<TakeResult, { ok: true }> {
  return { ok: true, atMs, marks: {}, levels: {} };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** The pacing engine. One per guard; its lanes are shared by every client the guard wraps. */
export class Pacer {
  readonly #options: PacerOptions;
  readonly #lanes = new Map<string, Lane>();
  readonly #now: () => number;
  #waiting = 0;
  #closed = false;

  constructor(options: PacerOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => Date.now());
  }

  /** Whether `sendAhead` can ever let a call go: only over the in-process store. */
  get mayGoAhead(): boolean {
    return this.#options.sharedStore !== true;
  }

  /** Calls waiting in every lane. */
  get waiting(): number {
    return this.#waiting;
  }

  /** The limit key of an address, creating its lane with its starting limits. */
  laneKey(address: LaneAddress): string {
    // A service sends most calls to one place: the last address's key, without building it again.
    const last = this.#lastAddress;
    if (
      last !== undefined &&
      last.model === address.model &&
      last.baseURL === address.baseURL &&
      last.organization === address.organization &&
      last.project === address.project
    )
      return last.key;
    const key = this.#keyOf(address);
    this.#lastAddress = {
      baseURL: address.baseURL,
      organization: address.organization,
      project: address.project,
      model: address.model,
      key,
    };
    return key;
  }

  #lastAddress: (LaneAddress & { readonly key: string }) | undefined;

  #keyOf(address: LaneAddress): string {
    const resolved = address.model === undefined ? undefined : this.#resolve(address.model);
    const family = resolved === undefined ? '*' : (resolved.limitsFamily ?? resolved.family);
    const key = `${address.baseURL}|${address.organization ?? ''}|${address.project ?? ''}|${family}`;
    const lane = this.#lanes.get(key);
    // The lane's own key string: waiting calls share it instead of holding one each.
    if (lane !== undefined) return lane.key;
    this.#createLane(key, family, resolved, address.model);
    return key;
  }

  // Every call names its model: resolve each name once (a service uses a handful).
  #resolved = new Map<string, ReturnType<typeof resolveModel>>();
  #resolve(model: string): ReturnType<typeof resolveModel> {
    let resolved = this.#resolved.get(model);
    if (resolved === undefined) {
      resolved = resolveModel(model, this.#options.deployments);
      if (this.#resolved.size < 256) this.#resolved.set(model, resolved);
    }
    return resolved;
  }

  /**
   * Reserves what a call needs on its key, waiting (FIFO) until it fits. Rejects at once with a
   * `PacingRefusal` when the call can never fit or the queue is full, and with the signal's reason
   * when aborted (the reservation, if any, is returned).
   */
  acquire(key: string, estimate: RequestEstimate, signal?: AbortSignal, model?: string): Promise<Ticket> {
    const lane = this.#lanes.get(key);
    if (lane === undefined) return Promise.reject(new Error(`tierguard: unknown limit key ${key}`));
    if (this.#closed)
      return Promise.reject(new Error('tierguard: the guard is closed; no new calls are accepted'));
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const amounts = this.#amounts(lane, estimate);
    const tooLarge = this.#tooLarge(lane, amounts);
    if (tooLarge !== undefined) {
      const [dimension, capacity, amount] = tooLarge;
      return Promise.reject(
        new PacingRefusal(
          'request_too_large',
          `Request too large for ${model ?? lane.family} on ${dimension}: Limit ${capacity}, Requested ${amount} (estimated by tierguard before sending; the API would refuse it).`,
          {
            dimension,
            limit: capacity,
            requested: amount,
            ...(model === undefined ? {} : { model }),
          },
        ),
      );
    }
    if (this.#waiting >= this.#options.maxQueued && (lane.waiting > 0 || lane.inFlight >= lane.concurrency)) {
      return Promise.reject(
        new PacingRefusal(
          'queue_full',
          `tierguard queue is full: ${this.#waiting} calls are already waiting (maxQueued ${this.#options.maxQueued}).`,
          model === undefined ? {} : { model },
        ),
      );
    }
    // Nothing waits and nothing holds the lane back: take now, without queueing — the common case;
    // it saves the waiter, the queue and the abort listener.
    const ticket = this.#takeNow(lane, amounts, estimate, model);
    if (ticket !== undefined) return Promise.resolve(ticket);
    return new Promise<Ticket>((resolve, reject) => {
      const waiter: Waiter = {
        amounts,
        estimate,
        model,
        enqueuedAtMs: this.#now(),
        resolve,
        reject,
        signal,
        settled: false,
      };
      if (signal !== undefined) {
        waiter.onAbort = () => this.#abandon(lane, waiter, abortReason(signal));
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      lane.queue.push(waiter);
      lane.waiting += 1;
      this.#waiting += 1;
      if (lane.waiting > 1 || lane.inFlight >= lane.concurrency || lane.timer !== undefined) {
        this.#options.emit({
          type: 'queued',
          key,
          ...(model === undefined ? {} : { model }),
          waiting: lane.waiting,
        });
      }
      this.#pump(lane);
    });
  }

  /**
   * `acquire` without a promise for the common case: the ticket when nothing waits on the lane and
   * the call fits now; `undefined` when it has to go through `acquire` (to wait, or to be refused).
   */
  tryAcquire(key: string, estimate: RequestEstimate, model?: string): Ticket | undefined {
    const lane = this.#lanes.get(key);
    if (lane === undefined || this.#closed || lane.waiting > 0) return undefined;
    const amounts = this.#amounts(lane, estimate);
    if (this.#tooLarge(lane, amounts) !== undefined) return undefined;
    return this.#takeNow(lane, amounts, estimate, model);
  }

  /**
   * Lets a call go before its admission, when its admission could only succeed: the in-process
   * store; the lane has heard back (not calibrating), nothing waits on it, no timer or pause holds
   * it, it is under its bound on calls in flight; and for every bucket, the level the latest take
   * left, less what calls already sent ahead hold and less this call's bound, is at least half the
   * capacity. `bound` must be at least the call's estimate (`estimateBound`). Returns the tokens
   * held for the call (to hand `admitSent`), or `undefined`, having done nothing: the call is then
   * admitted before it is sent, as any other.
   *
   * The call counts as in flight from now; `admitSent`, which the caller runs within a turn of the
   * event loop and before the call's answer is observed, takes its exact amounts.
   */
  sendAhead(key: string, bound: EstimateBound): number | undefined {
    const lane = this.#lanes.get(key);
    if (lane === undefined || this.#closed || lane.calibrating || this.#heldBack(lane)) return undefined;
    const levels = lane.openLevels;
    if (levels === undefined) return undefined;
    const tokens = Math.ceil(bound.promptTokens * lane.promptScale + bound.outputTokens);
    for (const [dimension, limit] of lane.dims) {
      const level = levels[dimension];
      let held: number;
      if (dimension === 'requests' || dimension === 'requests-day') held = lane.aheadCalls + 1;
      else if (dimension === 'tokens' || dimension === 'tokens-day') held = lane.aheadTokens + tokens;
      else return undefined;
      if (level === undefined || level - held < limit.capacity * AHEAD_ROOM_SHARE) return undefined;
    }
    lane.aheadCalls += 1;
    lane.aheadTokens += tokens;
    lane.inFlight += 1;
    return tokens;
  }

  /**
   * Admits a call `sendAhead` let go (`held` is what it returned): takes the call's amounts from
   * its buckets, whatever they hold now — the call is already on its way — and returns its ticket.
   */
  admitSent(key: string, estimate: RequestEstimate, model: string | undefined, held: number): Ticket {
    const lane = this.#lanes.get(key) as Lane;
    lane.aheadCalls -= 1;
    lane.aheadTokens -= held;
    const amounts = this.#amounts(lane, estimate);
    const items = this.#items(lane, amounts);
    const now = this.#now();
    let result = this.#take(lane, items, now);
    if (result instanceof Promise) {
      // Not the in-process store (`sendAhead` lets nothing go then): taken without marks.
      this.#run(result.then(() => undefined));
      result = nothingTaken(now);
    } else if (!result.ok) {
      // The bound fell short of the estimate: what the call takes is taken all the same, and the
      // next take decides again.
      for (const item of items) this.#run(this.#options.store.adjust(lane.key, item.dimension, -item.amount));
      result = nothingTaken(now);
    }
    return this.#ticket(lane, amounts, estimate, model, result, now, undefined);
  }

  /**
   * The first dimension whose known limit `amounts` exceed: the call can never fit. Only a known
   * limit may refuse: a default for an unknown model might be too small.
   */
  #tooLarge(
    lane: Lane,
    amounts: Partial<Record<Dimension, number>>,
  ): [dimension: Dimension, capacity: number, amount: number] | undefined {
    for (const [dimension, limit] of lane.dims) {
      const amount = amounts[dimension];
      if (amount !== undefined && amount > limit.capacity && limit.source !== 'default')
        return [dimension, limit.capacity, amount];
    }
    return undefined;
  }

  /**
   * Takes `amounts` now if nothing holds the lane back and they fit. Only for the in-process store,
   * whose answer is synchronous.
   */
  #takeNow(
    lane: Lane,
    amounts: Partial<Record<Dimension, number>>,
    estimate: RequestEstimate,
    model: string | undefined,
  ): Ticket | undefined {
    if (this.#heldBack(lane)) return undefined;
    const now = this.#now();
    if (lane.pausedUntilMs > now) return undefined;
    const result = this.#take(lane, this.#items(lane, amounts), now);
    if (result instanceof Promise || !result.ok) return undefined;
    lane.inFlight += 1;
    return this.#ticket(lane, amounts, estimate, model, result, now, undefined);
  }

  /**
   * Ends a reservation. `reachedApi: false` (a connection never made, an abort before sending)
   * returns what it took; otherwise the answer's `observe` has already corrected the buckets.
   */
  release(ticket: Ticket, reachedApi: boolean): void {
    if (ticket.released) return;
    ticket.released = true;
    const lane = this.#lanes.get(ticket.key);
    if (lane === undefined) return;
    lane.inFlight = Math.max(0, lane.inFlight - 1);
    this.#answer(lane, ticket);
    if (!reachedApi) {
      for (const [dimension, amount] of Object.entries(ticket.amounts) as [Dimension, number][]) {
        if (ticket.marks[dimension] !== undefined)
          this.#run(this.#options.store.adjust(ticket.key, dimension, amount));
      }
    }
    this.#pump(lane);
  }

  /** Learns from an answer: limits and levels from headers, tokens from usage, waits from a 429. */
  observe(ticket: Ticket, observation: Observation): void {
    const lane = this.#lanes.get(ticket.key);
    if (lane === undefined) return;
    const store = this.#options.store;
    this.#answer(lane, ticket);
    lane.unread = 0;
    // What an answer teaches may lower a bucket: no call is sent ahead until the levels are read
    // again (below, or at the next take).
    lane.openLevels = undefined;
    const headers = readRateLimitHeaders(observation.headers);
    let sawHeaders = false;
    for (const kind of HEADER_KINDS) {
      const said = headers[kind];
      if (said.limit === undefined) continue;
      sawHeaders = true;
      const created = this.#learnCapacity(lane, kind, said.limit, ticket.model);
      this.#learnWindow(lane, kind, said.limit, said.remaining, said.resetMs);
      if (said.remaining === undefined) continue;
      const mark = ticket.marks[kind];
      if (mark === undefined && !created) continue;
      const capacity = lane.dims.get(kind)?.capacity ?? said.limit;
      const ageMs = this.#serverAge(ticket, observation);
      const refill = (ageMs * capacity) / (lane.dims.get(kind)?.windowMs ?? this.#options.windowMs);
      // Raise no higher than what is left if nothing else in flight has been counted yet.
      // Raise only from the latest word: nothing else in flight (the store also checks that nothing
      // was taken since this call).
      const othersInFlight = lane.unanswered.get(kind) ?? 0;
      const raiseCeiling =
        this.#options.sharedStore === true || othersInFlight > 0
          ? undefined
          : said.remaining + refill - capacity * RAISE_MARGIN_SHARE;
      this.#run(
        store.sync(ticket.key, kind, { remaining: said.remaining, ageMs, mark: mark ?? 0, raiseCeiling }),
      );
    }
    if (sawHeaders) {
      lane.headerless = false;
      lane.concurrency = Number.POSITIVE_INFINITY;
      this.#detectTier(lane, ticket.model);
    }

    const promptTokens = observation.usage?.promptTokens;
    if (promptTokens !== undefined) lane.usageSamples += 1;
    if (promptTokens !== undefined && ticket.estimate.promptTokens >= MIN_PROMPT_FOR_SCALE) {
      const ratio = promptTokens / ticket.estimate.promptTokens;
      if (Number.isFinite(ratio) && ratio > 0) {
        // The first sample is all there is to go on; later ones are averaged in.
        const next =
          lane.scaleSamples === 0
            ? ratio
            : lane.promptScale * (1 - PROMPT_SCALE_WEIGHT) + ratio * PROMPT_SCALE_WEIGHT;
        lane.promptScale = Math.min(PROMPT_SCALE_MAX, Math.max(PROMPT_SCALE_MIN, next));
        lane.scaleSamples += 1;
      }
    }
    // Without headers the reservation is reconciled from usage: the prompt as the API counted it,
    // plus the output the API charged — the full max when one was set (it counts max_tokens,
    // openai-api.md note B), the actual output otherwise.
    const tokensTaken = ticket.amounts.tokens;
    if (
      !sawHeaders &&
      observation.status < 400 &&
      tokensTaken !== undefined &&
      promptTokens !== undefined &&
      ticket.marks.tokens !== undefined
    ) {
      const output = ticket.estimate.outputDefaulted
        ? (observation.usage?.completionTokens ?? ticket.estimate.maxOutputTokens * ticket.estimate.n)
        : ticket.estimate.maxOutputTokens * ticket.estimate.n;
      const delta = tokensTaken - (promptTokens + output);
      if (Math.abs(delta) >= 1) this.#run(store.adjust(ticket.key, 'tokens', delta));
    }

    if (lane.calibrating) {
      lane.calibrating = false;
      // Known limits pace the lane from now on; without any, it keeps growing slowly (below).
      if (!lane.headerless || lane.dims.has('requests') || lane.dims.has('tokens'))
        lane.concurrency = Number.POSITIVE_INFINITY;
    }
    if (observation.status < 400) {
      lane.served += 1;
      if (
        lane.headerless &&
        !lane.dims.has('requests') &&
        !lane.dims.has('tokens') &&
        lane.concurrency < this.#options.maxUnknownConcurrency
      )
        lane.concurrency += 1;
    }
    if (observation.rateLimitedCause !== undefined)
      this.#onRateLimited(
        lane,
        ticket,
        observation,
        headers.requests.remaining !== undefined || headers.tokens.remaining !== undefined,
      );
    // A success leaves the buckets as the store now holds them: calls may go ahead again at once.
    else if (observation.status < 400) lane.openLevels = this.#levelsNow(lane);
    this.#pump(lane);
  }

  /**
   * Whether this call's usage is worth reading. Without `x-ratelimit-remaining-tokens` on the
   * answer (`tokenHeaders` false), usage is the only count of its tokens: read whenever the lane
   * has a token bucket to correct, and never when it has none (a server that sends no limits, and
   * no limits configured: nothing would use it). With them, while the lane learns how the server
   * counts, while no answer of the lane has had headers yet, and for one answer in
   * `USAGE_SAMPLE_EVERY` after that (one in `USAGE_SAMPLE_EVERY_SETTLED` once
   * `USAGE_SAMPLES_SETTLED` samples have been averaged in).
   */
  wantsUsage(ticket: Ticket, tokenHeaders: boolean): boolean {
    const lane = this.#lanes.get(ticket.key);
    if (lane === undefined) return true;
    if (!tokenHeaders) return lane.dims.has('tokens') || lane.dims.has('tokens-day');
    lane.answers += 1;
    if (lane.headerless || lane.usageSamples < USAGE_SAMPLES_TO_LEARN) return true;
    const every = lane.usageSamples < USAGE_SAMPLES_SETTLED ? USAGE_SAMPLE_EVERY : USAGE_SAMPLE_EVERY_SETTLED;
    return lane.answers % every === 0;
  }

  /**
   * Counts a plain success as answered without learning from its headers, when they would change
   * nothing: the lane has heard headers before, the call's take left every bucket at least half
   * full, the answer's own `remaining` for requests and tokens is no lower than what the take left
   * minus 2 % of the capacity, and fewer than `UNREAD_AT_MOST` answers went unread since the last
   * one read. Returns false, having done nothing, when the answer should be `observe`d.
   *
   * Why nothing is lost: a correction from headers is absolute (the server's remaining minus what
   * was taken after the call), so the next answer read makes up for every one passed; an answer
   * that says the server holds less than the buckets — another consumer of the same limits, a
   * count above the estimate — is always read; and near a limit, where headers decide, every
   * answer is. Only a higher limit (an upgraded tier) or a new window waits for the next answer
   * read, at most seven answers later.
   */
  passUnread(ticket: Ticket, headers: HeaderSource): boolean {
    const lane = this.#lanes.get(ticket.key);
    if (lane === undefined || lane.headerless || lane.calibrating || lane.unread >= UNREAD_AT_MOST)
      return false;
    for (const [dimension, limit] of lane.dims) {
      const headed = dimension === 'requests' || dimension === 'tokens';
      const level = ticket.levels[dimension];
      // A bucket the call did not take from: an images bucket, or one learned after its take (then
      // only its headers can say how full it is).
      if (level === undefined) {
        if (headed) return false;
        continue;
      }
      if (level < limit.capacity * UNREAD_ROOM_SHARE) return false;
      if (!headed) continue;
      const said = readRemaining(headers, dimension);
      if (said === undefined || said < level - limit.capacity * UNREAD_SLACK_SHARE) return false;
    }
    lane.unread += 1;
    lane.served += 1;
    this.#answer(lane, ticket);
    return true;
  }

  /** What every lane looks like now. */
  stats(): LaneStats[] {
    const now = this.#now();
    return [...this.#lanes.values()].map((lane) => {
      const levels = this.#options.store.peek(lane.key);
      const buckets: Partial<Record<Dimension, BucketSnapshot & { source: LimitSource }>> = {};
      for (const [dimension, limit] of lane.dims) {
        const level = levels[dimension];
        buckets[dimension] = {
          capacity: level?.capacity ?? limit.capacity,
          windowMs: level?.windowMs ?? limit.windowMs,
          level: level?.level ?? limit.capacity,
          source: limit.source,
        };
      }
      return {
        key: lane.key,
        family: lane.family,
        waiting: lane.waiting,
        inFlight: lane.inFlight,
        concurrency: Number.isFinite(lane.concurrency) ? lane.concurrency : null,
        buckets,
        rateLimited: lane.rateLimited,
        served: lane.served,
        pausedForMs: Math.max(0, lane.pausedUntilMs - now),
        ...(lane.tierDetected === undefined ? {} : { tier: lane.tierDetected }),
      };
    });
  }

  /** Rejects every waiting call with `reason` and stops every timer. */
  close(reason: unknown): void {
    this.#closed = true;
    for (const lane of this.#lanes.values()) {
      if (lane.timer !== undefined) clearTimeout(lane.timer);
      lane.timer = undefined;
      for (const waiter of lane.queue.drain()) {
        if (waiter.settled) continue;
        this.#settle(lane, waiter);
        waiter.reject(reason);
      }
    }
  }

  #createLane(
    key: string,
    family: string,
    resolved: ResolvedModel | undefined,
    model: string | undefined,
  ): void {
    const starting: StartingLimits = startingLimits({
      model: resolved,
      tier: this.#options.tier,
      limits: this.#options.limits,
      windowMs: this.#options.windowMs,
    });
    const dims = new Map<Dimension, DimensionLimit>();
    for (const [dimension, limit] of Object.entries(starting.dimensions) as [Dimension, DimensionLimit][]) {
      dims.set(dimension, { capacity: limit.capacity, windowMs: limit.windowMs, source: limit.source });
      this.#run(
        this.#options.store.configure(
          key,
          dimension,
          { capacity: limit.capacity, windowMs: limit.windowMs },
          SOURCE_PRIORITY[limit.source],
        ),
      );
    }
    this.#lanes.set(key, {
      key,
      family,
      model: resolved,
      dims,
      queue: new Fifo(),
      windowFixed: this.#options.windowFixed || starting.windowFixed,
      windowSamples: new Map(),
      waiting: 0,
      inFlight: 0,
      concurrency: this.#options.initialConcurrency,
      headerless: true,
      unanswered: new Map(),
      pausedUntilMs: 0,
      timer: undefined,
      timerDueMs: 0,
      pumping: false,
      repump: false,
      stalledOn: undefined,
      stalledBy: undefined,
      rateLimited: 0,
      served: 0,
      promptScale: 1,
      scaleSamples: 0,
      usageSamples: 0,
      answers: 0,
      calibrating: true,
      tierDetected: undefined,
      tierChecked: undefined,
      unread: 0,
      openLevels: undefined,
      aheadCalls: 0,
      aheadTokens: 0,
    });
    if (starting.defaulted && model !== undefined) {
      const requests = dims.get('requests')?.capacity;
      const tokens = dims.get('tokens')?.capacity;
      this.#options.emit({
        type: 'model-unknown',
        key,
        model,
        family,
        ...(requests === undefined ? {} : { requestsPerMinute: requests }),
        ...(tokens === undefined ? {} : { tokensPerMinute: tokens }),
      });
    }
  }

  /**
   * Something holds the lane's calls back from being taken at once: a shared store (its answer is
   * asynchronous), calls waiting, a timer set for them, or its bound on calls in flight.
   */
  #heldBack(lane: Lane): boolean {
    return (
      this.#options.sharedStore === true ||
      lane.waiting !== 0 ||
      lane.timer !== undefined ||
      lane.inFlight >= lane.concurrency
    );
  }

  /** The store's take of `items`; a lane with no bucket for them takes nothing. */
  #take(lane: Lane, items: readonly TakeItem[], now: number): TakeResult | Promise<TakeResult> {
    return items.length === 0 ? nothingTaken(now) : this.#options.store.take(lane.key, items);
  }

  #amounts(lane: Lane, estimate: RequestEstimate): Partial<Record<Dimension, number>> {
    const amounts: Partial<Record<Dimension, number>> = {};
    const tokens = Math.max(
      1,
      Math.ceil(
        estimate.promptTokens * lane.promptScale + estimate.maxOutputTokens * Math.max(1, estimate.n),
      ),
    );
    for (const dimension of lane.dims.keys()) {
      if (dimension === 'requests' || dimension === 'requests-day') amounts[dimension] = 1;
      else if (dimension === 'tokens' || dimension === 'tokens-day') amounts[dimension] = tokens;
      else if (dimension === 'images') amounts[dimension] = Math.max(0, estimate.images);
    }
    return amounts;
  }

  #items(lane: Lane, amounts: Partial<Record<Dimension, number>>): TakeItem[] {
    const items: TakeItem[] = [];
    for (const [dimension, limit] of lane.dims) {
      const amount = amounts[dimension];
      if (amount === undefined || amount <= 0) continue;
      items.push({ dimension, amount, capacity: limit.capacity, windowMs: limit.windowMs });
    }
    return items;
  }

  #pump(lane: Lane): void {
    if (lane.pumping) {
      lane.repump = true;
      return;
    }
    lane.pumping = true;
    const done = (): void => {
      lane.pumping = false;
      if (lane.repump) {
        lane.repump = false;
        this.#pump(lane);
      }
    };
    // The memory store answers synchronously: drain without a microtask per call while it does.
    const pending = this.#drain(lane);
    if (pending === undefined) done();
    else
      pending.then(done, (error: unknown) => {
        done();
        this.#failHead(lane, error);
      });
  }

  /** Admits waiting calls while they fit; returns a promise only when the store is asynchronous. */
  #drain(lane: Lane): Promise<void> | undefined {
    while (lane.queue.length > 0) {
      const head = lane.queue.peek() as Waiter;
      if (head.settled) {
        lane.queue.shift();
        continue;
      }
      const now = this.#now();
      if (lane.pausedUntilMs > now) {
        this.#wake(lane, lane.pausedUntilMs - now, 'pause', head);
        return undefined;
      }
      // Amounts are decided now, not at enqueue: limits learned while the call waited apply to it.
      head.amounts = this.#amounts(lane, head.estimate);
      if (lane.inFlight >= lane.concurrency) {
        this.#stall(lane, head, 'concurrency', 0);
        return undefined;
      }
      const result = this.#take(lane, this.#items(lane, head.amounts), now);
      if (result instanceof Promise) {
        return result.then((settled) => {
          if (this.#admit(lane, head, settled)) return this.#drain(lane);
          return undefined;
        });
      }
      if (!this.#admit(lane, head, result)) return undefined;
    }
    return undefined;
  }

  /** Applies a take's result to the head; true when the queue may move on. */
  #admit(lane: Lane, head: Waiter, result: TakeResult): boolean {
    if (head.settled) {
      // Aborted while the (asynchronous) take ran: give back what it took.
      if (result.ok)
        for (const [dimension, amount] of Object.entries(head.amounts) as [Dimension, number][]) {
          if (result.marks[dimension] !== undefined)
            this.#run(this.#options.store.adjust(lane.key, dimension, amount));
        }
      if (lane.queue.peek() === head) lane.queue.shift();
      return true;
    }
    if (!result.ok) {
      this.#wake(lane, result.waitMs, result.limiting, head);
      return false;
    }
    lane.queue.shift();
    const throttledBy = lane.stalledOn === head ? lane.stalledBy : undefined;
    this.#settle(lane, head);
    lane.inFlight += 1;
    head.resolve(
      this.#ticket(lane, head.amounts, head.estimate, head.model, result, head.enqueuedAtMs, throttledBy),
    );
    return true;
  }

  #ticket(
    lane: Lane,
    amounts: Partial<Record<Dimension, number>>,
    estimate: RequestEstimate,
    model: string | undefined,
    result: Extract<TakeResult, { ok: true }>,
    enqueuedAtMs: number,
    throttledBy: Dimension | 'concurrency' | 'pause' | undefined,
  ): Ticket {
    const now = this.#now();
    lane.openLevels = result.levels;
    // `for…in` over the few dimensions: no entry arrays on every call.
    for (const key in amounts) {
      const dimension = key as Dimension;
      if (result.marks[dimension] === undefined) continue;
      lane.unanswered.set(dimension, (lane.unanswered.get(dimension) ?? 0) + (amounts[dimension] as number));
    }
    return {
      key: lane.key,
      amounts,
      estimate,
      model,
      takenAtMs: result.atMs,
      takenLocalMs: now,
      marks: result.marks,
      levels: result.levels,
      queuedMs: Math.max(0, now - enqueuedAtMs),
      throttledBy,
      released: false,
      answered: false,
    };
  }

  #stall(lane: Lane, head: Waiter, bucket: Dimension | 'concurrency' | 'pause', waitMs: number): void {
    if (lane.stalledOn === head && lane.stalledBy === bucket) return;
    lane.stalledOn = head;
    lane.stalledBy = bucket;
    this.#options.emit({
      type: 'throttled',
      key: lane.key,
      ...(head.model === undefined ? {} : { model: head.model }),
      bucket,
      waitMs: Math.round(waitMs),
      waiting: lane.waiting,
    });
  }

  #wake(lane: Lane, waitMs: number, bucket: Dimension | 'pause', head: Waiter): void {
    const delayMs = Math.max(1, Math.ceil(waitMs));
    this.#stall(lane, head, bucket, delayMs);
    const dueMs = this.#now() + delayMs;
    if (lane.timer !== undefined && lane.timerDueMs <= dueMs) return;
    if (lane.timer !== undefined) clearTimeout(lane.timer);
    lane.timerDueMs = dueMs;
    lane.timer = setTimeout(() => {
      lane.timer = undefined;
      this.#pump(lane);
    }, delayMs);
  }

  #abandon(lane: Lane, waiter: Waiter, reason: unknown): void {
    if (waiter.settled) return;
    const wasHead = lane.queue.peek() === waiter;
    this.#settle(lane, waiter);
    waiter.reject(reason);
    if (wasHead) {
      // The wait was computed for this call; the next one may fit sooner.
      if (lane.timer !== undefined) clearTimeout(lane.timer);
      lane.timer = undefined;
      this.#pump(lane);
    }
  }

  #settle(lane: Lane, waiter: Waiter): void {
    waiter.settled = true;
    lane.waiting -= 1;
    this.#waiting -= 1;
    if (lane.stalledOn === waiter) lane.stalledOn = undefined;
    if (waiter.onAbort !== undefined) waiter.signal?.removeEventListener('abort', waiter.onAbort);
  }

  #failHead(lane: Lane, error: unknown): void {
    const head = lane.queue.peek();
    if (head === undefined || head.settled) return;
    lane.queue.shift();
    this.#settle(lane, head);
    head.reject(error);
    this.#pump(lane);
  }

  /** Learns a capacity from `x-ratelimit-limit-*`; true when the bucket was created by it. */
  #learnCapacity(
    lane: Lane,
    dimension: 'requests' | 'tokens',
    capacity: number,
    model: string | undefined,
  ): boolean {
    const current = lane.dims.get(dimension);
    if (current !== undefined && current.capacity === capacity && current.source === 'headers') return false;
    const windowMs = current?.windowMs ?? this.#options.windowMs;
    lane.dims.set(dimension, { capacity, windowMs, source: 'headers' });
    this.#run(
      this.#options.store.configure(lane.key, dimension, { capacity, windowMs }, SOURCE_PRIORITY.headers),
    );
    if (current === undefined || current.capacity !== capacity) {
      this.#options.emit({
        type: 'limits-learned',
        key: lane.key,
        ...(model === undefined ? {} : { model }),
        bucket: dimension,
        capacity,
        windowMs,
        ...(current === undefined ? {} : { previous: { ...current } }),
      });
    }
    return current === undefined;
  }

  /**
   * Infers the window from `reset` = time until full: a bucket of `limit` refilling over W ms with
   * `remaining` left is full after (limit − remaining)·W/limit. Adopted only when several answers
   * agree, and never when the caller fixed the window (a scaled simulator "minute", Azure's 10 s
   * RPM checks, MS-AZ429).
   */
  #learnWindow(
    lane: Lane,
    dimension: 'requests' | 'tokens',
    limit: number,
    remaining: number | undefined,
    resetMs: number | undefined,
  ): void {
    if (lane.windowFixed || remaining === undefined || resetMs === undefined || resetMs <= 0) return;
    const used = limit - remaining;
    // Too little used to read a rate from (rounding of counts and of the duration dominates).
    if (used < Math.max(1, limit * 0.002) || (dimension === 'tokens' && used < 50)) return;
    const estimate = (limit * resetMs) / used;
    if (!Number.isFinite(estimate) || estimate < WINDOW_MIN_MS || estimate > WINDOW_MAX_MS) return;
    let samples = lane.windowSamples.get(dimension);
    if (samples === undefined) {
      samples = { values: [] };
      lane.windowSamples.set(dimension, samples);
    }
    samples.values.push(estimate);
    if (samples.values.length > WINDOW_SAMPLES) samples.values.shift();
    if (samples.values.length < 5) return;
    const middle = median(samples.values);
    const agree = samples.values.filter((value) => Math.abs(value - middle) <= middle * 0.15).length;
    if (agree < 4) return;
    const current = lane.dims.get(dimension);
    if (current === undefined || Math.abs(middle - current.windowMs) <= current.windowMs * 0.2) return;
    const windowMs = Math.round(middle);
    const previous = { ...current };
    current.windowMs = windowMs;
    this.#run(
      this.#options.store.configure(
        lane.key,
        dimension,
        { capacity: current.capacity, windowMs },
        SOURCE_PRIORITY.headers,
      ),
    );
    // Day windows keep their ratio to the minute.
    const day = lane.dims.get(dimension === 'requests' ? 'requests-day' : 'tokens-day');
    if (day !== undefined && day.source !== 'limits') {
      day.windowMs = windowMs * 1_440;
      this.#run(
        this.#options.store.configure(
          lane.key,
          dimension === 'requests' ? 'requests-day' : 'tokens-day',
          { capacity: day.capacity, windowMs: day.windowMs },
          SOURCE_PRIORITY[day.source],
        ),
      );
    }
    this.#options.emit({
      type: 'limits-learned',
      key: lane.key,
      bucket: dimension,
      capacity: current.capacity,
      windowMs,
      previous,
    });
  }

  #detectTier(lane: Lane, model: string | undefined): void {
    if (lane.tierDetected !== undefined) return;
    const requests = lane.dims.get('requests');
    const tokens = lane.dims.get('tokens');
    if (requests?.source !== 'headers' || tokens?.source !== 'headers') return;
    // Every answer asks again: look the pair up only when it changed (limits no tier publishes).
    const checked = lane.tierChecked;
    if (checked !== undefined && checked[0] === requests.capacity && checked[1] === tokens.capacity) return;
    lane.tierChecked = [requests.capacity, tokens.capacity];
    const row = rows[lane.family];
    if (row === undefined) return;
    const tier = TIERS.find((candidate) => {
      const limits = row[candidate];
      return (
        limits !== undefined &&
        limits !== null &&
        limits.requestsPerMinute === requests.capacity &&
        limits.tokensPerMinute === tokens.capacity
      );
    });
    if (tier === undefined) return;
    lane.tierDetected = tier;
    this.#options.emit({
      type: 'tier-detected',
      key: lane.key,
      ...(model === undefined ? {} : { model }),
      family: lane.family,
      tier,
      requestsPerMinute: requests.capacity,
      tokensPerMinute: tokens.capacity,
    });
  }

  #onRateLimited(lane: Lane, ticket: Ticket, observation: Observation, headersSaidRemaining: boolean): void {
    lane.rateLimited += 1;
    const store = this.#options.store;
    const limit = observation.rateLimit;
    const dimension = limit === undefined ? undefined : dimensionFor(limit.kind, limit.window);
    if (dimension !== undefined && limit !== undefined) {
      if (
        limit.limit !== undefined &&
        !lane.dims.has(dimension) &&
        (dimension === 'requests' || dimension === 'tokens')
      ) {
        this.#learnCapacity(lane, dimension, limit.limit, ticket.model);
      } else if (limit.limit !== undefined && !lane.dims.has(dimension)) {
        const windowMs = this.#options.windowMs * 1_440;
        lane.dims.set(dimension, { capacity: limit.limit, windowMs, source: 'headers' });
        this.#run(
          store.configure(lane.key, dimension, { capacity: limit.limit, windowMs }, SOURCE_PRIORITY.headers),
        );
      }
      // The message's "Limit L, Used U" is the server's level when it refused (no headers on some
      // 429s, openai-node#1477).
      if (
        !headersSaidRemaining &&
        limit.limit !== undefined &&
        limit.used !== undefined &&
        lane.dims.has(dimension)
      ) {
        this.#run(
          store.sync(lane.key, dimension, {
            remaining: Math.max(0, limit.limit - limit.used),
            ageMs: this.#serverAge(ticket, observation),
            mark: ticket.marks[dimension] ?? 0,
            raiseCeiling: undefined,
          }),
        );
      }
    }
    const waitMs = observation.retryAfterMs;
    const unpaced = dimension === undefined || !lane.dims.has(dimension);
    if (observation.rateLimitedCause === 'slow_down' || (unpaced && lane.headerless)) {
      // No bucket can express it (a relay's bare 429, or traffic ramped too fast): fewer in flight.
      lane.concurrency = Math.max(
        1,
        Math.floor((Number.isFinite(lane.concurrency) ? lane.concurrency : Math.max(2, lane.inFlight)) / 2),
      );
    }
    if (waitMs === undefined || waitMs <= 0) return;
    if (dimension !== undefined && lane.dims.has(dimension)) {
      const amount = ticket.amounts[dimension] ?? (dimension.startsWith('requests') ? 1 : 0);
      this.#run(store.holdOff(lane.key, dimension, amount, waitMs));
    } else {
      lane.pausedUntilMs = Math.max(lane.pausedUntilMs, this.#now() + waitMs);
    }
  }

  /** The levels the in-process store holds now, for `sendAhead`; `undefined` while the lane is paused. */
  #levelsNow(lane: Lane): Partial<Record<Dimension, number>> | undefined {
    if (this.#options.sharedStore === true || lane.pausedUntilMs > this.#now()) return undefined;
    const snapshot = this.#options.store.peek(lane.key);
    const levels: Partial<Record<Dimension, number>> = {};
    for (const key in snapshot) {
      const dimension = key as Dimension;
      levels[dimension] = (snapshot[dimension] as BucketSnapshot).level;
    }
    return levels;
  }

  /** The call is answered: its reservation no longer counts as unanswered. */
  #answer(lane: Lane, ticket: Ticket): void {
    if (ticket.answered) return;
    ticket.answered = true;
    for (const key in ticket.amounts) {
      const dimension = key as Dimension;
      if (ticket.marks[dimension] === undefined) continue;
      const amount = ticket.amounts[dimension] as number;
      lane.unanswered.set(dimension, Math.max(0, (lane.unanswered.get(dimension) ?? 0) - amount));
    }
  }

  /** How long ago the server counted the call: its own processing time, never more than since our take. */
  #serverAge(ticket: Ticket, observation: Observation): number {
    const processing = observation.processingMs;
    if (processing === undefined || !Number.isFinite(processing) || processing <= 0) return 0;
    return Math.min(processing, Math.max(0, this.#now() - ticket.takenLocalMs));
  }

  /** Runs a store operation whose result nobody awaits; a shared store reports its own failures. */
  #run(result: void | Promise<void>): void {
    if (result instanceof Promise) result.catch(() => undefined);
  }
}
