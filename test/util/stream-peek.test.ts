import { describe, expect, it, vi } from 'vitest';
import { peekStream, type StreamErrorEvent, type StreamTap } from '../../src/util/stream-peek.js';

const encoder = new TextEncoder();

/** An SSE body that sends each of `chunks` as one read. */
function body(chunks: readonly string[]): ReadableStream<Uint8Array> {
  let next = 0;
  return new ReadableStream({
    pull(controller) {
      const chunk = chunks[next];
      next += 1;
      if (chunk === undefined) controller.close();
      else controller.enqueue(encoder.encode(chunk));
    },
  });
}

const event = (data: unknown, name?: string): string =>
  `${name === undefined ? '' : `event: ${name}\n`}data: ${JSON.stringify(data)}\n\n`;

const SERVER_ERROR = { message: 'The server had an error.', type: 'server_error', param: null, code: null };

/** Peeks `chunks`: whether the guard may still retry (`error`) or the caller has the stream (`ok`). */
async function peek(chunks: readonly string[]): Promise<{ kind: string; tapped: StreamErrorEvent[] }> {
  const tapped: StreamErrorEvent[] = [];
  const tap: StreamTap = {
    onUsage: () => undefined,
    onError: (error) => tapped.push(error),
    onEnd: () => undefined,
  };
  const peeked = await peekStream(body(chunks), tap);
  if (peeked.kind === 'ok') {
    // Read the rest, as the caller's client would.
    const reader = peeked.body.getReader();
    while (!(await reader.read()).done);
  }
  return { kind: peeked.kind, tapped };
}

describe('holding a stream until its first output', () => {
  it('an error after events that deliver nothing (a Response opening) is caught before the caller sees it', async () => {
    const opened = { type: 'response.created', sequence_number: 0, response: { id: 'resp_1' } };
    const added = { type: 'response.output_item.added', sequence_number: 1, output_index: 0, item: {} };
    const failed = { ...SERVER_ERROR, type: 'error', sequence_number: 2 };
    expect(
      await peek([event(opened, opened.type), event(added, added.type), event(failed, 'error')]),
    ).toEqual({
      kind: 'error',
      tapped: [],
    });
  });

  it.each([
    ['a Responses text delta', { type: 'response.output_text.delta', delta: 'Hi', sequence_number: 3 }],
    [
      'a Responses partial image',
      { type: 'response.image_generation_call.partial_image', partial_image_b64: 'AAAA', sequence_number: 3 },
    ],
    ['a finished Responses item', { type: 'response.output_item.done', item: { type: 'message' } }],
    ['a partial image (images.generate)', { type: 'image_generation.partial_image', b64_json: 'AAAA' }],
    ['a transcript delta', { type: 'transcript.text.delta', delta: 'hel' }],
    ['speech audio', { type: 'speech.audio.delta', audio: 'AAAA' }],
  ])('after %s, an error is the caller’s (its client throws it while iterating)', async (_name, output) => {
    const failed = { error: SERVER_ERROR };
    // In chunks of their own, and together in one chunk: the bytes' arrival does not decide.
    expect(await peek([event(output), event(failed, 'error')])).toMatchObject({ kind: 'ok', tapped: [{}] });
    expect(await peek([event(output) + event(failed, 'error')])).toMatchObject({ kind: 'ok', tapped: [{}] });
  });

  it('a relay’s `data: {"error": "…"}` before any output is caught, with its words', async () => {
    const words = '当前分组上游负载已饱和，请稍后再试';
    const peeked = await peekStream(body([event({ error: words })]), {
      onUsage: () => undefined,
      onError: () => undefined,
      onEnd: () => undefined,
    });
    expect(peeked).toMatchObject({ kind: 'error', error: { message: words, type: null, code: null } });
  });

  it('a chat chunk with text and an error in the same read: the text came first, the error is the caller’s', async () => {
    const chunk = { object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'Hi' } }] };
    expect(await peek([event(chunk) + event({ error: SERVER_ERROR })])).toMatchObject({
      kind: 'ok',
      tapped: [{ message: SERVER_ERROR.message }],
    });
  });

  it('a finished reasoning item is not output: an error after a model’s reasoning is still caught', async () => {
    const reasoning = {
      type: 'response.output_item.done',
      sequence_number: 4,
      output_index: 0,
      item: { id: 'rs_1', type: 'reasoning', summary: [] },
    };
    const failed = { ...SERVER_ERROR, type: 'error', sequence_number: 5 };
    expect(await peek([event(reasoning, reasoning.type), event(failed, 'error')])).toEqual({
      kind: 'error',
      tapped: [],
    });
  });

  it('a chat chunk a relay gave a `type` is still read as a chat chunk (a role alone is no output)', async () => {
    const role = { type: 'chat.completion.chunk', choices: [{ index: 0, delta: { role: 'assistant' } }] };
    expect(await peek([event(role), event({ error: SERVER_ERROR })])).toEqual({ kind: 'error', tapped: [] });
  });

  it('an event named only by its `event:` line (a relay’s ping) does not end the hold', async () => {
    const role = { object: 'chat.completion.chunk', choices: [{ index: 0, delta: { role: 'assistant' } }] };
    expect(await peek([event({}, 'ping'), event(role), event({ error: SERVER_ERROR })])).toEqual({
      kind: 'error',
      tapped: [],
    });
  });
});

describe('holding a stream for at most the attempt’s timeout', () => {
  it('an error before any output leaves no hold timer behind (it kept a process alive for the timeout)', async () => {
    vi.useFakeTimers();
    try {
      const tap: StreamTap = { onUsage: () => undefined, onError: () => undefined, onEnd: () => undefined };
      const peeked = await peekStream(body([event({ error: SERVER_ERROR })]), tap, 600_000);
      expect(peeked.kind).toBe('error');
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a stream with no output yet is handed on when the hold ends, and loses nothing', async () => {
    vi.useFakeTimers();
    try {
      // A role-only chunk, then nothing until the test says so (a model reasoning before its first token).
      let release: (() => void) | undefined;
      const role = event({
        object: 'chat.completion.chunk',
        choices: [{ index: 0, delta: { role: 'assistant' } }],
      });
      const text = event({
        object: 'chat.completion.chunk',
        choices: [{ index: 0, delta: { content: 'Hi' } }],
      });
      let step = 0;
      const slow = new ReadableStream<Uint8Array>({
        async pull(controller) {
          step += 1;
          if (step === 1) controller.enqueue(encoder.encode(role));
          else if (step === 2) {
            await new Promise<void>((resolve) => {
              release = resolve;
            });
            controller.enqueue(encoder.encode(text));
          } else controller.close();
        },
      });
      const tap: StreamTap = { onUsage: () => undefined, onError: () => undefined, onEnd: () => undefined };
      const peeking = peekStream(slow, tap, 5_000);
      await vi.advanceTimersByTimeAsync(4_999);
      let settled = false;
      void peeking.then(() => {
        settled = true;
      });
      await vi.advanceTimersByTimeAsync(0);
      expect(settled).toBe(false);
      // Before: held until the first output, however long (create() never resolved on pings alone).
      await vi.advanceTimersByTimeAsync(1);
      const peeked = await peeking;
      expect(peeked.kind).toBe('ok');
      release?.();
      const body = peeked.kind === 'ok' ? await new Response(peeked.body).text() : '';
      expect(body).toBe(role + text);
    } finally {
      vi.useRealTimers();
    }
  });
});
