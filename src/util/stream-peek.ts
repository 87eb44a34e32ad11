/**
 * A stream held until its first output or its first error, so that a failure before any output can
 * still be retried or fall back (peers.md §4: streaming done right), then tapped for its usage and
 * for errors after the first output.
 */
import { isRecord, normalizeUsage, type ObservedUsage } from './read-body.js';

/** An error event found in a stream, in the API's error shape. */
export interface StreamErrorEvent {
  readonly message: string;
  readonly type: string | null;
  readonly code: string | null;
  readonly param: string | null;
}

function errorFrom(value: unknown): StreamErrorEvent | undefined {
  if (!isRecord(value)) return undefined;
  const message = typeof value.message === 'string' ? value.message : undefined;
  const code = typeof value.code === 'string' ? value.code : null;
  if (message === undefined && code === null) return undefined;
  return {
    message: message ?? '',
    type: typeof value.type === 'string' ? value.type : null,
    code,
    param: typeof value.param === 'string' ? value.param : null,
  };
}

/** What one SSE event means to the guard. */
type EventMeaning =
  | { readonly kind: 'token'; readonly text?: string }
  | { readonly kind: 'error'; readonly error: StreamErrorEvent }
  | { readonly kind: 'usage'; readonly usage: ObservedUsage; readonly token: boolean }
  | { readonly kind: 'other' };

/**
 * Whether a typed event (its JSON's `type`) delivers output to the caller. Responses open with
 * events that do not (`response.created`, `…added`, a tool call's progress); their output comes as
 * `….delta`, `….partial_image`, or a finished item other than reasoning. Every event of the other
 * typed streams (images, transcriptions, speech: `image_generation.partial_image`,
 * `transcript.text.delta`, `speech.audio.delta`…) carries output the caller then has.
 */
function deliversOutput(type: string, payload: Record<string, unknown>): boolean {
  if (!type.startsWith('response.')) return true;
  // A finished reasoning item shows the caller nothing (its text, if any, came as deltas): an
  // error after a model's reasoning is still retried or falls back.
  if (type === 'response.output_item.done')
    return !(isRecord(payload.item) && payload.item.type === 'reasoning');
  return type.endsWith('.delta') || type.endsWith('.partial_image');
}

/** Classifies one SSE event of chat completions (`data: {...}`), Responses or another typed stream (`type`). */
export function classifyEvent(eventName: string | undefined, data: string): EventMeaning {
  if (data === '[DONE]' || data === '') return { kind: 'other' };
  let payload: unknown;
  try {
    payload = JSON.parse(data);
  } catch {
    return { kind: 'other' };
  }
  if (!isRecord(payload)) return { kind: 'other' };
  const type = typeof payload.type === 'string' ? payload.type : eventName;
  // Chat completions put errors in `data: {"error": {...}}` (openai-node#1730); Responses send
  // `event: error` with flat fields, or `response.failed` with `response.error` (Table 1, enum).
  if (isRecord(payload.error)) {
    const error = errorFrom(payload.error);
    if (error !== undefined)
      return {
        kind: 'error',
        error: { ...error, type: error.type ?? (type === 'error' ? null : error.type) },
      };
  }
  // A relay's `data: {"error": "…"}`: the client throws it as an APIError with those words.
  if (typeof payload.error === 'string' && payload.error.trim() !== '')
    return { kind: 'error', error: { message: payload.error, type: null, code: null, param: null } };
  if (type === 'error') {
    const error = errorFrom(payload);
    if (error !== undefined) return { kind: 'error', error: { ...error, type: null } };
  }
  if (type === 'response.failed' && isRecord(payload.response)) {
    const error = errorFrom(payload.response.error);
    if (error !== undefined) return { kind: 'error', error };
  }
  // A Response cut by max_output_tokens ends with `response.incomplete`, also carrying usage.
  if ((type === 'response.completed' || type === 'response.incomplete') && isRecord(payload.response)) {
    const usage = withTier(normalizeUsage(payload.response.usage), payload.response.service_tier);
    return usage === undefined ? { kind: 'other' } : { kind: 'usage', usage, token: false };
  }
  // An event named only by its SSE `event:` line (a relay's `ping`, the Assistants API), or a chat
  // chunk a relay gave a `type` too, is read as a chat chunk.
  const typed =
    typeof payload.type === 'string' && !Array.isArray(payload.choices) ? payload.type : undefined;
  const token = typed === undefined ? chatDelivers(payload.choices) : deliversOutput(typed, payload);
  const usage = withTier(normalizeUsage(payload.usage), payload.service_tier);
  if (usage !== undefined) return { kind: 'usage', usage, token };
  if (!token) return { kind: 'other' };
  if (typed === undefined) return { kind: 'token', text: deltaText(payload.choices) };
  return typeof payload.delta === 'string' ? { kind: 'token', text: payload.delta } : { kind: 'token' };
}

