/**
 * A responder for the recording server that answers every endpoint the drop-in harness calls with a
 * plausible success in the API's shape: JSON, SSE streams for `stream: true`, binary audio,
 * paginated lists (`has_more`, `after`), multipart uploads read back from their fields. Ids count
 * from 1 after every reset, so two runs of the same calls get the same answers.
 *
 * Plain chat completions and the models list are gzip-encoded when the client accepts it; bodies
 * in one piece carry their `content-length`.
 *
 * Chat calls that ask for something else: `user: 'fail-once'` gets a 500 (with a 10 ms
 * `retry-after-ms`) the first time after a reset, so a retry shows on the wire; `user:
 * 'limited-once'` gets the API's 429 `rate_limit_exceeded` on requests per minute (with a 10 ms
 * `retry-after-ms`; a request refills every 12 ms at 5000 RPM, as `x-ratelimit-reset-requests`
 * says) the first time after a reset; `model: 'gpt-unknown'` gets the API's 404 `model_not_found`; `user:
 * 'slow'` is answered after 300 ms; a stream with `user: 'slow-stream'` sends an event every 30 ms. A non-streamed chat answers `n` choices, with `logprobs` when
 * asked, and a call with `tools` gets a call of its first tool (`finish_reason: 'tool_calls'`),
 * unless its last message is a tool's result: then the model's final answer, `TOOL_ANSWER`.
 *
 * What is processed in the background answers as the API does, one step per poll: a vector store
 * file or file batch is `in_progress` when created and on the first retrieve (with an
 * `openai-poll-after-ms: 5` header), `completed` from the second; a `background: true` response is
 * `queued` when created, `in_progress` on the first retrieve, `completed` from the second, and
 * `cancelled` once cancelled. An upload is `pending` until `complete`, which answers its file.
 */
import type { Answer, RecordedRequest, Responder } from './recording-server.js';

const CREATED = 1_763_856_000;
const PAGE_SIZE = 2;
const TEXT = 'Hello from the loopback server.';
/** The structured answer of a call with a JSON-schema response format (the harness's weather schema). */
export const WEATHER = { city: 'Paris', temperatureC: 21 } as const;
/** The bytes `audio.speech` answers with. */
export const SPEECH_BYTES = Uint8Array.from({ length: 96 }, (_, index) => (index * 37 + 11) % 256);
/** What `files.content` answers with. */
export const FILE_CONTENT = '{"custom_id":"1","method":"POST","url":"/v1/chat/completions"}\n';
/** The model's answer once a tool's result is in the conversation. */
export const TOOL_ANSWER = `It is ${WEATHER.temperatureC} °C in ${WEATHER.city}.`;
/** The wait a polled resource asks for between polls (`openai-poll-after-ms`). */
export const POLL_AFTER_MS = 5;

const LIMIT_HEADERS = {
  'x-ratelimit-limit-requests': '5000',
  'x-ratelimit-remaining-requests': '4999',
  'x-ratelimit-reset-requests': '12ms',
  'x-ratelimit-limit-tokens': '800000',
  'x-ratelimit-remaining-tokens': '799000',
  'x-ratelimit-reset-tokens': '75ms',
};

/** The tokens of `TEXT`, as a chat answer's `logprobs` lists them. */
const TEXT_TOKENS = ['Hello', ' from', ' the', ' loop', 'back', ' server', '.'];

function tokenLogprob(token: string, rank: number): object {
  return {
    token,
    logprob: Number((-0.0001 - rank * 1.7 - token.length / 100).toFixed(6)),
    bytes: [...Buffer.from(token, 'utf8')],
  };
}

/** A chat choice's `logprobs` for `TEXT`, with `top` alternatives per token. */
function chatLogprobs(top: number): object {
  return {
    content: TEXT_TOKENS.map((token) => ({
      ...tokenLogprob(token, 0),
      top_logprobs: Array.from({ length: top }, (_, rank) =>
        tokenLogprob(rank === 0 ? token : `${token}${'!'.repeat(rank)}`, rank),
      ),
    })),
    refusal: null,
  };
}

const MODERATION_CATEGORIES = [
  'harassment',
  'harassment/threatening',
  'hate',
  'hate/threatening',
  'illicit',
  'illicit/violent',
  'self-harm',
  'self-harm/intent',
  'self-harm/instructions',
  'sexual',
  'sexual/minors',
  'violence',
  'violence/graphic',
] as const;

