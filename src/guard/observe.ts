/**
 * Step "observe": what an answer means — a success to deliver (its usage learned and priced), or a
 * failure to diagnose — and what pacing learns from it. A JSON body is read (its usage counts, and
 * a cut or garbled one is a relay's failure, retried like one); a stream is held until its first
 * token; any other body passes through untouched.
 */
import { CAUSE_CATALOGUE } from '../data/causes.js';
import type { Diagnosis } from '../diagnose/types.js';
import type { Observation } from '../pacing/pacer.js';
import { ownHeaders, type FailedAnswer } from './answer.js';
import type { SpendReservation } from '../budget/gate.js';
import { readBody, readWhole, type ObservedUsage } from '../util/read-body.js';
import { peekStream, type StreamErrorEvent } from '../util/stream-peek.js';

/** A served attempt: the transport's answer and the body to deliver it with. */
export interface Success {
  readonly kind: 'success';
  readonly response: Response;
  readonly body: BodyInit | null;
  readonly model: string | undefined;
}

/** A failed attempt: its diagnosis, and the answer (or the error) the caller gets if it is the last. */
export interface Failure {
  readonly kind: 'failure';
  readonly diagnosis: Diagnosis;
  readonly model: string | undefined;
  readonly answer?: FailedAnswer;
  /** The network failure to throw when there was no answer. */
  readonly error?: unknown;
  /** What `error` was diagnosed from, when not `error` itself (a transport's error, as the client reports it). */
  readonly facts?: unknown;
}

export type Outcome = Success | Failure;

/** What observing an answer needs. */
export interface ObserveContext {
  /** Tells pacing what the answer says (a no-op with `pacing: false`). */
  readonly learn: (observation: Observation) => void;
  /** The attempt is over: its reservation ends (reached the API). */
  readonly release: () => void;
  readonly model: string | undefined;
  /** The budget's reservation for this attempt: settled from what the answer says. */
  readonly reservation: SpendReservation | undefined;
  /** Tokens of a piece of output (a stream cut short is priced from what it delivered). */
  readonly countOutput: (text: string) => number;
  /** Diagnoses an attempt's failure with what the guard knows of the account. */
  readonly diagnose: (facts: unknown) => Diagnosis;
  /** A failure inside a stream after its first token (the caller's client throws it while iterating). */
  readonly onLateStreamError: (diagnosis: Diagnosis) => void;
  /** The answer's usage, as the API reported it (a JSON answer when read, a stream at its end). */
  readonly onUsage: (usage: ObservedUsage) => void;
  /** The attempt's answer is settled: stop its timeout (and, for a stream, its abort link at the end). */
  readonly onSettled: (streamEnded: boolean) => void;
  /**
   * The endpoint answers with one of the API's JSON objects (chat, Responses, embeddings…): a JSON
   * answer is read for its usage and for a cut body. Other endpoints' answers (a file's content, a
   * deletion's 204, a list) pass on unread, as the client would get them.
   */
  readonly answersWithObject: boolean;
  /** The longest a stream is held for its first output: the attempt's timeout (none: no bound). */
  readonly maxHoldMs: number | undefined;
}

/** Learns from a failed answer and returns the failure. */
async function failed(response: Response, context: ObserveContext): Promise<Failure> {
  const bodyText = await response.text().catch(() => '');
  // Upstream `x-tierguard-*` headers are never read as the guard's (a forged `x-tierguard-local`
  // would make a server's 500 a local refusal, never retried).
  const headers = ownHeaders(response.headers, false);
  const diagnosis = context.diagnose({ status: response.status, body: bodyText, headers });
  // A limit quoted for another model (a relay's channel, a shared proxy) is not this lane's.
  const limit =
    diagnosis.limit?.kind === 'context' || diagnosis.requestedModel !== undefined
      ? undefined
      : diagnosis.limit;
  context.learn({
    status: response.status,
    headers: response.headers,
    rateLimit: limit,
    retryAfterMs: diagnosis.retryAfterMs,
    // A 429 no bucket speaks for (a relay's saturated upstream, Azure's short capacity, words
    // nobody knows) still says to send less: of an unknown kind.
    rateLimited:
      CAUSE_CATALOGUE[diagnosis.cause].rateLimitKind ??
      (response.status === 429 && (diagnosis.cause === 'unknown' || diagnosis.cause === 'overloaded')
        ? 'unknown'
        : undefined),
  });
  context.release();
  context.onSettled(true);
  // The API bills no refused request.
  context.reservation?.release();
  return {
    kind: 'failure',
    diagnosis,
    model: context.model,
    answer: {
      status: response.status,
      statusText: response.statusText,
      headers,
      bodyText,
      url: response.url,
    },
  };
}

