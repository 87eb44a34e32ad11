/**
 * Testing a service's error handling with msw and fake timers: the real `openai` client, guarded,
 * answered by msw handlers that send what the API sends. A 20 s `retry-after` takes no real time.
 *
 *   npx vitest run examples/testing-with-msw.test.ts
 */
import { http } from 'msw';
import { setupServer } from 'msw/node';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { countTextTokens, diagnose, guard, type Cause } from '../src/index.js';
import {
  apiErrors,
  chatCompletion,
  fixtures,
  openaiHandlers,
  releaseMockedBodyCopies,
} from '../src/testing/index.js';

// The service under test: a summary, or what went wrong and whether trying later can help.
type Summary = { ok: true; text: string } | { ok: false; cause: Cause; retryable: boolean };

async function summarize(client: OpenAI, text: string): Promise<Summary> {
  try {
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: `Summarize in one line: ${text}` }],
      max_tokens: 60,
    });
    return { ok: true, text: completion.choices[0]?.message.content ?? '' };
  } catch (error) {
    const { cause, retryable } = diagnose(error);
    return { ok: false, cause, retryable };
  }
}

const server = setupServer();
// msw 2 only: lets a client cancel a mocked body (mswjs/interceptors#799); harmless on msw 3.
releaseMockedBodyCopies(server);
beforeAll(async () => {
  server.listen({ onUnhandledRequest: 'error' });
  // The guard counts tokens with a tokenizer it loads on first use, which takes real time:
  // load it before faking time, so that the first call is sent at once.
  await countTextTokens('');
});
afterEach(() => {
  server.resetHandlers();
  vi.useRealTimers();
});
afterAll(() => server.close());

// Build the client after `listen()`: it keeps the global `fetch` it finds when constructed.
const newClient = (): OpenAI => guard(new OpenAI({ apiKey: 'sk-test', maxRetries: 0 }));

it('waits out a 429’s retry-after of 20 s (fake time), then answers', async () => {
  vi.useFakeTimers();
  const api = openaiHandlers(
    { http },
    {
      script: [
        apiErrors.rateLimited({
          model: 'gpt-4o-mini',
          kind: 'requests',
          limit: 500,
          used: 500,
          requested: 1,
          retryAfterMs: 20_000,
          headers: { 'retry-after': '20' },
        }),
        chatCompletion({ content: 'Rivers carry water to the sea.' }),
      ],
    },
  );
  server.use(...api);

  const summary = summarize(newClient(), 'a long text about rivers');
  await vi.advanceTimersByTimeAsync(19_999);
  expect(api.calls).toHaveLength(1); // no retry before the 20 s are up
  await vi.advanceTimersByTimeAsync(1);
  await expect(summary).resolves.toEqual({ ok: true, text: 'Rivers carry water to the sea.' });
  expect(api.calls).toHaveLength(2);
});

it('sends a quota error once, and says a retry cannot help', async () => {
  const api = openaiHandlers({ http }, { script: fixtures.insufficient_quota });
  server.use(...api);

  await expect(summarize(newClient(), 'anything')).resolves.toEqual({
    ok: false,
    cause: 'insufficient_quota',
    retryable: false,
  });
  expect(api.calls).toHaveLength(1);
});
