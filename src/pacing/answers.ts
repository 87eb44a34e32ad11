/**
 * What an answer teaches a lane: the limits and levels its `x-ratelimit-*` headers say (a header's
 * `remaining` is as old as the call it answers: it is aged by the time since the call was sent),
 * the prompt scale its `usage` shows, and, for a 429, the limit its message names and the wait it
 * asks for (never longer than the window it speaks for).
 */
import type { Tier } from '../data/tiers.js';
import { readRateLimitHeaders, type HeaderSource } from '../util/rate-limit-headers.js';
import type { Lane, Ticket } from './lane.js';
import { detectTier, learnCapacity, learnScale, learnWindow, plausibleCapacity } from './learning.js';
import type { PacerEvent } from './pacer-options.js';
import { replayLevel } from './replay.js';
import { settleQuietly } from './scheduler.js';
import { SOURCE_PRIORITY, type BucketStore, type Dimension } from './types.js';

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
  /** The answer was a rate-limit refusal (429 rate limit or slow_down). */
  readonly rateLimited?: 'requests' | 'tokens' | 'slow_down' | 'unknown' | undefined;
}

/** What learning from answers needs. */
export interface AnswerContext {
  readonly store: BucketStore;
  readonly now: () => number;
  readonly emit: (event: PacerEvent) => void;
  /** The window a new dimension starts with. */
  readonly windowMs: number;
  readonly maxUnknownConcurrency: number;
  /** The longest pause a 429 without a bucket may impose. */
  readonly maxPauseMs: number;
}

const HEADED = ['requests', 'tokens'] as const;

/**
 * How old an answer's `remaining` is: the server counted the call when it arrived and answered
 * after working on it. Its own `openai-processing-ms` says how long that was, when it sends it;
 * otherwise the whole time since the call was sent (the network's share of it is small, and
 * crediting none of it stalls a lane at every wave of answers from a slow model).
 */
function answerAge(ticket: Ticket, observation: Observation, nowMs: number, windowMs: number): number {
  if (ticket.sentAtMs === undefined) return 0;
  const sinceSent = Math.max(0, nowMs - ticket.sentAtMs);
  const said = processingMs(observation.headers);
  return Math.min(windowMs, said === undefined ? sinceSent : Math.min(said, sinceSent));
}

function processingMs(headers: HeaderSource | undefined): number | undefined {
  if (headers === undefined) return undefined;
  const text =
    typeof (headers as { get?: unknown }).get === 'function'
      ? (headers as { get(name: string): string | null }).get('openai-processing-ms')
      : (headers as Readonly<Record<string, string | null | undefined>>)['openai-processing-ms'];
  const value = Number(text);
  return text === null || text === undefined || text === '' || !Number.isFinite(value) || value < 0
    ? undefined
    : value;
}
// A raise from an answer's headers stops this far below what they allow: counts are floored…
const RAISE_MARGIN_SHARE = 0.02;
// A change of the prompt scale above this share makes older takes incomparable with newer ones.
const SCALE_CHANGE = 0.03;
// …and calls sent this close before the answered one may have reached the server after it (a
// burst opens many connections at once: measured, calls 22 ms apart counted in reverse order).
const CONCURRENT_MS = 100;
// On shared buckets, only an answer younger than this share of the window raises: the other
// processes' calls taken since it was counted were estimated as each of them counted then (a scale
// it had not learned yet), and their number grows with the answer's age.
const SHARED_RAISE_MAX_AGE = 0.1;

function dimensionFor(kind: 'requests' | 'tokens', window: 'minute' | 'day'): Dimension {
  if (window === 'day') return kind === 'requests' ? 'requests-day' : 'tokens-day';
  return kind;
}

