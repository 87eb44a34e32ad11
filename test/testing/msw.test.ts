import { http } from 'msw';
import { setupServer } from 'msw/node';
import OpenAI from 'openai';
import OpenAIv7 from 'openai-v7';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { diagnose } from '../../src/diagnose/diagnose.js';
import { apiErrors, fixtures } from '../../src/testing/fixtures.js';
import { openaiHandlers, releaseMockedBodyCopies } from '../../src/testing/msw.js';
import { chatCompletion, responsesResponse } from '../../src/testing/scripted-fetch.js';
import { TierguardOptionsError } from '../../src/util/options.js';

// One msw server for the file; each test installs its own handlers with `server.use`. Clients are
// built inside the tests, after `listen()`: the openai client keeps the global fetch it finds.
const server = setupServer();
const stopReleasing = { current: releaseMockedBodyCopies(server) };
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  vi.useRealTimers();
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});
afterAll(() => server.close());

type Client = typeof OpenAI | typeof OpenAIv7;
const CLIENTS: [string, Client][] = [
  ['openai 6', OpenAI],
  ['openai 7', OpenAIv7],
];

const clientOf = (Client: Client = OpenAI, options: { baseURL?: string } = {}): OpenAI =>
  new Client({ apiKey: 'sk-test', maxRetries: 0, ...options }) as OpenAI;

const ask = (client: OpenAI, content = 'hi', extra: { max_tokens?: number } = {}) =>
  client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }], ...extra });

const askRaw = (client: OpenAI, content = 'hi', extra: { max_tokens?: number } = {}) =>
  ask(client, content, extra).withResponse();

const failureOf = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (caught: unknown) => caught,
  );

describe.each(CLIENTS)('openaiHandlers: a script, through %s', (_name, Client) => {
  it('answers in order from fixtures and success builders, and records every call', async () => {
    const handlers = openaiHandlers(
      { http },
      { script: [fixtures.insufficient_quota, chatCompletion({ content: 'served' }), fixtures.server_error] },
    );
    server.use(...handlers);
    const client = clientOf(Client);
    const quota = await failureOf(ask(client, 'first'));
    expect(quota).toBeInstanceOf(Client.RateLimitError);
    expect(quota).toMatchObject({ status: 429, code: 'insufficient_quota', type: 'insufficient_quota' });
    expect(diagnose(quota).cause).toBe('insufficient_quota');
    const served = await ask(client, 'second');
    expect(served.choices[0]?.message.content).toBe('served');
    const broken = await failureOf(ask(client, 'third'));
    expect(broken).toBeInstanceOf(Client.InternalServerError);
    expect(diagnose(broken).cause).toBe('server_error');
    expect(
      handlers.calls.map((call) => (call.body as { messages: { content: string }[] }).messages[0]?.content),
    ).toEqual(['first', 'second', 'third']);
  });
});

