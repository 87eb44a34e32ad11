import { createOpenAI } from '@ai-sdk/openai';
import { APICallError, generateText } from 'ai';
import { afterEach, describe, expect, it } from 'vitest';
import { diagnose } from '../../src/diagnose/diagnose.js';
import { createGuard, type Guard } from '../../src/guard/create-guard.js';
import { apiErrors, fixtures } from '../../src/testing/fixtures.js';
import { chatCompletion, responsesResponse, scriptedFetch } from '../../src/testing/scripted-fetch.js';

const guards: Guard[] = [];
afterEach(async () => {
  await Promise.all(guards.splice(0).map((guard) => guard.close()));
});

describe('the AI SDK through guard.fetch', () => {
  it('serves chat and Responses models, paced and retried by the guard', async () => {
    const transport = scriptedFetch([
      apiErrors.rateLimited({
        model: 'gpt-4o',
        kind: 'tokens',
        limit: 30_000,
        used: 30_000,
        requested: 50,
        retryAfterMs: 20,
        retryAfterHeaders: true,
      }),
      chatCompletion({ content: 'from chat' }),
      responsesResponse({ text: 'from responses' }),
    ]);
    const guard = createGuard({ tier: 'tier-1', fetch: transport });
    guards.push(guard);
    const openai = createOpenAI({
      apiKey: 'sk-test',
      baseURL: 'https://api.openai.test/v1',
      fetch: guard.fetch,
    });
    // maxRetries 0: the guard owns retries (two layers would multiply requests against the limit).
    const chat = await generateText({ model: openai.chat('gpt-4o'), prompt: 'hi', maxRetries: 0 });
    expect(chat.text).toBe('from chat');
    const responses = await generateText({ model: openai.responses('gpt-4o'), prompt: 'hi', maxRetries: 0 });
    expect(responses.text).toBe('from responses');
    expect(transport.calls.map((call) => new URL(call.url).pathname)).toEqual([
      '/v1/chat/completions',
      '/v1/chat/completions',
      '/v1/responses',
    ]);
    expect(guard.stats()).toMatchObject({ retries: 1, servedByModel: { 'gpt-4o': 2 } });
  });

  it('surfaces a quota error once, and diagnose reads the guard’s diagnosis off the AI SDK error', async () => {
    const transport = scriptedFetch(fixtures.insufficient_quota, { afterLast: 'repeat-last' });
    const guard = createGuard({ tier: 'tier-1', fetch: transport });
    guards.push(guard);
    const openai = createOpenAI({
      apiKey: 'sk-test',
      baseURL: 'https://api.openai.test/v1',
      fetch: guard.fetch,
    });
    const error = await generateText({ model: openai.chat('gpt-4o'), prompt: 'hi', maxRetries: 0 }).catch(
      (caught: unknown) => caught,
    );
    expect(APICallError.isInstance(error)).toBe(true);
    expect(transport.calls).toHaveLength(1);
    expect(
      diagnose({
        status: (error as APICallError).statusCode,
        headers: (error as APICallError).responseHeaders,
        body: (error as APICallError).responseBody,
      }),
    ).toMatchObject({
      cause: 'insufficient_quota',
      attempts: [{ model: 'gpt-4o', cause: 'insufficient_quota', status: 429 }],
    });
  });
});
