/**
 * `openaiHandlers(msw, options)`: msw request handlers that answer the `openai` client the way the
 * API does, from the same fixtures and success builders as `scriptedFetch`. For services whose
 * tests already run an msw server (`setupServer` from `msw/node`).
 *
 * msw is an optional peer (majors 2 and 3): nothing here imports it. The caller passes its own
 * `http` namespace, so the handlers are built by the msw copy that runs the caller's server, in
 * the ESM and the CommonJS build of `tierguard/testing` alike, and without msw installed the
 * testing kit still loads.
 */
import * as z from 'zod';
import { isFunction, parseWith, positive } from '../util/options.js';
import { apiErrors } from './fixtures.js';
import { chargeOf, createBucketLane, type BucketLane } from './msw-bucket.js';
import {
  answerWith,
  pickItem,
  recordCall,
  waitForItem,
  type AfterLast,
  type AnsweredItem,
  type RecordedCall,
  type Script,
  type ScriptItem,
} from './script.js';
import {
  chatCompletion,
  chatCompletionStream,
  embeddingsResponse,
  responsesResponse,
} from './scripted-fetch.js';

/**
 * The part of msw's `http` namespace the handlers use: `http.all(path, resolver)`. msw's own
 * `http` (majors 2 and 3) fits it; `Handler` is msw's `HttpHandler`, so the result spreads into
 * `setupServer(...)` and `server.use(...)` with its types.
 */
export interface MswHttp<Handler> {
  all(path: string, resolver: (info: { readonly request: Request }) => Promise<Response>): Handler;
}

/** A token bucket pair the handlers answer from, as the API's rate limiter does. */
export interface HandlerLimits {
  /** Requests per window; absent: requests are not limited. */
  readonly requests?: number;
  /** Tokens per window (the prompt as the server counts it plus the largest output × n); absent: not limited. */
  readonly tokens?: number;
  /**
   * The window both buckets refill over, continuously.
   * @default 60_000
   */
  readonly windowMs?: number;
  /**
   * The organization the 429 messages name.
   * @default 'org-example'
   */
  readonly organization?: string;
  /**
   * The output a call is charged when it sets no `max_tokens` / `max_completion_tokens` /
   * `max_output_tokens` (the simulator's default).
   * @default 1_024
   */
  readonly defaultMaxOutputTokens?: number;
  /**
   * The clock, in milliseconds, read at each call (so fake timers installed after the handlers were
   * built still drive it). A step back is taken as no time passing.
   * @default () => performance.now()
   */
  readonly now?: () => number;
}

/** Options of `openaiHandlers`. */
export interface OpenAIHandlersOptions {
  /**
   * The base URL the client sends to; every call under it is answered.
   * @default process.env.OPENAI_BASE_URL, else 'https://api.openai.com/v1' (what the client uses)
   */
  readonly baseURL?: string;
  /**
   * What each call gets, as `scriptedFetch` takes it: one item for every call, one per call in
   * order, or a function of the call. With `limits`, the calls the buckets refuse get their 429
   * and the script answers the others, in order.
   * @default a success in the shape of the endpoint: `chatCompletion()` (or
   * `chatCompletionStream()` for `stream: true`), `responsesResponse()`, `embeddingsResponse()`;
   * the API's 404 `Invalid URL` for other paths
   */
  readonly script?: Script;
  /**
   * With an array script, what a call past its end gets: `'throw'` makes the resolver throw an error
   * that says so (msw prints it and answers 500), `'repeat-last'` answers with the last item again.
   * @default 'throw'
   */
  readonly afterLast?: AfterLast;
  /**
   * Answer from a token bucket: every answer carries `x-ratelimit-limit/remaining/reset-*` headers
   * that follow the buckets, and a call that does not fit gets the API's 429 (its body, with
   * `retry-after-ms` and `retry-after` for the time until it fits).
   */
  readonly limits?: HandlerLimits;
}

