/**
 * `estimateCost(model, usage, { serviceTier, baseURL })`: an answer priced as it says it was served
 * (Standard, Flex, Priority, with cached input), with the data-residency uplift where it applies,
 * and saying what it had to assume. Usage shapes of chat, Responses and embeddings.
 */
import { describe, expect, it } from 'vitest';
import { estimateCost } from '../../src/advisor/estimate-cost.js';

const chat = {
  prompt_tokens: 1_000_000,
  completion_tokens: 1_000_000,
  prompt_tokens_details: { cached_tokens: 0 },
};
const responses = {
  input_tokens: 1_000_000,
  output_tokens: 500_000,
  input_tokens_details: { cached_tokens: 400_000 },
};

describe('estimateCost', () => {
  it('Standard by default: input, cached input and output at their prices', () => {
    expect(estimateCost('gpt-4o', chat)).toMatchObject({
      usd: 2.5 + 10,
      known: true,
      serviceTier: 'default',
      upliftFactor: 1,
      assumptions: [],
    });
    // 600k input at 2.50, 400k cached at 1.25, 500k output at 10.
    expect(estimateCost('gpt-4o-2024-08-06', responses).usd).toBeCloseTo(1.5 + 0.5 + 5, 10);
    expect(estimateCost('text-embedding-3-small', { prompt_tokens: 1_000_000 }).usd).toBeCloseTo(0.02, 10);
  });

  it('Flex and Priority at the pricing page’s prices, as the answer’s service_tier says', () => {
    expect(estimateCost('o3', responses, { serviceTier: 'flex' })).toMatchObject({
      serviceTier: 'flex',
      assumptions: [],
    });
    // 600k at 1.00, 400k cached at 0.25, 500k output at 4.00.
    expect(estimateCost('o3', responses, { serviceTier: 'flex' }).usd).toBeCloseTo(0.6 + 0.1 + 2, 10);
    expect(estimateCost('gpt-4o', chat, { serviceTier: 'priority' }).usd).toBeCloseTo(4.25 + 17, 10);
    // A Priority request the API downgraded says `default`, and is billed at Standard.
    expect(estimateCost('gpt-4o', chat, { serviceTier: 'default' }).usd).toBeCloseTo(12.5, 10);
    expect(estimateCost('gpt-4o', chat, { serviceTier: 'auto' }).serviceTier).toBe('default');
  });

  it('says what it assumed where the tables have no row', () => {
    // Flex is priced at Batch rates: half of Standard.
    expect(estimateCost('gpt-4o', chat, { serviceTier: 'flex' })).toMatchObject({
      usd: 6.25,
      assumptions: ['flex-at-batch-rate'],
    });
    expect(estimateCost('gpt-3.5-turbo', chat, { serviceTier: 'priority' })).toMatchObject({
      usd: 0.5 + 1.5,
      assumptions: ['priority-at-standard-rate'],
    });
    expect(estimateCost('gpt-4o', chat, { serviceTier: 'scale' })).toMatchObject({
      usd: 12.5,
      assumptions: ['service-tier-unknown'],
    });
  });

  it('adds the residency uplift on a regional host for models released on or after 2026-03-05 only', () => {
    expect(estimateCost('gpt-5.5', chat, { baseURL: 'https://eu.api.openai.com/v1' })).toMatchObject({
      upliftFactor: 1.1,
      assumptions: [],
    });
    expect(estimateCost('gpt-5.5', chat, { baseURL: 'https://eu.api.openai.com/v1' }).usd).toBeCloseTo(
      (5 + 30) * 1.1,
      10,
    );
    expect(estimateCost('gpt-4o', chat, { baseURL: 'https://us.api.openai.com/v1' })).toMatchObject({
      usd: 12.5,
      upliftFactor: 1,
    });
    expect(estimateCost('gpt-5.5', chat, { baseURL: 'https://api.openai.com/v1' }).upliftFactor).toBe(1);
    expect(estimateCost('gpt-5.5', chat, { baseURL: 'https://relay.example.test/v1' }).upliftFactor).toBe(1);
  });

  it('an unknown model costs nothing known, and hostile usage or options never throw', () => {
    expect(estimateCost('gpt-5o', chat)).toMatchObject({ usd: 0, known: false });
    for (const usage of [undefined, null, 42, 'x', { prompt_tokens: -5, completion_tokens: Number.NaN }, []])
      expect(estimateCost('gpt-4o', usage).usd).toBe(0);
    expect(estimateCost('gpt-4o', chat, { serviceTier: null, baseURL: 'javascript:alert(1)' }).usd).toBe(
      12.5,
    );
    expect(estimateCost(42 as never, chat, null as never).known).toBe(false);
  });
});
