/**
 * An independent token-bucket server for the pacing bench (issue 16): its own small code, nothing
 * shared with tierguard's simulator, so that the guard is measured against a server that was not
 * written to its assumptions. Per model, one bucket of requests and one of tokens, refilled
 * continuously over `windowMs`; a chat call is charged on arrival `ceil(prompt characters / k) +
 * max_tokens` (k unknown to the client) and refused with the API's 429 body and `retry-after-ms`
 * when either bucket is short; every answer carries `x-ratelimit-*` with `remaining` floored, read
 * at the charge; the latency is waited after the charge, before the answer. Every arrival is
 * recorded (time, charge, refused or not).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the server enforces and how it answers. */
export interface TokenBucketServerOptions {
  /** @default 100 */
  readonly requestsPerWindow?: number;
  /** @default 20_000 */
  readonly tokensPerWindow?: number;
  /** @default 2_000 */
  readonly windowMs?: number;
  /** The prompt's characters per charged token. @default 4 */
  readonly charactersPerToken?: number;
  /** Waited after the charge, before every answer (200 and 429). @default 60 */
  readonly latencyMs?: number;
  /** Tokens each completion "generates", at most its `max_tokens`. @default 20 */
  readonly completionTokens?: number;
}

/** One call as the server saw it. */
export interface Arrival {
  /** Wall-clock ms with sub-ms precision (`performance.timeOrigin + performance.now()`). */
  readonly atMs: number;
  readonly model: string;
  /** Tokens the call asked for (charged when admitted). */
  readonly charge: number;
  /** The bucket that refused it, or `null` when it was served. */
  readonly refused: 'requests' | 'tokens' | null;
}

/** A running server. */
export interface TokenBucketServer {
  /** `http://127.0.0.1:PORT/v1`. */
  readonly baseURL: string;
  /** Every arrival so far, oldest first (a copy). */
  arrivals(): Arrival[];
  close(): Promise<void>;
}

const ORGANIZATION = 'org-bench';
const MAX_ARRIVALS = 200_000;
const MAX_BODY_BYTES = 4 * 1_048_576;

/** A bucket refilled continuously: `capacity` per `windowMs`. */
class Bucket {
  readonly capacity: number;
  readonly #windowMs: number;
  #level: number;
  #atMs: number;

  constructor(capacity: number, windowMs: number, nowMs: number) {
    this.capacity = capacity;
    this.#windowMs = windowMs;
    this.#level = capacity;
    this.#atMs = nowMs;
  }

