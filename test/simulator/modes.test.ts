// The simulator's modes that differ from the guard's assumptions the way real servers do (issue 16):
// a charge from characters, `remaining` exact or floored, the grain of `reset`, headers on a share
// of answers, a latency spread, and a window nobody announces. A hand-moved clock makes every number
// exact; each test reads what a client sees, through the real `openai` client.
import { describe, expect, it } from 'vitest';
import { drawLatency, lognormalLatency } from '../../src/testing/simulator/latency.js';
import { seededRandom } from '../../src/testing/simulator/random.js';
import { createSimulator, type SimulatorOptions } from '../../src/testing/simulator/simulator.js';
import { TierguardOptionsError } from '../../src/util/options.js';
import { chat, failure, limitHeadersOf, manualClock, start } from './helpers.js';

const LIMITS = { 'gpt-4o-mini': { requests: 10, tokens: 1_000 } };

/** A chat call whose one user message has `characters` characters. */
function sized(characters: number, maxTokens: number) {
  return { messages: [{ role: 'user', content: 'x'.repeat(characters) }], max_tokens: maxTokens };
}

describe('promptCount: a server that counts characters', () => {
  it.each([
    [4, 25],
    [3, 34],
  ])(
    'charges ceil(characters / %i) + max_tokens and reports that count as usage',
    async (perToken, tokens) => {
      const clock = manualClock();
      const { client, sim } = await start({
        now: clock.now,
        limits: LIMITS,
        promptCount: { charactersPerToken: perToken },
      });
      const { data, response } = await chat(client, 'gpt-4o-mini', sized(100, 50)).withResponse();
      // 100 characters: no chat-format overhead, no tokenizer.
      expect(data.usage?.prompt_tokens).toBe(tokens);
      expect(response.headers.get('x-ratelimit-remaining-tokens')).toBe(String(1_000 - tokens - 50));
      expect(sim.stats().tokensCharged).toBe(tokens + 50);
    },
  );

  it('refuses by the characters count, with the API wording', async () => {
    const clock = manualClock();
    const { client } = await start({
      now: clock.now,
      limits: LIMITS,
      promptCount: { charactersPerToken: 4 },
    });
    // 1,600 characters = 400 tokens, + 100: 500 a call; the second empties the bucket.
    await chat(client, 'gpt-4o-mini', sized(1_600, 100));
    await chat(client, 'gpt-4o-mini', sized(1_600, 100));
    const refused = await failure(chat(client, 'gpt-4o-mini', sized(1_600, 100)));
    expect(refused).toMatchObject({ status: 429, code: 'rate_limit_exceeded', type: 'tokens' });
    expect(refused.message).toContain('Limit 1000, Used 1000, Requested 500.');
  });

  it('counts the text of every message and part, and of Responses input and instructions', async () => {
    const clock = manualClock();
    const { client } = await start({
      now: clock.now,
      limits: LIMITS,
      promptCount: { charactersPerToken: 4 },
    });
    const { data } = await chat(client, 'gpt-4o-mini', {
      messages: [
        { role: 'system', content: 'a'.repeat(10) },
        { role: 'user', content: [{ type: 'text', text: 'b'.repeat(30) }] },
      ],
      max_tokens: 5,
    }).withResponse();
    expect(data.usage?.prompt_tokens).toBe(10);
    const response = await client.responses.create({
      model: 'gpt-4o-mini',
      instructions: 'c'.repeat(8),
      input: 'd'.repeat(9),
      max_output_tokens: 16,
    });
    expect(response.usage?.input_tokens).toBe(5);
  });
});

