// The rate limiter through the real openai client (openai-api.md note B, Table 1 #16–19, Table 2):
// a hand-moved clock makes every number exact; one test runs on real time with margins.
import { describe, expect, it } from 'vitest';
import { chat, failure, limitHeadersOf, manualClock, start } from './helpers.js';

// "Say hi." as one user message counts 10 tokens; `chat()` asks max_tokens 50: a charge of 60.
const CHARGE = 60;
const visit = 'Visit https://platform.openai.com/account/rate-limits to learn more.';

describe('requests per minute', () => {
  it('refuses the request over RPM with the API wording and headers, then refills with time', async () => {
    const clock = manualClock();
    const { client, sim } = await start({
      now: clock.now,
      limits: { 'gpt-4o-mini': { requests: 3, tokens: 1_000 } },
    });
    const seen: Record<string, string>[] = [];
    for (let call = 0; call < 3; call += 1)
      seen.push(limitHeadersOf((await chat(client).withResponse()).response.headers));
    // remaining = whole units left after the charge; reset = until the bucket is full again.
    expect(seen).toEqual([
      {
        'x-ratelimit-limit-requests': '3',
        'x-ratelimit-remaining-requests': '2',
        'x-ratelimit-reset-requests': '20s',
        'x-ratelimit-limit-tokens': '1000',
        'x-ratelimit-remaining-tokens': '940',
        'x-ratelimit-reset-tokens': '3.6s',
      },
      {
        'x-ratelimit-limit-requests': '3',
        'x-ratelimit-remaining-requests': '1',
        'x-ratelimit-reset-requests': '40s',
        'x-ratelimit-limit-tokens': '1000',
        'x-ratelimit-remaining-tokens': '880',
        'x-ratelimit-reset-tokens': '7.2s',
      },
      {
        'x-ratelimit-limit-requests': '3',
        'x-ratelimit-remaining-requests': '0',
        'x-ratelimit-reset-requests': '1m0s',
        'x-ratelimit-limit-tokens': '1000',
        'x-ratelimit-remaining-tokens': '820',
        'x-ratelimit-reset-tokens': '10.8s',
      },
    ]);
    const refused = await failure(chat(client));
    expect(refused).toMatchObject({
      status: 429,
      code: 'rate_limit_exceeded',
      type: 'requests',
      param: null,
    });
    expect(refused.message).toBe(
      `Rate limit reached for gpt-4o-mini in organization org-simulated on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s. ${visit}`,
    );
    expect(limitHeadersOf(refused.headers)).toMatchObject({
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '1m0s',
      'x-ratelimit-remaining-tokens': '820',
    });
    // OpenAI is not known to send retry-after: none by default.
    expect(refused.headers['retry-after']).toBeUndefined();
    expect(refused.headers['retry-after-ms']).toBeUndefined();

    clock.advance(10_000);
    expect((await failure(chat(client))).message).toContain('Used 3, Requested 1. Please try again in 10s.');
    clock.advance(10_000);
    const { response } = await chat(client).withResponse();
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(sim.stats().rateLimited).toEqual({
      requests: 2,
      tokens: 0,
      requestsPerDay: 0,
      images: 0,
      tooLarge: 0,
      total: 2,
    });
    expect(sim.stats().perModel['gpt-4o-mini']).toEqual({
      requests: 6,
      served: 4,
      rateLimited: 2,
      tokensCharged: 4 * CHARGE,
    });
  });

  it('sends retry-after and retry-after-ms on 429s when asked (as Azure does)', async () => {
    const clock = manualClock();
    const { client } = await start({
      now: clock.now,
      retryAfterHeaders: true,
      limits: { 'gpt-4o-mini': { requests: 1 } },
    });
    await chat(client);
    clock.advance(15_500);
    const refused = await failure(chat(client));
    expect(refused.headers).toMatchObject({ 'retry-after-ms': '44500', 'retry-after': '45' });
    expect(refused.message).toContain('Please try again in 44.5s.');
  });

  it('refills over a scaled window in real time', async () => {
    const { client } = await start({
      windowMs: 1_000,
      limits: { 'gpt-4o-mini': { requests: 2, tokens: 1_000_000 } },
    });
    await chat(client);
    await chat(client);
    const refused = await failure(chat(client));
    const waitMs = Number(/try again in (\d+)ms/.exec(refused.message)?.[1]);
    // One request refills in 500 ms; some of it has refilled while the calls ran.
    expect(waitMs).toBeGreaterThan(0);
    expect(waitMs).toBeLessThanOrEqual(500);
    // The announced wait is enough (rounded up), with a margin for timers.
    await new Promise((resolve) => setTimeout(resolve, waitMs + 50));
    await expect(chat(client)).resolves.toMatchObject({ object: 'chat.completion' });
  });
});

