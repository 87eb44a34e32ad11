/**
 * `fallback: 'cheaper'`: chains built from the model table (same input and features, reasoning
 * alike, cheaper, reachable on the tier), shown in `stats()`; a chain written out always wins.
 */
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { createGuard, type Guard } from '../../src/guard/create-guard.js';
import type { GuardOptions } from '../../src/guard/options.js';
import { cheaperChain } from '../../src/models/cheaper.js';
import { apiErrors } from '../../src/testing/fixtures.js';
import { chatCompletion, scriptedFetch, type ScriptedFetch } from '../../src/testing/scripted-fetch.js';
import { TierguardOptionsError } from '../../src/util/options.js';

const guards: Guard[] = [];
afterEach(async () => {
  await Promise.all(guards.splice(0).map((guard) => guard.close()));
});

describe('cheaperChain', () => {
  it.each([
    // gpt-3.5-turbo's page lists neither function calling nor Structured Outputs: anything cheaper
    // with at least that serves it; gpt-4.1-mini's output costs more.
    ['gpt-3.5-turbo', 'tier-1', ['gpt-4o-mini']],
    ['gpt-4o', 'tier-1', ['gpt-4.1', 'gpt-4.1-mini', 'gpt-4o-mini']],
    ['gpt-4o-2024-08-06', 'tier-3', ['gpt-4.1', 'gpt-4.1-mini', 'gpt-4o-mini']],
    // The free tier reaches neither gpt-4o nor gpt-4.1.
    ['gpt-4o', 'free', ['gpt-4.1-mini', 'gpt-4o-mini']],
    ['gpt-4.1', 'tier-1', ['gpt-4.1-mini', 'gpt-4o-mini']],
    ['gpt-4o-mini', 'tier-1', []],
    // Reasoning models fall back to reasoning models only; o3-mini takes no images, gpt-5 costs more on output.
    ['o3', 'tier-1', ['o4-mini', 'gpt-5-mini']],
    ['gpt-5', 'tier-1', ['o4-mini', 'gpt-5-mini']],
    ['o3-mini', 'tier-1', ['gpt-5-mini']],
    ['gpt-5-mini', 'tier-1', []],
    ['my-own-model', 'tier-1', []],
    ['gpt-5.5', 'tier-1', []],
  ] as const)('%s on %s → %j', (model, tier, chain) => {
    expect(cheaperChain(model, tier)).toEqual(chain);
  });

  it('follows a deployment name to its model', () => {
    expect(cheaperChain('prod-4o', 'tier-1', { 'prod-4o': 'gpt-4o' })).toEqual([
      'gpt-4.1',
      'gpt-4.1-mini',
      'gpt-4o-mini',
    ]);
  });
});

describe("fallback: 'cheaper' through the guard", () => {
  /** gpt-4o and gpt-4.1 are refused (the project may not use them); anything else serves. */
  function refusingBigModels(): ScriptedFetch {
    return scriptedFetch((call) => {
      const model = (call.body as { model: string }).model;
      return model === 'gpt-4o' || model === 'gpt-4.1'
        ? apiErrors.projectModelDenied(model)
        : chatCompletion({ model });
    });
  }

  function setUp(options: GuardOptions): { client: OpenAI; guard: Guard; fetch: ScriptedFetch } {
    const guard = createGuard({ limits: { '*': { requests: 1_000, tokens: 1_000_000 } }, ...options });
    guards.push(guard);
    const fetch = refusingBigModels();
    return {
      client: guard.wrap(new OpenAI({ apiKey: 'sk-test', baseURL: 'https://api.openai.test/v1', fetch })),
      guard,
      fetch,
    };
  }
  const ask = (client: OpenAI, model: string) =>
    client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 20 });
  const sent = (fetch: ScriptedFetch) => fetch.calls.map((call) => (call.body as { model: string }).model);

  it('serves from the chain built for the model, and says which chain it built', async () => {
    const { client, guard, fetch } = setUp({ tier: 'tier-2', fallback: 'cheaper' });
    expect((await ask(client, 'gpt-4o')).model).toBe('gpt-4.1-mini');
    expect(sent(fetch)).toEqual(['gpt-4o', 'gpt-4.1', 'gpt-4.1-mini']);
    expect(guard.stats().cheaperChains).toEqual({
      'gpt-4o': { chain: ['gpt-4.1', 'gpt-4.1-mini', 'gpt-4o-mini'], tier: 'tier-2', tierAssumed: false },
    });
  });

  it("with tier: 'auto' and no tier detected yet, builds for the lowest paid tier and says so", async () => {
    const { client, guard } = setUp({ fallback: 'cheaper' });
    await ask(client, 'gpt-4o');
    expect(guard.stats().cheaperChains['gpt-4o']).toMatchObject({ tier: 'tier-1', tierAssumed: true });
  });

  it('keeps a chain written out, and builds the others', async () => {
    const { client, guard, fetch } = setUp({
      tier: 'tier-1',
      fallback: { 'gpt-4o': ['gpt-4o-mini'], '*': 'cheaper' },
    });
    expect((await ask(client, 'gpt-4o')).model).toBe('gpt-4o-mini');
    expect((await ask(client, 'gpt-4.1')).model).toBe('gpt-4.1-mini');
    expect(sent(fetch)).toEqual(['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini']);
    expect(Object.keys(guard.stats().cheaperChains)).toEqual(['gpt-4.1']);
  });

  it('does not show a chain written for the family as one it built', async () => {
    const { client, guard } = setUp({
      tier: 'tier-1',
      fallback: { 'gpt-4o': ['gpt-4o-mini'], '*': 'cheaper' },
    });
    // A dated gpt-4o follows the chain written for its family. Before, stats showed it as built.
    await ask(client, 'gpt-4o-2024-08-06');
    expect(guard.stats().cheaperChains).toEqual({});
  });

  it("builds a chain only for the models named 'cheaper'", async () => {
    const { client, guard, fetch } = setUp({ tier: 'tier-1', fallback: { 'gpt-4.1': 'cheaper' } });
    await expect(ask(client, 'gpt-4o')).rejects.toThrow();
    expect((await ask(client, 'gpt-4.1')).model).toBe('gpt-4.1-mini');
    expect(sent(fetch)).toEqual(['gpt-4o', 'gpt-4.1', 'gpt-4.1-mini']);
    expect(Object.keys(guard.stats().cheaperChains)).toEqual(['gpt-4.1']);
  });

  it('refuses any other string, naming the field', () => {
    expect(() => createGuard({ fallback: 'cheapest' as 'cheaper' })).toThrow(TierguardOptionsError);
    expect(() => createGuard({ fallback: 'cheapest' as 'cheaper' })).toThrow(/`fallback`/);
    expect(() => createGuard({ fallback: { 'gpt-4o': 'cheapest' as 'cheaper' } })).toThrow(
      /`fallback\.gpt-4o`.*'cheaper'/,
    );
  });
});
