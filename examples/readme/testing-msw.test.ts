import { http } from 'msw';
import { setupServer } from 'msw/node';
import OpenAI from 'openai';
import { diagnose, guard, guardOf } from 'tierguard';
import { fixtures, openaiHandlers, releaseMockedBodyCopies } from 'tierguard/testing';
import { afterAll, afterEach, beforeAll, expect, it, onTestFinished } from 'vitest';

const server = setupServer();
releaseMockedBodyCopies(server); // msw 2 only: see below
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

it('the service tells a spent quota from a rate limit', async () => {
  const api = openaiHandlers({ http }, { script: [fixtures.insufficient_quota] });
  server.use(...api);
  // Built after listen(): the client keeps the fetch it finds when it is constructed.
  const client = guard(new OpenAI({ apiKey: 'sk-test' }));
  onTestFinished(() => guardOf(client)?.close());

  const error = await client.chat.completions
    .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] })
    .catch((caught: unknown) => caught);
  expect(diagnose(error)).toMatchObject({ cause: 'insufficient_quota', retryable: false });
  expect(api.calls).toHaveLength(1); // never retried
});
