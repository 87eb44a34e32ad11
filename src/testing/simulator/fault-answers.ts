/**
 * What each injected fault sends in place of the normal answer. Error bodies come from `apiErrors`
 * so that their wording is the one the fixtures use; `faults.ts` decides when a fault fires.
 */
import { apiErrors, type ErrorFixture } from '../fixtures.js';
import type { Generation } from './endpoints.js';
import type { FaultKind } from './faults.js';
import type { Reply } from './server.js';
import { errorCodeOf } from './stats.js';
import { brokenStreamFrames, chatStreamFrames } from './streaming.js';

/** What the pipeline knows of the request a fault replaces the answer of. */
export interface FaultContext {
  readonly requestId: string;
  /** `openai-*`, `x-request-id`, the budget's `x-ratelimit-*`: what the API's own answers carry. */
  readonly apiHeaders: Readonly<Record<string, string>>;
  readonly model: string | undefined;
  readonly organization: string;
  /** Which streaming format the request would get. */
  readonly api: 'chat' | 'responses' | 'other';
  readonly stream: boolean;
  readonly body: Readonly<Record<string, unknown>>;
  /** A small generation for the opening frames of broken streams and cut-off bodies. */
  readonly generation: Generation;
  /** The model's requests-per-day limit, when it has one (for `retry-after-day`). */
  readonly requestsPerDay: number | undefined;
}

/** A fault's answer: what to count, and how to deliver it. */
export interface FaultAnswer {
  /** The status sent; `undefined` when nothing is (a hang). */
  readonly status: number | undefined;
  /** `error.code` (or type) of the body, for the counts. */
  readonly code: string | undefined;
  deliver(reply: Reply): Promise<void> | void;
}

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
} as const;
// What the API's own per-day refusals look like when no tier table gives a figure (Table 1 #18
// shows RPD 1,000; Table 4 lists 10,000 for Tier 1 mini models): a placeholder for the message.
const FALLBACK_REQUESTS_PER_DAY = 10_000;

function apiFixture(
  fixture: ErrorFixture,
  context: FaultContext,
  extra: Record<string, string> = {},
): FaultAnswer {
  return {
    status: fixture.status,
    code: errorCodeOf(fixture.body),
    deliver: (reply) =>
      reply.send(fixture.status, { ...fixture.headers, ...context.apiHeaders, ...extra }, fixture.body),
  };
}

/** A relay's answer: none of the API's headers. */
function relayFixture(fixture: ErrorFixture): FaultAnswer {
  return {
    status: fixture.status,
    code: errorCodeOf(fixture.body),
    deliver: (reply) => reply.send(fixture.status, fixture.headers, fixture.body),
  };
}

/** The answer of an answer-replacing fault (header faults are applied by the pipeline). */
export function faultAnswer(kind: FaultKind, context: FaultContext): FaultAnswer {
  switch (kind) {
    case 'server-error':
      return apiFixture(apiErrors.serverError(context.requestId), context);
    case 'overloaded':
      return apiFixture(apiErrors.overloaded(), context);
    case 'slow-down':
      return apiFixture(apiErrors.slowDown(), context);
    case 'relay-html':
      return relayFixture(apiErrors.relayHtml(502));
    case 'rate-limit-no-headers':
      return relayFixture(apiErrors.relayRateLimited());
    case 'retry-after-day': {
      const limit = context.requestsPerDay ?? FALLBACK_REQUESTS_PER_DAY;
      return apiFixture(
        apiErrors.rateLimited({
          model: context.model ?? 'gpt-4o-mini',
          organization: context.organization,
          kind: 'requests',
          window: 'day',
          limit,
          used: limit,
          requested: 1,
          retryAfterMs: 86_400_000,
        }),
        context,
        { 'retry-after': '86400' },
      );
    }
    case 'malformed-json':
      return {
        status: 200,
        code: undefined,
        deliver: (reply) => {
          if (context.stream) {
            reply.send(
              200,
              { ...SSE_HEADERS, ...context.apiHeaders },
              `data: {"id":"chatcmpl-${context.generation.idSuffix}","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Sim\n\n`,
            );
          } else {
            reply.send(
              200,
              { 'content-type': 'application/json', ...context.apiHeaders },
              `{"id": "chatcmpl-${context.generation.idSuffix}", "object": "chat.completion", "choices": [{"index": 0, "message": {"role": "assis`,
            );
          }
        },
      };
    case 'reset':
      return {
        status: 200,
        code: undefined,
        deliver: (reply) => {
          if (context.stream) {
            const frames = chatStreamFrames(context.generation, false);
            reply.cutOff(200, { ...SSE_HEADERS, ...context.apiHeaders }, frames.slice(0, 2).join(''));
          } else {
            const whole = `{"id": "chatcmpl-${context.generation.idSuffix}", "object": "chat.completion", "choices": [{"index": 0, "message": {"role": "assistant", "content": "Simulated reply"}}]}`;
            reply.cutOff(
              200,
              { 'content-type': 'application/json', ...context.apiHeaders },
              whole.slice(0, 40),
              Buffer.byteLength(whole),
            );
          }
        },
      };
    case 'hang':
      // Accepted, never answered: the client's timeout or `close()` ends it.
      return { status: undefined, code: undefined, deliver: () => undefined };
    case 'stream-error':
      return {
        status: 200,
        code: 'server_error',
        deliver: (reply) =>
          reply.stream(
            200,
            { ...SSE_HEADERS, ...context.apiHeaders },
            brokenStreamFrames(
              context.api === 'responses' ? 'responses' : 'chat',
              context.generation,
              context.body,
              context.requestId,
              2,
            ),
            0,
          ),
      };
    case 'no-rate-headers':
    case 'minus-one-headers':
    case 'garbage-headers':
      // Header faults never replace an answer; the book does not hand them out as answers.
      return { status: undefined, code: undefined, deliver: () => undefined };
  }
}
