// What the simulator answers when a call succeeds, through the real openai client: the API's
// shapes for chat (JSON and SSE), Responses (JSON and events), embeddings, images and models.
import OpenAI from 'openai';
import OpenAIv7 from 'openai-v7';
import { describe, expect, it } from 'vitest';
import { chat, failure, limitHeadersOf, manualClock, raw, start, until } from './helpers.js';

const TWENTY_TOKENS =
  'Sure: a simulated reply from the test server.Sure: a simulated reply from the test server.';
// "Say hi." as one user message: 1 ("user") + 3 ("Say hi.") + 3 per message + 3 to prime the reply.
const SAY_HI_PROMPT_TOKENS = 10;

describe('chat completions', () => {
  it("answers in the API's shape, with usage, and the API's headers", async () => {
    const clock = manualClock();
    const { client } = await start({ now: clock.now });
    const { data, response } = await chat(client, 'gpt-4o').withResponse();
    expect(data).toEqual({
      id: expect.stringMatching(/^chatcmpl-/) as unknown,
      object: 'chat.completion',
      created: Math.floor(clock.nowMs / 1_000),
      model: 'gpt-4o',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: TWENTY_TOKENS, refusal: null, annotations: [] },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: {
        prompt_tokens: SAY_HI_PROMPT_TOKENS,
        completion_tokens: 20,
        total_tokens: SAY_HI_PROMPT_TOKENS + 20,
        prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
        completion_tokens_details: {
          reasoning_tokens: 0,
          audio_tokens: 0,
          accepted_prediction_tokens: 0,
          rejected_prediction_tokens: 0,
        },
      },
      service_tier: 'default',
      system_fingerprint: 'fp_tierguard_sim',
    });
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('openai-organization')).toBe('org-simulated');
    expect(response.headers.get('openai-version')).toBe('2020-10-01');
    expect(response.headers.get('openai-processing-ms')).toMatch(/^\d+$/);
    expect(response.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/);
    // Tier 1 gpt-4o: 500 RPM, 30,000 TPM (Table 4); charged 10 + max_tokens 50.
    expect(limitHeadersOf(response.headers)).toEqual({
      'x-ratelimit-limit-requests': '500',
      'x-ratelimit-limit-tokens': '30000',
      'x-ratelimit-remaining-requests': '499',
      'x-ratelimit-remaining-tokens': String(30_000 - 60),
      'x-ratelimit-reset-requests': '120ms',
      'x-ratelimit-reset-tokens': '120ms',
    });
  });

  it('gives every request its own id, and n choices', async () => {
    const { client, sim } = await start();
    const first = await chat(client).withResponse();
    const second = await chat(client, 'gpt-4o-mini', { n: 3, max_tokens: 5 }).withResponse();
    expect(first.response.headers.get('x-request-id')).not.toBe(second.response.headers.get('x-request-id'));
    expect(first.data.id).not.toBe(second.data.id);
    expect(second.data.choices.map((choice) => choice.index)).toEqual([0, 1, 2]);
    expect(second.data.usage?.completion_tokens).toBe(15);
    // n multiplies the output charge (note B).
    expect(sim.stats().perModel['gpt-4o-mini']?.tokensCharged).toBe(
      SAY_HI_PROMPT_TOKENS + 50 + SAY_HI_PROMPT_TOKENS + 5 * 3,
    );
  });

  it('cuts the output at the maximum with finish_reason "length"', async () => {
    const { client } = await start({ outputTokens: 60 });
    const cut = await chat(client, 'gpt-4o-mini', { max_tokens: 4 });
    expect(cut.choices[0]?.message.content).toBe('Sure: a simulated');
    expect(cut.choices[0]?.finish_reason).toBe('length');
    expect(cut.usage?.completion_tokens).toBe(4);
  });

  it('decides the output per request with a function', async () => {
    const seen: unknown[] = [];
    const { client } = await start({
      outputTokens: (request) => {
        seen.push({ endpoint: request.endpoint, model: request.model, max: request.maxOutputTokens });
        return request.body.temperature === 0 ? 2 : 3;
      },
    });
    expect((await chat(client, 'gpt-4o-mini', { temperature: 0 })).usage?.completion_tokens).toBe(2);
    expect((await chat(client, 'gpt-4o-mini', { max_tokens: undefined })).usage?.completion_tokens).toBe(3);
    expect(seen).toEqual([
      { endpoint: 'chat', model: 'gpt-4o-mini', max: 50 },
      { endpoint: 'chat', model: 'gpt-4o-mini', max: 1_024 },
    ]);
  });

  it('streams chunks and [DONE], with a last usage chunk when include_usage is set', async () => {
    const { client, sim } = await start();
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Say hi.' }],
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 4,
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((chunk) => chunk.object)).toEqual(Array(chunks.length).fill('chat.completion.chunk'));
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: 'assistant', content: '', refusal: null });
    expect(chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('')).toBe('Sure: a simulated');
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('length');
    // Every chunk carries usage: null but the last, which has no choices and the usage.
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
    expect(chunks.at(-1)).toMatchObject({
      choices: [],
      usage: {
        prompt_tokens: SAY_HI_PROMPT_TOKENS,
        completion_tokens: 4,
        total_tokens: SAY_HI_PROMPT_TOKENS + 4,
      },
    });
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);

    const text = await (
      await raw(sim, '/v1/chat/completions', {
        method: 'POST',
        headers: { authorization: 'Bearer sk-test' },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [], stream: true, max_tokens: 2 }),
      })
    ).text();
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(text).not.toContain('"usage"');
  });

  it('streams with the rate-limit headers on the 200', async () => {
    const { client } = await start();
    const { response } = await client.chat.completions
      .create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'x' }],
        stream: true,
        max_tokens: 1,
      })
      .withResponse();
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('499');
  });
});