/** A failure found in a successful answer (an error event before a stream's first token, a cut body). */
function failedInside(
  response: Response,
  context: ObserveContext,
  facts: unknown,
  bodyText: string,
): Failure {
  const diagnosis = context.diagnose(facts);
  // The caller gets an error body the guard wrote, not the transport's.
  const headers = ownHeaders(response.headers, true);
  headers.set('content-type', 'application/json');
  return {
    kind: 'failure',
    diagnosis,
    model: context.model,
    answer: {
      // The status the client raises the right class for (the cause catalogue's `streamStatus`).
      status: CAUSE_CATALOGUE[diagnosis.cause].streamStatus,
      statusText: '',
      headers,
      bodyText,
      url: response.url,
    },
  };
}

/** Reads a JSON success: its usage, and whether it arrived whole. */
async function json(response: Response, context: ObserveContext): Promise<Outcome> {
  const { text, body } = await readWhole(response.body);
  const facts = readBody(text);
  if (!facts.whole) {
    // What the client gets of a body cut on its way: the whole of a small one, the head of a large one.
    const bodyText = typeof text === 'string' ? text : text.head;
    context.learn({ status: response.status, headers: response.headers });
    context.release();
    context.onSettled(true);
    // A body cut on its way: the API answered, and may have billed the call in full.
    context.reservation?.commit(undefined, undefined);
    return failedInside(
      response,
      context,
      { status: response.status, body: bodyText, headers: ownHeaders(response.headers, false) },
      bodyText,
    );
  }
  context.learn({
    status: response.status,
    headers: response.headers,
    usage: facts.usage,
  });
  context.release();
  context.onSettled(true);
  if (facts.usage !== undefined) context.onUsage(facts.usage);
  context.reservation?.commit(facts.usage?.raw, facts.serviceTier);
  return { kind: 'success', response, body, model: context.model };
}

/** Holds a stream until its first token or its first error. */
async function stream(response: Response, context: ObserveContext): Promise<Outcome> {
  context.learn({ status: response.status, headers: response.headers });
  // As the client's own timeout, the attempt's ends when the stream's headers arrive.
  context.onSettled(false);
  let usage: ObservedUsage | undefined;
  let outputTokens = 0;
  const { reservation } = context;
  const peeked = await peekStream(
    response.body as ReadableStream<Uint8Array>,
    {
      onUsage: (seen) => {
        usage = seen;
      },
      onError: (error: StreamErrorEvent) =>
        context.onLateStreamError(context.diagnose({ error, headers: ownHeaders(response.headers, false) })),
      ...(reservation === undefined
        ? {}
        : {
            onOutput: (text: string) => {
              outputTokens += context.countOutput(text);
            },
          }),
      onEnd: (how) => {
        if (usage !== undefined) {
          context.learn({ status: response.status, usage });
          context.onUsage(usage);
        }
        // Priced from its usage; a stream that ended without one may have produced its whole
        // maximum; one cut short is priced from the output it delivered, and one that failed
        // before any output (an error event first) cost nothing.
        if (usage !== undefined) reservation?.commit(usage.raw, usage.serviceTier);
        else if (how === 'failed' && outputTokens === 0) reservation?.release();
        else if (how === 'done') reservation?.commit(undefined, undefined);
        else reservation?.commitPartial(outputTokens);
        context.release();
        context.onSettled(true);
      },
    },
    context.maxHoldMs,
  );
  if (peeked.kind === 'error') {
    const error = peeked.error;
    return failedInside(
      response,
      context,
      { error, headers: ownHeaders(response.headers, false) },
      JSON.stringify({ error }),
    );
  }
  return { kind: 'success', response, body: peeked.body, model: context.model };
}

/** What an answer means, and what pacing learns from it. A body that fails while read rejects. */
export async function observeAnswer(response: Response, context: ObserveContext): Promise<Outcome> {
  if (!response.ok) return failed(response, context);
  const contentType = response.headers.get('content-type') ?? '';
  if (contentType.includes('text/event-stream') && response.body !== null) return stream(response, context);
  if (context.answersWithObject && contentType.includes('json')) return json(response, context);
  context.learn({ status: response.status, headers: response.headers });
  context.release();
  context.onSettled(false);
  // A body the guard does not read (audio, files) reports no usage: its worst case stands.
  context.reservation?.commit(undefined, undefined);
  return { kind: 'success', response, body: response.body, model: context.model };
}
