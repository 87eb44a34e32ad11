/**
 * The token bucket behind `openaiHandlers({ limits })`: one pair of continuously refilled buckets
 * (requests, tokens) charged and worded the way the simulator's rate limiter does it (the same
 * `SimBucket`, `RateLimiter` and request count), so that the `x-ratelimit-*` headers, the 429s and
 * their waits agree with each other call after call.
 */
import { resolveModel } from '../models/resolve.js';
import { apiErrors, type ErrorFixture } from './fixtures.js';
import { SimBucket } from './simulator/buckets.js';
import { RateLimiter, type Lane } from './simulator/limiter.js';
import { rateLimitHeadersFor, type RateLimitHeaderFormat } from './simulator/rate-headers.js';
import { countRequest, type CountedEndpoint } from './simulator/tokens.js';

// Headers on every answer, remaining floored and reset to the millisecond, as the API sends them.
const HEADER_FORMAT: RateLimitHeaderFormat = { mode: 'full', remaining: 'floor', resetGranularityMs: 1 };

/** What one call costs, and what the server counted of its prompt. */
export interface CallCharge {
  /** The model the request names (for the 429's message). */
  readonly model: string;
  /** Tokens charged: the prompt plus its largest output × n; 0 when tokens are not limited. */
  readonly tokens: number;
  /** The prompt as the server counts it, when it was counted. */
  readonly promptTokens: number | undefined;
}

/** The answer of the buckets to one call. */
export interface BucketAdmission {
  /** The API's 429 when the call does not fit now (or never fits: "Request too large"). */
  readonly refusal: ErrorFixture | undefined;
  /** The `x-ratelimit-*` headers after the call was charged (or refused). */
  readonly headers: Readonly<Record<string, string>>;
}

/** A pair of buckets on a clock. */
export interface BucketLane {
  /** Whether calls are charged tokens (a tokens limit was given), so the prompt must be counted. */
  readonly countsTokens: boolean;
  readonly defaultMaxOutputTokens: number;
  /** Charges a call, or refuses it with the API's 429. */
  admit(charge: CallCharge): BucketAdmission;
}

/** Options of a bucket lane, defaults applied. */
export interface BucketLaneOptions {
  readonly requests?: number | undefined;
  readonly tokens?: number | undefined;
  readonly windowMs?: number | undefined;
  readonly organization: string;
  readonly defaultMaxOutputTokens?: number | undefined;
  readonly now: () => number;
}

const DEFAULT_WINDOW_MS = 60_000;
const DEFAULT_MAX_OUTPUT_TOKENS = 1_024;

const ENDPOINTS: Readonly<Record<string, CountedEndpoint>> = {
  '/chat/completions': 'chat',
  '/responses': 'responses',
  '/embeddings': 'embeddings',
  '/images/generations': 'images',
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * What a call to `path` with `body` costs: one request, and (when `countTokens`) its prompt as the
 * server counts it with the model's tokenizer plus its largest output × n (openai-api.md note B).
 */
export async function chargeOf(
  path: string,
  body: unknown,
  countTokens: boolean,
  defaultMaxOutputTokens: number,
): Promise<CallCharge> {
  const fields = isRecord(body) ? body : {};
  const model = typeof fields.model === 'string' ? fields.model : 'unknown';
  const endpoint = ENDPOINTS[path];
  if (!countTokens || endpoint === undefined) return { model, tokens: 0, promptTokens: undefined };
  const encoding = resolveModel(model).info?.encoding ?? 'o200k_base';
  const counted = await countRequest(endpoint, fields, encoding, defaultMaxOutputTokens);
  const outputChoices = endpoint === 'chat' ? counted.choices : 1;
  return {
    model,
    tokens: counted.promptTokens + counted.maxOutputTokens * outputChoices,
    promptTokens: counted.promptTokens,
  };
}

/**
 * A clock that never steps back: a test may build the handlers under real timers and call them
 * under fake ones (whose clock starts elsewhere); a step back counts as no time passing.
 */
function monotonic(now: () => number): () => number {
  let last: number | undefined;
  let elapsed = 0;
  return () => {
    const reading = now();
    if (last !== undefined && reading > last) elapsed += reading - last;
    last = reading;
    return elapsed;
  };
}

/** Builds the bucket pair; the buckets start full at the first call. */
export function createBucketLane(options: BucketLaneOptions): BucketLane {
  const windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
  const clock = monotonic(options.now);
  const limiter = new RateLimiter(windowMs);
  let lane: Lane | undefined;
  const laneAt = (nowMs: number): Lane => {
    lane ??= {
      requests: options.requests === undefined ? undefined : new SimBucket(options.requests, windowMs, nowMs),
      requestsPerDay: undefined,
      tokens: options.tokens === undefined ? undefined : new SimBucket(options.tokens, windowMs, nowMs),
      images: undefined,
    };
    return lane;
  };

  return {
    countsTokens: options.tokens !== undefined,
    defaultMaxOutputTokens: options.defaultMaxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS,
    admit(charge) {
      const nowMs = clock();
      const current = laneAt(nowMs);
      const admission = limiter.admit(current, { tokens: charge.tokens, images: 0 }, nowMs);
      const headers = rateLimitHeadersFor(current, nowMs, HEADER_FORMAT, [], Math.random);
      if (admission.admitted) return { refusal: undefined, headers };
      const { organization } = options;
      if (admission.refusal === 'tooLarge') {
        const refusal = apiErrors.requestTooLarge({
          model: charge.model,
          organization,
          limit: admission.limit,
          requested: admission.requested,
        });
        return { refusal, headers };
      }
      const refusal = apiErrors.rateLimited({
        model: charge.model,
        organization,
        kind: admission.refusal === 'tokens' ? 'tokens' : 'requests',
        limit: admission.limit,
        used: admission.used,
        requested: admission.requested,
        // A whole number of ms, rounded up: after the announced wait the call fits.
        retryAfterMs: Math.ceil(admission.waitMs),
        retryAfterHeaders: true,
      });
      return { refusal, headers };
    },
  };
}