describe('tokens per minute', () => {
  it('charges prompt + max output × n, refuses over TPM, and counts the refused call against RPM', async () => {
    const clock = manualClock();
    const { client, sim } = await start({
      now: clock.now,
      limits: { 'gpt-4o': { requests: 100, tokens: 1_000 } },
    });
    await chat(client, 'gpt-4o', { max_tokens: 600 });
    expect(sim.stats().tokensCharged).toBe(610);
    const refused = await failure(chat(client, 'gpt-4o', { max_tokens: 600 }));
    expect(refused).toMatchObject({ status: 429, code: 'rate_limit_exceeded', type: 'tokens' });
    expect(refused.message).toBe(
      `Rate limit reached for gpt-4o in organization org-simulated on tokens per min (TPM): Limit 1000, Used 610, Requested 610. Please try again in 13.2s. ${visit}`,
    );
    // The refused call took one request (note B) but no tokens.
    expect(limitHeadersOf(refused.headers)).toEqual({
      'x-ratelimit-limit-requests': '100',
      'x-ratelimit-remaining-requests': '98',
      'x-ratelimit-reset-requests': '1.2s',
      'x-ratelimit-limit-tokens': '1000',
      'x-ratelimit-remaining-tokens': '390',
      'x-ratelimit-reset-tokens': '36.6s',
    });
    clock.advance(13_199);
    expect((await failure(chat(client, 'gpt-4o', { max_tokens: 600 }))).message).toContain(
      'Please try again in 1ms.',
    );
    clock.advance(1);
    await expect(chat(client, 'gpt-4o', { max_tokens: 600 })).resolves.toBeDefined();
    expect(sim.stats().tokensCharged).toBe(1_220);
  });

  it('refuses one call larger than the TPM limit as "Request too large", without charging it', async () => {
    const clock = manualClock();
    const { client, sim } = await start({
      now: clock.now,
      limits: { 'gpt-4o': { requests: 100, tokens: 1_000 } },
    });
    const tooLarge = await failure(chat(client, 'gpt-4o', { max_tokens: 5_000 }));
    expect(tooLarge).toMatchObject({ status: 429, code: 'rate_limit_exceeded', type: 'tokens' });
    expect(tooLarge.message).toBe(
      `Request too large for gpt-4o in organization org-simulated on tokens per min (TPM): Limit 1000, Requested 5010. The input or output tokens must be reduced in order to run successfully. ${visit}`,
    );
    expect(limitHeadersOf(tooLarge.headers)).toMatchObject({
      'x-ratelimit-remaining-requests': '100',
      'x-ratelimit-remaining-tokens': '1000',
      'x-ratelimit-reset-tokens': '0s',
    });
    // n multiplies the output: 10 + 400 × 3 is too large too.
    expect((await failure(chat(client, 'gpt-4o', { max_tokens: 400, n: 3 }))).message).toContain(
      'Requested 1210.',
    );
    expect(sim.stats()).toMatchObject({ tokensCharged: 0, rateLimited: { tooLarge: 2, total: 2 } });
  });

  it('keeps a tight resend loop throttled: refused calls drain the RPM bucket', async () => {
    const clock = manualClock();
    const { client } = await start({
      now: clock.now,
      limits: { 'gpt-4o-mini': { requests: 4, tokens: 100 } },
    });
    await chat(client);
    const types: (string | null | undefined)[] = [];
    for (let call = 0; call < 4; call += 1) types.push((await failure(chat(client))).type);
    // Three token refusals take the last three requests; then the request limit refuses.
    expect(types).toEqual(['tokens', 'tokens', 'tokens', 'requests']);
  });

  it('counts tokenCountFactor × the tokenizer, in the charge and in usage', async () => {
    const plain = await start();
    const more = await start({ tokenCountFactor: 1.33 });
    const long = { messages: [{ role: 'user', content: 'word '.repeat(300) }], max_tokens: 1 };
    const base = await chat(plain.client, 'gpt-4o-mini', long);
    const { data, response } = await chat(more.client, 'gpt-4o-mini', long).withResponse();
    const counted = Math.ceil((base.usage?.prompt_tokens ?? 0) * 1.33);
    expect(data.usage?.prompt_tokens).toBe(counted);
    expect(more.sim.stats().tokensCharged).toBe(counted + 1);
    expect(response.headers.get('x-ratelimit-remaining-tokens')).toBe(String(200_000 - counted - 1));
  });

  it('charges the default output when a call sets no maximum', async () => {
    const { client, sim } = await start({ defaultMaxOutputTokens: 300 });
    await chat(client, 'gpt-4o-mini', { max_tokens: undefined });
    await client.responses.create({ model: 'gpt-4o-mini', input: 'Say hi.' });
    expect(sim.stats().perModel['gpt-4o-mini']?.tokensCharged).toBe(10 + 300 + (10 + 300));
    // max_completion_tokens wins over max_tokens, as the API reads it.
    await chat(client, 'gpt-4o', { max_tokens: 5, max_completion_tokens: 7 });
    expect(sim.stats().perModel['gpt-4o']?.tokensCharged).toBe(17);
  });
});