describe('responses', () => {
  it('answers with a message output and usage; cut by max_output_tokens it is incomplete', async () => {
    const { client } = await start();
    const response = await client.responses.create({
      model: 'gpt-4o-mini',
      input: 'hello',
      max_output_tokens: 100,
    });
    expect(response).toMatchObject({
      object: 'response',
      status: 'completed',
      model: 'gpt-4o-mini',
      output: [
        {
          type: 'message',
          role: 'assistant',
          status: 'completed',
          content: [{ type: 'output_text', text: TWENTY_TOKENS, annotations: [] }],
        },
      ],
      usage: { output_tokens: 20 },
    });
    expect(response.id).toMatch(/^resp_/);
    expect(response.output_text).toBe(TWENTY_TOKENS);
    expect(response.usage?.total_tokens).toBe((response.usage?.input_tokens ?? 0) + 20);
    const cut = await client.responses.create({ model: 'gpt-4o-mini', input: 'hello', max_output_tokens: 3 });
    expect(cut).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } });
    expect(cut.output_text).toBe('Sure: a');
  });

  it("streams the API's event sequence, ending with the usage", async () => {
    const { client } = await start();
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of await client.responses.create({
      model: 'gpt-4o-mini',
      input: 'hello',
      stream: true,
      max_output_tokens: 100,
      instructions: 'Be brief.',
    }))
      events.push(event);
    expect(events.map((event) => event.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      ...Array(20).fill('response.output_text.delta'),
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    const completed = events.at(-1) as OpenAI.Responses.ResponseCompletedEvent;
    expect(completed.response.usage).toMatchObject({ output_tokens: 20 });
    expect(completed.response.instructions).toBe('Be brief.');
    const deltas = events.filter(
      (event): event is OpenAI.Responses.ResponseTextDeltaEvent =>
        event.type === 'response.output_text.delta',
    );
    expect(deltas.map((event) => event.delta).join('')).toBe(TWENTY_TOKENS);
  });

  it('ends a stream cut by max_output_tokens with response.incomplete', async () => {
    const { client } = await start();
    const types: string[] = [];
    for await (const event of await client.responses.create({
      model: 'gpt-4o-mini',
      input: 'hello',
      stream: true,
      max_output_tokens: 2,
    }))
      types.push(event.type);
    expect(types.at(-1)).toBe('response.incomplete');
    expect(types.filter((type) => type === 'response.output_text.delta')).toHaveLength(2);
  });
});