/** One input's moderation result: nothing flagged, a small score per category. */
function moderationResult(): object {
  const each = <T>(value: (category: string, index: number) => T): Record<string, T> =>
    Object.fromEntries(MODERATION_CATEGORIES.map((category, index) => [category, value(category, index)]));
  return {
    flagged: false,
    categories: each(() => false),
    category_scores: each((_, index) => Number((0.000012 * (index + 1)).toFixed(7))),
    category_applied_input_types: each(() => ['text']),
  };
}

function json(value: unknown, headers: Readonly<Record<string, string>>, status = 200, gzip = false): Answer {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(value),
    gzip,
  };
}

function sse(
  events: readonly { readonly event?: string; readonly data: unknown }[],
  headers: Readonly<Record<string, string>>,
): Answer {
  return {
    headers: { 'content-type': 'text/event-stream; charset=utf-8', ...headers },
    body: [
      ...events.map(
        ({ event, data }) =>
          `${event === undefined ? '' : `event: ${event}\n`}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`,
      ),
    ],
  };
}

/** The wait between the events of a stream asked for with `user: 'slow-stream'`. */
export const SLOW_PIECE_MS = 30;

/** A stream `user: 'slow-stream'` asked for comes an event every `SLOW_PIECE_MS`. */
function paced(body: Record<string, unknown>, answer: Answer): Answer {
  return body.user === 'slow-stream' ? { ...answer, pieceDelayMs: SLOW_PIECE_MS } : answer;
}

/** Plain chat completions and the models list are sent gzip-encoded when the client accepts it. */
function acceptsGzip(request: RecordedRequest): boolean {
  return /\bgzip\b/.test(request.headers['accept-encoding'] ?? '');
}