describe('remainingHeader and resetGranularityMs', () => {
  async function twoCalls(options: SimulatorOptions): Promise<Record<string, string>> {
    const clock = manualClock();
    const { client } = await start({
      now: clock.now,
      limits: LIMITS,
      promptCount: { charactersPerToken: 4 },
      ...options,
    });
    await chat(client, 'gpt-4o-mini', sized(100, 50));
    // 1 ms of a 60 s window refills 1000 / 60,000 tokens: the level is no whole number.
    clock.advance(1);
    return limitHeadersOf(
      (await chat(client, 'gpt-4o-mini', sized(100, 50)).withResponse()).response.headers,
    );
  }

  it('floors remaining by default, as the API does, and tells the exact level when asked', async () => {
    // 1000 − 75 + 0.01667 − 75 = 850.0167; requests 10 − 1 + 0.00017 − 1.
    expect(await twoCalls({})).toMatchObject({
      'x-ratelimit-remaining-tokens': '850',
      'x-ratelimit-remaining-requests': '8',
    });
    expect(await twoCalls({ remainingHeader: 'exact' })).toMatchObject({
      'x-ratelimit-remaining-tokens': '850.017',
      'x-ratelimit-remaining-requests': '8',
    });
  });

  it('writes reset to the ms by default and rounds it up to the grain asked', async () => {
    // 149.983 tokens missing of 1000 per 60 s: 8,999 ms to full; 1.99983 requests of 10: 11,999 ms.
    expect(await twoCalls({})).toMatchObject({
      'x-ratelimit-reset-tokens': '8.999s',
      'x-ratelimit-reset-requests': '11.999s',
    });
    expect(await twoCalls({ resetGranularityMs: 1_000 })).toMatchObject({
      'x-ratelimit-reset-tokens': '9s',
      'x-ratelimit-reset-requests': '12s',
    });
    expect(await twoCalls({ resetGranularityMs: 5_000 })).toMatchObject({
      'x-ratelimit-reset-tokens': '10s',
      'x-ratelimit-reset-requests': '15s',
    });
  });
});

describe('windowMs: a "minute" nobody announces', () => {
  it('is found from the headers alone: limit × reset / (limit − remaining)', async () => {
    const clock = manualClock();
    const { client } = await start({
      now: clock.now,
      windowMs: 2_000,
      limits: { 'gpt-4o-mini': { requests: 100, tokens: 20_000 } },
      promptCount: { charactersPerToken: 4 },
    });
    const { response } = await chat(client, 'gpt-4o-mini', sized(4_000, 1_000)).withResponse();
    const headers = limitHeadersOf(response.headers);
    // Nothing but the six headers speaks of the limit, and none of them names the window…
    expect(Object.keys(headers).sort()).toEqual([
      'x-ratelimit-limit-requests',
      'x-ratelimit-limit-tokens',
      'x-ratelimit-remaining-requests',
      'x-ratelimit-remaining-tokens',
      'x-ratelimit-reset-requests',
      'x-ratelimit-reset-tokens',
    ]);
    // …but 2,000 tokens of 20,000 take 200 ms to come back.
    expect(headers).toMatchObject({
      'x-ratelimit-limit-tokens': '20000',
      'x-ratelimit-remaining-tokens': '18000',
      'x-ratelimit-reset-tokens': '200ms',
    });
    expect((20_000 * 200) / (20_000 - 18_000)).toBe(2_000);
  });
});

describe('rateLimitHeaders: { share }', () => {
  async function carried(share: number, seed: number): Promise<boolean[]> {
    const { client } = await start({
      seed,
      limits: { 'gpt-4o-mini': { requests: 1_000, tokens: 1_000_000 } },
      rateLimitHeaders: { share },
    });
    const seen: boolean[] = [];
    for (let call = 0; call < 40; call += 1) {
      const { response } = await chat(client).withResponse();
      seen.push(response.headers.get('x-ratelimit-remaining-tokens') !== null);
    }
    return seen;
  }

  it('sends the headers on about that share of answers, the same ones for the same seed', async () => {
    const half = await carried(0.5, 7);
    const count = half.filter(Boolean).length;
    expect(count).toBeGreaterThan(10);
    expect(count).toBeLessThan(30);
    expect(await carried(0.5, 7)).toEqual(half);
    expect((await carried(0, 7)).some(Boolean)).toBe(false);
    expect((await carried(1, 7)).every(Boolean)).toBe(true);
  });

  it('drops them from 429s too, never the answer itself', async () => {
    const clock = manualClock();
    const { client } = await start({
      now: clock.now,
      limits: { 'gpt-4o-mini': { requests: 1, tokens: 1_000 } },
      rateLimitHeaders: { share: 0 },
    });
    await chat(client);
    const refused = await failure(chat(client));
    expect(refused.status).toBe(429);
    expect(limitHeadersOf(refused.headers)).toEqual({});
    expect(refused.headers['x-request-id']).toMatch(/^req_/);
  });
});

