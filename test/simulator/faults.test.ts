// Injected faults, each through the real openai client (and raw fetch where the SDK hides the
// wire): by count, after N, by model and path, by seeded rate, added and cleared at run time.
import OpenAI from 'openai';
import OpenAIv7 from 'openai-v7';
import { describe, expect, it } from 'vitest';
import type { FaultKind } from '../../src/testing/simulator/faults.js';
import { chat, closeEarly, failure, limitHeadersOf, raw, start, until } from './helpers.js';

const post = (body: unknown) => ({
  method: 'POST',
  headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe('answer faults, by count', () => {
  it.each<[FaultKind, number, string | null, string | null, RegExp]>([
    [
      'server-error',
      500,
      null,
      'server_error',
      /^The server had an error processing your request\. .*\(Please include the request ID req_\w+ in your email\.\)$/,
    ],
    [
      'overloaded',
      503,
      'server_is_overloaded',
      'service_unavailable_error',
      /^Our servers are currently overloaded\./,
    ],
    ['slow-down', 429, 'slow_down', 'rate_limit_error', /reduce your rate of requests/],
    [
      'retry-after-day',
      429,
      'rate_limit_exceeded',
      'requests',
      /on requests per day \(RPD\): Limit 10000, Used 10000, Requested 1\. Please try again in 24h0m0s\./,
    ],
    ['rate-limit-no-headers', 429, 'rate_limit_exceeded', 'requests', /^当前分组上游负载已饱和，请稍后再试/],
  ])('%s → %i', async (fault, status, code, type, message) => {
    const { client, sim } = await start({ faults: [{ fault, count: 1 }] });
    const thrown = await failure(chat(client));
    expect(thrown).toMatchObject({ status, code, type });
    expect(thrown.message).toMatch(message);
    if (fault === 'server-error') expect(thrown.message).toContain(thrown.headers['x-request-id']);
    if (fault === 'retry-after-day') expect(thrown.headers['retry-after']).toBe('86400');
    if (fault === 'rate-limit-no-headers') {
      // A relay's own 429: none of the API's headers.
      expect(limitHeadersOf(thrown.headers)).toEqual({});
      expect(
        Object.keys(thrown.headers).filter((name) => /^(openai-|x-request-id|retry-after)/.test(name)),
      ).toEqual([]);
    } else {
      expect(thrown.headers['openai-version']).toBe('2020-10-01');
    }
    // `count: 1`: the next call is served, and only it was charged.
    await expect(chat(client)).resolves.toMatchObject({ object: 'chat.completion' });
    expect(sim.stats()).toMatchObject({
      requests: 2,
      served: 1,
      faults: { [fault]: 1 },
      tokensCharged: 60,
      rateLimited: { total: 0 },
      byStatus: { [String(status)]: 1, '200': 1 },
    });
  });

  it('relay-html: a proxy’s HTML 502 page', async () => {
    const { client, sim } = await start({ faults: [{ fault: 'relay-html', count: 1 }] });
    const thrown = await failure(chat(client));
    expect(thrown.status).toBe(502);
    expect(thrown.headers['content-type']).toMatch(/^text\/html/);
    expect(thrown.headers['x-request-id']).toBeUndefined();
    expect((thrown.error as Error).message).toContain('502 Bad Gateway');
    expect(sim.stats().byStatus).toEqual({ '502': 1 });
  });

  it('malformed-json: a 200 whose JSON (or SSE data) is cut off', async () => {
    const { client, sim } = await start({ faults: [{ fault: 'malformed-json', count: 2 }] });
    const response = await raw(sim, '/v1/chat/completions', post({ model: 'gpt-4o-mini', messages: [] }));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    await expect(response.json()).rejects.toThrow(SyntaxError);
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    await expect(
      (async () => {
        for await (const _chunk of stream) {
          // drain
        }
      })(),
    ).rejects.toThrow();
    await expect(chat(client)).resolves.toBeDefined();
  });

  it('reset: the headers and part of the body arrive, then the connection is destroyed', async () => {
    const { client, sim } = await start({ faults: [{ fault: 'reset', count: 3 }] });
    const response = await raw(sim, '/v1/chat/completions', post({ model: 'gpt-4o-mini', messages: [] }));
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
    expect((await failure(chat(client))).error).toBeInstanceOf(Error);
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    const received: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of stream) received.push(chunk.choices[0]?.delta?.content ?? '');
      })(),
    ).rejects.toThrow();
    // The stream opened (role chunk, first delta) before the socket went.
    expect(received).toEqual(['', 'Sure']);
    await expect(chat(client)).resolves.toBeDefined();
    expect(sim.stats().faults).toEqual({ reset: 3 });
  });

  it('hang: never answers; the client times out, and close() ends the calls still waiting', async () => {
    const { sim, client } = await start({ faults: [{ fault: 'hang' }] }, { timeout: 150 });
    expect((await failure(chat(client))).error).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    const patient = new OpenAI({ apiKey: 'sk-test', baseURL: sim.baseURL, maxRetries: 0, timeout: 30_000 });
    const pending = failure(chat(patient));
    await until(() => sim.stats().requests === 2);
    const closedAt = Date.now();
    await closeEarly(sim);
    expect(Date.now() - closedAt).toBeLessThan(1_000);
    expect((await pending).error).toBeInstanceOf(OpenAI.APIConnectionError);
    expect(sim.stats()).toMatchObject({ requests: 2, faults: { hang: 2 }, byStatus: {} });
  });
});