/** The handlers, to spread into `setupServer(...)` or `server.use(...)`, and the calls they got. */
export interface OpenAIHandlers<Handler> extends ReadonlyArray<Handler> {
  /** Every call received, in order (the ones the buckets refused included). */
  readonly calls: readonly RecordedCall[];
}

const DEFAULT_BASE_URL = 'https://api.openai.com/v1';
const DEFAULT_ORGANIZATION = 'org-example';
const OWNER = 'openaiHandlers';

const limitsSchema = z
  .strictObject({
    requests: positive('requests per window').optional(),
    tokens: positive('tokens per window').optional(),
    windowMs: positive('milliseconds').optional(),
    organization: z.string({ error: 'an organization id (a string)' }).optional(),
    defaultMaxOutputTokens: positive('tokens').optional(),
    now: z.custom<() => number>(isFunction, { error: 'a function () => milliseconds' }).optional(),
  })
  .refine((limits) => limits.requests !== undefined || limits.tokens !== undefined, {
    error: 'at least one of `requests` and `tokens`',
  });

const schema = z.strictObject({
  baseURL: z.url({ error: 'an absolute URL such as https://api.openai.com/v1' }).optional(),
  script: z
    .custom<Script>((value) => (typeof value === 'object' && value !== null) || isFunction(value), {
      error: 'a script item, an array of items, or a function of the call',
    })
    .optional(),
  afterLast: z.enum(['throw', 'repeat-last'], { error: "'throw' or 'repeat-last'" }).optional(),
  limits: limitsSchema.optional(),
});

function defaultBaseURL(): string {
  // The client reads the same variable (openai-node `ClientOptions.baseURL`).
  const fromEnv = typeof process === 'undefined' ? undefined : process.env.OPENAI_BASE_URL;
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : DEFAULT_BASE_URL;
}

/** The path under the base URL: `/chat/completions` for `…/v1/chat/completions`. */
function endpointPath(url: string, basePath: string): string {
  const { pathname } = new URL(url);
  return pathname.startsWith(basePath) ? pathname.slice(basePath.length) || '/' : pathname;
}

function fieldOf(body: unknown, field: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[field] : undefined;
}

/** A success in the shape the endpoint answers, echoing the request's model. */
function defaultAnswer(path: string, call: RecordedCall, promptTokens: number | undefined): ScriptItem {
  const model = fieldOf(call.body, 'model');
  const named = typeof model === 'string' ? { model } : {};
  const usage = promptTokens === undefined ? {} : { usage: { promptTokens } };
  if (call.method === 'POST' && path === '/chat/completions')
    return fieldOf(call.body, 'stream') === true
      ? chatCompletionStream({ ...named, ...usage })
      : chatCompletion({ ...named, ...usage });
  if (call.method === 'POST' && path === '/responses') {
    if (fieldOf(call.body, 'stream') === true)
      throw new Error(
        `${OWNER}: there is no default answer for a streamed Responses call; give it one in \`script\`.`,
      );
    return responsesResponse({ ...named, ...usage });
  }
  if (call.method === 'POST' && path === '/embeddings') {
    const input = fieldOf(call.body, 'input');
    const count = Array.isArray(input) && input.some((item) => typeof item !== 'number') ? input.length : 1;
    return embeddingsResponse({
      ...named,
      count,
      ...(promptTokens === undefined ? {} : { promptTokens }),
    });
  }
  return apiErrors.invalidUrl(call.method, new URL(call.url).pathname);
}

/**
 * Builds msw handlers that answer every call under the client's base URL: from a script of
 * fixtures and success builders (as `scriptedFetch` does), or in the endpoint's shape; with
 * `limits`, from a token bucket whose `x-ratelimit-*` headers and 429s stay consistent.
 *
 * Build the `openai` client after `server.listen()`: the client keeps the global `fetch` it finds
 * when it is constructed, and msw replaces that global in `listen()`.
 *
 * @example
 * import { http } from 'msw';
 * import { setupServer } from 'msw/node';
 * const server = setupServer(...openaiHandlers({ http }, { script: [fixtures.insufficient_quota] }));
 */
