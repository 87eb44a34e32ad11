/**
 * What a per-call `timeout` means under the guard, through the real client of openai 6 and 7 (the
 * README's "Timeouts" states it): the client's own timer covers the whole guarded call — time in
 * the queue, every attempt and every backoff — and ends it as `APIConnectionTimeoutError`; the
 * guard starts nothing after it fires, and a per-call `maxRetries` does not make the client send
 * the call again. A client-level `timeout` bounds each attempt instead (test/guard/drop-in.test.ts).
 */
import type OpenAI from 'openai';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createGuard, diagnose, type Guard, type GuardOptions } from '../../src/index.js';
import { chatCompletion, fakeApiKey, scriptedFetch, type ScriptedFetch } from '../../src/testing/index.js';
import { OPENAI_MAJORS, type OpenAIMajor } from '../support/openai-majors.js';

const KEY = fakeApiKey('t1me');
const BODY = {
  model: 'gpt-4o',
  messages: [{ role: 'user' as const, content: 'One line about rivers.' }],
  max_tokens: 50,
};

const guards: Guard[] = [];
function wrapped(
  major: OpenAIMajor,
  fetch: ScriptedFetch,
  options: GuardOptions,
): { client: OpenAI; guard: Guard } {
  const created = createGuard(options);
  guards.push(created);
  const client = created.wrap(
    new major.OpenAI({ apiKey: KEY, baseURL: 'https://api.openai.test/v1', fetch }),
  );
  return { client, guard: created };
}
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(guards.splice(0).map((created) => created.close()));
});

function settle<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

describe.each(OPENAI_MAJORS)('a per-call timeout ($name)', (major) => {
  it('bounds the whole call: a hanging attempt is not retried after it fires', async () => {
    vi.useFakeTimers();
    const fetch = scriptedFetch([{ hang: true }, chatCompletion({ content: 'never asked for' })]);
    const { client } = wrapped(major, fetch, { tier: 'tier-5' });
    const pending = settle(client.chat.completions.create(BODY, { timeout: 1_000 }));
    await vi.advanceTimersByTimeAsync(999);
    expect(fetch.calls[0]?.signal?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(30_000);
    const { error } = await pending;
    expect(error).toBeInstanceOf(major.OpenAI.APIConnectionTimeoutError);
    expect(fetch.calls).toHaveLength(1);
  });

  it('set through withOptions on the wrapped client, it is the same deadline (before wrapping, it bounds each attempt)', async () => {
    vi.useFakeTimers();
    const after = scriptedFetch([{ hang: true }, chatCompletion({ content: 'second try' })]);
    const late = wrapped(major, after, { tier: 'tier-5' }).client.withOptions({ timeout: 1_000 });
    const lateCall = settle(late.chat.completions.create(BODY));
    const before = scriptedFetch([{ hang: true }, chatCompletion({ content: 'second try' })]);
    const created = createGuard({ tier: 'tier-5' });
    guards.push(created);
    const early = created.wrap(
      new major.OpenAI({ apiKey: KEY, baseURL: 'https://api.openai.test/v1', fetch: before }).withOptions({
        timeout: 1_000,
      }),
    );
    const earlyCall = settle(early.chat.completions.create(BODY));
    await vi.advanceTimersByTimeAsync(30_000);
    expect((await lateCall).error).toBeInstanceOf(major.OpenAI.APIConnectionTimeoutError);
    expect(after.calls).toHaveLength(1);
    expect((await earlyCall).value?.choices[0]?.message.content).toBe('second try');
    expect(before.calls).toHaveLength(2);
  });

  it('counts time in the queue: a call that waits longer than it for its bucket times out unsent', async () => {
    vi.useFakeTimers();
    const fetch = scriptedFetch(chatCompletion(), { afterLast: 'repeat-last' });
    const { client, guard } = wrapped(major, fetch, {
      limits: { 'gpt-4o': { requests: 1, tokens: 1_000_000, windowMs: 5_000 } },
    });
    await client.chat.completions.create(BODY);
    const second = settle(client.chat.completions.create(BODY, { timeout: 1_000 }));
    await vi.advanceTimersByTimeAsync(500);
    expect(guard.stats().waiting).toBe(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect((await second).error).toBeInstanceOf(major.OpenAI.APIConnectionTimeoutError);
    expect(fetch.calls).toHaveLength(1);
    expect(guard.stats().waiting).toBe(0);
  });

  it('with a per-call maxRetries too, the call is still sent once', async () => {
    vi.useFakeTimers();
    const fetch = scriptedFetch({ hang: true });
    const { client } = wrapped(major, fetch, { tier: 'tier-5' });
    const pending = settle(client.chat.completions.create(BODY, { timeout: 1_000, maxRetries: 3 }));
    // Past the client's own backoffs between its resends (8 s at most each).
    await vi.advanceTimersByTimeAsync(60_000);
    const { error } = await pending;
    expect(error).toBeInstanceOf(major.OpenAI.APIConnectionTimeoutError);
    expect(diagnose(error).cause).toBe('timeout');
    expect(fetch.calls).toHaveLength(1);
  });
});