function bodyJson(request: RecordedRequest): Record<string, unknown> {
  if (!(request.headers['content-type'] ?? '').includes('json')) return {};
  try {
    return JSON.parse(request.body.toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** A multipart body's fields: text as text, files by name, type and size. */
export async function multipartFields(request: RecordedRequest): Promise<Record<string, unknown>> {
  const form = await new Response(new Uint8Array(request.body), {
    headers: { 'content-type': request.headers['content-type'] ?? '' },
  }).formData();
  const fields: Record<string, unknown> = {};
  for (const [name, value] of form) {
    fields[name] =
      typeof value === 'string'
        ? value
        : {
            name: value.name,
            type: value.type,
            size: value.size,
            content: Buffer.from(await value.arrayBuffer()).toString('base64'),
          };
  }
  return fields;
}

/**
 * An image generated in streaming mode: a partial image, then the final one with its usage; a prompt
 * that says `fail` gets an `error` event after the partial image (the server gave up midway).
 */
function imageStream(body: Record<string, unknown>, headers: Readonly<Record<string, string>>): Answer {
  const image = {
    created_at: CREATED,
    size: '1024x1024',
    quality: 'low',
    background: 'opaque',
    output_format: 'png',
  };
  const partial = {
    event: 'image_generation.partial_image',
    data: {
      type: 'image_generation.partial_image',
      b64_json: Buffer.from(SPEECH_BYTES.subarray(0, 12)).toString('base64'),
      partial_image_index: 0,
      ...image,
    },
  };
  if (String(body.prompt).includes('fail'))
    return sse(
      [
        partial,
        {
          event: 'error',
          data: {
            error: {
              message: 'The server had an error while processing your request.',
              type: 'server_error',
              param: null,
              code: null,
            },
          },
        },
      ],
      headers,
    );
  return sse(
    [
      partial,
      {
        event: 'image_generation.completed',
        data: {
          type: 'image_generation.completed',
          b64_json: Buffer.from(SPEECH_BYTES.subarray(0, 24)).toString('base64'),
          ...image,
          usage: {
            input_tokens: 12,
            input_tokens_details: { image_tokens: 0, text_tokens: 12 },
            output_tokens: 272,
            total_tokens: 284,
          },
        },
      },
    ],
    headers,
  );
}

function page<T extends { readonly id: string }>(items: readonly T[], request: RecordedRequest): object {
  const query = new URLSearchParams(request.query as [string, string][]);
  const after = query.get('after');
  const limit = Number(query.get('limit') ?? PAGE_SIZE);
  const start = after === null ? 0 : items.findIndex((item) => item.id === after) + 1;
  const data = items.slice(start, start + limit);
  return {
    object: 'list',
    data,
    has_more: start + limit < items.length,
    ...(data.length === 0 ? {} : { first_id: data[0]?.id, last_id: data.at(-1)?.id }),
  };
}

function file(id: string, filename: string, bytes: number, purpose = 'batch'): object {
  return { id, object: 'file', bytes, created_at: CREATED, filename, purpose, status: 'processed' };
}

/** An upload, pending or completed (with the file it became). */
function uploadObject(
  id: string,
  upload: { filename: string; bytes: number; purpose: string },
  status: 'pending' | 'completed',
  completed: object | null,
): object {
  return {
    id,
    object: 'upload',
    ...upload,
    created_at: CREATED,
    expires_at: CREATED + 3_600,
    status,
    file: completed,
  };
}

/** The last segment but `back` of a request's path, decoded (`/a/b/c`, 1 → `b`). */
function segment(request: RecordedRequest, back = 0): string {
  return decodeURIComponent(request.path.split('/').at(-1 - back) ?? '');
}

function vectorStoreFile(id: string, vectorStoreId: string, status: string): object {
  return {
    id,
    object: 'vector_store.file',
    usage_bytes: status === 'completed' ? 1_024 : 0,
    created_at: CREATED,
    vector_store_id: vectorStoreId,
    status,
    last_error: null,
    chunking_strategy: { type: 'static', static: { max_chunk_size_tokens: 800, chunk_overlap_tokens: 400 } },
    attributes: {},
  };
}

function vectorStoreFileBatch(id: string, vectorStoreId: string, files: number, status: string): object {
  const done = status === 'completed' ? files : 0;
  return {
    id,
    object: 'vector_store.files_batch',
    created_at: CREATED,
    vector_store_id: vectorStoreId,
    status,
    file_counts: { in_progress: files - done, completed: done, failed: 0, cancelled: 0, total: files },
  };
}

function batch(id: string): object {
  return {
    id,
    object: 'batch',
    endpoint: '/v1/chat/completions',
    input_file_id: 'file-input',
    completion_window: '24h',
    status: 'validating',
    created_at: CREATED,
    request_counts: { total: 0, completed: 0, failed: 0 },
    errors: null,
    output_file_id: null,
    error_file_id: null,
    metadata: null,
  };
}

const FILES = ['file-a', 'file-b', 'file-c'].map((id, index) =>
  file(id, `part-${index + 1}.jsonl`, 120 + index),
) as {
  id: string;
}[];
const BATCHES = ['batch_a', 'batch_b', 'batch_c'].map(batch) as { id: string }[];
const MODELS = ['gpt-4o', 'gpt-4o-mini', 'text-embedding-3-small'].map((id) => ({
  id,
  object: 'model',
  created: CREATED,
  owned_by: 'system',
}));

/** A response (the Responses API's object) in its states, and its one output message. */
function responseObjects(
  responseId: string,
  messageId: string,
  model: string,
  text: string,
): { base: object; message: { content: readonly object[] } & object; done: object } {
  const base = {
    id: responseId,
    object: 'response',
    created_at: CREATED,
    model,
    error: null,
    incomplete_details: null,
    instructions: null,
    metadata: {},
    parallel_tool_calls: true,
    temperature: 1,
    top_p: 1,
    tool_choice: 'auto',
    tools: [],
  };
  const message = {
    id: messageId,
    type: 'message',
    status: 'completed',
    role: 'assistant',
    content: [{ type: 'output_text', text, annotations: [] }],
  };
  const done = {
    ...base,
    status: 'completed',
    output: [message],
    usage: {
      input_tokens: 9,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 5,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 14,
    },
  };
  return { base, message, done };
}

/** The API's 404 for an id it does not know. */
function notFound(message: string, headers: Readonly<Record<string, string>>): Answer {
  return json({ error: { message, type: 'invalid_request_error', param: null, code: null } }, headers, 404);
}

/** A new responder: its ids and its one deliberate failure start over. */
export function plausibleAnswers(): Responder {
  let sequence = 0;
  let failedOnce = false;
  let limitedOnce = false;
  const id = (prefix: string): string => `${prefix}${String(++sequence).padStart(6, '0')}`;
  /** How many times each background resource was retrieved. */
  const polls = new Map<string, number>();
  const poll = (key: string): number => {
    const count = (polls.get(key) ?? 0) + 1;
    polls.set(key, count);
    return count;
  };
  /** Files attached to a vector store batch, by batch id. */
  const batchFiles = new Map<string, number>();
  /** Background responses, by id: what their final answer is made of. */
  const background = new Map<
    string,
    { model: string; text: string; messageId: string; cancelled: boolean }
  >();
  /** Uploads, by id, as created. */
  const uploads = new Map<string, { filename: string; bytes: number; purpose: string }>();

  const chat = (request: RecordedRequest, headers: Record<string, string>): Answer => {
    const body = bodyJson(request);
    const model = typeof body.model === 'string' ? body.model : 'gpt-4o';
    if (body.user === 'fail-once' && !failedOnce) {
      failedOnce = true;
      return json(
        {
          error: {
            message: 'The server had an error while processing your request.',
            type: 'server_error',
            param: null,
            code: null,
          },
        },
        { ...headers, 'retry-after-ms': '10' },
        500,
      );
    }
    if (body.user === 'limited-once' && !limitedOnce) {
      limitedOnce = true;
      return json(
        {
          error: {
            message: `Rate limit reached for ${model} in organization org-loopback on requests per min (RPM): Limit 5000, Used 5000, Requested 1. Please try again in 10ms. Visit https://platform.openai.com/account/rate-limits to learn more.`,
            type: 'requests',
            param: null,
            code: 'rate_limit_exceeded',
          },
        },
        { ...headers, 'x-ratelimit-remaining-requests': '0', 'retry-after-ms': '10' },
        429,
      );
    }
    if (body.model === 'gpt-unknown')
      return json(
        {
          error: {
            message: 'The model `gpt-unknown` does not exist or you do not have access to it.',
            type: 'invalid_request_error',
            param: null,
            code: 'model_not_found',
          },
        },
        headers,
        404,
      );
    const format = body.response_format as { type?: unknown } | undefined;
    const messages = Array.isArray(body.messages) ? (body.messages as { role?: unknown }[]) : [];
    const afterTool = messages.at(-1)?.role === 'tool';
    const content = format?.type === 'json_schema' ? JSON.stringify(WEATHER) : afterTool ? TOOL_ANSWER : TEXT;
    const completionId = id('chatcmpl-');
    const usage = { prompt_tokens: 9, completion_tokens: 5, total_tokens: 14 };
    if (body.user === 'slow') return { ...json({ object: 'chat.completion' }, headers), delayMs: 300 };
    if (body.stream === true) {
      const chunk = (choices: unknown[], extra: object = {}) => ({
        id: completionId,
        object: 'chat.completion.chunk',
        created: CREATED,
        model,
        system_fingerprint: 'fp_loopback',
        choices,
        ...extra,
      });
      const includeUsage =
        (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
      const pieces = content.match(/.{1,8}/g) ?? [];
      return paced(
        body,
        sse(
          [
            {
              data: chunk([
                { index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null },
              ]),
            },
            ...pieces.map((piece) => ({
              data: chunk([{ index: 0, delta: { content: piece }, logprobs: null, finish_reason: null }]),
            })),
            { data: chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]) },
            ...(includeUsage ? [{ data: chunk([], { usage }) }] : []),
            { data: '[DONE]' },
          ],
          headers,
        ),
      );
    }
    const choices = typeof body.n === 'number' ? body.n : 1;
    const tools = Array.isArray(body.tools) && body.tool_choice !== 'none' && !afterTool ? body.tools : [];
    const tool = (tools[0] as { function?: { name?: string } } | undefined)?.function?.name;
    return json(
      {
        id: completionId,
        object: 'chat.completion',
        created: CREATED,
        model,
        choices: Array.from({ length: choices }, (_, index) => ({
          index,
          message:
            tool === undefined
              ? { role: 'assistant', content, refusal: null, annotations: [] }
              : {
                  role: 'assistant',
                  content: null,
                  tool_calls: [
                    {
                      id: `call_${String(sequence).padStart(6, '0')}${index}`,
                      type: 'function',
                      function: { name: tool, arguments: JSON.stringify({ city: WEATHER.city }) },
                    },
                  ],
                  refusal: null,
                  annotations: [],
                },
          logprobs: body.logprobs === true ? chatLogprobs(Number(body.top_logprobs ?? 0)) : null,
          finish_reason: tool === undefined ? 'stop' : 'tool_calls',
        })),
        usage: { ...usage, completion_tokens: 5 * choices, total_tokens: 9 + 5 * choices },
        system_fingerprint: 'fp_loopback',
      },
      headers,
      200,
      acceptsGzip(request),
    );
  };

  const responses = (request: RecordedRequest, headers: Record<string, string>): Answer => {
    const body = bodyJson(request);
    const format = (body.text as { format?: { type?: unknown } } | undefined)?.format;
    const text = format?.type === 'json_schema' ? JSON.stringify(WEATHER) : TEXT;
    const model = typeof body.model === 'string' ? body.model : 'gpt-4o';
    const responseId = id('resp_');
    const messageId = id('msg_');
    const { base, message, done } = responseObjects(responseId, messageId, model, text);
    if (body.background === true && body.stream !== true) {
      background.set(responseId, { model, text, messageId, cancelled: false });
      return json({ ...base, background: true, status: 'queued', output: [], usage: null }, headers);
    }
    if (body.stream !== true) return json(done, headers);
    let number = 0;
    const event = (type: string, data: object) => ({
      event: type,
      data: { type, sequence_number: number++, ...data },
    });
    const place = { item_id: messageId, output_index: 0, content_index: 0 };
    return paced(
      body,
      sse(
        [
          event('response.created', { response: { ...base, status: 'in_progress', output: [] } }),
          event('response.output_item.added', {
            output_index: 0,
            item: { ...message, status: 'in_progress', content: [] },
          }),
          event('response.content_part.added', {
            ...place,
            part: { type: 'output_text', text: '', annotations: [], logprobs: [] },
          }),
          ...(text.match(/.{1,8}/g) ?? []).map((delta) =>
            event('response.output_text.delta', { ...place, delta, logprobs: [] }),
          ),
          event('response.output_text.done', { ...place, text, logprobs: [] }),
          event('response.content_part.done', { ...place, part: message.content[0] }),
          event('response.output_item.done', { output_index: 0, item: message }),
          event('response.completed', { response: done }),
        ],
        headers,
      ),
    );
  };

  const completions = (request: RecordedRequest, headers: Record<string, string>): Answer => {
    const body = bodyJson(request);
    const completionId = id('cmpl-');
    const model = typeof body.model === 'string' ? body.model : 'gpt-3.5-turbo-instruct';
    const text = ` ${TEXT}`;
    const usage = { prompt_tokens: 4, completion_tokens: 7, total_tokens: 11 };
    const completion = (choices: unknown[], extra: object = {}) => ({
      id: completionId,
      object: 'text_completion',
      created: CREATED,
      model,
      choices,
      ...extra,
    });
    if (body.stream !== true)
      return json(
        completion([{ text, index: 0, logprobs: null, finish_reason: 'stop' }], { usage }),
        headers,
      );
    const includeUsage =
      (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
    return sse(
      [
        ...(text.match(/.{1,8}/g) ?? []).map((piece) => ({
          data: completion([{ text: piece, index: 0, logprobs: null, finish_reason: null }]),
        })),
        { data: completion([{ text: '', index: 0, logprobs: null, finish_reason: 'stop' }]) },
        ...(includeUsage ? [{ data: completion([], { usage }) }] : []),
        { data: '[DONE]' },
      ],
      headers,
    );
  };

  return async (request) => {
    const headers = { 'x-request-id': id('req_'), 'openai-processing-ms': '5', ...LIMIT_HEADERS };
    const { method, path } = request;
    const route = `${method} ${path.replace(/^\/(?:v1|openai)(?:\/deployments\/[^/]+)?/, '')}`;
    if (route === 'POST /chat/completions') return chat(request, headers);
    if (route === 'POST /responses') return responses(request, headers);
    if (route === 'POST /embeddings') {
      const body = bodyJson(request);
      const vector = Array.from({ length: 8 }, (_, index) => Number(Math.sin(index + 1).toFixed(6)));
      const inputs = Array.isArray(body.input) ? body.input : [body.input];
      return json(
        {
          object: 'list',
          data: inputs.map((_, index) => ({
            object: 'embedding',
            index,
            embedding:
              body.encoding_format === 'base64'
                ? Buffer.from(new Float32Array(vector).buffer).toString('base64')
                : vector,
          })),
          model: body.model,
          usage: { prompt_tokens: 4, total_tokens: 4 },
        },
        headers,
      );
    }
    if (route === 'POST /completions') return completions(request, headers);
    if (route === 'POST /moderations') {
      const body = bodyJson(request);
      const inputs = Array.isArray(body.input) ? body.input : [body.input];
      return json(
        {
          id: id('modr-'),
          model: body.model === 'omni-moderation-latest' ? 'omni-moderation-2024-09-26' : body.model,
          results: inputs.map(moderationResult),
        },
        headers,
      );
    }
    if (route === 'POST /images/edits') {
      const fields = await multipartFields(request);
      const upload = fields.image as { size?: number } | undefined;
      return json(
        {
          created: CREATED,
          background: 'opaque',
          data: [{ b64_json: Buffer.from(SPEECH_BYTES.subarray(24, 48)).toString('base64') }],
          output_format: 'png',
          quality: 'medium',
          size: '1024x1024',
          usage: {
            input_tokens: 40 + (upload?.size ?? 0),
            input_tokens_details: { image_tokens: 30 + (upload?.size ?? 0), text_tokens: 10 },
            output_tokens: 1_056,
            total_tokens: 1_096 + (upload?.size ?? 0),
          },
        },
        headers,
      );
    }
    if (route === 'POST /audio/translations') {
      const fields = await multipartFields(request);
      const upload = fields.file as { size?: number } | undefined;
      return json({ text: `translated ${upload?.size ?? 0} bytes with ${String(fields.model)}` }, headers);
    }
    if (/^DELETE \/files\/[^/]+$/.test(route))
      return json(
        { id: decodeURIComponent(path.split('/').at(-1) ?? ''), object: 'file', deleted: true },
        headers,
      );
    if (route === 'POST /images/generations' && bodyJson(request).stream === true)
      return imageStream(bodyJson(request), headers);
    if (route === 'POST /images/generations')
      return json(
        {
          created: CREATED,
          data: [{ b64_json: Buffer.from(SPEECH_BYTES.subarray(0, 24)).toString('base64') }],
          usage: { input_tokens: 12, output_tokens: 1_056, total_tokens: 1_068 },
        },
        headers,
      );
    if (route === 'POST /audio/speech' && bodyJson(request).stream_format === 'sse')
      return sse(
        [
          ...[SPEECH_BYTES.subarray(0, 48), SPEECH_BYTES.subarray(48)].map((bytes) => ({
            data: { type: 'speech.audio.delta', audio: Buffer.from(bytes).toString('base64') },
          })),
          {
            data: {
              type: 'speech.audio.done',
              usage: { input_tokens: 3, output_tokens: 24, total_tokens: 27 },
            },
          },
        ],
        headers,
      );
    if (route === 'POST /audio/speech')
      return { headers: { 'content-type': 'audio/mpeg', ...headers }, body: SPEECH_BYTES };
    if (route === 'POST /audio/transcriptions') {
      const fields = await multipartFields(request);
      const upload = fields.file as { size?: number } | undefined;
      if (fields.stream === 'true') {
        const text = `heard ${upload?.size ?? 0} bytes`;
        return sse(
          [
            ...text
              .split(/(?= )/)
              .map((delta) => ({ data: { type: 'transcript.text.delta', delta, logprobs: [] } })),
            {
              data: {
                type: 'transcript.text.done',
                text,
                usage: { type: 'tokens', input_tokens: 14, output_tokens: 4, total_tokens: 18 },
              },
            },
          ],
          headers,
        );
      }
      return json({ text: `heard ${upload?.size ?? 0} bytes with ${String(fields.model)}` }, headers);
    }
    if (route === 'POST /files') {
      const fields = await multipartFields(request);
      const upload = fields.file as { name?: string; size?: number } | undefined;
      return json(file(id('file-'), upload?.name ?? 'upload', upload?.size ?? 0), headers);
    }
    if (route === 'GET /files') return json(page(FILES, request), headers);
    if (/^GET \/files\/[^/]+\/content$/.test(route))
      return { headers: { 'content-type': 'application/octet-stream', ...headers }, body: FILE_CONTENT };
    if (/^GET \/files\/[^/]+$/.test(route))
      return json(file(decodeURIComponent(path.split('/').at(-1) ?? ''), 'part-1.jsonl', 120), headers);
    if (route === 'POST /batches') return json(batch(id('batch_')), headers);
    if (route === 'GET /batches') return json(page(BATCHES, request), headers);
    if (/^GET \/batches\/[^/]+$/.test(route))
      return json(batch(decodeURIComponent(path.split('/').at(-1) ?? '')), headers);
    if (route === 'GET /models')
      return json({ object: 'list', data: MODELS }, headers, 200, acceptsGzip(request));
    if (/^(?:GET \/responses\/[^/]+|POST \/responses\/[^/]+\/cancel)$/.test(route)) {
      const cancel = method === 'POST';
      const responseId = segment(request, cancel ? 1 : 0);
      const stored = background.get(responseId);
      if (stored === undefined) return notFound(`Response with id '${responseId}' not found.`, headers);
      const { base, done } = responseObjects(responseId, stored.messageId, stored.model, stored.text);
      const polled = polls.get(responseId) ?? 0;
      if (cancel && polled >= 2 && !stored.cancelled)
        return json(
          {
            error: {
              message: 'Cannot cancel a completed response.',
              type: 'invalid_request_error',
              param: null,
              code: null,
            },
          },
          headers,
          400,
        );
      if (cancel) stored.cancelled = true;
      if (stored.cancelled)
        return json({ ...base, background: true, status: 'cancelled', output: [], usage: null }, headers);
      return poll(responseId) === 1
        ? json({ ...base, background: true, status: 'in_progress', output: [], usage: null }, headers)
        : json({ ...done, background: true }, headers);
    }
    if (/^POST \/vector_stores\/[^/]+\/files$/.test(route)) {
      const fileId = String(bodyJson(request).file_id);
      return json(vectorStoreFile(fileId, segment(request, 1), 'in_progress'), headers);
    }
    if (/^GET \/vector_stores\/[^/]+\/files\/[^/]+$/.test(route)) {
      const key = `${segment(request, 2)}/${segment(request)}`;
      const status = poll(key) === 1 ? 'in_progress' : 'completed';
      return json(vectorStoreFile(segment(request), segment(request, 2), status), {
        ...headers,
        ...(status === 'in_progress' ? { 'openai-poll-after-ms': String(POLL_AFTER_MS) } : {}),
      });
    }
    if (/^POST \/vector_stores\/[^/]+\/file_batches$/.test(route)) {
      const fileIds = bodyJson(request).file_ids;
      const batchId = id('vsfb_');
      batchFiles.set(batchId, Array.isArray(fileIds) ? fileIds.length : 0);
      return json(
        vectorStoreFileBatch(batchId, segment(request, 1), batchFiles.get(batchId) ?? 0, 'in_progress'),
        headers,
      );
    }
    if (/^GET \/vector_stores\/[^/]+\/file_batches\/[^/]+$/.test(route)) {
      const batchId = segment(request);
      const files = batchFiles.get(batchId);
      if (files === undefined) return notFound(`No file batch found with id '${batchId}'.`, headers);
      const status = poll(batchId) === 1 ? 'in_progress' : 'completed';
      return json(vectorStoreFileBatch(batchId, segment(request, 2), files, status), {
        ...headers,
        ...(status === 'in_progress' ? { 'openai-poll-after-ms': String(POLL_AFTER_MS) } : {}),
      });
    }
    if (route === 'POST /uploads') {
      const body = bodyJson(request);
      const uploadId = id('upload_');
      const upload = {
        filename: String(body.filename),
        bytes: Number(body.bytes),
        purpose: String(body.purpose),
      };
      uploads.set(uploadId, upload);
      return json(uploadObject(uploadId, upload, 'pending', null), headers);
    }
    if (/^POST \/uploads\/[^/]+\/parts$/.test(route)) {
      const uploadId = segment(request, 1);
      if (!uploads.has(uploadId)) return notFound(`Upload with id '${uploadId}' not found.`, headers);
      return json(
        { id: id('part_'), object: 'upload.part', created_at: CREATED, upload_id: uploadId },
        headers,
      );
    }
    if (/^POST \/uploads\/[^/]+\/complete$/.test(route)) {
      const uploadId = segment(request, 1);
      const upload = uploads.get(uploadId);
      if (upload === undefined) return notFound(`Upload with id '${uploadId}' not found.`, headers);
      const completed = file(id('file-'), upload.filename, upload.bytes, upload.purpose);
      return json(uploadObject(uploadId, upload, 'completed', completed), headers);
    }
    return json(
      {
        error: {
          message: `No route ${method} ${path} on the loopback server.`,
          type: 'invalid_request_error',
          param: null,
          code: null,
        },
      },
      headers,
      404,
    );
  };
}
