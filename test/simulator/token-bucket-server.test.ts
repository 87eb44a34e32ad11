// The bench's independent token-bucket server (bench/servers/token-bucket.ts, issue 16) does what
// the pacing rows assume of it: it charges `ceil(prompt characters / k) + max_tokens` on arrival,
// refuses with the API's 429 body and `retry-after-ms` when either bucket is short (without charging),
// floors `remaining`, and records every arrival. Windows are long, so refill during a test is a
// fraction of a token and every figure is exact.
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import {
  startTokenBucketServer,
  type TokenBucketServer,
  type TokenBucketServerOptions,
} from '../../bench/servers/token-bucket.js';
import { failure, limitHeadersOf, until } from './helpers.js';

const open: TokenBucketServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((server) => server.close()));
});

async function start(
  options: TokenBucketServerOptions,
): Promise<{ server: TokenBucketServer; client: OpenAI }> {
  const server = await startTokenBucketServer({ latencyMs: 0, ...options });
  open.push(server);
  return { server, client: new OpenAI({ apiKey: 'sk-test', baseURL: server.baseURL, maxRetries: 0 }) };
}

const call = (client: OpenAI, characters: number, maxTokens: number) =>
  client.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'x'.repeat(characters) }],
    max_tokens: maxTokens,
  });

describe('the independent token-bucket server', () => {
  it.each([
    [4, 25, '37m30s'],
    [3, 34, '42m0s'],
  ])(
    'charges ceil(characters / %i) + max_tokens, and says the prompt count in usage',
    async (perToken, tokens, reset) => {
      const { client, server } = await start({ charactersPerToken: perToken, windowMs: 600_000_000 });
      const { data, response } = await call(client, 100, 50).withResponse();
      expect(data.usage?.prompt_tokens).toBe(tokens);
      expect(limitHeadersOf(response.headers)).toEqual({
        'x-ratelimit-limit-requests': '100',
        'x-ratelimit-limit-tokens': '20000',
        'x-ratelimit-remaining-requests': '99',
        'x-ratelimit-remaining-tokens': String(20_000 - tokens - 50),
        // 1 request of 100 and tokens + 50 of 20,000, over 600,000 s.
        'x-ratelimit-reset-requests': '1h40m0s',
        'x-ratelimit-reset-tokens': reset,
      });
      expect(server.arrivals()).toEqual([
        { atMs: expect.any(Number), model: 'gpt-4o-mini', charge: tokens + 50, refused: null },
      ]);
    },
  );

  it('refuses a call the tokens bucket cannot hold, with the API body and retry-after-ms, and does not charge it', async () => {
    // 200 tokens per 200 s: one token a second.
    const { client, server } = await start({ tokensPerWindow: 200, windowMs: 200_000 });
    await call(client, 100, 50);
    const second = await call(client, 100, 50).withResponse();
    // 50 and a few thousandths of a token left: floored.
    expect(second.response.headers.get('x-ratelimit-remaining-tokens')).toBe('50');
    const refused = await failure(call(client, 100, 50));
    expect(refused).toMatchObject({ status: 429, code: 'rate_limit_exceeded', type: 'tokens', param: null });
    expect(refused.message).toMatch(
      /^Rate limit reached for gpt-4o-mini in organization org-bench on tokens per min \(TPM\): Limit 200, Used 150, Requested 75\. Please try again in 24\.9\d*s\. Visit https:\/\/platform\.openai\.com\/account\/rate-limits to learn more\.$/,
    );
    const retryAfterMs = Number(refused.headers['retry-after-ms']);
    expect(retryAfterMs).toBeGreaterThan(24_900);
    expect(retryAfterMs).toBeLessThanOrEqual(25_000);
    expect(refused.headers['x-ratelimit-remaining-tokens']).toBe('50');
    // Not charged: a call that fits the 50 left is served.
    await call(client, 0, 50);
    expect(server.arrivals().map((arrival) => [arrival.charge, arrival.refused])).toEqual([
      [75, null],
      [75, null],
      [75, 'tokens'],
      [50, null],
    ]);
  });

  it('refuses the request over the requests bucket as an RPM 429', async () => {
    const { client } = await start({ requestsPerWindow: 2, windowMs: 600_000_000 });
    await call(client, 10, 10);
    await call(client, 10, 10);
    const refused = await failure(call(client, 10, 10));
    expect(refused).toMatchObject({ status: 429, code: 'rate_limit_exceeded', type: 'requests' });
    expect(refused.message).toContain(
      'on requests per min (RPM): Limit 2, Used 2, Requested 1. Please try again in',
    );
    expect(refused.headers['x-ratelimit-remaining-requests']).toBe('0');
  });

  it('charges on arrival and answers after the latency', async () => {
    const { client, server } = await start({ latencyMs: 1_000, windowMs: 600_000_000 });
    let settled = 0;
    const calls = [call(client, 40, 10), call(client, 40, 10)].map((pending) =>
      pending.then(() => (settled += 1)),
    );
    await until(() => server.arrivals().length === 2, 900);
    // Both are charged, neither is answered yet.
    expect(settled).toBe(0);
    await Promise.all(calls);
    expect(settled).toBe(2);
    expect(server.arrivals().every((arrival) => arrival.refused === null && arrival.charge === 20)).toBe(
      true,
    );
  });
});