describe('openaiHandlers: the script', () => {
  it('keeps the calls: url, method, lower-cased headers, parsed body and signal', async () => {
    const handlers = openaiHandlers({ http }, { script: chatCompletion() });
    server.use(...handlers);
    await ask(clientOf(), 'record me');
    expect(handlers.calls).toHaveLength(1);
    const [call] = handlers.calls;
    expect(call).toMatchObject({
      url: 'https://api.openai.com/v1/chat/completions',
      method: 'POST',
      body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'record me' }] },
    });
    expect(call?.headers.authorization).toBe('Bearer sk-test');
    expect(call?.signal).toBeInstanceOf(AbortSignal);
  });

  it('a function of the call decides, with the index of the call', async () => {
    const seen: number[] = [];
    server.use(
      ...openaiHandlers(
        { http },
        {
          script: (call, index) => {
            seen.push(index);
            return (call.body as { model?: string }).model === 'gpt-4o'
              ? fixtures.model_access_denied
              : chatCompletion();
          },
        },
      ),
    );
    const client = clientOf();
    await expect(ask(client)).resolves.toMatchObject({ object: 'chat.completion' });
    await expect(
      client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
    expect(seen).toEqual([0, 1]);
  });

  it('a call past the end of the script fails loudly: msw prints the error and answers 500', async () => {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const handlers = openaiHandlers({ http }, { script: [chatCompletion()] });
    server.use(...handlers);
    const client = clientOf();
    await ask(client);
    const error = await failureOf(ask(client));
    expect(error).toMatchObject({ status: 500 });
    expect(handlers.calls).toHaveLength(2);
    expect(printed.mock.calls.flat().map(String).join('\n')).toContain(
      'openaiHandlers: call #2 (POST https://api.openai.com/v1/chat/completions) has no scripted answer; the script has 1.',
    );
  });

  it("afterLast: 'repeat-last' answers with the last item again", async () => {
    server.use(
      ...openaiHandlers(
        { http },
        { script: [fixtures.server_error, chatCompletion()], afterLast: 'repeat-last' },
      ),
    );
    const client = clientOf();
    await expect(ask(client)).rejects.toMatchObject({ status: 500 });
    for (let call = 0; call < 3; call += 1)
      await expect(ask(client)).resolves.toMatchObject({ object: 'chat.completion' });
  });

  it('a network failure is msw’s network error, which diagnose names connection_error', async () => {
    server.use(...openaiHandlers({ http }, { script: { networkError: 'reset' } }));
    const error = await failureOf(ask(clientOf()));
    expect(error).toBeInstanceOf(OpenAI.APIConnectionError);
    expect(diagnose(error).cause).toBe('connection_error');
  });

  it('a stream fixture is served as text/event-stream; its error is thrown while iterating', async () => {
    server.use(...openaiHandlers({ http }, { script: fixtures.server_error_stream }));
    const stream = await clientOf().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    const error = await failureOf(
      (async () => {
        for await (const _chunk of stream) {
          // Reading until the error frame.
        }
      })(),
    );
    expect(diagnose(error).cause).toBe('server_error');
  });

  it('a delay runs on the timers: under fake timers a 20 s answer takes no real time', async () => {
    vi.useFakeTimers();
    server.use(...openaiHandlers({ http }, { script: { ...chatCompletion(), delayMs: 20_000 } }));
    let settled = false;
    const call = ask(clientOf()).finally(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(19_999);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await expect(call).resolves.toMatchObject({ object: 'chat.completion' });
  });

  it('a hang ends only with the caller’s abort, quietly', async () => {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    server.use(...openaiHandlers({ http }, { script: { hang: true } }));
    const controller = new AbortController();
    const call = clientOf().chat.completions.create(
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] },
      { signal: controller.signal },
    );
    // Let the call reach the handler before aborting it.
    await vi.waitFor(() => expect(server.listHandlers()).toHaveLength(1));
    setTimeout(() => controller.abort(), 20);
    const error = await failureOf(call);
    expect(error).toBeInstanceOf(OpenAI.APIUserAbortError);
    expect(diagnose(error).cause).toBe('aborted');
    // Give msw a turn to report anything about the abandoned resolver.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(printed).not.toHaveBeenCalled();
  });
});

describe('releaseMockedBodyCopies: cancelling a mocked body under msw 2', () => {
  /** Whether cancelling the body of a fresh mocked answer settles within a few timer turns. */
  async function cancelSettles(): Promise<boolean> {
    const response = await fetch('https://api.openai.com/v1/chat/completions', {
      method: 'POST',
      body: '{}',
    });
    let settled = false;
    void response.body?.cancel().then(() => {
      settled = true;
    });
    for (let turn = 0; turn < 5 && !settled; turn += 1)
      await new Promise((resolve) => setTimeout(resolve, 10));
    return settled;
  }

  it('without it a cancel never settles (mswjs/interceptors#799); with it, it does', async () => {
    server.use(...openaiHandlers({ http }, { script: fixtures.server_error }));
    stopReleasing.current();
    try {
      expect(await cancelSettles()).toBe(false);
    } finally {
      stopReleasing.current = releaseMockedBodyCopies(server);
    }
    expect(await cancelSettles()).toBe(true);
  });

  it('so the client’s own retry after a mocked 429 goes through', async () => {
    vi.useFakeTimers();
    const handlers = openaiHandlers(
      { http },
      {
        script: [
          apiErrors.rateLimited({
            model: 'gpt-4o-mini',
            kind: 'requests',
            limit: 3,
            used: 3,
            requested: 1,
            retryAfterMs: 1_500,
            retryAfterHeaders: true,
          }),
          chatCompletion(),
        ],
      },
    );
    server.use(...handlers);
    const call = new OpenAI({ apiKey: 'sk-test', maxRetries: 2 }).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
    });
    await vi.advanceTimersByTimeAsync(1_499);
    expect(handlers.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(call).resolves.toMatchObject({ object: 'chat.completion' });
    expect(handlers.calls).toHaveLength(2);
  });
});

describe('openaiHandlers: the base URL', () => {
  it('answers under a given base URL (a relay, Azure, a proxy) and nothing else', async () => {
    server.use(
      ...openaiHandlers({ http }, { baseURL: 'https://relay.example/openai/v1/', script: chatCompletion() }),
    );
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await expect(
      ask(clientOf(OpenAI, { baseURL: 'https://relay.example/openai/v1' })),
    ).resolves.toMatchObject({
      object: 'chat.completion',
    });
    // The default host is not one of its URLs: msw refuses the unhandled request.
    await expect(ask(clientOf())).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
    expect(printed.mock.calls.flat().map(String).join('\n')).toContain(
      'https://api.openai.com/v1/chat/completions',
    );
  });

  it('follows OPENAI_BASE_URL by default, as the client does', async () => {
    vi.stubEnv('OPENAI_BASE_URL', 'http://127.0.0.1:4010/v1');
    const handlers = openaiHandlers({ http }, { script: chatCompletion() });
    server.use(...handlers);
    await ask(clientOf());
    expect(handlers.calls[0]?.url).toBe('http://127.0.0.1:4010/v1/chat/completions');
  });
});