/** Whether a chat chunk's choices deliver output: text, a tool call, a refusal, or a finish. */
function chatDelivers(choices: unknown): boolean {
  return (
    Array.isArray(choices) &&
    choices.some((choice) => {
      if (!isRecord(choice)) return false;
      const delta = isRecord(choice.delta) ? choice.delta : undefined;
      return (
        (typeof delta?.content === 'string' && delta.content !== '') ||
        Array.isArray(delta?.tool_calls) ||
        isRecord(delta?.function_call) ||
        typeof delta?.refusal === 'string' ||
        (typeof choice.text === 'string' && choice.text !== '') ||
        (choice.finish_reason !== null && choice.finish_reason !== undefined)
      );
    })
  );
}

function withTier(usage: ObservedUsage | undefined, tier: unknown): ObservedUsage | undefined {
  return usage === undefined || typeof tier !== 'string' ? usage : { ...usage, serviceTier: tier };
}

/** The text a chat chunk's choices add: content, refusals and tool-call arguments. */
function deltaText(choices: unknown): string {
  if (!Array.isArray(choices)) return '';
  let text = '';
  for (const choice of choices) {
    const delta = isRecord(choice) && isRecord(choice.delta) ? choice.delta : undefined;
    if (delta === undefined) {
      if (isRecord(choice) && typeof choice.text === 'string') text += choice.text;
      continue;
    }
    if (typeof delta.content === 'string') text += delta.content;
    if (typeof delta.refusal === 'string') text += delta.refusal;
    if (Array.isArray(delta.tool_calls))
      for (const call of delta.tool_calls)
        if (isRecord(call) && isRecord(call.function) && typeof call.function.arguments === 'string')
          text += call.function.arguments;
  }
  return text;
}

/** An incremental SSE parser: feed text, get complete events. Linear in what it is fed. */
export class SseParser {
  #buffer = '';