describe('latencyMs: { median, p90 }', () => {
  it('draws a log-normal spread with that median and 90th percentile, within its bounds', () => {
    const random = seededRandom(3);
    const spec = lognormalLatency(800, 2_000, 50, 10_000);
    const draws = Array.from({ length: 20_000 }, () => drawLatency(spec, random)).sort((a, b) => a - b);
    const at = (share: number): number => draws[Math.floor(draws.length * share)] as number;
    expect(at(0.5)).toBeGreaterThan(800 * 0.95);
    expect(at(0.5)).toBeLessThan(800 * 1.05);
    expect(at(0.9)).toBeGreaterThan(2_000 * 0.93);
    expect(at(0.9)).toBeLessThan(2_000 * 1.07);
    expect(draws[0]).toBeGreaterThanOrEqual(50);
    expect(draws.at(-1)).toBeLessThanOrEqual(10_000);
    // Right-skewed: the mean is above the median.
    expect(draws.reduce((sum, value) => sum + value, 0) / draws.length).toBeGreaterThan(at(0.5));
  });

  it('answers after the drawn latency, and says so in openai-processing-ms', async () => {
    const { client } = await start({ latencyMs: { median: 20, p90: 60, min: 5, max: 80 }, seed: 5 });
    const seen: number[] = [];
    for (let call = 0; call < 12; call += 1) {
      const { response } = await chat(client).withResponse();
      seen.push(Number(response.headers.get('openai-processing-ms')));
    }
    expect(seen.every((ms) => ms >= 5 && ms <= 80)).toBe(true);
    expect(new Set(seen).size).toBeGreaterThan(3);
  });
});

describe('options of the modes', () => {
  async function refusal(options: unknown): Promise<TierguardOptionsError> {
    try {
      const sim = await createSimulator(options as SimulatorOptions);
      await sim.close();
    } catch (error) {
      if (error instanceof TierguardOptionsError) return error;
      throw error;
    }
    throw new Error('expected the options to be refused');
  }

  it.each<[string, unknown, string, RegExp]>([
    [
      'an unknown prompt count',
      { promptCount: 'words' },
      'promptCount',
      /'tokenizer' or \{ charactersPerToken \}/,
    ],
    [
      'zero characters per token',
      { promptCount: { charactersPerToken: 0 } },
      'promptCount.charactersPerToken',
      /> 0|positive/,
    ],
    [
      'a factor with a characters count',
      { promptCount: { charactersPerToken: 4 }, tokenCountFactor: 1.2 },
      'tokenCountFactor',
      /no factor/,
    ],
    [
      'a spread whose median is above its p90',
      { latencyMs: { median: 9, p90: 3 } },
      'latencyMs',
      /median ≤ p90|milliseconds/,
    ],
    ['a share above 1', { rateLimitHeaders: { share: 2 } }, 'rateLimitHeaders.share', /probability/],
    ['an unknown remaining mode', { remainingHeader: 'round' }, 'remainingHeader', /'floor' or 'exact'/],
    ['a zero grain', { resetGranularityMs: 0 }, 'resetGranularityMs', /positive|milliseconds/],
  ])('refuse %s', async (_name, options, path, expected) => {
    const error = await refusal(options);
    const issue = error.issues.find((candidate) => candidate.path === path);
    expect(issue?.expected).toMatch(expected);
  });

  it('takes the modes as JSON', async () => {
    const options = JSON.parse(
      JSON.stringify({
        promptCount: { charactersPerToken: 3 },
        latencyMs: { median: 1, p90: 2 },
        rateLimitHeaders: { share: 1 },
        remainingHeader: 'exact',
        resetGranularityMs: 1_000,
        limits: LIMITS,
      }),
    ) as SimulatorOptions;
    const { client } = await start(options);
    const { data, response } = await chat(client, 'gpt-4o-mini', sized(30, 10)).withResponse();
    expect(data.usage?.prompt_tokens).toBe(10);
    expect(response.headers.get('x-ratelimit-reset-tokens')).toMatch(/^\d+s$/);
  });
});