/** Learns from an answer: limits and levels from headers, tokens from usage, waits from a 429. */
export function learnFromAnswer(context: AnswerContext, ticket: Ticket, observation: Observation): void {
  const lane = ticket.lane;
  const store = context.store;
  const now = context.now();
  const headers = readRateLimitHeaders(observation.headers);
  // The server served this call: its tokens limit is at least what the call used. A smaller one
  // is a relay's invention (`x-ratelimit-limit-tokens: 1`), and would hold the lane for good.
  const used = (observation.usage?.promptTokens ?? 0) + (observation.usage?.completionTokens ?? 0);
  let sawHeaders = false;
  for (const kind of HEADED) {
    const said = headers[kind];
    if (said.limit === undefined || !plausibleCapacity(kind, said.limit)) continue;
    if (kind === 'tokens' && said.limit < used) continue;
    sawHeaders = true;
    const learned = learnCapacity(lane, kind, said.limit, context.windowMs, ticket.model);
    const limit = lane.limits.get(kind);
    if (limit === undefined) continue;
    if (learned.event !== undefined) {
      settleQuietly(
        store.configure(
          lane.key,
          kind,
          { capacity: limit.capacity, windowMs: limit.windowMs },
          SOURCE_PRIORITY.headers,
        ),
      );
      context.emit(learned.event);
    }
    const window = learnWindow(lane, kind, said.limit, said.remaining, said.resetMs);
    // Both buckets of a lane refill over the same window.
    if (window !== undefined) for (const dimension of HEADED) adoptWindow(context, lane, dimension, window);
    if (said.remaining === undefined) continue;
    const mark = ticket.marks[kind];
    if (mark === undefined && !learned.created) continue;
    if (learned.created && !store.shared) {
      // A bucket learned from this answer never held the calls sent since: bring what the server
      // said up to now by replaying them, refill capped as the server's was (`replay.ts`).
      settleQuietly(
        store.sync(lane.key, kind, {
          remaining: said.remaining,
          ageMs: 0,
          mark: 0,
          raiseMargin: undefined,
          origin: ticket.origin,
          serverLevel: replayLevel(lane, ticket, kind, said.remaining, now),
        }),
      );
      continue;
    }
    const ageMs = answerAge(ticket, observation, now, limit.windowMs);
    // Raised only once the lane knows how the server counts (before, a low estimate would raise
    // it past what the server holds), and only from a call taken since the lane last changed how
    // it counts (what was taken after an older call is counted in the old, lower, estimates) or
    // was last refused. The margin holds what may have reached the server just before the answered
    // call; on shared buckets every process sent such calls, counted as this one's times the
    // processes (a store that cannot count them is never raised: lowering-only syncs keep the
    // least of every answer's estimate, so a shared bucket that cannot be raised loses the first
    // window's reserve for good, docs/decisions.md §28).
    const sharers = store.shared ? store.processes : 1;
    const raiseMargin =
      sharers === undefined ||
      (store.shared && ageMs > limit.windowMs * SHARED_RAISE_MAX_AGE) ||
      !lane.learning.usageSeen ||
      ticket.sequence <= lane.learning.raiseAfter
        ? undefined
        : limit.capacity * RAISE_MARGIN_SHARE + lane.sentAround(ticket, kind, CONCURRENT_MS) * sharers;
    settleQuietly(
      store.sync(lane.key, kind, {
        // A shared bucket learned from this answer did not hold the calls sent after it: the
        // server counted them, so they come off what it said was left.
        remaining: mark === undefined ? said.remaining - lane.sentSince(ticket, kind) : said.remaining,
        ageMs,
        mark: mark ?? 0,
        raiseMargin,
        origin: ticket.origin,
      }),
    );
  }
  if (sawHeaders) {
    lane.learning.headerless = false;
    lane.concurrency = Number.POSITIVE_INFINITY;
    const tier = detectTier(lane);
    if (tier !== undefined) emitTier(context, lane, tier, ticket.model);
  }
  lane.answered(ticket);
  const promptTokens = observation.usage?.promptTokens;
  if (promptTokens !== undefined) {
    lane.learning.usageSeen = true;
    const before = lane.learning.promptScale;
    learnScale(lane, ticket.estimate, promptTokens);
    // The server counts more than estimated: the calls still unanswered were under-reserved by
    // that much, and the server has already counted them.
    const grown = lane.learning.promptScale - before;
    if (Math.abs(grown) > before * SCALE_CHANGE) lane.learning.raiseAfter = lane.admissions;
    const unanswered = grown > 0 && lane.limits.has('tokens') ? lane.unansweredPrompt() : 0;
    if (unanswered > 0) settleQuietly(store.adjust(lane.key, 'tokens', -Math.ceil(grown * unanswered)));
    // Without headers, the reservation is reconciled from usage: the prompt as the API counted
    // it, plus the output it charged — the full maximum when one was set, else what it wrote.
    const tokensTaken = ticket.amounts.tokens;
    if (
      !sawHeaders &&
      observation.status < 400 &&
      tokensTaken !== undefined &&
      ticket.marks.tokens !== undefined
    ) {
      const estimate = ticket.estimate;
      const output = estimate.outputDefaulted
        ? (observation.usage?.completionTokens ?? estimate.maxOutputTokens * estimate.n)
        : estimate.maxOutputTokens * estimate.n;
      const delta = tokensTaken - (promptTokens + output);
      if (Math.abs(delta) >= 1) settleQuietly(store.adjust(lane.key, 'tokens', delta));
    }
  }
  if (observation.rateLimited !== undefined)
    onRateLimited(
      context,
      ticket,
      observation,
      headers.requests.remaining !== undefined || headers.tokens.remaining !== undefined,
    );
  else if (
    observation.status < 400 &&
    !sawHeaders &&
    !lane.knowsLimits &&
    lane.concurrency < context.maxUnknownConcurrency
  ) {
    // A server that says nothing of its limits: one more call in flight per success.
    lane.concurrency += 1;
    lane.concurrencyRaisedAtMs = now;
  }
}