describe('embeddings', () => {
  it('returns small vectors by default, `dimensions` when asked, the same vector for the same text', async () => {
    const { client } = await start();
    const small = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b', 'a'] });
    expect(small).toMatchObject({ object: 'list', model: 'text-embedding-3-small' });
    expect(small.data.map((item) => [item.object, item.index, item.embedding.length])).toEqual([
      ['embedding', 0, 8],
      ['embedding', 1, 8],
      ['embedding', 2, 8],
    ]);
    expect(small.data[2]?.embedding).toEqual(small.data[0]?.embedding);
    expect(small.data[1]?.embedding).not.toEqual(small.data[0]?.embedding);
    const norm = Math.hypot(...(small.data[0]?.embedding ?? []));
    expect(norm).toBeGreaterThan(0.999);
    expect(norm).toBeLessThan(1.001);
    // Embeddings count their input only: "a", "b", "a" are one token each.
    expect(small.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
    const sized = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: 'hello',
      dimensions: 64,
    });
    expect(sized.data[0]?.embedding).toHaveLength(64);
    const floats = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: 'hello',
      encoding_format: 'float',
    });
    // The SDK asks for base64 by default and decodes it: both roads give the same vector (float32).
    const decoded = (await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hello' }))
      .data[0]?.embedding;
    const expected = floats.data[0]?.embedding ?? [];
    expect(decoded).toHaveLength(expected.length);
    expect(
      Math.max(...(decoded ?? []).map((value, index) => Math.abs(value - (expected[index] ?? 0)))),
    ).toBeLessThan(1e-6);
  });

  it('counts token-array input by its length, with rate-limit headers', async () => {
    const { client } = await start();
    const { data, response } = await client.embeddings
      .create({ model: 'text-embedding-3-small', input: [1, 2, 3, 4, 5] })
      .withResponse();
    expect(data.usage.prompt_tokens).toBe(5);
    expect(data.data).toHaveLength(1);
    // Tier 1 text-embedding-3-small: 3,000 RPM, 1,000,000 TPM (Table 4).
    expect(limitHeadersOf(response.headers)).toMatchObject({
      'x-ratelimit-limit-requests': '3000',
      'x-ratelimit-limit-tokens': '1000000',
      'x-ratelimit-remaining-tokens': '999995',
    });
  });
});

