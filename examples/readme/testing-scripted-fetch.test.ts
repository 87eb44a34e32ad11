import OpenAI from 'openai';
import { diagnose, guard, guardOf } from 'tierguard';
import { chatCompletion, fixtures, scriptedFetch, type Script } from 'tierguard/testing';
import { afterEach, expect, it, onTestFinished, vi } from 'vitest';

afterEach(() => vi.useRealTimers());

/** The client the service builds, guarded, over a scripted fetch: closed when the test ends. */
function clientFor(script: Script) {
  const fetch = scriptedFetch(script);
  const client = guard(new OpenAI({ apiKey: 'sk-test', fetch }));
  onTestFinished(() => guardOf(client)?.close());
  return { client, fetch };
}
const ask = (client: OpenAI) =>
  client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });

it('waits out a 429 for the 1.9 s it asked (fake time), then is served', async () => {
  vi.useFakeTimers();
  const { client, fetch } = clientFor([fixtures.rate_limited_tokens, chatCompletion({ content: 'Hello!' })]);
  const answer = ask(client);
  await vi.advanceTimersByTimeAsync(1_900);
  expect(fetch.calls).toHaveLength(1); // not before the wait is over
  await vi.advanceTimersByTimeAsync(100);
  await expect(answer).resolves.toMatchObject({ choices: [{ message: { content: 'Hello!' } }] });
  expect(fetch.calls).toHaveLength(2);
});

it('sends a quota error once, and names it', async () => {
  const { client, fetch } = clientFor(fixtures.insufficient_quota);
  const error = await ask(client).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(OpenAI.RateLimitError); // the SDK's own class, as without the guard
  expect(diagnose(error).cause).toBe('insufficient_quota');
  expect(fetch.calls).toHaveLength(1);
});