describe('stream errors', () => {
  it('chat: a 200 stream with two deltas, then an error the SDK throws with no status (note C)', async () => {
    const { client, sim } = await start({ faults: [{ fault: 'stream-error', count: 1 }] });
    // Only streaming requests match: this one is served, the rule still waits.
    await expect(chat(client)).resolves.toBeDefined();
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], stream: true })
      .withResponse();
    expect(response.status).toBe(200);
    const received: string[] = [];
    const thrown = await failure(
      (async () => {
        for await (const chunk of stream) received.push(chunk.choices[0]?.delta?.content ?? '');
      })(),
    );
    expect(received).toEqual(['', 'Sure', ':']);
    expect(thrown.error).toBeInstanceOf(OpenAI.APIError);
    expect(thrown).toMatchObject({ status: undefined, code: 'server_error', type: 'server_error' });
    expect(thrown.message).toContain(response.headers.get('x-request-id'));
    expect(sim.stats().faults).toEqual({ 'stream-error': 1 });
  });

  it('responses: an `event: error` frame, yielded by openai 6 and thrown by openai 7 (Table 7)', async () => {
    const { client, sim } = await start({ faults: [{ fault: 'stream-error', count: 2 }] });
    const events: { type: string; code?: unknown }[] = [];
    for await (const event of await client.responses.create({
      model: 'gpt-4o-mini',
      input: 'x',
      stream: true,
    }))
      events.push(event as { type: string });
    expect(events.map((event) => event.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'error',
    ]);
    expect(events.at(-1)).toMatchObject({ code: 'server_error' });
    const v7 = new OpenAIv7({ apiKey: 'sk-test', baseURL: sim.baseURL, maxRetries: 0 });
    const thrown = await failure(
      (async () => {
        for await (const _event of await v7.responses.create({
          model: 'gpt-4o-mini',
          input: 'x',
          stream: true,
        })) {
          // drain
        }
      })(),
    );
    expect((thrown.error as { code?: unknown }).code).toBe('server_error');
  });
});

describe('header faults', () => {
  it('drop, garble or -1 the rate-limit headers of the normal answer', async () => {
    const { client, sim } = await start({
      faults: [
        { fault: 'no-rate-headers', count: 1 },
        { fault: 'garbage-headers', after: 1, count: 1 },
        { fault: 'minus-one-headers', after: 2, count: 1 },
      ],
    });
    const headers: Record<string, string>[] = [];
    for (let call = 0; call < 4; call += 1)
      headers.push(limitHeadersOf((await chat(client).withResponse()).response.headers));
    expect(headers[0]).toEqual({});
    expect(headers[1]).toMatchObject({
      'x-ratelimit-reset-tokens': '??',
      'x-ratelimit-limit-requests': 'lots',
    });
    expect(headers[2]).toMatchObject({ 'x-ratelimit-limit-tokens': '-1', 'x-ratelimit-reset-tokens': '0' });
    expect(headers[3]).toMatchObject({
      'x-ratelimit-limit-tokens': '200000',
      'x-ratelimit-remaining-requests': '496',
    });
    // The calls were served and charged as usual.
    expect(sim.stats()).toMatchObject({ served: 4, tokensCharged: 240 });
  });
});