describe('images', () => {
  it('generates n images (base64 for gpt-image-1, a URL for dall-e-3) and counts them per minute', async () => {
    const { client, sim } = await start({ tier: 'tier-1' });
    const generated = await client.images.generate({ model: 'gpt-image-1', prompt: 'a fox', n: 2 });
    expect(generated.data).toHaveLength(2);
    expect(
      Buffer.from(generated.data?.[0]?.b64_json ?? '', 'base64')
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
    const dalle = await client.images.generate({ model: 'dall-e-3', prompt: 'a fox' });
    expect(dalle.data?.[0]?.url).toMatch(/^data:image\/png;base64,/);
    // Table 6: gpt-image-1 1024² medium $0.042, dall-e-3 standard 1024² $0.04.
    expect(sim.stats().spentUsd).toBeCloseTo(2 * 0.042 + 0.04, 10);
  });
});

describe('models', () => {
  it.each([
    [
      'free',
      ['gpt-4o-mini', 'gpt-4.1-mini', 'text-embedding-3-small'],
      ['gpt-4o', 'gpt-5', 'o3', 'gpt-image-1'],
    ],
    ['tier-1', ['gpt-4o', 'gpt-4o-mini', 'gpt-5', 'o3', 'gpt-image-1', 'text-embedding-3-small'], []],
  ] as const)('lists what the %s tier can use', async (tier, present, absent) => {
    const { client } = await start({ tier });
    const page = await client.models.list();
    const ids = page.data.map((model) => model.id);
    for (const id of present) expect(ids).toContain(id);
    for (const id of absent) expect(ids).not.toContain(id);
    expect(page.data[0]).toMatchObject({ object: 'model', owned_by: 'system' });
    // Retired models are never listed.
    expect(ids).not.toContain('text-davinci-003');
  });

  it('retrieves one model, and 404s a model above the tier', async () => {
    const { client } = await start({ tier: 'free' });
    expect(await client.models.retrieve('gpt-4o-mini')).toEqual({
      id: 'gpt-4o-mini',
      object: 'model',
      created: expect.any(Number) as unknown,
      owned_by: 'system',
    });
    expect(await failure(client.models.retrieve('gpt-4o'))).toMatchObject({
      status: 404,
      code: 'model_not_found',
      message: 'The model `gpt-4o` does not exist or you do not have access to it.',
    });
  });
});

describe('requests the API refuses as malformed', () => {
  it('404s an unknown path with "Invalid URL (METHOD /path)"', async () => {
    const { client, sim } = await start();
    const response = await raw(sim, '/v1/xyz', {
      method: 'POST',
      headers: { authorization: 'Bearer sk-test' },
      body: '{}',
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: {
        message: 'Invalid URL (POST /v1/xyz)',
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    });
    expect(await failure(client.get('/nope'))).toMatchObject({
      status: 404,
      message: 'Invalid URL (GET /v1/nope)',
    });
    // A GET on a POST endpoint is not a route either.
    expect(
      (await raw(sim, '/v1/chat/completions', { headers: { authorization: 'Bearer sk-test' } })).status,
    ).toBe(404);
  });

  it('400s a body that is not JSON, and a request without a model', async () => {
    const { client, sim } = await start();
    const broken = await raw(sim, '/v1/chat/completions', {
      method: 'POST',
      headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json' },
      body: '{"model": ',
    });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: { message: string } }).error.message).toMatch(
      /^We could not parse the JSON body of your request\./,
    );
    expect(await failure(client.chat.completions.create({ messages: [] } as never))).toMatchObject({
      status: 400,
      type: 'invalid_request_error',
      code: null,
      message: 'you must provide a model parameter',
    });
    expect(sim.stats()).toMatchObject({ requests: 2, served: 0, tokensCharged: 0, byStatus: { '400': 2 } });
  });
});

describe('the connection', () => {
  it('survives clients that abort while the answer is delayed, and keeps serving', async () => {
    const { client, sim } = await start({ latencyMs: 150 });
    const controller = new AbortController();
    const pending = client.chat.completions.create(
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], max_tokens: 1 },
      { signal: controller.signal },
    );
    // Abort once the server has the request and is holding its answer.
    await until(() => sim.stats().requests === 1);
    controller.abort();
    expect((await failure(pending)).error).toBeInstanceOf(OpenAI.APIUserAbortError);
    // The delayed answer finds the client gone: nothing is written, nothing crashes.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expect(chat(client)).resolves.toMatchObject({ object: 'chat.completion' });
    expect(sim.stats().requests).toBe(2);
  });

  it('serves the openai 7 client as well', async () => {
    const { sim } = await start();
    const client = new OpenAIv7({ apiKey: 'sk-test', baseURL: sim.baseURL, maxRetries: 0 });
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Say hi.' }],
      max_tokens: 5,
    });
    expect(completion.choices[0]?.message.content).toBe('Sure: a simulated reply');
  });

  it('handles concurrent calls without losing count', async () => {
    const { client, sim } = await start({ latencyMs: { min: 0, max: 3 } });
    await Promise.all(Array.from({ length: 100 }, () => chat(client, 'gpt-4o-mini', { max_tokens: 1 })));
    const stats = sim.stats();
    expect(stats).toMatchObject({ requests: 100, served: 100, byStatus: { '200': 100 } });
    expect(stats.timeline).toHaveLength(100);
    expect(stats.tokensCharged).toBe(100 * (SAY_HI_PROMPT_TOKENS + 1));
  });
});
