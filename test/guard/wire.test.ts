/**
 * The drop-in harness: for openai 6 and 7, the same calls made by a bare client and by a guarded one
 * (`guard(new OpenAI({ baseURL, apiKey }))`, default options) against a loopback server that
 * records every request and answers every endpoint with a plausible success. Both runs must put
 * the same requests on the wire (`wire-view.ts` says what is left out and why) and give the caller
 * the same results: parsed data, streamed chunks, bytes, and for `.withResponse()` the status, URL
 * and headers (the guard's own `x-tierguard-*` aside). The server must also see each answer end
 * the same way: read to its end, or left by the client (a stream the caller broke out of).
 */
import type OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createGuard, type Guard } from '../../src/index.js';
import { fakeApiKey } from '../../src/testing/index.js';
import { OPENAI_MAJORS, type OpenAIMajor } from '../support/openai-majors.js';
import {
  FILE_CONTENT,
  POLL_AFTER_MS,
  SLOW_PIECE_MS,
  SPEECH_BYTES,
  TOOL_ANSWER,
  WEATHER,
  plausibleAnswers,
} from '../support/plausible-answers.js';
import { startRecordingServer, type RecordingServer } from '../support/recording-server.js';
import { callerHeaders, wireView } from '../support/wire-view.js';

const KEY = fakeApiKey('w1r3');
const AZURE = { apiVersion: '2024-10-21', deployment: 'dep-4o' } as const;
const MESSAGES = [{ role: 'user' as const, content: 'Say hello.' }];
const Weather = z.object({ city: z.string(), temperatureC: z.number() });

/** A call sequence a caller makes; returns what the caller gets, in a form `toEqual` compares. */
interface Step {
  readonly name: string;
  /** Which client the step uses. */
  readonly client: 'openai' | 'azure';
  /** Requests the step puts on the wire (a check that the step ran as meant). */
  readonly requests: number;
  readonly run: (client: OpenAI, major: OpenAIMajor) => Promise<unknown>;
}

/**
 * What a caller sees of an error. `x-should-retry` is left out with the guard's own headers: the
 * guard says `false` on every failure it delivers (it already retried what could be retried).
 */
function errorView(error: unknown): unknown {
  const { status, code, type, param, requestID, headers } = error as Record<string, unknown>;
  const kept = headers instanceof Headers ? callerHeaders(headers) : headers;
  if (typeof kept === 'object' && kept !== null) delete (kept as Record<string, unknown>)['x-should-retry'];
  return {
    class: (error as object).constructor.name,
    message: (error as Error).message,
    status,
    code,
    type,
    param,
    requestID,
    error: (error as { error?: unknown }).error,
    headers: kept,
  };
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** A streamed chat completion, collected (the same call through the OpenAI and the Azure client). */
async function streamedChat(client: OpenAI): Promise<unknown[]> {
  return collect(
    await client.chat.completions.create({
      model: 'gpt-4o',
      messages: MESSAGES,
      stream: true,
      stream_options: { include_usage: true },
    }),
  );
}

/** The harness's one function tool, as a JSON schema. */
const WEATHER_PARAMETERS = {
  type: 'object',
  properties: { city: { type: 'string' } },
  required: ['city'],
  additionalProperties: false,
};

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A background response, retrieved every few milliseconds until it is no longer queued or running. */
async function untilSettled(client: OpenAI, responseId: string): Promise<unknown[]> {
  const seen: unknown[] = [];
  for (;;) {
    await pause(POLL_AFTER_MS);
    const response = await client.responses.retrieve(responseId);
    seen.push(response);
    if (response.status !== 'queued' && response.status !== 'in_progress') return seen;
  }
}

/** The first item of `stream`, the caller then leaving it; and time for a request sent after that to reach the server (there must be none). */
async function firstThenBreak<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of stream) {
    items.push(item);
    break;
  }
  await pause(SLOW_PIECE_MS);
  return items;
}

