import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { createGuard, type Guard, type GuardEvent } from '../../src/index.js';
import { scriptedFetch } from '../../src/testing/index.js';
import { readBody, readWhole } from '../../src/util/read-body.js';

/** An embeddings answer of `inputs` vectors of 1,536 numbers: about 30 KB an input. */
function embeddingsBody(inputs: number, serviceTier?: string): string {
  const data = Array.from({ length: inputs }, (_, index) => ({
    object: 'embedding',
    index,
    embedding: Array.from({ length: 1_536 }, (_, at) => Math.sin(index * 1_536 + at)),
  }));
  return JSON.stringify({
    object: 'list',
    data,
    model: 'text-embedding-3-small',
    usage: { prompt_tokens: 400, total_tokens: 400 },
    ...(serviceTier === undefined ? {} : { service_tier: serviceTier }),
  });
}

describe('reading an answer body', () => {
  it('a large answer is not parsed: usage and service tier from its tail, its shape from its ends', () => {
    const body = embeddingsBody(10, 'flex');
    expect(body.length).toBeGreaterThan(65_536);
    expect(readBody(body)).toMatchObject({
      usage: { promptTokens: 400 },
      whole: true,
      serviceTier: 'flex',
    });
    // Cut on its way (inside a number, inside the list): not whole, so the guard retries it.
    expect(readBody(body.slice(0, body.length - 5_000)).whole).toBe(false);
    expect(readBody(body.slice(0, 100_000)).whole).toBe(false);
    // An HTML page of that size is not an answer either.
    expect(readBody(`<html>${'x'.repeat(100_000)}</html>`).whole).toBe(false);
  });

  it('a small answer is parsed whole, as before', () => {
    const body = JSON.stringify({
      id: 'c',
      object: 'chat.completion',
      usage: { prompt_tokens: 12, completion_tokens: 3 },
      service_tier: 'default',
    });
    expect(readBody(body)).toMatchObject({
      usage: { promptTokens: 12, completionTokens: 3 },
      whole: true,
      serviceTier: 'default',
    });
    expect(readBody(body.slice(0, -1)).whole).toBe(false);
  });
});

describe('reading a body to its end', () => {
  /** A body that arrives as `chunks` (a character may be cut between two of them). */
  const chunked = (chunks: readonly Uint8Array[]): ReadableStream<Uint8Array> =>
    new ReadableStream({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(chunk);
        controller.close();
      },
    });

  it('decodes text cut anywhere, and hands on the same bytes', async () => {
    const text = JSON.stringify({ content: 'Prix : 12 € — 東京 🌸', usage: { prompt_tokens: 7 } });
    const bytes = new TextEncoder().encode(text);
    // Cut inside the euro sign, the CJK and the emoji.
    const euro = bytes.indexOf(0xe2);
    const cuts = [euro + 1, bytes.indexOf(0xe6) + 2, bytes.indexOf(0xf0) + 3];
    const chunks = [0, ...cuts].map((start, index) => bytes.slice(start, [...cuts, bytes.length][index]));
    const whole = await readWhole(chunked(chunks));
    expect(whole.text).toBe(text);
    expect(new Uint8Array(await new Response(whole.body).arrayBuffer())).toEqual(bytes);
    expect(readBody(whole.text).usage?.promptTokens).toBe(7);
  });

  it('decodes only the two ends of a large body, and hands on every byte', async () => {
    // 300 KB of embeddings with a CJK note near the start, in chunks of 16 KB.
    const text = embeddingsBody(10).replace('"object":"list"', '"object":"list","note":"東京"');
    const bytes = new TextEncoder().encode(text);
    const chunks = Array.from({ length: Math.ceil(bytes.length / 16_384) }, (_, index) =>
      bytes.slice(index * 16_384, (index + 1) * 16_384),
    );
    const whole = await readWhole(chunked(chunks));
    expect(typeof whole.text).toBe('object');
    if (typeof whole.text === 'string') return;
    expect(whole.text.head).toBe(text.slice(0, whole.text.head.length));
    expect(whole.text.head.length).toBeGreaterThan(2_000);
    expect(text.endsWith(whole.text.tail.replace(/^\uFFFD+/, ''))).toBe(true);
    expect(readBody(whole.text)).toMatchObject({ usage: { promptTokens: 400 }, whole: true });
    expect(new Uint8Array(await new Response(whole.body).arrayBuffer())).toEqual(bytes);
    // Cut on its way: its ends say so.
    const cut = await readWhole(chunked(chunks.slice(0, -1)));
    expect(typeof cut.text !== 'string' && readBody(cut.text).whole).toBe(false);
  });

  it('reads a body of one chunk, and no body, and rejects with a body that fails on its way', async () => {
    const one = await readWhole(chunked([new TextEncoder().encode('{"a":1}')]));
    expect(one.text).toBe('{"a":1}');
    expect(await new Response(one.body).text()).toBe('{"a":1}');
    expect(await readWhole(null)).toEqual({ text: '', body: null });
    const failing = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"a":'));
        controller.error(new TypeError('terminated'));
      },
    });
    await expect(readWhole(failing)).rejects.toThrow('terminated');
  });
});

const guards: Guard[] = [];
afterEach(async () => {
  await Promise.all(guards.splice(0).map((guard) => guard.close()));
});

describe('a guarded call with a large answer', () => {
  it('learns its usage, hands the caller every vector, and retries a large body cut on its way', async () => {
    const body = embeddingsBody(20);
    const transport = scriptedFetch([
      { status: 200, body: body.slice(0, 200_000), headers: { 'content-type': 'application/json' } },
      { status: 200, body, headers: { 'content-type': 'application/json' } },
    ]);
    const events: GuardEvent[] = [];
    const guard = createGuard({ tier: 'tier-1', onEvent: (event) => events.push(event) });
    guards.push(guard);
    const client = guard.wrap(
      new OpenAI({ apiKey: 'sk-test', baseURL: 'https://api.openai.test/v1', fetch: transport }),
    );
    const answer = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: Array.from({ length: 20 }, (_, index) => `text ${index}`),
      encoding_format: 'float',
    });
    expect(answer.data).toHaveLength(20);
    expect(answer.data[19]?.embedding).toHaveLength(1_536);
    expect(transport.calls).toHaveLength(2);
    expect(events).toContainEqual(expect.objectContaining({ type: 'diagnosed' }));
    expect(events).toContainEqual(expect.objectContaining({ type: 'usage', inputTokens: 400 }));
  });
});