  level(nowMs: number): number {
    if (nowMs > this.#atMs) {
      this.#level = Math.min(
        this.capacity,
        this.#level + ((nowMs - this.#atMs) * this.capacity) / this.#windowMs,
      );
      this.#atMs = nowMs;
    }
    return this.#level;
  }

  take(amount: number, nowMs: number): void {
    this.#level = this.level(nowMs) - amount;
  }

  /** Ms until `amount` fits (0: it fits now). */
  waitMs(amount: number, nowMs: number): number {
    return Math.max(0, ((amount - this.level(nowMs)) * this.#windowMs) / this.capacity);
  }

  /** Ms until the bucket is full again. */
  resetMs(nowMs: number): number {
    return ((this.capacity - this.level(nowMs)) * this.#windowMs) / this.capacity;
  }
}

/** A Go-style duration as the API writes them: `644ms`, `9.816s`, `1m2.5s`, `2h5m0s`. */
function goDuration(ms: number): string {
  if (ms <= 0) return '0s';
  if (ms < 1_000) return `${Math.ceil(ms)}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = `${Number(((ms % 60_000) / 1_000).toFixed(3))}s`;
  if (hours > 0) return `${hours}h${minutes}m${seconds}`;
  return minutes > 0 ? `${minutes}m${seconds}` : seconds;
}

/** The characters of the prompt's text: every message's content, a string or text parts. */
export function promptCharactersOf(messages: unknown): number {
  if (!Array.isArray(messages)) return 0;
  let characters = 0;
  for (const message of messages as { content?: unknown }[]) {
    const content = message?.content;
    if (typeof content === 'string') characters += content.length;
    else if (Array.isArray(content))
      for (const part of content as { text?: unknown }[])
        if (typeof part?.text === 'string') characters += part.text.length;
  }
  return characters;
}

function readBody(request: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () =>
      resolve(size <= MAX_BODY_BYTES ? Buffer.concat(chunks).toString('utf8') : undefined),
    );
    request.on('error', () => resolve(undefined));
  });
}

function errorBody(message: string, type: string, code: string | null): string {
  return JSON.stringify({ error: { message, type, param: null, code } });
}

/** Starts the server on 127.0.0.1 (a free port). */
export async function startTokenBucketServer(
  options: TokenBucketServerOptions = {},
): Promise<TokenBucketServer> {
  const requestsPerWindow = options.requestsPerWindow ?? 100;
  const tokensPerWindow = options.tokensPerWindow ?? 20_000;
  const windowMs = options.windowMs ?? 2_000;
  const charactersPerToken = options.charactersPerToken ?? 4;
  const latencyMs = options.latencyMs ?? 60;
  const completionTokens = options.completionTokens ?? 20;
  const lanes = new Map<string, { requests: Bucket; tokens: Bucket }>();
  const arrivals: Arrival[] = [];
  const clock = (): number => performance.timeOrigin + performance.now();
  let sequence = 0;

  const answer = (
    response: ServerResponse,
    status: number,
    headers: Record<string, string>,
    body: string,
  ): void => {
    setTimeout(() => {
      if (response.destroyed) return;
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(body);
    }, latencyMs);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const text = await readBody(request);
    sequence += 1;
    const requestId = `req_bench${sequence.toString(36).padStart(8, '0')}`;
    const path = (request.url ?? '').split('?')[0]?.replace(/\/$/, '');
    if (request.method !== 'POST' || path !== '/v1/chat/completions') {
      answer(
        response,
        404,
        { 'x-request-id': requestId },
        errorBody(`Invalid URL (${request.method} ${path})`, 'invalid_request_error', null),
      );
      return;
    }
    let body: { model?: unknown; messages?: unknown; max_tokens?: unknown; max_completion_tokens?: unknown };
    try {
      body = JSON.parse(text ?? '') as typeof body;
    } catch {
      answer(
        response,
        400,
        { 'x-request-id': requestId },
        errorBody('We could not parse the JSON body of your request.', 'invalid_request_error', null),
      );
      return;
    }
    const model = typeof body.model === 'string' ? body.model : 'unknown';
    const maxTokensField = body.max_completion_tokens ?? body.max_tokens;
    const maxTokens =
      typeof maxTokensField === 'number' && maxTokensField >= 0 ? Math.floor(maxTokensField) : 0;
    const promptTokens = Math.ceil(promptCharactersOf(body.messages) / charactersPerToken);
    const charge = promptTokens + maxTokens;

    // Charged on arrival: everything below reads the buckets at this instant.
    const nowMs = clock();
    let lane = lanes.get(model);
    if (lane === undefined) {
      lane = {
        requests: new Bucket(requestsPerWindow, windowMs, nowMs),
        tokens: new Bucket(tokensPerWindow, windowMs, nowMs),
      };
      lanes.set(model, lane);
    }
    const requestsWait = lane.requests.waitMs(1, nowMs);
    const tokensWait = charge > tokensPerWindow ? Infinity : lane.tokens.waitMs(charge, nowMs);
    const refused = requestsWait > 0 ? 'requests' : tokensWait > 0 ? 'tokens' : null;
    if (refused === null) {
      lane.requests.take(1, nowMs);
      lane.tokens.take(charge, nowMs);
    }
    if (arrivals.length < MAX_ARRIVALS) arrivals.push({ atMs: nowMs, model, charge, refused });
    const headers: Record<string, string> = {
      'x-request-id': requestId,
      'x-ratelimit-limit-requests': String(requestsPerWindow),
      'x-ratelimit-limit-tokens': String(tokensPerWindow),
      'x-ratelimit-remaining-requests': String(Math.max(0, Math.floor(lane.requests.level(nowMs)))),
      'x-ratelimit-remaining-tokens': String(Math.max(0, Math.floor(lane.tokens.level(nowMs)))),
      'x-ratelimit-reset-requests': goDuration(lane.requests.resetMs(nowMs)),
      'x-ratelimit-reset-tokens': goDuration(lane.tokens.resetMs(nowMs)),
    };

    if (refused !== null) {
      const bucket = refused === 'requests' ? lane.requests : lane.tokens;
      const limit = bucket.capacity;
      const used = limit - Math.max(0, Math.floor(bucket.level(nowMs)));
      const requested = refused === 'requests' ? 1 : charge;
      const waitMs = refused === 'requests' ? requestsWait : tokensWait;
      if (!Number.isFinite(waitMs)) {
        answer(
          response,
          429,
          headers,
          errorBody(
            `Request too large for ${model} in organization ${ORGANIZATION} on tokens per min (TPM): Limit ${limit}, Requested ${charge}. The input or output tokens must be reduced in order to run successfully. Visit https://platform.openai.com/account/rate-limits to learn more.`,
            'tokens',
            'rate_limit_exceeded',
          ),
        );
        return;
      }
      const unit = refused === 'requests' ? 'requests per min (RPM)' : 'tokens per min (TPM)';
      headers['retry-after-ms'] = String(Math.ceil(waitMs));
      answer(
        response,
        429,
        headers,
        errorBody(
          `Rate limit reached for ${model} in organization ${ORGANIZATION} on ${unit}: Limit ${limit}, Used ${used}, Requested ${requested}. Please try again in ${goDuration(waitMs)}. Visit https://platform.openai.com/account/rate-limits to learn more.`,
          refused,
          'rate_limit_exceeded',
        ),
      );
      return;
    }
    const generated = Math.min(maxTokens, completionTokens);
    answer(
      response,
      200,
      headers,
      JSON.stringify({
        id: `chatcmpl-${requestId}`,
        object: 'chat.completion',
        created: Math.floor(nowMs / 1_000),
        model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: 'ok '.repeat(generated).trim(), refusal: null },
            logprobs: null,
            finish_reason: generated < maxTokens ? 'stop' : 'length',
          },
        ],
        usage: {
          prompt_tokens: promptTokens,
          completion_tokens: generated,
          total_tokens: promptTokens + generated,
        },
      }),
    );
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    arrivals: () => arrivals.slice(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
