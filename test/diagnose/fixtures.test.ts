/**
 * One row per fixture, through the real openai client (6 and 7) over scriptedFetch, on chat
 * completions and the Responses API (and streams where the fixture is one): every field of the
 * diagnosis is checked, absent fields included.
 */
import OpenAI from 'openai';
import OpenAIv7 from 'openai-v7';
import { describe, expect, it } from 'vitest';
import { CAUSE_CATALOGUE } from '../../src/data/causes.js';
import { diagnose } from '../../src/diagnose/diagnose.js';
import type { Diagnosis } from '../../src/diagnose/types.js';
import { fixtures, type ErrorFixture, type FixtureName } from '../../src/testing/fixtures.js';
import { scriptedFetch } from '../../src/testing/scripted-fetch.js';

type Client = typeof OpenAI | typeof OpenAIv7;
type Api = 'chat' | 'responses';
const CLIENTS: [string, Client, number][] = [
  ['openai 6', OpenAI, 6],
  ['openai 7', OpenAIv7, 7],
];

/** What each fixture must diagnose to beyond what its wire body and the catalogue say. */
const EXPECTED: Partial<
  Record<
    FixtureName,
    Partial<
      Pick<Diagnosis, 'model' | 'retryAfterMs' | 'retryAfterSource' | 'limit' | 'provider' | 'retryable'>
    >
  >
> = {
  model_not_found: { model: 'gpt-4o-minii' },
  fine_tune_not_found: { model: 'ft:gpt-4o-mini-2024-07-18:acme::AbC123xy' },
  retired_model: { model: 'gpt-4-32k' },
  tier_required: { model: 'o1-mini' },
  azure_deployment_not_found: { provider: 'azure' },
  azure_content_filter: { provider: 'azure' },
  azure_invalid_key: { provider: 'azure' },
  context_length_exceeded_input: {
    limit: { kind: 'context', limit: 272_000, input: true, requested: 289_650 },
  },
  context_length_exceeded: { limit: { kind: 'context', limit: 128_000, requested: 131_072 } },
  context_length_exceeded_requested: {
    limit: { kind: 'context', limit: 8_192, requested: 8_242, prompt: 4_146, completion: 4_096 },
  },
  server_error_should_not_retry: { retryable: false },
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
    retryAfterSource: 'the message',
    limit: { kind: 'requests', window: 'minute', limit: 500, used: 500, requested: 1, remaining: 0 },
  },
  rate_limited_requests_day: {
    model: 'gpt-4o-mini',
    retryAfterMs: 86_400,
    retryAfterSource: 'the message',
    limit: { kind: 'requests', window: 'day', limit: 1_000, used: 1_000, requested: 1 },
  },
  azure_token_rate_limit: {
    retryAfterMs: 33_000,
    retryAfterSource: 'retry-after-ms',
    limit: { kind: 'tokens', window: 'minute' },
    provider: 'azure',
  },
  request_too_large: {
    model: 'gpt-4o',
    limit: { kind: 'tokens', window: 'minute', limit: 30_000, requested: 31_538 },
  },
};

/** The message the diagnosis must carry, where it is not the body's own message. */
const MESSAGES: Partial<Record<FixtureName, string>> = {
  relay_html_502: 'HTML page: 502 Bad Gateway',
  relay_html_520: 'HTML page: 520: Web server is returning an unknown error',
};

const KEPT = /^(?:x-ratelimit-.+|retry-after|retry-after-ms|x-request-id|x-should-retry|content-type)$/;

interface Wire {
  message?: string;
  code?: string;
  type?: string;
  param?: string;
}

/** The error object as the wire carries it: the JSON body, or the stream's error frame. */
function wire(fixture: ErrorFixture): Wire {
  const text =
    fixture.stream === true
      ? (fixture.body
          .split('\n')
          .find((line) => line.startsWith('data:'))
          ?.slice(5) ?? '{}')
      : fixture.body;
  let parsed: { error?: Record<string, unknown> } & Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    return {};
  }
  const error = parsed.error ?? parsed;
  const field = (name: string): string | undefined => {
    const value = error[name];
    // A flat Responses `error` event's `type: "error"` names the event, not the error.
    return typeof value === 'string' && value !== '' && !(name === 'type' && value === 'error')
      ? value
      : undefined;
  };
  const found: Wire = {};
  if (typeof error.message === 'string') found.message = error.message;
  for (const name of ['code', 'type', 'param'] as const) {
    const value = field(name);
    if (value !== undefined) found[name] = value;
  }
  return found;
}

function client(Client: Client, fixture: ErrorFixture): OpenAI {
  // Both majors share the API surface the test uses.
  return new Client({
    apiKey: 'sk-test',
    baseURL: 'https://api.openai.test/v1',
    fetch: scriptedFetch(fixture),
    maxRetries: 0,
  }) as OpenAI;
}

