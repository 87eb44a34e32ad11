/**
 * Reading a JSON answer without spending it, in bounded work whatever its size: its usage (chat,
 * Responses, embeddings), its service tier, and whether it arrived whole; the bytes are handed on
 * as they came.
 */

/** Usage as the API reported it, normalized, with the raw object for pricing. */
export interface ObservedUsage {
  readonly promptTokens?: number;
  readonly completionTokens?: number;
  /** The API's own usage object (chat, Responses or embeddings shape). */
  readonly raw: Readonly<Record<string, unknown>>;
  /** `service_tier` as the answer (or the stream's event that carried the usage) reports it. */
  readonly serviceTier?: string;
}

/** A plain object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** Normalizes a `usage` object of chat completions, Responses or embeddings. */
export function normalizeUsage(usage: unknown): ObservedUsage | undefined {
  if (!isRecord(usage)) return undefined;
  const promptTokens = count(usage.prompt_tokens) ?? count(usage.input_tokens);
  const completionTokens = count(usage.completion_tokens) ?? count(usage.output_tokens);
  if (promptTokens === undefined && completionTokens === undefined) return undefined;
  return {
    ...(promptTokens === undefined ? {} : { promptTokens }),
    ...(completionTokens === undefined ? {} : { completionTokens }),
    raw: usage,
  };
}

/** What a JSON answer body says: its usage, the model and service tier that served it, whether it is whole. */
export interface BodyFacts {
  readonly usage: ObservedUsage | undefined;
  /** The body is JSON (a cut or garbled body from a relay is not). */
  readonly whole: boolean;
  /** `service_tier` as the answer reports it (flex, priority, default…). */
  readonly serviceTier: string | undefined;
}

// Bodies above this are not parsed by the guard (the client parses them anyway; a list of
// embeddings runs to megabytes, milliseconds of parsing): their usage and service tier are read
// from the tail, where the API writes them, and their shape from their ends.
const PARSE_LIMIT = 65_536;
const USAGE_TAIL = /"usage"\s*:\s*(\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\})/;
const SERVICE_TIER_TAIL = /"service_tier"\s*:\s*"([a-z_]{1,32})"/;

/** The two ends of a body too large to decode whole: where its shape shows, and where the API writes usage. */
export interface BodyEnds {
  /** Its first `HEAD_BYTES`, decoded. */
  readonly head: string;
  /** Its last `TAIL_BYTES`, decoded (a character cut at the start becomes U+FFFD). */
  readonly tail: string;
}

/** A body read to its end: what the guard reads of it, and a body that gives the same bytes again. */
export interface WholeBody {
  /** The body decoded whole, up to `PARSE_LIMIT` bytes; above, its two ends only. */
  readonly text: string | BodyEnds;
  readonly body: ReadableStream<Uint8Array> | null;
}

// The ends kept of a large body: enough for a diagnosis's excerpt of a cut one (2,000 characters),
// and for the usage and service tier the API writes last.
const HEAD_BYTES = 2_048;
const TAIL_BYTES = 8_192;

/** Bytes `from`…`to` of `chunks`, as one array. */
function bytesOf(chunks: readonly Uint8Array[], from: number, to: number): Uint8Array {
  const out = new Uint8Array(to - from);
  let offset = 0;
  for (const chunk of chunks) {
    const start = Math.max(from - offset, 0);
    const end = Math.min(to - offset, chunk.byteLength);
    if (end > start) out.set(chunk.subarray(start, end), offset + start - from);
    offset += chunk.byteLength;
    if (offset >= to) break;
  }
  return out;
}

/**
 * Reads `body` to its end. What is handed on is the bytes that came, not the text made into bytes
 * again: decoding drops a byte-order mark and replaces malformed bytes, and the answer's
 * `content-length` would no longer hold.
 */
export async function readWhole(body: ReadableStream<Uint8Array> | null): Promise<WholeBody> {
  if (body === null) return { text: '', body: null };
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const read = await reader.read();
    if (read.done) break;
    chunks.push(read.value);
    size += read.value.byteLength;
  }
  const decoder = new TextDecoder();
  let text: WholeBody['text'];
  if (size > PARSE_LIMIT) {
    // Decoding tens of megabytes of embeddings costs tens of milliseconds: only the ends are read.
    text = {
      head: decoder.decode(bytesOf(chunks, 0, HEAD_BYTES)),
      tail: decoder.decode(bytesOf(chunks, size - TAIL_BYTES, size)),
    };
  } else {
    text = '';
    // A character cut between two chunks is decoded whole with the second.
    for (const chunk of chunks) text += decoder.decode(chunk, { stream: true });
    text += decoder.decode();
  }
  return {
    text,
    body: new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(chunk);
        controller.close();
      },
    }),
  };
}

/**
 * What a JSON answer body says (chat, Responses, embeddings, completions), in bounded work: a body up
 * to `PARSE_LIMIT` is parsed; a larger one is judged by its ends.
 */
export function readBody(text: string | BodyEnds): BodyFacts {
  if (typeof text !== 'string' || text.length > PARSE_LIMIT) {
    const { head, tail } = typeof text === 'string' ? { head: text, tail: text.slice(-TAIL_BYTES) } : text;
    const match = USAGE_TAIL.exec(tail);
    let usage: ObservedUsage | undefined;
    if (match?.[1] !== undefined) {
      try {
        usage = normalizeUsage(JSON.parse(match[1]));
      } catch {
        usage = undefined;
      }
    }
    return {
      usage,
      whole: /^\s*[[{]/.test(head.slice(0, 64)) && /[\]}]\s*$/.test(tail),
      serviceTier: SERVICE_TIER_TAIL.exec(tail)?.[1],
    };
  }
  try {
    const body: unknown = JSON.parse(text);
    if (!isRecord(body)) return { usage: undefined, whole: true, serviceTier: undefined };
    const response = isRecord(body.response) ? body.response : undefined;
    const usage =
      normalizeUsage(body.usage) ?? (response === undefined ? undefined : normalizeUsage(response.usage));
    const tier = body.service_tier ?? response?.service_tier;
    return { usage, whole: true, serviceTier: typeof tier === 'string' ? tier : undefined };
  } catch {
    return { usage: undefined, whole: false, serviceTier: undefined };
  }
}
