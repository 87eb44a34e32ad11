/**
 * What the simulator answers when a call succeeds, in the API's shapes (as the `openai` SDK types
 * them): chat completions, Responses, embeddings, image generations and the models list. The
 * streamed forms are in `streaming.ts`.
 */

/** Usage as the server reports it. */
export interface SimUsage {
  /** The prompt as the server counted it (× `tokenCountFactor`). */
  readonly promptTokens: number;
  /** Tokens generated per choice. */
  readonly completionTokens: number;
}

/** What a generated answer needs. */
export interface Generation {
  /** An id suffix unique to this request. */
  readonly idSuffix: string;
  /** The model as the request named it (the API echoes a snapshot name; we echo the request). */
  readonly model: string;
  readonly createdSeconds: number;
  readonly usage: SimUsage;
  readonly choices: number;
  /** The output was cut by the request's maximum. */
  readonly truncated: boolean;
}

// Pieces that are one token each in o200k_base and cl100k_base, also where they join (checked with
// gpt-tokenizer up to 4,097 pieces), so that n pieces are n tokens: "Sure: a simulated reply from
// the test server."
const PIECES = ['Sure', ':', ' a', ' simulated', ' reply', ' from', ' the', ' test', ' server', '.'] as const;
const FINGERPRINT = 'fp_tierguard_sim';
const pieceCache = new Map<number, readonly string[]>();

/** The `count` one-token pieces of a generated answer. */
export function generatedPieces(count: number): readonly string[] {
  let pieces = pieceCache.get(count);
  if (pieces === undefined) {
    pieces = Array.from(
      { length: Math.max(0, count) },
      (_, index) => PIECES[index % PIECES.length] as string,
    );
    if (pieceCache.size < 1_024) pieceCache.set(count, pieces);
  }
  return pieces;
}

/** The text of a generated answer of `count` tokens. */
export function generatedText(count: number): string {
  return generatedPieces(count).join('');
}

/** The `usage` of a chat completion. */
export function chatUsage(usage: SimUsage, choices: number): Record<string, unknown> {
  const completion = usage.completionTokens * choices;
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: completion,
    total_tokens: usage.promptTokens + completion,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

/** A chat completion (`object: 'chat.completion'`). */
export function chatCompletionBody(generation: Generation): Record<string, unknown> {
  const content = generatedText(generation.usage.completionTokens);
  const choices = [];
  for (let index = 0; index < generation.choices; index += 1) {
    choices.push({
      index,
      message: { role: 'assistant', content, refusal: null, annotations: [] },
      logprobs: null,
      finish_reason: generation.truncated ? 'length' : 'stop',
    });
  }
  return {
    id: `chatcmpl-${generation.idSuffix}`,
    object: 'chat.completion',
    created: generation.createdSeconds,
    model: generation.model,
    choices,
    usage: chatUsage(generation.usage, generation.choices),
    service_tier: 'default',
    system_fingerprint: FINGERPRINT,
  };
}

/** The `usage` of a Response. */
export function responsesUsage(usage: SimUsage): Record<string, unknown> {
  return {
    input_tokens: usage.promptTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: usage.completionTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: usage.promptTokens + usage.completionTokens,
  };
}

/** The message item of a Response, finished or still empty. */
export function responseMessageItem(generation: Generation, done: boolean): Record<string, unknown> {
  return {
    id: `msg_${generation.idSuffix}`,
    type: 'message',
    status: done ? 'completed' : 'in_progress',
    role: 'assistant',
    content: done
      ? [
          {
            type: 'output_text',
            text: generatedText(generation.usage.completionTokens),
            annotations: [],
            logprobs: [],
          },
        ]
      : [],
  };
}

/**
 * A Response (`object: 'response'`) in one of its states: `in_progress` (the first stream events),
 * `completed`, or `incomplete` when `max_output_tokens` cut it.
 */
export function responseBody(
  generation: Generation,
  request: Readonly<Record<string, unknown>>,
  state: 'in_progress' | 'done',
): Record<string, unknown> {
  const status = state === 'in_progress' ? 'in_progress' : generation.truncated ? 'incomplete' : 'completed';
  return {
    id: `resp_${generation.idSuffix}`,
    object: 'response',
    created_at: generation.createdSeconds,
    status,
    error: null,
    incomplete_details: status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    instructions: typeof request.instructions === 'string' ? request.instructions : null,
    max_output_tokens: typeof request.max_output_tokens === 'number' ? request.max_output_tokens : null,
    model: generation.model,
    output: state === 'in_progress' ? [] : [responseMessageItem(generation, true)],
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: request.store !== false,
    temperature: typeof request.temperature === 'number' ? request.temperature : 1,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: typeof request.top_p === 'number' ? request.top_p : 1,
    truncation: 'disabled',
    usage: state === 'in_progress' ? null : responsesUsage(generation.usage),
    user: null,
    metadata: {},
  };
}

/** A deterministic unit vector for one input: the same text always embeds the same. */
function vectorFor(input: unknown, index: number, dimensions: number): number[] {
  const text = typeof input === 'string' ? input : JSON.stringify(input ?? index);
  // FNV-1a of the text seeds a sine walk; cheap, stable across runs and processes.
  let hash = 0x811c9dc5;
  for (let position = 0; position < text.length; position += 1) {
    hash ^= text.charCodeAt(position);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  const vector: number[] = [];
  let norm = 0;
  for (let position = 0; position < dimensions; position += 1) {
    const value = Math.sin(hash + position * 12.9898);
    vector.push(value);
    norm += value * value;
  }
  const scale = norm === 0 ? 1 : 1 / Math.sqrt(norm);
  return vector.map((value) => Number((value * scale).toFixed(6)));
}

/** An embeddings list; base64 when the request asks (the SDK does by default and decodes it). */
export function embeddingsBody(
  model: string,
  body: Readonly<Record<string, unknown>>,
  dimensions: number,
  promptTokens: number,
): Record<string, unknown> {
  const input = body.input;
  const inputs =
    Array.isArray(input) && input.length > 0 && !input.every((item) => typeof item === 'number')
      ? input
      : [input];
  const base64 = body.encoding_format === 'base64';
  return {
    object: 'list',
    data: inputs.map((item, index) => {
      const vector = vectorFor(item, index, dimensions);
      return {
        object: 'embedding',
        index,
        // Little-endian float32, as the API encodes base64 embeddings.
        embedding: base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector,
      };
    }),
    model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  };
}

// A valid 1×1 PNG: image generation returns a real, tiny image.
const PNG_1X1 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

/** An image generation: base64 for gpt-image models and `response_format: 'b64_json'`, else a data URL. */
export function imagesBody(
  model: string,
  body: Readonly<Record<string, unknown>>,
  images: number,
  createdSeconds: number,
): Record<string, unknown> {
  const base64 = model.startsWith('gpt-image') || body.response_format === 'b64_json';
  return {
    created: createdSeconds,
    data: Array.from({ length: images }, () =>
      base64 ? { b64_json: PNG_1X1 } : { url: `data:image/png;base64,${PNG_1X1}` },
    ),
  };
}

/** One entry of `GET /v1/models`. */
export function modelObject(model: string): Record<string, unknown> {
  return { id: model, object: 'model', created: 1_715_367_049, owned_by: 'system' };
}

/** `GET /v1/models`: the list the API gives (`object: 'list'`). */
export function modelsListBody(models: readonly string[]): Record<string, unknown> {
  return { object: 'list', data: models.map(modelObject) };
}