describe('when a rule applies', () => {
  it('after N, for count, then no more', async () => {
    const { client } = await start({ faults: [{ fault: 'server-error', after: 2, count: 2 }] });
    const statuses: number[] = [];
    for (let call = 0; call < 5; call += 1)
      statuses.push(
        await chat(client).then(
          () => 200,
          (error: unknown) => (error as { status?: number }).status ?? 0,
        ),
      );
    expect(statuses).toEqual([200, 200, 500, 500, 200]);
  });

  it('only for the models and paths it names', async () => {
    const { client, sim } = await start({
      faults: [
        { fault: 'overloaded', models: ['gpt-4o'] },
        { fault: 'server-error', paths: ['/v1/embeddings'] },
        { fault: 'slow-down', paths: ['/v1/models'] },
      ],
    });
    await expect(chat(client, 'gpt-4o-mini')).resolves.toBeDefined();
    expect((await failure(chat(client, 'gpt-4o'))).status).toBe(503);
    expect(
      (await failure(client.embeddings.create({ model: 'text-embedding-3-small', input: 'x' }))).status,
    ).toBe(500);
    expect((await failure(client.models.list())).code).toBe('slow_down');
    await expect(client.models.retrieve('gpt-4o-mini')).resolves.toBeDefined();
    expect(sim.stats().faults).toEqual({ overloaded: 1, 'server-error': 1, 'slow-down': 1 });
  });

  it('after the key check: a refused key never meets a fault, nor spends its count', async () => {
    const { sim } = await start({
      apiKey: 'sk-right-key-0123456789',
      faults: [{ fault: 'server-error', count: 1 }],
    });
    const wrong = new OpenAI({ apiKey: 'sk-wrong-key-0123456789', baseURL: sim.baseURL, maxRetries: 0 });
    expect((await failure(chat(wrong))).status).toBe(401);
    const right = new OpenAI({ apiKey: 'sk-right-key-0123456789', baseURL: sim.baseURL, maxRetries: 0 });
    expect((await failure(chat(right))).status).toBe(500);
  });

  it('the first answer rule that fires wins; later rules keep their count', async () => {
    const { client } = await start({
      faults: [
        { fault: 'overloaded', count: 1 },
        { fault: 'server-error', count: 1 },
      ],
    });
    expect((await failure(chat(client))).status).toBe(503);
    expect((await failure(chat(client))).status).toBe(500);
    await expect(chat(client)).resolves.toBeDefined();
  });

  it('added and cleared at run time', async () => {
    const { client, sim } = await start();
    await expect(chat(client)).resolves.toBeDefined();
    sim.inject({ fault: 'server-error' });
    expect((await failure(chat(client))).status).toBe(500);
    expect((await failure(chat(client))).status).toBe(500);
    sim.clearFaults();
    await expect(chat(client)).resolves.toBeDefined();
  });
});

describe('faults by seeded rate', () => {
  async function failedCalls(seed: number): Promise<number[]> {
    const { client } = await start({ seed, faults: [{ fault: 'server-error', rate: 0.3 }] });
    const failed: number[] = [];
    for (let call = 0; call < 60; call += 1) {
      await chat(client, 'gpt-4o-mini', { max_tokens: 1 }).catch(() => failed.push(call));
    }
    return failed;
  }

  it('replays the same requests for the same seed, others for another seed', async () => {
    const first = await failedCalls(42);
    const again = await failedCalls(42);
    const other = await failedCalls(7);
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
    // About 30 % of 60.
    expect(first.length).toBeGreaterThan(8);
    expect(first.length).toBeLessThan(30);
  });

  it('does not let latency draws move the fault picks', async () => {
    const picks: number[][] = [];
    for (const latencyMs of [0, { min: 0, max: 2 }]) {
      const { client } = await start({ seed: 42, latencyMs, faults: [{ fault: 'overloaded', rate: 0.5 }] });
      const failed: number[] = [];
      for (let call = 0; call < 20; call += 1)
        await chat(client, 'gpt-4o-mini', { max_tokens: 1 }).catch(() => failed.push(call));
      picks.push(failed);
    }
    expect(picks[1]).toEqual(picks[0]);
  });
});