const STEPS: readonly Step[] = [
  {
    name: 'chat.completions.create',
    client: 'openai',
    requests: 1,
    run: (client) => client.chat.completions.create({ model: 'gpt-4o', messages: MESSAGES, max_tokens: 20 }),
  },
  {
    name: 'chat.completions.create, stream: true',
    client: 'openai',
    requests: 1,
    run: streamedChat,
  },
  {
    name: 'chat.completions.stream() helper',
    client: 'openai',
    requests: 1,
    run: async (client) => {
      const deltas: string[] = [];
      const runner = client.chat.completions.stream({ model: 'gpt-4o', messages: MESSAGES });
      runner.on('content', (delta) => deltas.push(delta));
      return { final: await runner.finalChatCompletion(), deltas };
    },
  },
  {
    name: 'chat.completions.parse with a zod response format',
    client: 'openai',
    requests: 1,
    run: async (client, major) => {
      const completion = await client.chat.completions.parse({
        model: 'gpt-4o',
        messages: MESSAGES,
        response_format: major.zodResponseFormat(Weather, 'weather'),
      });
      expect(completion.choices[0]?.message.parsed).toEqual(WEATHER);
      return completion;
    },
  },
  {
    name: 'responses.create',
    client: 'openai',
    requests: 1,
    run: async (client) => {
      const response = await client.responses.create({ model: 'gpt-4o', input: 'Say hello.' });
      return { response, outputText: response.output_text };
    },
  },
  {
    name: 'responses.create, stream: true',
    client: 'openai',
    requests: 1,
    run: async (client) =>
      collect(await client.responses.create({ model: 'gpt-4o', input: 'Say hello.', stream: true })),
  },
  {
    name: 'responses.parse with a zod text format',
    client: 'openai',
    requests: 1,
    run: async (client, major) => {
      const response = await client.responses.parse({
        model: 'gpt-4o',
        input: 'The weather in Paris?',
        text: { format: major.zodTextFormat(Weather, 'weather') },
      });
      expect(response.output_parsed).toEqual(WEATHER);
      return { response, parsed: response.output_parsed, outputText: response.output_text };
    },
  },
  {
    name: 'responses.stream() helper, to its final response',
    client: 'openai',
    requests: 1,
    run: async (client) => {
      const deltas: string[] = [];
      const stream = client.responses.stream({ model: 'gpt-4o', input: 'Say hello.' });
      stream.on('response.output_text.delta', (event) => deltas.push(event.delta));
      return { final: await stream.finalResponse(), deltas };
    },
  },
  {
    name: 'chat.completions.create with n: 2 and logprobs',
    client: 'openai',
    requests: 1,
    run: async (client) => {
      const completion = await client.chat.completions.create({
        model: 'gpt-4o',
        messages: MESSAGES,
        n: 2,
        logprobs: true,
        top_logprobs: 2,
      });
      expect(completion.choices).toHaveLength(2);
      return completion;
    },
  },
  {
    name: 'chat.completions.create with tools (a tool call answer)',
    client: 'openai',
    requests: 1,
    run: async (client) => {
      const completion = await client.chat.completions.create({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'The weather in Paris?' }],
        tools: [
          {
            type: 'function',
            function: {
              name: 'get_weather',
              description: 'The current weather in a city.',
              parameters: {
                type: 'object',
                properties: { city: { type: 'string' } },
                required: ['city'],
                additionalProperties: false,
              },
              strict: true,
            },
          },
        ],
        tool_choice: 'auto',
      });
      expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
      return completion;
    },
  },
  {
    name: 'completions.create (legacy)',
    client: 'openai',
    requests: 1,
    run: (client) =>
      client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say hello.', max_tokens: 16 }),
  },
  {
    name: 'completions.create (legacy), stream: true',
    client: 'openai',
    requests: 1,
    run: async (client) =>
      collect(
        await client.completions.create({
          model: 'gpt-3.5-turbo-instruct',
          prompt: 'Say hello.',
          max_tokens: 16,
          stream: true,
          stream_options: { include_usage: true },
        }),
      ),
  },
  {
    name: 'moderations.create',
    client: 'openai',
    requests: 1,
    run: (client) =>
      client.moderations.create({ model: 'omni-moderation-latest', input: ['Say hello.', 'Goodbye.'] }),
  },
  {
    name: 'embeddings.create',
    client: 'openai',
    requests: 1,
    run: (client) => client.embeddings.create({ model: 'text-embedding-3-small', input: ['one', 'two'] }),
  },
  {
    name: "embeddings.create, encoding_format: 'float'",
    client: 'openai',
    requests: 1,
    run: (client) =>
      client.embeddings.create({ model: 'text-embedding-3-small', input: 'one', encoding_format: 'float' }),
  },
  {
    name: 'images.generate',
    client: 'openai',
    requests: 1,
    run: (client) => client.images.generate({ model: 'gpt-image-1', prompt: 'A lighthouse at dusk.' }),
  },
  {
    name: 'images.generate, stream: true (a partial image, then the image)',
    client: 'openai',
    requests: 1,
    run: async (client) =>
      collect(
        await client.images.generate({
          model: 'gpt-image-1',
          prompt: 'A lighthouse at dusk.',
          stream: true,
          partial_images: 1,
        }),
      ),
  },
  {
    name: 'images.generate, stream: true, an error event after a partial image (sent once, thrown while iterating)',
    client: 'openai',
    requests: 1,
    run: async (client) => {
      const items: unknown[] = [];
      const stream = await client.images.generate({
        model: 'gpt-image-1',
        prompt: 'A lighthouse at dusk; fail midway.',
        stream: true,
        partial_images: 1,
      });
      try {
        for await (const item of stream) items.push(item);
      } catch (error) {
        return { items, error: errorView(error) };
      }
      return { items, error: 'none' };
    },
  },
  {
    name: 'images.edit (multipart upload)',
    client: 'openai',
    requests: 1,
    run: async (client, major) =>
      client.images.edit({
        model: 'gpt-image-1',
        image: await major.toFile(Buffer.from(SPEECH_BYTES.subarray(0, 32)), 'lighthouse.png', {
          type: 'image/png',
        }),
        prompt: 'Add a moon.',
        size: '1024x1024',
      }),
  },
  {
    name: 'audio.speech.create (binary answer)',
    client: 'openai',
    requests: 1,
    run: async (client) => {
      const speech = await client.audio.speech.create({
        model: 'gpt-4o-mini-tts',
        voice: 'alloy',
        input: 'Hello.',
      });
      const bytes = Buffer.from(await speech.arrayBuffer());
      expect(bytes.equals(Buffer.from(SPEECH_BYTES))).toBe(true);
      return {
        status: speech.status,
        url: speech.url,
        headers: callerHeaders(speech.headers),
        bytes: bytes.toString('base64'),
      };
    },
  },
  {
    name: 'audio.transcriptions.create (multipart upload)',
    client: 'openai',
    requests: 1,
    run: async (client, major) =>
      client.audio.transcriptions.create({
        model: 'whisper-1',
        file: await major.toFile(Buffer.from('RIFF....WAVEfmt '), 'hello.wav', { type: 'audio/wav' }),
        language: 'en',
      }),
  },
  {
    name: 'audio.transcriptions.create, stream: true',
    client: 'openai',
    requests: 1,
    run: async (client, major) =>
      collect(
        await client.audio.transcriptions.create({
          model: 'gpt-4o-mini-transcribe',
          file: await major.toFile(Buffer.from('RIFF....WAVEfmt '), 'hello.wav', { type: 'audio/wav' }),
          stream: true,
        }),
      ),
  },
  {
    name: "audio.speech.create, stream_format: 'sse'",
    client: 'openai',
    requests: 1,
    run: async (client) => {
      const speech = await client.audio.speech.create({
        model: 'gpt-4o-mini-tts',
        voice: 'alloy',
        input: 'Hello.',
        stream_format: 'sse',
      });
      return { status: speech.status, headers: callerHeaders(speech.headers), text: await speech.text() };
    },
  },
  {
    name: 'audio.translations.create (multipart upload)',
    client: 'openai',
    requests: 1,
    run: async (client, major) =>
      client.audio.translations.create({
        model: 'whisper-1',
        file: await major.toFile(Buffer.from('RIFF....WAVEfmt bonjour'), 'bonjour.wav', {
          type: 'audio/wav',
        }),
        prompt: 'A greeting.',
      }),
  },
  {
    name: 'files.create (multipart upload)',
    client: 'openai',
    requests: 1,
    run: async (client, major) =>
      client.files.create({
        file: await major.toFile(Buffer.from(FILE_CONTENT), 'batch.jsonl'),
        purpose: 'batch',
      }),
  },
  {
    name: 'files.list, every page',
    client: 'openai',
    requests: 2,
    run: (client) => collect(client.files.list({ limit: 2 })),
  },
  {
    name: 'files.retrieve',
    client: 'openai',
    requests: 1,
    run: (client) => client.files.retrieve('file-b'),
  },
  {
    name: 'files.content',
    client: 'openai',
    requests: 1,
    run: async (client) => {
      const content = await client.files.content('file-a');
      return { status: content.status, headers: callerHeaders(content.headers), text: await content.text() };
    },
  },
  {
    name: 'files.delete (DELETE)',
    client: 'openai',
    requests: 1,
    run: (client) => client.files.delete('file-c'),
  },
  {
    name: 'batches.create',
    client: 'openai',
    requests: 1,
    run: (client) =>
      client.batches.create({
        input_file_id: 'file-a',
        endpoint: '/v1/chat/completions',
        completion_window: '24h',
      }),
  },
  {
    name: 'batches.retrieve',
    client: 'openai',
    requests: 1,
    run: (client) => client.batches.retrieve('batch_b'),
  },
  {
    name: 'batches.list, every page',
    client: 'openai',
    requests: 2,
    run: (client) => collect(client.batches.list({ limit: 2 })),
  },
  {
    name: 'models.list, every page',
    client: 'openai',
    requests: 1,
    run: (client) => collect(client.models.list()),
  },
  {
    name: '.withResponse()',
    client: 'openai',
    requests: 1,
    run: async (client) => {
      const { data, response } = await client.chat.completions
        .create({ model: 'gpt-4o', messages: MESSAGES })
        .withResponse();
      return { data, status: response.status, url: response.url, headers: callerHeaders(response.headers) };
    },
  },
  {
    name: '.asResponse(), cloned',
    client: 'openai',
    requests: 1,
    run: async (client) => {
      const response = await client.embeddings
        .create({ model: 'text-embedding-3-small', input: 'x' })
        .asResponse();
      const copy = response.clone();
      return {
        status: copy.status,
        url: copy.url,
        headers: callerHeaders(copy.headers),
        body: (await copy.json()) as unknown,
      };
    },
  },
  {
    name: 'per-call options: timeout, headers, idempotencyKey',
    client: 'openai',
    requests: 1,
    run: (client) =>
      client.chat.completions.create(
        { model: 'gpt-4o', messages: MESSAGES },
        { timeout: 5_000, headers: { 'x-caller-tag': 'drop-in' }, idempotencyKey: 'idem-42' },
      ),
  },
  {
    name: 'withOptions({ timeout }) on the client',
    client: 'openai',
    requests: 1,
    run: (client) =>
      client
        .withOptions({ timeout: 20_000 })
        .chat.completions.create({ model: 'gpt-4o', messages: MESSAGES }),
  },
  {
    name: 'a retry after a 500 (retry-after-ms: 10)',
    client: 'openai',
    requests: 2,
    run: (client) =>
      client.chat.completions.create({ model: 'gpt-4o', messages: MESSAGES, user: 'fail-once' }),
  },
  {
    name: 'a retry after a 429 (retry-after-ms: 10)',
    client: 'openai',
    requests: 2,
    run: (client) =>
      client.chat.completions.create({ model: 'gpt-4o', messages: MESSAGES, user: 'limited-once' }),
  },
  {
    name: 'a 404 model_not_found: the same error',
    client: 'openai',
    requests: 1,
    run: async (client, major) => {
      const error = await client.chat.completions
        .create({ model: 'gpt-unknown', messages: MESSAGES })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(major.OpenAI.NotFoundError);
      return errorView(error);
    },
  },
  {
    name: 'the caller aborts while the answer is on its way',
    client: 'openai',
    requests: 1,
    run: async (client, major) => {
      const controller = new AbortController();
      const pending = client.chat.completions
        .create({ model: 'gpt-4o', messages: MESSAGES, user: 'slow' }, { signal: controller.signal })
        .catch((error: unknown) => error);
      setTimeout(() => controller.abort(), 50);
      const error = await pending;
      expect(error).toBeInstanceOf(major.OpenAI.APIUserAbortError);
      return errorView(error);
    },
  },
  {
    name: 'chat.completions.runTools: a tool call, then the final answer (2 requests)',
    client: 'openai',
    requests: 2,
    run: async (client) => {
      const calls: unknown[] = [];
      const runner = client.chat.completions.runTools({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'The weather in Paris?' }],
        tools: [
          {
            type: 'function',
            function: {
              name: 'get_weather',
              description: 'The current weather in a city.',
              parameters: WEATHER_PARAMETERS,
              parse: (input: string) => JSON.parse(input) as { city: string },
              function: (args: { city: string }) => {
                calls.push(args);
                return { ...WEATHER, city: args.city };
              },
            },
          },
        ],
      });
      const content = await runner.finalContent();
      expect(content).toBe(TOOL_ANSWER);
      return { content, messages: runner.messages, completions: runner.allChatCompletions(), calls };
    },
  },
  {
    name: 'vectorStores.files.createAndPoll: in_progress, then completed (openai-poll-after-ms)',
    client: 'openai',
    requests: 3,
    run: async (client) => {
      const file = await client.vectorStores.files.createAndPoll('vs_loopback', { file_id: 'file-a' });
      expect(file.status).toBe('completed');
      return file;
    },
  },
  {
    name: 'vectorStores.fileBatches.createAndPoll: in_progress, then completed',
    client: 'openai',
    requests: 3,
    run: async (client) => {
      const batch = await client.vectorStores.fileBatches.createAndPoll('vs_loopback', {
        file_ids: ['file-a', 'file-b'],
      });
      expect(batch.status).toBe('completed');
      return batch;
    },
  },
  {
    name: 'responses.create, background: true, then responses.retrieve until completed',
    client: 'openai',
    requests: 3,
    run: async (client) => {
      const created = await client.responses.create({
        model: 'gpt-4o',
        input: 'Say hello.',
        background: true,
      });
      expect(created.status).toBe('queued');
      const polled = await untilSettled(client, created.id);
      expect(polled.at(-1)).toMatchObject({ status: 'completed' });
      return { created, polled };
    },
  },
  {
    name: 'responses.create, background: true, then responses.cancel',
    client: 'openai',
    requests: 3,
    run: async (client) => {
      const created = await client.responses.create({
        model: 'gpt-4o',
        input: 'Say hello.',
        background: true,
      });
      const cancelled = await client.responses.cancel(created.id);
      expect(cancelled.status).toBe('cancelled');
      return { created, cancelled, polled: await untilSettled(client, created.id) };
    },
  },
  {
    name: 'uploads.create, uploads.parts.create (multipart), uploads.complete',
    client: 'openai',
    requests: 4,
    run: async (client, major) => {
      const bytes = Buffer.from(FILE_CONTENT.repeat(3));
      const half = Math.ceil(bytes.length / 2);
      const upload = await client.uploads.create({
        filename: 'batch.jsonl',
        bytes: bytes.length,
        mime_type: 'text/jsonl',
        purpose: 'batch',
      });
      const parts = [];
      for (const [index, piece] of [bytes.subarray(0, half), bytes.subarray(half)].entries())
        parts.push(
          await client.uploads.parts.create(upload.id, {
            data: await major.toFile(piece, `part-${index + 1}`),
          }),
        );
      const completed = await client.uploads.complete(upload.id, { part_ids: parts.map((part) => part.id) });
      expect(completed.status).toBe('completed');
      return { upload, parts, completed };
    },
  },
  {
    name: 'chat.completions.create, stream: true, the caller breaks after the first chunk',
    client: 'openai',
    requests: 1,
    run: async (client) => {
      const stream = await client.chat.completions.create({
        model: 'gpt-4o',
        messages: MESSAGES,
        stream: true,
        user: 'slow-stream',
      });
      return { chunks: await firstThenBreak(stream), aborted: stream.controller.signal.aborted };
    },
  },
  {
    name: 'responses.create, stream: true, the caller breaks after the first event',
    client: 'openai',
    requests: 1,
    run: async (client) => {
      const stream = await client.responses.create({
        model: 'gpt-4o',
        input: 'Say hello.',
        stream: true,
        user: 'slow-stream',
      });
      return { events: await firstThenBreak(stream), aborted: stream.controller.signal.aborted };
    },
  },
  {
    name: 'AzureOpenAI chat.completions.create',
    client: 'azure',
    requests: 1,
    run: (client) => client.chat.completions.create({ model: 'gpt-4o', messages: MESSAGES }),
  },
  {
    name: 'AzureOpenAI chat .withResponse()',
    client: 'azure',
    requests: 1,
    run: async (client) => {
      const { data, response } = await client.chat.completions
        .create({ model: 'gpt-4o', messages: MESSAGES, stream: true })
        .withResponse();
      return {
        chunks: await collect(data),
        status: response.status,
        url: response.url,
        headers: callerHeaders(response.headers),
      };
    },
  },
  {
    name: 'AzureOpenAI chat.completions.create, stream: true',
    client: 'azure',
    requests: 1,
    run: streamedChat,
  },
  {
    name: 'AzureOpenAI embeddings.create (deployment path)',
    client: 'azure',
    requests: 1,
    run: (client) =>
      client.embeddings.create({
        model: 'text-embedding-3-small',
        input: ['one', 'two'],
        encoding_format: 'float',
      }),
  },
];

