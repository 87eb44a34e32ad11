/**
 * What the simulator answers when a call succeeds: chat completions (JSON and SSE), Responses
 * (JSON and SSE events), embeddings and the models list, in the API's shapes.
 */

/** Usage the simulator reports. */
export interface SimUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
}

let counter = 0;
const id = (prefix: string): string =>
  `${prefix}${Date.now().toString(36)}${(++counter).toString(36).padStart(6, '0')}`;
const created = (): number => Math.floor(Date.now() / 1_000);

// One token each in both encodings, so that `n` words are about `n` tokens.
const WORDS = [
  'Simulated',
  ' reply',
  ':',
  ' the',
  ' quick',
  ' brown',
  ' fox',
  ' jumps',
  ' over',
  ' the',
  ' lazy',
  ' dog',
  '.',
] as const;

/** About `n` tokens of text. */
export function generatedText(tokens: number): string {
  return Array.from({ length: Math.max(0, tokens) }, (_, index) => WORDS[index % WORDS.length]).join('');
}

export function chatBody(model: string, usage: SimUsage, choices: number): unknown {
  const content = generatedText(usage.completionTokens);
  return {
    id: id('chatcmpl-'),
    object: 'chat.completion',
    created: created(),
    model,
    choices: Array.from({ length: choices }, (_, index) => ({
      index,
      message: { role: 'assistant', content, refusal: null, annotations: [] },
      logprobs: null,
      finish_reason: 'stop',
    })),
    usage: {
      prompt_tokens: usage.promptTokens,
      completion_tokens: usage.completionTokens * choices,
      total_tokens: usage.promptTokens + usage.completionTokens * choices,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0 },
    },
    system_fingerprint: 'fp_tierguard_sim',
  };
}

/** The SSE frames of a streamed chat completion. */
export function chatStream(model: string, usage: SimUsage, includeUsage: boolean): string[] {
  const chatId = id('chatcmpl-');
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): string =>
    `data: ${JSON.stringify({ id: chatId, object: 'chat.completion.chunk', created: created(), model, system_fingerprint: 'fp_tierguard_sim', choices, ...extra })}\n\n`;
  const frames = [
    chunk([
      {
        index: 0,
        delta: { role: 'assistant', content: '', refusal: null },
        logprobs: null,
        finish_reason: null,
      },
    ]),
  ];
  const words = generatedText(usage.completionTokens)
    .split(/(?= )/)
    .filter((word) => word !== '');
  for (const word of words)
    frames.push(chunk([{ index: 0, delta: { content: word }, logprobs: null, finish_reason: null }]));
  frames.push(chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]));
  if (includeUsage) {
    frames.push(
      chunk([], {
        usage: {
          prompt_tokens: usage.promptTokens,
          completion_tokens: usage.completionTokens,
          total_tokens: usage.promptTokens + usage.completionTokens,
        },
      }),
    );
  }
  frames.push('data: [DONE]\n\n');
  return frames;
}

function responseObject(
  model: string,
  usage: SimUsage,
  status: 'in_progress' | 'completed',
): Record<string, unknown> {
  const text = generatedText(usage.completionTokens);
  return {
    id: id('resp_'),
    object: 'response',
    created_at: created(),
    status,
    model,
    output:
      status === 'completed'
        ? [
            {
              id: id('msg_'),
              type: 'message',
              status: 'completed',
              role: 'assistant',
              content: [{ type: 'output_text', text, annotations: [] }],
            },
          ]
        : [],
    usage:
      status === 'completed'
        ? {
            input_tokens: usage.promptTokens,
            output_tokens: usage.completionTokens,
            total_tokens: usage.promptTokens + usage.completionTokens,
            input_tokens_details: { cached_tokens: 0 },
            output_tokens_details: { reasoning_tokens: 0 },
          }
        : null,
  };
}

export function responsesBody(model: string, usage: SimUsage): unknown {
  return responseObject(model, usage, 'completed');
}

/** The SSE events of a streamed Response. */
export function responsesStream(model: string, usage: SimUsage): string[] {
  let sequence = 0;
  const event = (type: string, data: Record<string, unknown>): string =>
    `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...data })}\n\n`;
  const frames = [event('response.created', { response: responseObject(model, usage, 'in_progress') })];
  const itemId = id('msg_');
  for (const word of generatedText(usage.completionTokens)
    .split(/(?= )/)
    .filter((part) => part !== '')) {
    frames.push(
      event('response.output_text.delta', {
        item_id: itemId,
        output_index: 0,
        content_index: 0,
        delta: word,
      }),
    );
  }
  frames.push(event('response.completed', { response: responseObject(model, usage, 'completed') }));
  return frames;
}

export function embeddingsBody(
  model: string,
  inputs: number,
  dimensions: number,
  promptTokens: number,
  base64: boolean,
): unknown {
  return {
    object: 'list',
    data: Array.from({ length: inputs }, (_, index) => {
      const vector = Array.from({ length: dimensions }, (_value, position) =>
        Number(Math.sin(index * 31 + position).toFixed(6)),
      );
      // The SDK asks for base64 by default: little-endian float32 bytes.
      const embedding = base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
      return { object: 'embedding', index, embedding };
    }),
    model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  };
}

export function modelObject(model: string): unknown {
  return { id: model, object: 'model', created: 1_715_367_049, owned_by: 'system' };
}
