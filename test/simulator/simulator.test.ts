import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { diagnose } from '../../src/diagnose/diagnose.js';
import {
  createSimulator,
  type Simulator,
  type SimulatorOptions,
} from '../../src/testing/simulator/simulator.js';

const open: Simulator[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((sim) => sim.close()));
});

async function start(options: SimulatorOptions = {}): Promise<{ sim: Simulator; client: OpenAI }> {
  const sim = await createSimulator(options);
  open.push(sim);
  return {
    sim,
    client: new OpenAI({ apiKey: 'sk-test', baseURL: sim.baseURL, maxRetries: 0, timeout: 5_000 }),
  };
}

const chat = (client: OpenAI, model = 'gpt-4o-mini', extra: Record<string, unknown> = {}) =>
  client.chat.completions.create({
    model,
    messages: [{ role: 'user', content: 'Say hi.' }],
    max_tokens: 50,
    ...extra,
  } as never);

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => new Error('expected a failure'),
    (error: unknown) => error,
  );

describe('simulator: answers', () => {
  it('answers chat completions with usage and rate-limit headers on every answer', async () => {
    const { client } = await start({ tier: 'tier-1' });
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Say hi.' }], max_tokens: 50 })
      .withResponse();
    expect(data).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-4o',
      usage: { completion_tokens: 20 },
    });
    expect(data.usage?.prompt_tokens).toBeGreaterThan(5);
    const charged = (data.usage?.prompt_tokens ?? 0) + 50;
    expect(response.headers.get('x-ratelimit-limit-requests')).toBe('500');
    expect(response.headers.get('x-ratelimit-limit-tokens')).toBe('30000');
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('499');
    expect(Number(response.headers.get('x-ratelimit-remaining-tokens'))).toBeGreaterThanOrEqual(
      30_000 - charged,
    );
    expect(response.headers.get('x-ratelimit-reset-tokens')).toMatch(/^\d+(?:\.\d+)?m?s$/);
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
  });

  it('streams chat with usage, and the Responses API with events', async () => {
    const { client } = await start();
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 4,
    });
    let text = '';
    let usage: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      usage ??= chunk.usage ?? undefined;
    }
    expect(text).toBe('Simulated reply: the');
    expect(usage).toMatchObject({ completion_tokens: 4 });
    const response = await client.responses.create({
      model: 'gpt-4o-mini',
      input: 'hello',
      max_output_tokens: 3,
    });
    expect(response.output_text).toBe('Simulated reply:');
    const events: string[] = [];
    for await (const event of await client.responses.create({
      model: 'gpt-4o-mini',
      input: 'hello',
      stream: true,
      max_output_tokens: 2,
    }))
      events.push(event.type);
    expect(events).toEqual([
      'response.created',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.completed',
    ]);
  });

  it('answers embeddings and lists the models the tier can use', async () => {
    const { client } = await start({ tier: 'free' });
    const embeddings = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: ['a', 'b'],
      dimensions: 16,
    });
    expect(embeddings.data).toHaveLength(2);
    expect(embeddings.data[0]?.embedding).toHaveLength(16);
    const models = (await client.models.list()).data.map((model) => model.id);
    expect(models).toContain('gpt-4o-mini');
    expect(models).not.toContain('gpt-4o');
  });

  it('refuses unknown paths, bad JSON and a missing model as the API does', async () => {
    const { sim, client } = await start();
    const unknown = await fetch(`${sim.baseURL}/nope`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-test' },
      body: '{}',
    });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toBe(
      'Invalid URL (POST /v1/nope)',
    );
    const broken = await fetch(`${sim.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-test' },
      body: 'not json',
    });
    expect(broken.status).toBe(400);
    expect(diagnose(await failure(client.chat.completions.create({ messages: [] } as never)))).toMatchObject({
      cause: 'invalid_request',
      status: 400,
    });
  });
});

describe('simulator: the account', () => {
  it.each([
    [{ account: { regionSupported: false } }, 'gpt-4o-mini', 403, 'region_unsupported'],
    [{ account: { billingActive: false } }, 'gpt-4o-mini', 429, 'billing_not_active'],
    [{ account: { creditUsd: 0 } }, 'gpt-4o-mini', 429, 'insufficient_quota'],
    [{ account: { creditUsd: 0, prepaid: true } }, 'gpt-4o-mini', 429, 'insufficient_quota'],
    [{ account: { spendLimitUsd: 0 } }, 'gpt-4o-mini', 429, 'spend_limit_reached'],
    [{ account: { projectSpendLimitUsd: 0 } }, 'gpt-4o-mini', 429, 'spend_limit_reached'],
    [{ account: { allowedModels: ['gpt-4o-mini'] } }, 'gpt-4o', 403, 'model_access_denied'],
    [{ tier: 'free' as const }, 'gpt-4o', 404, 'model_access_denied'],
    [{}, 'gpt-5o', 404, 'model_not_found'],
    [{ account: { organizationVerified: false } }, 'gpt-image-1', 404, 'model_access_denied'],
  ])('%j on %s → %i %s', async (options, model, status, cause) => {
    const { client, sim } = await start(options);
    const error = await failure(chat(client, model));
    expect(diagnose(error)).toMatchObject({ status, cause });
    // Refused before the rate limiter: nothing charged.
    expect(sim.stats().tokensCharged).toBe(0);
  });

  it('asks for verification to stream o3, and not without streaming', async () => {
    const { client } = await start({ account: { organizationVerified: false } });
    expect(diagnose(await failure(chat(client, 'o3', { stream: true })))).toMatchObject({
      status: 400,
      cause: 'verification_required',
      param: 'stream',
    });
    await expect(chat(client, 'o3')).resolves.toMatchObject({ object: 'chat.completion' });
  });

  it('runs out of credit mid-run', async () => {
    const { client, sim } = await start({ account: { creditUsd: 1 } });
    await chat(client);
    sim.setAccount({ creditUsd: 0 });
    expect(diagnose(await failure(chat(client)))).toMatchObject({
      cause: 'insufficient_quota',
      retryable: false,
    });
  });

  it('refuses a wrong key, echoing it masked like the API', async () => {
    const { sim } = await start({ apiKey: 'sk-right-0123456789' });
    const wrong = new OpenAI({
      apiKey: 'sk-proj-WRONGKEY0123456789abcdefghij',
      baseURL: sim.baseURL,
      maxRetries: 0,
    });
    const error = await failure(chat(wrong));
    expect(diagnose(error)).toMatchObject({ status: 401, cause: 'invalid_api_key' });
    expect(String((error as Error).message)).toContain('sk-proj-');
    expect(String((error as Error).message)).not.toContain('WRONGKEY0123456789abcdef');
  });
});

describe('simulator: rate limits', () => {
  it('refuses over RPM with the API wording and headers, and refills over the window', async () => {
    const { client, sim } = await start({
      limits: { 'gpt-4o-mini': { requests: 3, tokens: 1_000_000 } },
      windowMs: 600,
    });
    for (let index = 0; index < 3; index += 1) await chat(client);
    const error = await failure(chat(client));
    const diagnosis = diagnose(error);
    expect(diagnosis).toMatchObject({
      cause: 'rate_limited_requests',
      status: 429,
      limit: { kind: 'requests', window: 'minute', limit: 3, requested: 1 },
    });
    expect(diagnosis.message).toMatch(
      /^Rate limit reached for gpt-4o-mini in organization org-simulated on requests per min \(RPM\): Limit 3, Used 3, Requested 1\. Please try again in \d+(?:\.\d+)?m?s\./,
    );
    expect(diagnosis.retryAfterMs).toBeGreaterThan(100);
    expect(diagnosis.retryAfterMs).toBeLessThanOrEqual(200);
    expect(diagnosis.headers['x-ratelimit-remaining-requests']).toBe('0');
    await new Promise((resolve) => setTimeout(resolve, 450));
    await expect(chat(client)).resolves.toBeDefined();
    expect(sim.stats().rateLimited).toMatchObject({ requests: 1, total: 1 });
  });

  it('charges the prompt and the largest output, refuses over TPM, and refuses one request above the TPM outright', async () => {
    const { client, sim } = await start({
      limits: { 'gpt-4o': { requests: 100, tokens: 1_000 } },
      windowMs: 60_000,
    });
    await chat(client, 'gpt-4o', { max_tokens: 600 });
    const charged = sim.stats().tokensCharged;
    expect(charged).toBeGreaterThan(600);
    expect(charged).toBeLessThan(620);
    const tokens = diagnose(await failure(chat(client, 'gpt-4o', { max_tokens: 600 })));
    expect(tokens).toMatchObject({
      cause: 'rate_limited_tokens',
      limit: { kind: 'tokens', limit: 1_000, requested: charged },
    });
    const tooLarge = diagnose(await failure(chat(client, 'gpt-4o', { max_tokens: 5_000 })));
    expect(tooLarge).toMatchObject({ cause: 'request_too_large', retryable: false, limit: { limit: 1_000 } });
    expect(sim.stats().rateLimited).toMatchObject({ tokens: 1, tooLarge: 1, total: 2 });
  });

  it('counts more than the tokenizer when told to (tokenCountFactor)', async () => {
    const plain = await start();
    const more = await start({ tokenCountFactor: 1.33 });
    const long = { messages: [{ role: 'user', content: 'word '.repeat(300) }] };
    const a = await plain.client.chat.completions.create({
      model: 'gpt-4o-mini',
      max_tokens: 1,
      ...long,
    } as never);
    const b = await more.client.chat.completions.create({
      model: 'gpt-4o-mini',
      max_tokens: 1,
      ...long,
    } as never);
    expect((b as { usage: { prompt_tokens: number } }).usage.prompt_tokens).toBe(
      Math.ceil((a as { usage: { prompt_tokens: number } }).usage.prompt_tokens * 1.33),
    );
  });

  it('sends retry-after headers on 429s when asked, and -1 headers in Azure mode', async () => {
    const { client } = await start({
      limits: { '*': { requests: 1, tokens: 100_000 } },
      retryAfterHeaders: true,
    });
    await chat(client);
    const diagnosis = diagnose(await failure(chat(client)));
    expect(diagnosis.retryAfterSource).toBe('retry-after-ms');
    const azure = await start({ rateLimitHeaders: 'minus-one' });
    const { response } = await chat(azure.client).withResponse();
    expect(response.headers.get('x-ratelimit-limit-tokens')).toBe('-1');
  });
});

describe('simulator: faults', () => {
  it.each([
    ['server-error', 'server_error', 500],
    ['overloaded', 'overloaded', 503],
    ['relay-html', 'relay_error', 502],
    ['slow-down', 'slow_down', 429],
    ['retry-after-day', 'rate_limited_requests', 429],
    ['rate-limit-no-headers', 'rate_limited_requests', 429],
  ] as const)('%s → %s', async (fault, cause, status) => {
    const { client } = await start({ faults: [{ fault, count: 1 }] });
    const diagnosis = diagnose(await failure(chat(client)));
    expect(diagnosis).toMatchObject({ cause, status });
    if (fault === 'retry-after-day') expect(diagnosis.retryAfterMs).toBe(86_400_000);
    if (fault === 'rate-limit-no-headers')
      expect(Object.keys(diagnosis.headers).filter((name) => name.startsWith('x-ratelimit'))).toEqual([]);
    // `count: 1`: the next call is served.
    await expect(chat(client)).resolves.toBeDefined();
  });

  it('resets a connection mid-body', async () => {
    const { client } = await start({ faults: [{ fault: 'reset', count: 1 }] });
    const error = await failure(chat(client));
    expect(['connection_error', 'unknown']).toContain(diagnose(error).cause);
    await expect(chat(client)).resolves.toBeDefined();
  });

  it('hangs until the client times out, and close() ends the hanging connection', async () => {
    const { sim } = await start({ faults: [{ fault: 'hang' }] });
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: sim.baseURL, maxRetries: 0, timeout: 200 });
    expect(diagnose(await failure(chat(client)))).toMatchObject({ cause: 'timeout' });
    const pending = failure(
      new OpenAI({
        apiKey: 'sk-test',
        baseURL: sim.baseURL,
        maxRetries: 0,
        timeout: 30_000,
      }).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await sim.close();
    open.splice(open.indexOf(sim), 1);
    expect(diagnose(await pending).cause).toBe('connection_error');
  });

  it('sends malformed JSON with a 200', async () => {
    const { sim } = await start({ faults: [{ fault: 'malformed-json', count: 1 }] });
    const response = await fetch(`${sim.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-test' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [] }),
    });
    expect(response.status).toBe(200);
    await expect(response.json()).rejects.toThrow();
  });

  it('drops, garbles or -1s the rate-limit headers of a served answer', async () => {
    const { client } = await start({
      faults: [
        { fault: 'no-rate-headers', count: 1 },
        { fault: 'garbage-headers', after: 1, count: 1 },
        { fault: 'minus-one-headers', after: 2, count: 1 },
      ],
    });
    const first = await chat(client).withResponse();
    expect(first.response.headers.get('x-ratelimit-limit-tokens')).toBeNull();
    const second = await chat(client).withResponse();
    expect(second.response.headers.get('x-ratelimit-reset-tokens')).toBe('??');
    const third = await chat(client).withResponse();
    expect(third.response.headers.get('x-ratelimit-limit-tokens')).toBe('-1');
  });

  it('opens a stream with an error event', async () => {
    const { client } = await start({ faults: [{ fault: 'stream-error', count: 1 }] });
    const error = await (async () => {
      try {
        for await (const _chunk of await client.chat.completions.create({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: 'x' }],
          stream: true,
        })) {
          // drain
        }
        return new Error('no error');
      } catch (caught) {
        return caught;
      }
    })();
    expect(diagnose(error)).toMatchObject({ cause: 'server_error', retryable: true });
  });

  it('injects by seeded rate, reproducibly', async () => {
    const counts: number[] = [];
    for (let run = 0; run < 2; run += 1) {
      const { client, sim } = await start({ seed: 42, faults: [{ fault: 'server-error', rate: 0.3 }] });
      await Promise.all(Array.from({ length: 60 }, () => chat(client).catch(() => undefined)));
      counts.push(sim.stats().byStatus['500'] ?? 0);
    }
    expect(counts[0]).toBe(counts[1]);
    expect(counts[0]).toBeGreaterThan(8);
    expect(counts[0]).toBeLessThan(30);
  });
});
