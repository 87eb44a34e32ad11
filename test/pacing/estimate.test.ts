import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countTextTokens, estimateRequest, type Endpoint } from '../../src/tokens/estimate.js';

const DEFAULT_MAX = 1_024;

/** Text of every kind: ASCII, CJK, emoji (surrogate pairs), lone surrogates, special tokens. */
const text = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '',
    'hi',
    '你好，世界',
    '👩‍👩‍👧‍👦🎉🎉',
    '<|endoftext|>',
    ' '.repeat(30),
    '\n\n\t',
    '\ud800x\udc00',
  ),
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
  n: fc.oneof(fc.integer({ min: -2, max: 8 }), fc.constantFrom(Number.NaN, Infinity, 2.5)),
  max_tokens: fc.integer({ min: 0, max: 4_096 }),
  max_completion_tokens: fc.integer({ min: 0, max: 4_096 }),
  max_output_tokens: fc.integer({ min: 0, max: 4_096 }),
  best_of: fc.integer({ min: 1, max: 5 }),
};

const bodies: fc.Arbitrary<[Endpoint, unknown]> = fc.oneof(
  fc
    .record(
      { model: fc.constant('gpt-4o'), messages: fc.array(message, { maxLength: 5 }), ...limits },
      {
        requiredKeys: ['model', 'messages'],
      },
    )
    .map((body): [Endpoint, unknown] => ['chat', body]),
  fc
    .record(
      {
        input: fc.oneof(text, fc.array(fc.oneof(text, message), { maxLength: 4 })),
        instructions: text,
        ...limits,
      },
      { requiredKeys: [] },
    )
    .map((body): [Endpoint, unknown] => ['responses', body]),
  fc
    .record({
      prompt: fc.oneof(text, fc.array(text, { maxLength: 3 }), fc.array(fc.nat(100_000), { maxLength: 20 })),
      ...limits,
    })
    .map((body): [Endpoint, unknown] => ['completions', body]),
  fc
    .record({
      input: fc.oneof(text, fc.array(text, { maxLength: 4 }), fc.array(fc.nat(100_000), { maxLength: 20 })),
    })
    .map((body): [Endpoint, unknown] => ['embeddings', body]),
  fc
    .record({ input: fc.oneof(text, fc.array(part, { maxLength: 3 })) })
    .map((body): [Endpoint, unknown] => ['moderations', body]),
  fc.anything().map((body): [Endpoint, unknown] => ['chat', body]),
);