function adoptWindow(
  context: AnswerContext,
  lane: Lane,
  dimension: 'requests' | 'tokens',
  windowMs: number | undefined,
): void {
  const current = lane.limits.get(dimension);
  if (windowMs === undefined || current === undefined || current.windowMs === windowMs) return;
  // A window the caller gave for this bucket stays.
  if (current.source === 'limits') return;
  const previous = { capacity: current.capacity, windowMs: current.windowMs, source: current.source };
  current.windowMs = windowMs;
  settleQuietly(
    context.store.configure(
      lane.key,
      dimension,
      { capacity: current.capacity, windowMs },
      SOURCE_PRIORITY.headers,
    ),
  );
  // Day windows keep their ratio to the minute.
  const dayDimension = dimension === 'requests' ? 'requests-day' : 'tokens-day';
  const day = lane.limits.get(dayDimension);
  if (day !== undefined && day.source !== 'limits') {
    day.windowMs = windowMs * 1_440;
    settleQuietly(
      context.store.configure(
        lane.key,
        dayDimension,
        { capacity: day.capacity, windowMs: day.windowMs },
        SOURCE_PRIORITY[day.source],
      ),
    );
  }
  context.emit({
    type: 'limits-learned',
    key: lane.label,
    bucket: dimension,
    capacity: current.capacity,
    windowMs,
    previous,
  });
}

function emitTier(context: AnswerContext, lane: Lane, tier: Tier, model: string | undefined): void {
  const requests = lane.limits.get('requests')?.capacity ?? 0;
  const tokens = lane.limits.get('tokens')?.capacity ?? 0;
  context.emit({
    type: 'tier-detected',
    key: lane.label,
    ...(model === undefined ? {} : { model }),
    family: lane.family,
    tier,
    requestsPerMinute: requests,
    tokensPerMinute: tokens,
  });
}

function onRateLimited(
  context: AnswerContext,
  ticket: Ticket,
  observation: Observation,
  headersSaidRemaining: boolean,
): void {
  const lane = ticket.lane;
  lane.rateLimited += 1;
  // Refused: the server charged nothing for it. And the lane's view was off: nothing older raises it.
  ticket.send.uncounted = true;
  lane.learning.raiseAfter = lane.admissions;
  const store = context.store;
  const limit = observation.rateLimit;
  const dimension = limit === undefined ? undefined : dimensionFor(limit.kind, limit.window);
  if (
    dimension !== undefined &&
    limit !== undefined &&
    limit.limit !== undefined &&
    plausibleCapacity(dimension, limit.limit)
  ) {
    // A quoted minute limit is learned only on a lane whose server sends rate-limit headers (the
    // API's 429 that lacks them, openai-node#1477). A server that never sends them is a relay,
    // whose words may quote another channel's limit and would pace the lane to it for good: it is
    // paced by the calls kept in flight instead. A day's limit is in no header: its words are all.
    const quotedLimitHolds = !lane.learning.headerless || dimension.endsWith('-day');
    if (!lane.limits.has(dimension) && quotedLimitHolds) {
      const windowMs = dimension.endsWith('-day') ? context.windowMs * 1_440 : context.windowMs;
      const learned = learnCapacity(lane, dimension, limit.limit, windowMs, ticket.model);
      settleQuietly(
        store.configure(lane.key, dimension, { capacity: limit.limit, windowMs }, SOURCE_PRIORITY.headers),
      );
      if (learned.event !== undefined) context.emit(learned.event);
    }
    // The message's "Limit L, Used U" is the server's level when it refused (some 429s carry no
    // headers, openai-node#1477).
    if (!headersSaidRemaining && limit.used !== undefined)
      settleQuietly(
        store.sync(lane.key, dimension, {
          remaining: Math.max(0, limit.limit - limit.used),
          ageMs: 0,
          mark: ticket.marks[dimension] ?? 0,
          raiseMargin: undefined,
          origin: ticket.origin,
        }),
      );
  }
  const bucket = dimension === undefined ? undefined : lane.limits.get(dimension);
  if (observation.rateLimited === 'slow_down' || (bucket === undefined && lane.learning.headerless)) {
    // No bucket can express it (a relay's bare 429, or traffic ramped too fast): fewer in flight.
    const current = Number.isFinite(lane.concurrency) ? lane.concurrency : Math.max(2, lane.inFlight);
    lane.concurrency = Math.max(1, Math.floor(current / 2));
    lane.concurrencyRaisedAtMs = context.now();
  }
  const waitMs = observation.retryAfterMs;
  if (waitMs === undefined || !(waitMs > 0)) return;
  if (dimension !== undefined && bucket !== undefined) {
    // A wait longer than the window it speaks for is not that limit's (a day-long retry-after on a
    // per-minute 429 is a relay's): the pipeline fails that call fast, and the bucket is not held
    // for it (held a whole window, it kept every later call a minute).
    if (waitMs > bucket.windowMs) return;
    const amount = ticket.amounts[dimension] ?? (dimension.startsWith('requests') ? 1 : 0);
    settleQuietly(store.holdOff(lane.key, dimension, amount, waitMs));
  } else {
    lane.pausedUntilMs = Math.max(lane.pausedUntilMs, context.now() + Math.min(waitMs, context.maxPauseMs));
  }
}