export function openaiHandlers<Handler>(
  msw: { readonly http: MswHttp<Handler> },
  options: OpenAIHandlersOptions = {},
): OpenAIHandlers<Handler> {
  if (typeof msw?.http?.all !== 'function')
    throw new TypeError(
      `${OWNER}: pass msw's \`http\`: openaiHandlers({ http }, options), with http from 'msw'.`,
    );
  const parsed = parseWith(schema, options, '', Object.keys(schema.shape));
  const baseURL = (parsed.baseURL ?? defaultBaseURL()).replace(/\/+$/, '');
  const basePath = new URL(baseURL).pathname.replace(/\/+$/, '');
  const { script, limits } = parsed;
  const afterLast = parsed.afterLast ?? 'throw';
  const lane: BucketLane | undefined =
    limits === undefined
      ? undefined
      : createBucketLane({
          ...limits,
          organization: limits.organization ?? DEFAULT_ORGANIZATION,
          now: limits.now ?? (() => performance.now()),
        });
  const calls: RecordedCall[] = [];
  let answered = 0;

  const resolver = async ({ request }: { readonly request: Request }): Promise<Response> => {
    const call = await recordCall(request);
    calls.push(call);
    const path = endpointPath(call.url, basePath);
    let rateHeaders: Readonly<Record<string, string>> = {};
    let promptTokens: number | undefined;
    if (lane !== undefined) {
      const charge = await chargeOf(path, call.body, lane.countsTokens, lane.defaultMaxOutputTokens);
      const admission = lane.admit(charge);
      if (admission.refusal !== undefined) return answerWith(admission.refusal, call, admission.headers);
      rateHeaders = admission.headers;
      promptTokens = charge.promptTokens;
    }
    const index = answered++;
    const item =
      script === undefined
        ? defaultAnswer(path, call, promptTokens)
        : await pickItem(script, call, index, afterLast, OWNER);
    try {
      await waitForItem(item, request.signal);
    } catch (error) {
      // The client has given up on an aborted call; answering it quietly keeps msw from printing
      // the abort as an exception in the handler.
      if (request.signal.aborted) return Response.error();
      throw error;
    }
    // msw fails the call with a network error (`TypeError: Failed to fetch`) for `Response.error()`;
    // it cannot reproduce undici's coded causes, so the kind of failure is not kept.
    if ('networkError' in item) return Response.error();
    return answerWith(item as AnsweredItem, call, rateHeaders);
  };

  const handlers = [msw.http.all(`${baseURL}/*`, resolver)];
  return Object.assign(handlers, { calls });
}

/** The part of an msw server's life-cycle events `releaseMockedBodyCopies` uses (`server.events`). */
export interface MswServerEvents {
  on(type: 'response:mocked', listener: (event: { readonly response: Response }) => void): unknown;
  removeListener(
    type: 'response:mocked',
    listener: (event: { readonly response: Response }) => void,
  ): unknown;
}

/**
 * Lets the client cancel a mocked body under msw 2. msw 2 keeps an unread copy of every mocked
 * response for its `response:mocked` event, and cancelling a body whose copy is unread never
 * settles (mswjs/interceptors#799, fixed in the interceptors msw 3 uses). The openai client cancels
 * an error's body before its own retry and a stream's body when iteration stops early (an error
 * frame, a `break`), so without this those calls hang until the test times out. This cancels each
 * copy as msw announces it: call it once after `setupServer`; harmless under msw 3. Another
 * `response:mocked` listener then gets a cancelled body. Returns a function that stops it.
 */
export function releaseMockedBodyCopies(server: { readonly events: MswServerEvents }): () => void {
  const release = ({ response }: { readonly response: Response }): void => {
    response.body?.cancel().catch(() => undefined);
  };
  server.events.on('response:mocked', release);
  return () => {
    server.events.removeListener('response:mocked', release);
  };
}
