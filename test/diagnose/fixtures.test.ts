import OpenAI from 'openai';
import OpenAIv7 from 'openai-v7';
import { describe, expect, it } from 'vitest';
import { CAUSE_CATALOGUE } from '../../src/data/causes.js';
import { diagnose } from '../../src/diagnose/diagnose.js';
import type { Diagnosis } from '../../src/diagnose/types.js';
import { fixtures, type ErrorFixture, type FixtureName } from '../../src/testing/fixtures.js';
import { scriptedFetch } from '../../src/testing/scripted-fetch.js';

type Client = typeof OpenAI | typeof OpenAIv7;
const CLIENTS: [string, Client][] = [
  ['openai 6', OpenAI],
  ['openai 7', OpenAIv7],
];

/** What each fixture must diagnose to, beyond what the fixture and the catalogue say. */
const EXPECTED: Partial<Record<FixtureName, Partial<Diagnosis>>> = {
  model_not_found: { model: 'gpt-4o-minii' },
  model_access_denied: { model: 'gpt-4o' },
  project_model_denied: { model: 'gpt-4.1' },
  verification_required: { model: 'gpt-image-1' },
  rate_limited_tokens: {
    model: 'gpt-4o',
    retryAfterMs: 1_916,
    retryAfterSource: 'the message',
    limit: { kind: 'tokens', window: 'minute', limit: 30_000, used: 29_420, requested: 1_538, remaining: 0 },
  },
  rate_limited_requests: {
    model: 'gpt-4o-mini',
    retryAfterMs: 120,
    limit: { kind: 'requests', window: 'minute', limit: 500, used: 500, requested: 1, remaining: 0 },
  },
  rate_limited_requests_day: {
    model: 'gpt-4o-mini',
    retryAfterMs: 86_400,
    limit: { kind: 'requests', window: 'day', limit: 1_000, used: 1_000, requested: 1 },
  },
  azure_token_rate_limit: {
    retryAfterMs: 33_000,
    retryAfterSource: 'retry-after-ms',
    limit: { kind: 'tokens', window: 'minute' },
  },
  request_too_large: {
    model: 'gpt-4o',
    limit: { kind: 'tokens', window: 'minute', limit: 30_000, requested: 31_538 },
  },
};

function parsedError(fixture: ErrorFixture): { code?: string; type?: string; param?: string } {
  try {
    const body = JSON.parse(fixture.body) as {
      error?: { code?: string | null; type?: string | null; param?: string | null };
    };
    const error = body.error ?? {};
    return {
      ...(error.code ? { code: error.code } : {}),
      ...(error.type ? { type: error.type } : {}),
      ...(error.param ? { param: error.param } : {}),
    };
  } catch {
    return {};
  }
}

function streamError(fixture: ErrorFixture): { code?: string; type?: string } {
  const data = JSON.parse(
    fixture.body
      .split('\n')
      .find((line) => line.startsWith('data:'))
      ?.slice(5) ?? '{}',
  ) as {
    error?: { code?: string; type?: string | null };
    code?: string;
  };
  const error = data.error ?? data;
  return {
    ...(error.code ? { code: error.code } : {}),
    ...(data.error?.type ? { type: data.error.type } : {}),
  };
}

async function caught(Client: Client, fixture: ErrorFixture): Promise<unknown> {
  // Both majors share the API surface the test uses.
  const client = new Client({
    apiKey: 'sk-test',
    baseURL: 'https://api.openai.test/v1',
    fetch: scriptedFetch(fixture),
    maxRetries: 0,
  }) as OpenAI;
  if (fixture.stream === true) {
    const isResponses = fixture.body.startsWith('event:');
    try {
      const stream = isResponses
        ? await client.responses.create({ model: 'gpt-4o', input: 'hi', stream: true })
        : await client.chat.completions.create({
            model: 'gpt-4o',
            messages: [{ role: 'user', content: 'hi' }],
            stream: true,
          });
      for await (const event of stream as AsyncIterable<{ type?: string }>) {
        // openai 6 yields a flat Responses `error` event instead of throwing (fixed in 7.6, Table 7).
        if (event.type === 'error') return event;
      }
    } catch (error) {
      return error;
    }
    throw new Error('the stream ended without an error');
  }
  return client.chat.completions
    .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
    .then(
      () => {
        throw new Error('expected a failure');
      },
      (error: unknown) => error,
    );
}

describe.each(CLIENTS)('diagnose through the real SDK (%s)', (_label, Client) => {
  it.each(Object.entries(fixtures) as [FixtureName, ErrorFixture][])('%s', async (name, fixture) => {
    const error = await caught(Client, fixture);
    const english = diagnose(error);
    const chinese = diagnose(error, { locale: 'zh-CN' });
    const entry = CAUSE_CATALOGUE[fixture.cause];
    const wire = fixture.stream === true ? streamError(fixture) : parsedError(fixture);
    const expected: Partial<Diagnosis> = {
      cause: fixture.cause,
      origin: fixture.cause === 'relay_error' ? 'network' : 'api',
      retryable: entry.retryable,
      fallback: entry.fallbackTo === 'model',
      fallbackTo: entry.fallbackTo,
      ...(fixture.stream === true ? {} : { status: fixture.status }),
      ...wire,
      ...(fixture.stream === true || fixture.headers['x-request-id'] === undefined
        ? {}
        : { requestId: fixture.headers['x-request-id'] }),
      ...EXPECTED[name],
    };
    expect(english).toMatchObject(expected);
    expect(chinese).toMatchObject(expected);
    // Fields that must be absent when the answer did not give them.
    if (EXPECTED[name]?.retryAfterMs === undefined) expect(english.retryAfterMs).toBeUndefined();
    if (EXPECTED[name]?.limit === undefined && !fixture.cause.startsWith('rate_limited'))
      expect(english.limit).toBeUndefined();
    // Only the headers that explain a refusal are kept, lower-cased, as a plain record.
    expect(Object.getPrototypeOf(english.headers)).toBe(Object.prototype);
    for (const header of Object.keys(english.headers))
      expect(header).toMatch(/^(x-ratelimit-|retry-after|x-request-id|content-type|x-should-retry|openai-)/);
    // Hints: specific and in both languages.
    expect(english.hint.title).not.toBe(chinese.hint.title);
    expect(chinese.hint.title + chinese.hint.why).toMatch(/[\u4e00-\u9fff]/);
    for (const hint of [english.hint, chinese.hint]) {
      expect(hint.steps.length).toBeGreaterThan(0);
      for (const link of hint.links) expect(link.url).toMatch(/^https:\/\//);
      expect(JSON.stringify(hint)).not.toMatch(/undefined|NaN|\[object Object\]/);
    }
    if (english.model !== undefined) expect(english.hint.title + english.hint.why).toContain(english.model);
    // The result is plain data: it survives JSON.
    expect(JSON.parse(JSON.stringify(english))).toEqual(english);
  });
});