  /** Returns the events completed by `text`. */
  push(text: string): { event: string | undefined; data: string }[] {
    // Only the new text (and the three characters before it) can complete a blank line.
    let from = Math.max(0, this.#buffer.length - 3);
    this.#buffer += text;
    const events: { event: string | undefined; data: string }[] = [];
    const separator = /\r?\n\r?\n/g;
    let start = 0;
    for (;;) {
      separator.lastIndex = from;
      const match = separator.exec(this.#buffer);
      if (match === null) break;
      const block = this.#buffer.slice(start, match.index);
      start = match.index + match[0].length;
      from = start;
      let event: string | undefined;
      const data: string[] = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (event !== undefined || data.length > 0) events.push({ event, data: data.join('\n') });
    }
    this.#buffer = this.#buffer.slice(start);
    // A server that never sends a blank line must not grow the buffer without bound.
    if (this.#buffer.length > 1_048_576) this.#buffer = this.#buffer.slice(-65_536);
    return events;
  }
}

/** Hooks of a tapped stream. */
export interface StreamTap {
  readonly onUsage: (usage: ObservedUsage) => void;
  readonly onError: (error: StreamErrorEvent) => void;
  /** The output text of each event that carries some (for a budget that prices a stream cut short). */
  readonly onOutput?: (text: string) => void;
  /** Called once when the stream ends (`done`), fails, or is cancelled by the caller. */
  readonly onEnd: (how: StreamEnd) => void;
}

/** How a stream ended. */
export type StreamEnd = 'done' | 'failed' | 'cancelled';

/** The result of holding a stream until its first token. */
export type PeekedStream =
  | { readonly kind: 'ok'; readonly body: ReadableStream<Uint8Array> }
  | { readonly kind: 'error'; readonly error: StreamErrorEvent };

// Past this much without a token or an error, stop holding the stream (some events carry no tokens).
const MAX_PEEK_BYTES = 262_144;

/**
 * Reads `body` until its first token or error, or for at most `maxHoldMs` (a stream that opens with
 * pings, or a model that reasons long before its first token, is then handed on as it is). On an
 * error before any token, returns it (the body is cancelled); otherwise returns a body that replays
 * what was read and taps the rest.
 */
export async function peekStream(
  body: ReadableStream<Uint8Array>,
  tap: StreamTap,
  maxHoldMs?: number,
): Promise<PeekedStream> {
  const reader = body.getReader();
  // A read still pending when the hold ended: the replay's first pull takes its result.
  let pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined;
  let holdTimer: ReturnType<typeof setTimeout> | undefined;
  const holdEnds =
    maxHoldMs === undefined
      ? undefined
      : new Promise<'hold-ended'>((resolve) => {
          holdTimer = setTimeout(() => resolve('hold-ended'), maxHoldMs);
        });
  const decoder = new TextDecoder();
  const parser = new SseParser();
  const held: Uint8Array[] = [];
  let heldBytes = 0;
  let done = false;
  let ended = false;
  const end = (how: StreamEnd): void => {
    if (ended) return;
    ended = true;
    tap.onEnd(how);
  };
  const inspect = (chunk: Uint8Array): { token: boolean; error?: StreamErrorEvent } => {
    let token = false;
    for (const event of parser.push(decoder.decode(chunk, { stream: true }))) {
      const meaning = classifyEvent(event.event, event.data);
      if (meaning.kind === 'error') return { token, error: meaning.error };
      if (meaning.kind === 'usage') {
        tap.onUsage(meaning.usage);
        token ||= meaning.token;
      }
      if (meaning.kind === 'token') {
        token = true;
        if (meaning.text !== undefined && meaning.text !== '') tap.onOutput?.(meaning.text);
      }
    }
    return { token };
  };

  try {
    while (!done) {
      pending = reader.read();
      const read = holdEnds === undefined ? await pending : await Promise.race([pending, holdEnds]);
      if (read === 'hold-ended') {
        // Settled when the replay pulls it; a failure meanwhile is not unhandled.
        pending.catch(() => undefined);
        break;
      }
      pending = undefined;
      if (read.done) {
        done = true;
        break;
      }
      held.push(read.value);
      heldBytes += read.value.byteLength;
      const seen = inspect(read.value);
      if (seen.error !== undefined && seen.token) {
        // Output came first (in the same chunk): as after any output, the caller's SDK throws the
        // error while iterating, whatever chunks the server's bytes arrived in.
        tap.onError(seen.error);
        break;
      }
      if (seen.error !== undefined) {
        // Not awaited: some bodies never settle a cancel (msw 2, mswjs/interceptors#799).
        reader.cancel().catch(() => undefined);
        end('failed');
        return { kind: 'error', error: seen.error };
      }
      if (seen.token || heldBytes > MAX_PEEK_BYTES) break;
    }
  } catch (error) {
    reader.releaseLock();
    end('failed');
    throw error;
  } finally {
    // Whichever way the hold ended (an error event returns from inside it): no timer outlives it.
    clearTimeout(holdTimer);
  }

  const replay = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of held) controller.enqueue(chunk);
      if (done) {
        controller.close();
        end('done');
      }
    },
    async pull(controller) {
      try {
        const read = await (pending ?? reader.read());
        pending = undefined;
        if (read.done) {
          controller.close();
          end('done');
          return;
        }
        const seen = inspect(read.value);
        // After the first token a failure cannot be undone: the caller's SDK throws it while
        // iterating; the guard reports it.
        if (seen.error !== undefined) tap.onError(seen.error);
        controller.enqueue(read.value);
      } catch (error) {
        end('failed');
        controller.error(error);
      }
    },
    async cancel(reason) {
      end('cancelled');
      await reader.cancel(reason).catch(() => undefined);
    },
  });
  return { kind: 'ok', body: replay };
}