describe('per day and per image', () => {
  it('refuses over RPD with the per-day wording and a wait of a day’s refill', async () => {
    const clock = manualClock();
    const { client, sim } = await start({
      now: clock.now,
      limits: { 'gpt-4o-mini': { requests: 1_000, tokens: 1_000_000, requestsPerDay: 2 } },
    });
    await chat(client);
    await chat(client);
    const refused = await failure(chat(client));
    expect(refused).toMatchObject({ status: 429, code: 'rate_limit_exceeded', type: 'requests' });
    expect(refused.message).toBe(
      `Rate limit reached for gpt-4o-mini in organization org-simulated on requests per day (RPD): Limit 2, Used 2, Requested 1. Please try again in 12h0m0s. ${visit}`,
    );
    expect(refused.headers['x-ratelimit-remaining-requests']).toBe('997');
    expect(sim.stats().rateLimited).toMatchObject({ requestsPerDay: 1, total: 1 });
  });

  it('limits images per minute (Tier 1 gpt-image-1: 5 IPM, 100,000 TPM)', async () => {
    const clock = manualClock();
    const { client, sim } = await start({ now: clock.now });
    const { response } = await client.images
      .generate({ model: 'gpt-image-1', prompt: 'a fox', n: 5 })
      .withResponse();
    // gpt-image-1 has no request limit in the table: token headers only.
    expect(Object.keys(limitHeadersOf(response.headers)).sort()).toEqual([
      'x-ratelimit-limit-tokens',
      'x-ratelimit-remaining-tokens',
      'x-ratelimit-reset-tokens',
    ]);
    const refused = await failure(client.images.generate({ model: 'gpt-image-1', prompt: 'a fox' }));
    expect(refused).toMatchObject({ status: 429, code: 'rate_limit_exceeded', type: 'images' });
    expect(refused.message).toBe(
      `Rate limit reached for gpt-image-1 in organization org-simulated on images per min (IPM): Limit 5, Used 5, Requested 1. Please try again in 12s. ${visit}`,
    );
    expect(sim.stats().rateLimited).toMatchObject({ images: 1, total: 1 });
  });
});