/** Makes the call a service makes and returns what its `catch` (or its stream loop) gets. */
async function caught(Client: Client, fixture: ErrorFixture, api: Api): Promise<unknown> {
  const openai = client(Client, fixture);
  try {
    if (fixture.stream === true) {
      const stream =
        api === 'responses'
          ? await openai.responses.create({ model: 'gpt-4o', input: 'hi', stream: true })
          : await openai.chat.completions.create({
              model: 'gpt-4o',
              messages: [{ role: 'user', content: 'hi' }],
              stream: true,
            });
      for await (const event of stream as AsyncIterable<{ type?: string }>) {
        // openai 6 yields a flat Responses `error` event instead of throwing (7.6 throws, Table 7).
        if (event.type === 'error') return event;
      }
      throw new Error('the stream ended without an error');
    }
    if (api === 'responses') await openai.responses.create({ model: 'gpt-4o', input: 'hi' });
    else
      await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

const ROWS = (Object.entries(fixtures) as [FixtureName, ErrorFixture][]).flatMap(
  ([name, fixture]): [string, FixtureName, ErrorFixture, Api][] => {
    if (fixture.stream === true) {
      // A stream's shape decides its API: `event: error` frames are Responses, `data:` frames chat.
      return [[`${name} (stream)`, name, fixture, fixture.body.startsWith('event:') ? 'responses' : 'chat']];
    }
    return [
      [`${name} (chat)`, name, fixture, 'chat'],
      [`${name} (responses)`, name, fixture, 'responses'],
    ];
  },
);

describe.each(CLIENTS)('diagnose through the real SDK (%s)', (_label, Client, major) => {
  it.each(ROWS)('%s', async (_row, name, fixture, api) => {
    const error = await caught(Client, fixture, api);
    const english = diagnose(error);
    const chinese = diagnose(error, { locale: 'zh-CN' });
    const entry = CAUSE_CATALOGUE[fixture.cause];
    const { message: wireMessage, ...wireFields } = wire(fixture);
    // openai 6 hands the Responses error event to the loop as plain data: no headers travel with it.
    const bare = fixture.stream === true && api === 'responses' && major === 6;
    const headers = bare
      ? {}
      : Object.fromEntries(Object.entries(fixture.headers).filter(([header]) => KEPT.test(header)));
    const requestId = bare ? undefined : fixture.headers['x-request-id'];
    const expected: Omit<Diagnosis, 'hint'> = {
      cause: fixture.cause,
      origin: fixture.cause === 'relay_error' ? 'network' : 'api',
      ...(fixture.stream === true ? {} : { status: fixture.status }),
      ...wireFields,
      ...(requestId === undefined ? {} : { requestId }),
      message: MESSAGES[name] ?? wireMessage ?? '',
      retryable: entry.retryable,
      fallback: entry.fallbackTo === 'model',
      fallbackTo: entry.fallbackTo,
      ...EXPECTED[name],
      headers,
    };
    for (const diagnosis of [english, chinese]) {
      const { hint, ...fields } = diagnosis;
      // Every field, absent ones included (toStrictEqual tells a missing key from `undefined`).
      expect(fields).toStrictEqual(expected);
      expect(hint.title.length).toBeGreaterThan(0);
      expect(hint.why.length).toBeGreaterThan(0);
      expect(hint.steps.length).toBeGreaterThan(0);
      for (const step of hint.steps) expect(step.trim().length).toBeGreaterThan(0);
      for (const link of hint.links)
        expect(new URL(link.url).hostname).toMatch(/(?:^|\.)openai\.com$|^learn\.microsoft\.com$/);
      expect(JSON.stringify(hint)).not.toMatch(/undefined|NaN|\[object Object\]/);
      // The headers are a plain record, never a Headers.
      expect(Object.getPrototypeOf(diagnosis.headers)).toBe(Object.prototype);
      // The result is plain data: it survives JSON.
      expect(JSON.parse(JSON.stringify(diagnosis))).toStrictEqual(diagnosis);
    }
    // Hints are in the asked language, and name the model the error named.
    expect(english.hint.title).not.toBe(chinese.hint.title);
    expect(chinese.hint.title + chinese.hint.why).toMatch(/[\u4e00-\u9fff]/);
    expect(english.hint.title + english.hint.why).not.toMatch(/[\u4e00-\u9fff]/);
    if (english.model !== undefined) {
      expect(english.hint.title + english.hint.why).toContain(english.model);
      expect(chinese.hint.title + chinese.hint.why).toContain(english.model);
    }
    if (english.retryAfterMs !== undefined && english.retryable) {
      // The wait is named with its source ("from the message", "from retry-after-ms").
      expect(english.hint.why).toContain(`(from ${english.retryAfterSource ?? ''})`);
    }
  });
});

describe('the fixture set', () => {
  it('has a fixture for every cause the API (or a relay) can answer with', () => {
    const covered = new Set(Object.values(fixtures).map((fixture) => fixture.cause));
    const local = new Set([
      'timeout',
      'connection_error',
      'aborted',
      'budget_exhausted',
      'queue_full',
      'unknown',
    ]);
    const missing = Object.keys(CAUSE_CATALOGUE).filter(
      (cause) => !covered.has(cause as never) && !local.has(cause),
    );
    expect(missing).toEqual([]);
  });

  it('names a source for every fixture', () => {
    for (const fixture of Object.values(fixtures)) expect(fixture.source.length).toBeGreaterThan(10);
  });
});
