import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { estimateBound, estimateRequest, type Endpoint } from '../../src/pacing/estimate.js';

const DEFAULT_MAX = 1_024;

// Characters each counted as three tokens (one per byte of UTF-8): the most a UTF-16 unit can be.
const DENSE = 'ᚠꙮ\u0fff\u2fff';

/** Text of every kind the tokenizer meets: ASCII, CJK, emoji (surrogate pairs), lone surrogates. */
const text = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom(...DENSE), minLength: 20, maxLength: 200 }),
  fc.constantFrom('', 'hi', '你好，世界', '👩‍👩‍👧‍👦🎉🎉', '<|endoftext|>', ' '.repeat(30), '\n\n\t'),
);

const part = fc.oneof(
  fc.record({ type: fc.constant('text'), text }),
  fc.record({
    type: fc.constant('image_url'),
    image_url: fc.record({
      url: fc.constantFrom('', 'https://x.test/a.png'),
      detail: fc.constantFrom('low', 'high'),
    }),
  }),
  fc.record({ type: fc.constant('image_url'), image_url: fc.record({ url: fc.constant('') }) }),
  fc.record({ type: fc.constant('input_image') }),
  fc.record({
    type: fc.constant('input_audio'),
    input_audio: fc.record({ data: text, format: fc.constant('wav') }),
  }),
);

const message = fc.record(
  {
    role: fc.constantFrom('system', 'user', 'assistant', 'developer', ''),
    content: fc.oneof(text, fc.array(part, { maxLength: 4 }), fc.constant(null)),
    name: text,
    tool_calls: fc.array(
      fc.record({
        id: text,
        type: fc.constant('function'),
        function: fc.record({ name: text, arguments: text }),
      }),
      { maxLength: 2 },
    ),
  },
  { requiredKeys: ['role'] },
);

const limits = {
  n: fc.integer({ min: 0, max: 8 }),
  max_tokens: fc.integer({ min: 0, max: 4_096 }),
  max_completion_tokens: fc.integer({ min: 0, max: 4_096 }),
  max_output_tokens: fc.integer({ min: 0, max: 4_096 }),
  best_of: fc.integer({ min: 1, max: 5 }),
};

const tools = fc.array(
  fc.record({
    type: fc.constant('function'),
    function: fc.record({ name: text, description: text, parameters: fc.constant({ type: 'object' }) }),
  }),
  { maxLength: 2 },
);

const bodies: fc.Arbitrary<[Endpoint, Record<string, unknown>]> = fc.oneof(
  fc
    .record(
      { model: fc.constant('gpt-4o'), messages: fc.array(message, { maxLength: 5 }), tools, ...limits },
      { requiredKeys: ['model', 'messages'] },
    )
    .map((body) => ['chat', body] as [Endpoint, Record<string, unknown>]),
  fc
    .record(
      {
        model: fc.constant('gpt-4o'),
        input: fc.oneof(text, fc.array(fc.oneof(text, message), { maxLength: 4 })),
        instructions: text,
        tools,
        ...limits,
      },
      { requiredKeys: ['model'] },
    )
    .map((body) => ['responses', body] as [Endpoint, Record<string, unknown>]),
  fc
    .record(
      {
        model: fc.constant('gpt-3.5-turbo-instruct'),
        prompt: fc.oneof(
          text,
          fc.array(text, { maxLength: 3 }),
          fc.array(fc.nat(100_000), { maxLength: 20 }),
        ),
        ...limits,
      },
      { requiredKeys: ['model', 'prompt'] },
    )
    .map((body) => ['completions', body] as [Endpoint, Record<string, unknown>]),
  fc
    .record({
      model: fc.constant('text-embedding-3-small'),
      input: fc.oneof(text, fc.array(text, { maxLength: 4 }), fc.array(fc.nat(100_000), { maxLength: 20 })),
    })
    .map((body) => ['embeddings', body] as [Endpoint, Record<string, unknown>]),
  fc
    .record({
      model: fc.constant('omni-moderation-latest'),
      input: fc.oneof(text, fc.array(part, { maxLength: 3 })),
    })
    .map((body) => ['moderations', body] as [Endpoint, Record<string, unknown>]),
);

describe('estimateBound', () => {
  it('is never below the estimate, and its output is the estimate’s', async () => {
    await fc.assert(
      fc.asyncProperty(bodies, async ([endpoint, body]) => {
        const bound = estimateBound(endpoint, body, JSON.stringify(body), DEFAULT_MAX);
        const estimate = await estimateRequest(endpoint, body, body.model as string);
        expect(bound).toBeDefined();
        expect(bound?.promptTokens).toBeGreaterThanOrEqual(estimate.promptTokens);
        expect(bound?.outputTokens).toBe(estimate.maxOutputTokens * estimate.n);
      }),
      { numRuns: 400 },
    );
  });

  it('holds for text of three tokens a character, and for the shortest image parts', async () => {
    // [endpoint, body, tokens a unit of its JSON the estimate counts at least]
    const cases: [Endpoint, Record<string, unknown>, number][] = [
      ['chat', { model: 'gpt-4o', messages: [{ role: 'user', content: 'ᚠ'.repeat(2_000) }] }, 2.9],
      [
        'chat',
        { model: 'gpt-4o', messages: [{ role: 'user', content: Array(50).fill({ type: 'image_url' }) }] },
        30,
      ],
      [
        'responses',
        { model: 'gpt-4o', input: [{ role: 'user', content: Array(50).fill({ type: 'input_image' }) }] },
        30,
      ],
    ];
    for (const [endpoint, body, dense] of cases) {
      const serialized = JSON.stringify(body);
      const bound = estimateBound(endpoint, body, serialized, DEFAULT_MAX);
      const estimate = await estimateRequest(endpoint, body, 'gpt-4o');
      expect(estimate.promptTokens).toBeGreaterThan(dense * serialized.length);
      expect(bound?.promptTokens).toBeGreaterThanOrEqual(estimate.promptTokens);
    }
  });

  it('gives no bound where a call takes images or audio, or nothing the estimate counts', () => {
    for (const endpoint of ['images', 'audio', 'other'] as const)
      expect(
        estimateBound(endpoint, { model: 'x', prompt: 'a cat' }, '{"model":"x"}', DEFAULT_MAX),
      ).toBeUndefined();
  });
});