describe('budgets and limits', () => {
  it('shares one budget between a family and its snapshots, and keeps families apart', async () => {
    const { client } = await start({ limits: { 'gpt-4o': { requests: 2 } } });
    await chat(client, 'gpt-4o');
    await chat(client, 'gpt-4o-2024-08-06');
    expect((await failure(chat(client, 'gpt-4o-2024-11-20'))).type).toBe('requests');
    // gpt-4.1 has the same table as gpt-4o but a budget of its own.
    const { response } = await chat(client, 'gpt-4.1').withResponse();
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('499');
  });

  it('merges limits field by field: a name over its family over "*" over the tier table', async () => {
    const { client } = await start({
      limits: { '*': { tokens: 1_234 }, 'gpt-4o': { requests: 7 }, 'gpt-4o-2024-08-06': { requests: 9 } },
    });
    const headersOf = async (model: string) =>
      limitHeadersOf((await chat(client, model).withResponse()).response.headers);
    expect(await headersOf('gpt-4o')).toMatchObject({
      'x-ratelimit-limit-requests': '7',
      'x-ratelimit-limit-tokens': '1234',
    });
    expect(await headersOf('gpt-4o-2024-08-06')).toMatchObject({
      'x-ratelimit-limit-requests': '9',
      'x-ratelimit-remaining-requests': '8',
    });
    expect(await headersOf('gpt-4o-mini')).toMatchObject({
      'x-ratelimit-limit-requests': '500',
      'x-ratelimit-limit-tokens': '1234',
    });
  });

  it('gives known models without a table the documented default (gpt-4o’s row), and serves named extras', async () => {
    const { client } = await start({
      tier: 'tier-2',
      limits: { 'my-relay-model': { requests: 3, tokens: 900 } },
    });
    expect(
      limitHeadersOf((await chat(client, 'gpt-4.1-nano').withResponse()).response.headers),
    ).toMatchObject({
      'x-ratelimit-limit-requests': '5000',
      'x-ratelimit-limit-tokens': '450000',
    });
    expect(
      limitHeadersOf((await chat(client, 'my-relay-model').withResponse()).response.headers),
    ).toMatchObject({
      'x-ratelimit-limit-requests': '3',
      'x-ratelimit-limit-tokens': '900',
    });
    // "*" changes numbers, never access: a model above the tier stays unavailable.
    const free = await start({ tier: 'free', limits: { '*': { requests: 1_000 } } });
    expect((await failure(chat(free.client, 'gpt-4o'))).status).toBe(404);
    const named = await start({ tier: 'free', limits: { 'gpt-4o': { requests: 10 } } });
    await expect(chat(named.client, 'gpt-4o')).resolves.toBeDefined();
  });
});

describe('rate-limit header modes', () => {
  it('"none" sends no x-ratelimit-* headers, on 200s and 429s', async () => {
    const { client } = await start({ rateLimitHeaders: 'none', limits: { 'gpt-4o-mini': { requests: 1 } } });
    const { response } = await chat(client).withResponse();
    expect(limitHeadersOf(response.headers)).toEqual({});
    expect(limitHeadersOf((await failure(chat(client))).headers)).toEqual({});
  });

  it('"minus-one" sends Azure’s -1 token headers (Table 1b), the request headers as usual', async () => {
    const { client } = await start({ rateLimitHeaders: 'minus-one' });
    const { response } = await chat(client).withResponse();
    expect(limitHeadersOf(response.headers)).toEqual({
      'x-ratelimit-limit-requests': '500',
      'x-ratelimit-remaining-requests': '499',
      'x-ratelimit-reset-requests': '120ms',
      'x-ratelimit-limit-tokens': '-1',
      'x-ratelimit-remaining-tokens': '-1',
      'x-ratelimit-reset-tokens': '0',
    });
  });
});

describe('the timeline', () => {
  it('records served and refused answers with the tokens charged, and stays bounded', async () => {
    const clock = manualClock();
    const { client, sim } = await start({
      now: clock.now,
      timelineLimit: 3,
      limits: { 'gpt-4o-mini': { requests: 2 } },
    });
    await chat(client);
    clock.advance(5);
    await chat(client);
    clock.advance(5);
    await failure(chat(client));
    clock.advance(5);
    await failure(chat(client, 'nope-model'));
    expect(sim.stats().timeline).toEqual([
      { atMs: 5, model: 'gpt-4o-mini', status: 200, tokens: CHARGE },
      { atMs: 10, model: 'gpt-4o-mini', status: 429, tokens: 0 },
      { atMs: 15, model: 'nope-model', status: 404, tokens: 0 },
    ]);
    sim.resetStats();
    expect(sim.stats()).toMatchObject({ requests: 0, timeline: [], perModel: {} });
  });
});