describe('estimateRequest', () => {
  it('is synchronous, whole and consistent for any body', () => {
    fc.assert(
      fc.property(
        bodies,
        fc.constantFrom('gpt-4o', 'gpt-4', 'no-such-model', undefined),
        ([endpoint, body], model) => {
          const estimate = estimateRequest(endpoint, body, model);
          expect(estimate).not.toBeInstanceOf(Promise);
          for (const value of [
            estimate.promptTokens,
            estimate.maxOutputTokens,
            estimate.n,
            estimate.totalTokens,
          ]) {
            expect(Number.isInteger(value)).toBe(true);
            expect(value).toBeGreaterThanOrEqual(0);
          }
          expect(estimate.n).toBeGreaterThanOrEqual(1);
          expect(estimate.totalTokens).toBe(estimate.promptTokens + estimate.maxOutputTokens * estimate.n);
          expect(estimate.method).toBe('characters');
        },
      ),
      { numRuns: 500 },
    );
  });

  it('counts the chat format: 3 tokens a message, 1 a name, 3 to prime the reply', () => {
    const one = estimateRequest('chat', { messages: [{ role: 'user', content: 'Hello' }] }, 'gpt-4o');
    // "user" and "Hello" are one token each.
    expect(one.promptTokens).toBe(3 + 3 + 1 + 1);
    const named = estimateRequest(
      'chat',
      { messages: [{ role: 'user', content: 'Hello', name: 'Ann' }] },
      'gpt-4o',
    );
    expect(named.promptTokens).toBe(one.promptTokens + 1 + 1);
  });

  it('counts images by detail, audio and files by a quarter of their JSON', () => {
    const image = (detail?: string) =>
      estimateRequest(
        'chat',
        {
          messages: [
            {
              role: 'user',
              content: [{ type: 'image_url', image_url: { url: 'x', ...(detail ? { detail } : {}) } }],
            },
          ],
        },
        'gpt-4o',
      ).promptTokens;
    const none = estimateRequest(
      'chat',
      { messages: [{ role: 'user', content: [] }] },
      'gpt-4o',
    ).promptTokens;
    expect(image('low') - none).toBe(85);
    expect(image('high') - none).toBe(85 + 170 * 4);
    expect(image() - none).toBe(85 + 170 * 4);
    const audio = { type: 'input_audio', input_audio: { data: 'A'.repeat(4_000), format: 'wav' } };
    const withAudio = estimateRequest(
      'chat',
      { messages: [{ role: 'user', content: [audio] }] },
      'gpt-4o',
    ).promptTokens;
    expect(withAudio - none).toBe(Math.ceil(JSON.stringify(audio).length / 4));
    const responsesImage = estimateRequest(
      'responses',
      { input: [{ role: 'user', content: [{ type: 'input_image', detail: 'low' }] }] },
      'gpt-4o',
    );
    expect(responsesImage.promptTokens).toBe(3 + 85);
  });

  it('counts tools and JSON schemas with the prompt', () => {
    const bare = { messages: [{ role: 'user', content: 'Weather in Paris?' }] };
    const tools = [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
      },
    ];
    const withTools = estimateRequest('chat', { ...bare, tools }, 'gpt-4o').promptTokens;
    expect(withTools - estimateRequest('chat', bare, 'gpt-4o').promptTokens).toBe(
      countTextTokens(JSON.stringify(tools), 'gpt-4o'),
    );
    const format = { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' } } };
    const withFormat = estimateRequest('chat', { ...bare, response_format: format }, 'gpt-4o').promptTokens;
    expect(withFormat - estimateRequest('chat', bare, 'gpt-4o').promptTokens).toBe(
      countTextTokens(JSON.stringify(format), 'gpt-4o'),
    );
  });

  it('takes the output from the request, or the default, times the choices', () => {
    const messages = [{ role: 'user', content: 'Hi' }];
    expect(estimateRequest('chat', { messages, max_tokens: 50, n: 3 }, 'gpt-4o')).toMatchObject({
      maxOutputTokens: 50,
      n: 3,
      outputDefaulted: false,
    });
    expect(
      estimateRequest('chat', { messages, max_completion_tokens: 70, max_tokens: 50 }, 'gpt-4o')
        .maxOutputTokens,
    ).toBe(70);
    expect(estimateRequest('chat', { messages }, 'gpt-4o')).toMatchObject({
      maxOutputTokens: DEFAULT_MAX,
      outputDefaulted: true,
    });
    expect(
      estimateRequest('chat', { messages }, 'gpt-4o', { defaultMaxOutputTokens: 200 }).maxOutputTokens,
    ).toBe(200);
    expect(
      estimateRequest('responses', { input: 'Hi', max_output_tokens: 30 }, 'gpt-4o').maxOutputTokens,
    ).toBe(30);
    // Legacy completions: 16 when unset; best_of generates that many server-side.
    expect(
      estimateRequest('completions', { prompt: 'Hi', best_of: 4, n: 2 }, 'gpt-3.5-turbo-instruct'),
    ).toMatchObject({ maxOutputTokens: 16, n: 4 });
    expect(estimateRequest('images', { prompt: 'a cat', n: 3 }, 'dall-e-3')).toMatchObject({
      images: 3,
      maxOutputTokens: 0,
    });
    expect(estimateRequest('embeddings', { input: 'hello' }, 'text-embedding-3-small').maxOutputTokens).toBe(
      0,
    );
  });

  it('counts token arrays by their length, and nothing for endpoints it does not know', () => {
    expect(
      estimateRequest('embeddings', { input: [1, 2, 3, 4] }, 'text-embedding-3-small').promptTokens,
    ).toBe(4);
    expect(
      estimateRequest('embeddings', { input: [[1, 2], [3]] }, 'text-embedding-3-small').promptTokens,
    ).toBe(3);
    expect(estimateRequest('completions', { prompt: [5, 6, 7] }, 'gpt-3.5-turbo-instruct').promptTokens).toBe(
      3,
    );
    expect(estimateRequest('other', { input: 'x'.repeat(10_000) }, 'gpt-4o').promptTokens).toBe(0);
  });

  it('counts with the encoding of the model: cl100k_base models pay more for other scripts', () => {
    const chinese = { messages: [{ role: 'user', content: '今天天气很好，我们去公园散步吧。'.repeat(20) }] };
    expect(estimateRequest('chat', chinese, 'gpt-4').promptTokens).toBeGreaterThan(
      estimateRequest('chat', chinese, 'gpt-4o').promptTokens * 1.3,
    );
  });

  it('never throws on hostile bodies', () => {
    const cyclic: Record<string, unknown> = { messages: [] };
    cyclic.self = cyclic;
    (cyclic.messages as unknown[]).push({ role: 'user', content: cyclic });
    const throwing = {
      get messages(): unknown {
        throw new Error('getter');
      },
    };
    const proxy = new Proxy(
      {},
      {
        get() {
          throw new Error('proxy');
        },
        ownKeys() {
          throw new Error('proxy');
        },
      },
    );
    const hostile: unknown[] = [
      cyclic,
      throwing,
      proxy,
      { messages: [{ role: 'user', content: 1n }] },
      { messages: [{ role: 'user', tool_calls: [{ function: { name: Symbol('x'), arguments: {} } }] }] },
      { messages: [{ role: Symbol('r'), content: [{ type: 'text', text: '\udfff\ud800' }] }] },
      { tools: cyclic, messages: [] },
    ];
    for (const body of hostile)
      for (const model of ['gpt-4o', 'constructor', '__proto__', 'toString', undefined]) {
        const estimate = estimateRequest('chat', body, model);
        expect(Number.isInteger(estimate.totalTokens)).toBe(true);
      }
  });
});

describe('countTextTokens', () => {
  it('is synchronous and counts with the model’s encoding', () => {
    expect(countTextTokens('')).toBe(0);
    expect(countTextTokens('Hello')).toBe(1);
    const greek = 'Ο καιρός είναι πολύ καλός σήμερα. '.repeat(10);
    expect(countTextTokens(greek, 'gpt-4')).toBeGreaterThan(countTextTokens(greek, 'gpt-4o'));
  });

  it('uses a given tokenizer', () => {
    expect(countTextTokens('some text', 'gpt-4o', { countTokens: (piece) => piece.length })).toBe(9);
  });
});