describe('openaiHandlers: default answers in the shape of the endpoint', () => {
  it('chat (plain and streamed), Responses and embeddings, echoing the model; 404 elsewhere', async () => {
    server.use(...openaiHandlers({ http }));
    const client = clientOf(OpenAIv7);
    const chat = await client.chat.completions.create({
      model: 'gpt-4.1-mini',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(chat).toMatchObject({ object: 'chat.completion', model: 'gpt-4.1-mini' });
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Hello there!');
    const response = await client.responses.create({ model: 'gpt-4o', input: 'hi' });
    expect(response.output_text).toBe('Hello!');
    const embeddings = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] });
    expect(embeddings.data).toHaveLength(2);
    expect(embeddings.data[0]?.embedding).toHaveLength(8);
    const missing = await failureOf(client.models.list());
    expect(missing).toMatchObject({ status: 404, message: '404 Invalid URL (GET /v1/models)' });
  });
});

describe('openaiHandlers: a token bucket', () => {
  const header = (response: Response, name: string): string | null => response.headers.get(name);

  it('remaining and reset follow the bucket; the call that does not fit gets the API’s 429 with the wait', async () => {
    vi.useFakeTimers();
    server.use(...openaiHandlers({ http }, { limits: { requests: 3, windowMs: 60_000 } }));
    const client = clientOf();
    const seen: [string | null, string | null][] = [];
    for (let call = 0; call < 3; call += 1) {
      const { response } = await askRaw(client);
      expect(header(response, 'x-ratelimit-limit-requests')).toBe('3');
      seen.push([
        header(response, 'x-ratelimit-remaining-requests'),
        header(response, 'x-ratelimit-reset-requests'),
      ]);
    }
    expect(seen).toEqual([
      ['2', '20s'],
      ['1', '40s'],
      ['0', '1m0s'],
    ]);
    const refused = await failureOf(ask(client));
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    const { headers } = refused as InstanceType<typeof OpenAI.RateLimitError>;
    expect(headers.get('retry-after-ms')).toBe('20000');
    expect(headers.get('retry-after')).toBe('20');
    expect(headers.get('x-ratelimit-remaining-requests')).toBe('0');
    const diagnosis = diagnose(refused);
    expect(diagnosis).toMatchObject({ cause: 'rate_limited_requests', retryAfterMs: 20_000 });
    expect((refused as Error).message).toContain('on requests per min (RPM): Limit 3, Used 3, Requested 1');

    // One ms short of the wait it is still refused; at the wait it fits.
    await vi.advanceTimersByTimeAsync(19_999);
    const early = await failureOf(ask(client));
    expect((early as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after-ms')).toBe('1');
    await vi.advanceTimersByTimeAsync(1);
    const { response } = await askRaw(client);
    expect(header(response, 'x-ratelimit-remaining-requests')).toBe('0');
  });

  it('charges tokens as the server counts them (prompt + max_tokens), and says so in usage and headers', async () => {
    vi.useFakeTimers();
    server.use(...openaiHandlers({ http }, { limits: { tokens: 1_000 } }));
    const client = clientOf();
    const first = await askRaw(client, 'How many tokens is this?', { max_tokens: 100 });
    const prompt = first.data.usage?.prompt_tokens ?? 0;
    // The chat format's overhead (3 a message, 3 to prime the reply) plus the words: more than the words.
    expect(prompt).toBeGreaterThan(6);
    expect(first.response.headers.get('x-ratelimit-remaining-tokens')).toBe(String(1_000 - (prompt + 100)));
    expect(first.response.headers.get('x-ratelimit-limit-requests')).toBeNull();
    const second = await askRaw(client, 'How many tokens is this?', { max_tokens: 100 });
    expect(second.response.headers.get('x-ratelimit-remaining-tokens')).toBe(
      String(1_000 - 2 * (prompt + 100)),
    );
  });

  it('a call larger than the whole bucket is "Request too large", never retried, and not charged', async () => {
    server.use(...openaiHandlers({ http }, { limits: { tokens: 100 } }));
    const client = clientOf();
    const error = await failureOf(ask(client, 'hi', { max_tokens: 200 }));
    expect(diagnose(error)).toMatchObject({ cause: 'request_too_large', retryable: false });
    const { response } = await askRaw(client, 'hi', { max_tokens: 10 });
    expect(Number(response.headers.get('x-ratelimit-remaining-tokens'))).toBeGreaterThan(70);
  });

  it('after every wait it announced, the next call fits (a random walk under fake timers)', async () => {
    vi.useFakeTimers();
    server.use(...openaiHandlers({ http }, { limits: { requests: 4, tokens: 600, windowMs: 1_000 } }));
    const client = clientOf();
    let refusals = 0;
    // A fixed sequence of sizes and pauses: bursts that overrun both buckets, then waits.
    const sizes = [50, 120, 20, 200, 80, 150, 10, 90, 160, 40, 110, 70];
    for (const [step, size] of sizes.entries()) {
      const error = await failureOf(ask(client, 'x', { max_tokens: size })).catch(() => undefined);
      if (error === undefined) continue;
      refusals += 1;
      const waitMs = Number(
        (error as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after-ms'),
      );
      expect(waitMs).toBeGreaterThan(0);
      await vi.advanceTimersByTimeAsync(waitMs);
      await expect(ask(client, 'x', { max_tokens: size }), `step ${step}`).resolves.toMatchObject({
        object: 'chat.completion',
      });
    }
    expect(refusals).toBeGreaterThan(2);
  });

  it('refused calls do not use up the script: it answers the admitted ones, in order', async () => {
    vi.useFakeTimers();
    server.use(
      ...openaiHandlers(
        { http },
        {
          limits: { requests: 1 },
          script: [chatCompletion({ content: 'one' }), responsesResponse(), fixtures.insufficient_quota],
        },
      ),
    );
    const client = clientOf();
    expect((await ask(client)).choices[0]?.message.content).toBe('one');
    await expect(ask(client)).rejects.toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
    await vi.advanceTimersByTimeAsync(60_000);
    const served = await client.responses.create({ model: 'gpt-4o-mini', input: 'x' }).withResponse();
    // A script item's own headers give way to the bucket's.
    expect(served.response.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    await vi.advanceTimersByTimeAsync(60_000);
    await expect(ask(client)).rejects.toMatchObject({ code: 'insufficient_quota' });
  });

  it('its clock follows fake timers installed after the handlers were built', async () => {
    const handlers = openaiHandlers({ http }, { limits: { requests: 2, windowMs: 10_000 } });
    server.use(...handlers);
    vi.useFakeTimers();
    const client = clientOf();
    await ask(client);
    await ask(client);
    await expect(ask(client)).rejects.toMatchObject({ status: 429 });
    await vi.advanceTimersByTimeAsync(5_000);
    await expect(ask(client)).resolves.toMatchObject({ object: 'chat.completion' });
  });

  it('the 429 names the organization given', async () => {
    server.use(...openaiHandlers({ http }, { limits: { requests: 1, organization: 'org-mine' } }));
    const client = clientOf();
    await ask(client);
    await expect(ask(client)).rejects.toThrow('in organization org-mine on requests per min (RPM)');
  });

  it('agrees with apiErrors: the same body the fixtures ship', async () => {
    server.use(...openaiHandlers({ http }, { limits: { requests: 1 } }));
    const client = clientOf();
    await ask(client);
    const error = (await failureOf(ask(client))) as InstanceType<typeof OpenAI.RateLimitError>;
    const expected = apiErrors.rateLimited({
      model: 'gpt-4o-mini',
      kind: 'requests',
      limit: 1,
      used: 1,
      requested: 1,
      retryAfterMs: Number(error.headers.get('retry-after-ms')),
    });
    expect(error.error).toEqual((JSON.parse(expected.body) as { error: object }).error);
  });
});

describe('openaiHandlers: options', () => {
  it.each([
    [{ limits: { requests: 0 } }, '`limits.requests`: expected a positive number of requests per window'],
    [{ limits: { windowMs: 1_000 } }, '`limits`: expected at least one of `requests` and `tokens`'],
    [{ baseURL: 'api.openai.com' }, '`baseURL`: expected an absolute URL'],
    [{ afterLast: 'loop' }, "`afterLast`: expected 'throw' or 'repeat-last'"],
    [{ script: null }, '`script`: expected a script item'],
    [{ scirpt: [] }, '`scirpt`: expected no such option (known: baseURL, script, afterLast, limits)'],
  ])('%j is refused, naming the field', (options, message) => {
    const error = (() => {
      try {
        openaiHandlers({ http }, options as never);
        return undefined;
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(TierguardOptionsError);
    expect((error as Error).message).toContain(message);
  });

  it('without msw’s http it says what to pass', () => {
    expect(() => openaiHandlers({} as never)).toThrow(
      "openaiHandlers: pass msw's `http`: openaiHandlers({ http }, options), with http from 'msw'.",
    );
  });
});
