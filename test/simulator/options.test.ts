// The simulator's options: checked once at creation (and for setAccount / inject), every error naming
// the dotted path, what was expected and what was given; JSON all the way for the CLI.
import { describe, expect, it } from 'vitest';
import { TierguardOptionsError } from '../../src/util/options.js';
import { createSimulator, type SimulatorOptions } from '../../src/testing/simulator/simulator.js';
import { chat, start } from './helpers.js';

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

describe('options', () => {
  it.each<[string, unknown, string, RegExp]>([
    ['an unknown tier', { tier: 'tier-9' }, 'tier', /one of 'free', 'tier-1'/],
    ['a latency range upside down', { latencyMs: { min: 5, max: 1 } }, 'latencyMs', /min ≤ max|milliseconds/],
    ['an unknown fault', { faults: [{ fault: 'explode' }] }, 'faults.0.fault', /one of 'server-error'/],
    ['a fault rate above 1', { faults: [{ fault: 'hang', rate: 2 }] }, 'faults.0.rate', /probability/],
    [
      'an unknown limit field',
      { limits: { 'gpt-4o': { rpm: 3 } } },
      'limits.gpt-4o.rpm',
      /no such option \(known: requests, tokens/,
    ],
    ['a negative limit', { limits: { 'gpt-4o': { tokens: -1 } } }, 'limits.gpt-4o.tokens', /positive number/],
    [
      'an unknown option',
      { windowsMs: 1_000 },
      'windowsMs',
      /no such option \(known: tier, limits, windowMs/,
    ],
    ['another host', { host: '0.0.0.0' }, 'host', /127\.0\.0\.1/],
    ['credit as text', { account: { creditUsd: 'lots' } }, 'account.creditUsd', /USD/],
    ['a bad header mode', { rateLimitHeaders: 'some' }, 'rateLimitHeaders', /'full', 'none', 'minus-one'/],
  ])('refuse %s', async (_name, options, path, expected) => {
    const error = await refusal(options);
    const issue = error.issues.find((candidate) => candidate.path === path);
    expect(issue?.expected).toMatch(expected);
    expect(error.message).toContain(`\`${path}\``);
  });

  it('takes its options as JSON (what the CLI and the benchmark pass), on 127.0.0.1', async () => {
    const fromJson = JSON.parse(
      JSON.stringify({
        tier: 'tier-2',
        limits: { 'gpt-4o-mini': { requests: 10, tokens: 10_000 } },
        windowMs: 1_000,
        latencyMs: { min: 0, max: 1 },
        seed: 3,
        organization: 'org-json',
        apiKey: 'sk-json-0123456789abcdef',
        account: { creditUsd: 5, spendLimitUsd: 100, allowedModels: ['gpt-4o-mini'] },
        tokenCountFactor: 1.33,
        defaultMaxOutputTokens: 512,
        outputTokens: 7,
        rateLimitHeaders: 'full',
        retryAfterHeaders: true,
        faults: [{ fault: 'server-error', rate: 0, paths: ['/v1/chat/completions'] }],
        timelineLimit: 10,
      }),
    ) as SimulatorOptions;
    const { sim, client } = await start(fromJson, { apiKey: 'sk-json-0123456789abcdef' });
    expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sim.baseURL).toBe(`${sim.url}/v1`);
    const { data, response } = await chat(client).withResponse();
    expect(data.usage?.completion_tokens).toBe(7);
    expect(response.headers.get('x-ratelimit-limit-requests')).toBe('10');
    expect(response.headers.get('openai-organization')).toBe('org-json');
  });

  it('checks setAccount and inject too', async () => {
    const { sim } = await start();
    expect(() => sim.setAccount({ creditUsd: 'x' } as never)).toThrow(TierguardOptionsError);
    expect(() => sim.setAccount({ credit: 5 } as never)).toThrow(/`account\.credit`/);
    expect(() => sim.inject({ fault: 'nope' } as never)).toThrow(/`fault\.fault`/);
    // null (from JSON) resets a field, as undefined does.
    sim.setAccount({ billingActive: false });
    sim.setAccount(JSON.parse('{"billingActive": null}') as never);
    expect(sim.account()).toEqual({});
  });
});
