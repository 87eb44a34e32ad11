import OpenAI from 'openai';
import OpenAIv7 from 'openai-v7';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fixtures } from '../../src/testing/fixtures.js';
import {
  chatCompletion,
  chatCompletionStream,
  embeddingsResponse,
  limitHeaders,
  responsesResponse,
  scriptedFetch,
  type ScriptedFetch,
} from '../../src/testing/scripted-fetch.js';

type Client = typeof OpenAI | typeof OpenAIv7;
const CLIENTS: [string, Client][] = [
  ['openai 6', OpenAI],
  ['openai 7', OpenAIv7],
];

function clientOf(Client: Client, fetch: ScriptedFetch, options: { timeout?: number } = {}): OpenAI {
  return new Client({
    apiKey: 'sk-test',
    baseURL: 'https://api.openai.test/v1',
    fetch,
    maxRetries: 0,
    ...options,
  }) as OpenAI;
}

const ask = (client: OpenAI, content = 'hi') =>
  client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] });

/** Whether `promise` has settled, without waiting for it. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  // Two microtask turns let an already-settled promise report.
  await Promise.resolve();
  await Promise.resolve();
  return done;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('scriptedFetch: the script', () => {
  it('one item answers every call', async () => {
    const fetch = scriptedFetch(chatCompletion({ content: 'same' }));
    for (let call = 0; call < 3; call += 1) expect((await fetch('https://x.test/a')).status).toBe(200);
    expect(fetch.calls).toHaveLength(3);
  });

  it('an array answers one item per call, in order, and a call past its end fails loudly', async () => {
    const fetch = scriptedFetch([
      { status: 201, body: 'first' },
      { status: 202, body: 'second' },
    ]);
    expect((await fetch('https://x.test/1')).status).toBe(201);
    expect((await fetch('https://x.test/2')).status).toBe(202);
    await expect(fetch('https://x.test/3', { method: 'post' })).rejects.toThrow(
      "scriptedFetch: call #3 (POST https://x.test/3) has no scripted answer; the script has 2. Add answers, or pass { afterLast: 'repeat-last' }.",
    );
    expect(fetch.calls.map((call) => call.url)).toEqual([
      'https://x.test/1',
      'https://x.test/2',
      'https://x.test/3',
    ]);
  });

  it('through the client, a call past the end is a connection error whose cause says why', async () => {
    const client = clientOf(OpenAI, scriptedFetch([chatCompletion()]));
    await ask(client);
    const error = await ask(client).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIConnectionError);
    expect(String((error as { cause?: Error }).cause?.message)).toContain('call #2');
  });

  it("afterLast: 'repeat-last' answers with the last item again", async () => {
    const fetch = scriptedFetch([{ status: 500, body: '' }, { status: 204 }], { afterLast: 'repeat-last' });
    const statuses: number[] = [];
    for (let call = 0; call < 4; call += 1) statuses.push((await fetch('https://x.test')).status);
    expect(statuses).toEqual([500, 204, 204, 204]);
  });

  it('a function decides from the call (sync or async) and gets its index', async () => {
    const seen: number[] = [];
    const fetch = scriptedFetch(async (call, index) => {
      seen.push(index);
      return (call.body as { model?: string }).model === 'gpt-4o'
        ? fixtures.model_access_denied
        : chatCompletion();
    });
    const client = clientOf(OpenAI, fetch);
    await expect(ask(client)).resolves.toMatchObject({ object: 'chat.completion' });
    await expect(
      client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
    expect(seen).toEqual([0, 1]);
  });

  it('a Response answers every call it is given (each gets its own body)', async () => {
    const response = new Response(JSON.stringify({ error: { message: 'boom', type: 'server_error' } }), {
      status: 500,
      headers: { 'content-type': 'application/json' },
    });
    const client = clientOf(OpenAI, scriptedFetch(response));
    for (let call = 0; call < 2; call += 1)
      await expect(ask(client)).rejects.toMatchObject({ status: 500, message: '500 boom' });
  });

  it('plain answers: an object body is JSON, a string body is sent as is, headers kept', async () => {
    const fetch = scriptedFetch([
      { status: 418, body: { error: { message: 'teapot' } }, headers: { 'x-request-id': 'req_1' } },
      { status: 502, body: '<html>bad gateway</html>', headers: { 'content-type': 'text/html' } },
      { json: { ok: true }, status: 201 },
    ]);
    const object = await fetch('https://x.test');
    expect(object.headers.get('content-type')).toBe('application/json');
    expect(object.headers.get('x-request-id')).toBe('req_1');
    expect(await object.json()).toEqual({ error: { message: 'teapot' } });
    const text = await fetch('https://x.test');
    expect([text.status, text.headers.get('content-type'), await text.text()]).toEqual([
      502,
      'text/html',
      '<html>bad gateway</html>',
    ]);
    const json = await fetch('https://x.test');
    expect([json.status, await json.json()]).toEqual([201, { ok: true }]);
  });

  it('serves a stream fixture as text/event-stream, even when its headers forget to say so', async () => {
    const { 'content-type': _dropped, ...headers } = fixtures.server_error_stream.headers;
    const response = await scriptedFetch({ ...fixtures.server_error_stream, headers })('https://x.test');
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(await response.text()).toBe(fixtures.server_error_stream.body);
  });
});

describe('scriptedFetch: what it records', () => {
  it('url, upper-case method, lower-cased headers, the parsed JSON body and the signal', async () => {
    const fetch = scriptedFetch(chatCompletion());
    await ask(clientOf(OpenAI, fetch), 'record me');
    const [call] = fetch.calls;
    expect(call).toBeDefined();
    expect(call?.url).toBe('https://api.openai.test/v1/chat/completions');
    expect(call?.method).toBe('POST');
    expect(call?.headers.authorization).toBe('Bearer sk-test');
    expect(call?.headers['content-type']).toBe('application/json');
    for (const name of Object.keys(call?.headers ?? {})) expect(name).toBe(name.toLowerCase());
    expect(call?.body).toEqual({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'record me' }] });
    expect(call?.signal).toBeInstanceOf(AbortSignal);
  });

  it('a text body as text, a Request input as its own parts', async () => {
    const fetch = scriptedFetch({ status: 204 });
    await fetch('https://x.test/text', { method: 'PUT', body: 'plain words', headers: { 'X-Custom': 'A' } });
    await fetch(
      new Request('https://x.test/req', {
        method: 'POST',
        body: '{"a":1}',
        headers: { 'X-From': 'request' },
      }),
    );
    expect(fetch.calls[0]).toMatchObject({
      method: 'PUT',
      body: 'plain words',
      headers: { 'x-custom': 'A' },
    });
    expect(fetch.calls[1]).toMatchObject({
      url: 'https://x.test/req',
      method: 'POST',
      body: { a: 1 },
      headers: { 'x-from': 'request' },
    });
  });
});

describe('scriptedFetch: failures, hangs, delays and aborts', () => {
  it.each([
    ['reset', 'ECONNRESET'],
    ['refused', 'ECONNREFUSED'],
    ['dns', 'ENOTFOUND'],
    ['timeout', 'UND_ERR_CONNECT_TIMEOUT'],
  ] as const)('a network failure (%s) is thrown the way undici throws it', async (kind, code) => {
    const error = await scriptedFetch({ networkError: kind })('https://x.test').catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toBe('fetch failed');
    expect((error as { cause?: { code?: string } }).cause?.code).toBe(code);
  });

  it('a hanging call ends only when aborted, with the signal’s reason', async () => {
    const controller = new AbortController();
    const pending = scriptedFetch({ hang: true })('https://x.test', { signal: controller.signal });
    expect(await settled(pending)).toBe(false);
    const reason = new Error('caller gave up');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it('an abort without a reason rejects with an AbortError', async () => {
    const controller = new AbortController();
    const pending = scriptedFetch({ hang: true })('https://x.test', { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('an already-aborted signal rejects at once, and the call is still recorded', async () => {
    const fetch = scriptedFetch(chatCompletion());
    await expect(fetch('https://x.test', { signal: AbortSignal.abort(new Error('early')) })).rejects.toThrow(
      'early',
    );
    expect(fetch.calls).toHaveLength(1);
  });

  it('delayMs answers after the delay, driven by fake timers', async () => {
    vi.useFakeTimers();
    const pending = scriptedFetch({ status: 200, body: 'late', delayMs: 1_000 })('https://x.test');
    await vi.advanceTimersByTimeAsync(999);
    expect(await settled(pending)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await (await pending).text()).toBe('late');
  });

  it('delayMs also works on a fixture and on a network failure', async () => {
    vi.useFakeTimers();
    const fixture = scriptedFetch({ ...fixtures.overloaded, delayMs: 50 })('https://x.test');
    const failure = scriptedFetch({ networkError: 'reset', delayMs: 50 })('https://x.test').catch(
      (caught: unknown) => caught,
    );
    await vi.advanceTimersByTimeAsync(49);
    expect(await settled(fixture)).toBe(false);
    expect(await settled(failure)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect((await fixture).status).toBe(503);
    expect(await failure).toBeInstanceOf(TypeError);
  });

  it('an abort during the delay rejects at once and clears the timer', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const pending = scriptedFetch({ status: 200, body: 'never', delayMs: 60_000 })('https://x.test', {
      signal: controller.signal,
    });
    await vi.advanceTimersByTimeAsync(10);
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('the client’s own timeout ends a hanging call', async () => {
    const error = await ask(clientOf(OpenAI, scriptedFetch({ hang: true }), { timeout: 20 })).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
  });
});

describe.each(CLIENTS)('success builders through the real client (%s)', (_label, Client) => {
  it('chatCompletion', async () => {
    const client = clientOf(
      Client,
      scriptedFetch(
        chatCompletion({
          content: 'Bonjour',
          model: 'gpt-4o',
          usage: { promptTokens: 5, completionTokens: 2 },
        }),
      ),
    );
    const { data, response } = await ask(client).withResponse();
    expect(data.choices[0]?.message.content).toBe('Bonjour');
    expect(data.model).toBe('gpt-4o');
    expect(data.usage).toEqual({ prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 });
    expect(response.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/);
  });

  it('chatCompletionStream: content in chunks, then a usage chunk', async () => {
    const client = clientOf(
      Client,
      scriptedFetch(chatCompletionStream({ content: 'one two three', usage: { promptTokens: 9 } })),
    );
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'count' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: { prompt_tokens: number; completion_tokens: number } | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('one two three');
    expect(usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 3 });
  });

  it('responsesResponse', async () => {
    const client = clientOf(
      Client,
      scriptedFetch(responsesResponse({ text: 'Hi there', usage: { promptTokens: 3, completionTokens: 2 } })),
    );
    const response = await client.responses.create({ model: 'gpt-4o-mini', input: 'hello' });
    expect(response.output_text).toBe('Hi there');
    expect(response.usage).toMatchObject({ input_tokens: 3, output_tokens: 2, total_tokens: 5 });
  });

  it('embeddingsResponse, in the encoding the request asked for', async () => {
    const client = clientOf(Client, scriptedFetch(embeddingsResponse({ count: 2, dimensions: 4 })));
    // The client asks for base64 by default and decodes it; float32 keeps about 7 digits.
    const decoded = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] });
    const floats = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: ['a', 'b'],
      encoding_format: 'float',
    });
    expect(decoded.data).toHaveLength(2);
    expect(floats.data[1]?.embedding).toEqual([0.841471, 0.909297, 0.14112, -0.756802]);
    expect(decoded.data[1]?.embedding).toHaveLength(4);
    decoded.data[1]?.embedding.forEach((value, index) =>
      expect(value).toBeCloseTo(floats.data[1]?.embedding[index] ?? Number.NaN, 6),
    );
    expect(decoded.usage).toEqual({ prompt_tokens: 16, total_tokens: 16 });
  });

  it('limitHeaders: the x-ratelimit-* set of an account', async () => {
    const headers = limitHeaders({
      requests: 500,
      remainingRequests: 499,
      tokens: 30_000,
      remainingTokens: 27_000,
    });
    expect(headers).toEqual({
      'x-ratelimit-limit-requests': '500',
      'x-ratelimit-remaining-requests': '499',
      'x-ratelimit-reset-requests': '120ms',
      'x-ratelimit-limit-tokens': '30000',
      'x-ratelimit-remaining-tokens': '27000',
      'x-ratelimit-reset-tokens': '6s',
    });
    const client = clientOf(Client, scriptedFetch(chatCompletion({ headers })));
    const { response } = await ask(client).withResponse();
    expect(response.headers.get('x-ratelimit-remaining-tokens')).toBe('27000');
  });
});
