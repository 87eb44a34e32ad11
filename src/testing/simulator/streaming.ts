/**
 * Streamed answers as the API sends them: chat completion chunks (`data: {...}` … `data: [DONE]`,
 * with a last usage chunk when `stream_options.include_usage` is set) and Responses events
 * (`event: response.created` … `response.output_text.delta` … `response.completed`); and a stream
 * that breaks with an error event after a 200 (openai-api.md note C, openai-node#1730).
 */
import { apiErrors } from '../fixtures.js';
import {
  chatUsage,
  generatedPieces,
  generatedText,
  responseBody,
  responseMessageItem,
  type Generation,
} from './endpoints.js';

const DONE = 'data: [DONE]\n\n';

/** The SSE frames of a streamed chat completion. */
export function chatStreamFrames(generation: Generation, includeUsage: boolean): string[] {
  const head = `{"id":"chatcmpl-${generation.idSuffix}","object":"chat.completion.chunk","created":${generation.createdSeconds},"model":${JSON.stringify(generation.model)},"service_tier":"default","system_fingerprint":"fp_tierguard_sim","choices":`;
  // With include_usage, every chunk carries `usage: null` and one last chunk has the usage.
  const tail = includeUsage ? ',"usage":null}\n\n' : '}\n\n';
  const frames: string[] = [];
  const choice = (index: number, delta: unknown, finishReason: string | null): string =>
    `[{"index":${index},"delta":${JSON.stringify(delta)},"logprobs":null,"finish_reason":${JSON.stringify(finishReason)}}]`;
  for (let index = 0; index < generation.choices; index += 1)
    frames.push(
      `data: ${head}${choice(index, { role: 'assistant', content: '', refusal: null }, null)}${tail}`,
    );
  for (const piece of generatedPieces(generation.usage.completionTokens))
    for (let index = 0; index < generation.choices; index += 1)
      frames.push(`data: ${head}${choice(index, { content: piece }, null)}${tail}`);
  for (let index = 0; index < generation.choices; index += 1)
    frames.push(`data: ${head}${choice(index, {}, generation.truncated ? 'length' : 'stop')}${tail}`);
  if (includeUsage)
    frames.push(
      `data: ${head}[],"usage":${JSON.stringify(chatUsage(generation.usage, generation.choices))}}\n\n`,
    );
  frames.push(DONE);
  return frames;
}

/** The SSE events of a streamed Response, in the API's order, numbered by `sequence_number`. */
export function responsesStreamFrames(
  generation: Generation,
  request: Readonly<Record<string, unknown>>,
): string[] {
  let sequence = 0;
  const event = (type: string, data: Record<string, unknown>): string =>
    `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...data })}\n\n`;
  const itemId = `msg_${generation.idSuffix}`;
  const at = { item_id: itemId, output_index: 0, content_index: 0 };
  const text = generatedText(generation.usage.completionTokens);
  const part = { type: 'output_text', text, annotations: [], logprobs: [] };
  const started = responseBody(generation, request, 'in_progress');
  const frames = [
    event('response.created', { response: started }),
    event('response.in_progress', { response: started }),
    event('response.output_item.added', { output_index: 0, item: responseMessageItem(generation, false) }),
    event('response.content_part.added', { ...at, part: { ...part, text: '' } }),
  ];
  for (const piece of generatedPieces(generation.usage.completionTokens))
    frames.push(event('response.output_text.delta', { ...at, delta: piece, logprobs: [] }));
  frames.push(
    event('response.output_text.done', { ...at, text, logprobs: [] }),
    event('response.content_part.done', { ...at, part }),
    event('response.output_item.done', { output_index: 0, item: responseMessageItem(generation, true) }),
  );
  const finished = responseBody(generation, request, 'done');
  // A Response cut by max_output_tokens ends with `response.incomplete`, not `response.completed`.
  frames.push(
    event(finished.status === 'incomplete' ? 'response.incomplete' : 'response.completed', {
      response: finished,
    }),
  );
  return frames;
}

/**
 * A stream that opens normally and breaks with an error after `deltas` tokens: chat sends
 * `data: {"error": {...}}` (openai-node#1730), Responses an `event: error` frame (Table 1 note on
 * `ResponseErrorEvent`). No `[DONE]` follows.
 */
export function brokenStreamFrames(
  api: 'chat' | 'responses',
  generation: Generation,
  request: Readonly<Record<string, unknown>>,
  requestId: string,
  deltas: number,
): string[] {
  const normal =
    api === 'chat'
      ? chatStreamFrames(
          { ...generation, choices: 1, usage: { ...generation.usage, completionTokens: deltas } },
          false,
        )
      : responsesStreamFrames(
          { ...generation, usage: { ...generation.usage, completionTokens: deltas } },
          request,
        );
  // Keep the opening frames and the deltas, drop the finishing ones.
  const opening = api === 'chat' ? 1 + deltas : 4 + deltas;
  const error = apiErrors.streamError({
    cause: 'server_error',
    api,
    code: 'server_error',
    type: 'server_error',
    message: `An error occurred while processing your request. You can retry your request, or contact us through our help center at help.openai.com if the error persists. Please include the request ID ${requestId} in your message.`,
    source: 'openai-api.md Table 1 #34 (openai/openai-node#1730)',
  });
  return [...normal.slice(0, opening), error.body];
}