describe.each(OPENAI_MAJORS)('$name: a guarded client and a bare one on the wire', (major) => {
  let server: RecordingServer;
  const guards: Guard[] = [];
  let clients: Record<Step['client'], { bare: OpenAI; guarded: OpenAI }>;

  beforeAll(async () => {
    vi.stubEnv('OPENAI_BASE_URL', undefined);
    vi.stubEnv('OPENAI_API_VERSION', undefined);
    vi.stubEnv('OPENAI_ORG_ID', undefined);
    vi.stubEnv('OPENAI_PROJECT_ID', undefined);
    server = await startRecordingServer(plausibleAnswers);
    const wrap = (client: OpenAI): OpenAI => {
      const created = createGuard();
      guards.push(created);
      return created.wrap(client);
    };
    const openai = () => new major.OpenAI({ baseURL: `${server.url}/v1`, apiKey: KEY });
    const azure = () => new major.AzureOpenAI({ endpoint: server.url, apiKey: KEY, ...AZURE });
    clients = {
      openai: { bare: openai(), guarded: wrap(openai()) },
      azure: { bare: azure(), guarded: wrap(azure()) },
    };
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    await Promise.all(guards.map((created) => created.close()));
    await server.close();
  });

  it.each(STEPS)('$name', async (step) => {
    const { bare, guarded } = clients[step.client];
    server.reset();
    const bareResult = await step.run(bare, major);
    await server.settled();
    const bareWire = await wireView(server.requests);
    const bareEndings = [...server.endings];
    server.reset();
    const guardedResult = await step.run(guarded, major);
    await server.settled();
    const guardedWire = await wireView(server.requests);
    const guardedEndings = [...server.endings];
    expect(bareWire).toHaveLength(step.requests);
    expect(guardedWire).toEqual(bareWire);
    expect(guardedResult).toEqual(bareResult);
    // Whether each answer went out whole or the client hung up first (a stream the caller left).
    expect(guardedEndings).toEqual(bareEndings);
  });
});
