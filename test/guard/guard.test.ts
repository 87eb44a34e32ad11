import { inspect } from 'node:util';
import OpenAI, { RateLimitError } from 'openai';
import OpenAIv7 from 'openai-v7';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { diagnose } from '../../src/diagnose/diagnose.js';
import { createGuard, guard, type Guard } from '../../src/guard/create-guard.js';
import type { GuardEvent } from '../../src/telemetry/events.js';
import { TierguardOptionsError } from '../../src/util/options.js';
import { apiErrors, fakeApiKey, fixtures } from '../../src/testing/fixtures.js';
import {
  chatCompletion,
  chatCompletionStream,
  limitHeaders,
  scriptedFetch,
  type ScriptItem,
  type ScriptedFetch,
} from '../../src/testing/scripted-fetch.js';

const KEY = fakeApiKey('2345');
const BACKUP_KEY = fakeApiKey('ghij', 'sk-backup-');

function client(fetch: ScriptedFetch, extra: Partial<ConstructorParameters<typeof OpenAI>[0]> = {}): OpenAI {
  return new OpenAI({ apiKey: KEY, baseURL: 'https://api.openai.test/v1', fetch, ...extra });
}

const ask = (openai: OpenAI, model = 'gpt-4o') =>
  openai.chat.completions.create({
    model,
    messages: [{ role: 'user', content: 'Write one line about rivers.' }],
    max_tokens: 50,
  });

const guards: Guard[] = [];
function tracked(options: Parameters<typeof createGuard>[0] = {}): Guard {
  const created = createGuard(options);
  guards.push(created);
  return created;
}

afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(guards.splice(0).map((created) => created.close()));
});

describe('wrap', () => {
  it('returns the same class with retries turned off and the client’s own fetch as transport', async () => {
    const fetch = scriptedFetch(chatCompletion({ content: 'ok' }));
    const original = client(fetch, { maxRetries: 5 });
    const wrapped = tracked({ tier: 'tier-1' }).wrap(original);
    expect(wrapped).toBeInstanceOf(OpenAI);
    expect(wrapped.maxRetries).toBe(0);
    expect(original.maxRetries).toBe(5);
    const completion = await ask(wrapped);
    expect(completion.choices[0]?.message.content).toBe('ok');
    expect(fetch.calls).toHaveLength(1);
    expect(fetch.calls[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('works with openai 7 too', async () => {
    const fetch = scriptedFetch(chatCompletion({ content: 'seven' }));
    const wrapped = guard(new OpenAIv7({ apiKey: KEY, baseURL: 'https://api.openai.test/v1', fetch }), {
      tier: 'tier-1',
    });
    expect(wrapped).toBeInstanceOf(OpenAIv7);
    const completion = await wrapped.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(completion.choices[0]?.message.content).toBe('seven');
  });

  it('says what to do with a client that has no withOptions (openai 4)', () => {
    const v4Like = { chat: {}, baseURL: 'x' } as unknown as OpenAI;
    expect(() => tracked().wrap(v4Like)).toThrow(/openai 5 or later.*guard\.fetch/);
  });

  it('keeps a subclass’s own prepareRequest, and paces the body it rewrites under the model it names', async () => {
    const seen: string[] = [];
    class Rewriting extends OpenAI {
      protected override async prepareRequest(
        request: RequestInit,
        context: { url: string; options: unknown },
      ): Promise<void> {
        seen.push(context.url);
        const body = JSON.parse(String(request.body)) as Record<string, unknown>;
        request.body = JSON.stringify({ ...body, model: 'gpt-4o-mini' });
      }
    }
    const fetch = scriptedFetch(chatCompletion({ model: 'gpt-4o-mini' }));
    const created = tracked({ tier: 'tier-1' });
    const wrapped = created.wrap(
      new Rewriting({ apiKey: KEY, baseURL: 'https://api.openai.test/v1', fetch }),
    );
    expect(wrapped).toBeInstanceOf(Rewriting);
    const { response } = await ask(wrapped, 'gpt-4o').withResponse();
    expect(seen).toEqual(['https://api.openai.test/v1/chat/completions']);
    expect(fetch.calls[0]?.body).toMatchObject({ model: 'gpt-4o-mini' });
    expect(response.headers.get('x-tierguard-model')).toBe('gpt-4o-mini');
    expect(created.stats().servedByModel).toEqual({ 'gpt-4o-mini': 1 });
  });

  it('paces a call under the model it is sent as when its params change after they were serialized', async () => {
    class Changing extends OpenAI {
      protected override async prepareRequest(
        _request: RequestInit,
        context: { url: string; options: { body?: unknown } },
      ): Promise<void> {
        // The params object now names another model; the request already says gpt-4o.
        (context.options.body as { model: string }).model = 'gpt-4o-mini';
      }
    }
    const fetch = scriptedFetch(chatCompletion());
    const created = tracked({ tier: 'tier-1' });
    const wrapped = created.wrap(new Changing({ apiKey: KEY, baseURL: 'https://api.openai.test/v1', fetch }));
    const { response } = await ask(wrapped, 'gpt-4o').withResponse();
    expect(fetch.calls[0]?.body).toMatchObject({ model: 'gpt-4o' });
    expect(response.headers.get('x-tierguard-model')).toBe('gpt-4o');
    expect(created.stats().servedByModel).toEqual({ 'gpt-4o': 1 });
    expect(created.stats().limits.map((lane) => lane.family)).toEqual(['gpt-4o']);
  });

  it('shares one set of buckets between clients wrapped by one guard', async () => {
    const shared = tracked({ limits: { 'gpt-4o': { requests: 2, tokens: 100_000 } } });
    const first = shared.wrap(client(scriptedFetch(chatCompletion(), { afterLast: 'repeat-last' })));
    const second = shared.wrap(client(scriptedFetch(chatCompletion(), { afterLast: 'repeat-last' })));
    await Promise.all([ask(first), ask(second)]);
    const lanes = shared.stats().limits;
    expect(lanes).toHaveLength(1);
    expect(lanes[0]?.buckets.requests?.level).toBeLessThan(0.1);
  });
});

describe('retry', () => {
  it('waits the retry-after-ms a 429 asked for, then succeeds', async () => {
    vi.useFakeTimers();
    const events: GuardEvent[] = [];
    const fetch = scriptedFetch([
      apiErrors.rateLimited({
        model: 'gpt-4o',
        kind: 'requests',
        limit: 500,
        used: 500,
        requested: 1,
        retryAfterMs: 1_500,
        retryAfterHeaders: true,
      }),
      chatCompletion({ content: 'after the wait' }),
    ]);
    const wrapped = guard(client(fetch), { tier: 'tier-1', onEvent: (event) => events.push(event) });
    const pending = ask(wrapped);
    await vi.advanceTimersByTimeAsync(1_499);
    expect(fetch.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    const completion = await pending;
    expect(fetch.calls).toHaveLength(2);
    expect(completion.choices[0]?.message.content).toBe('after the wait');
    expect(events.find((event) => event.type === 'retry')).toMatchObject({
      cause: 'rate_limited_requests',
      waitMs: 1_500,
      waitSource: 'api',
    });
  });

  it('backs off on a 500 and retries only a bounded number of times', async () => {
    vi.useFakeTimers();
    const fetch = scriptedFetch(fixtures.server_error);
    const wrapped = guard(client(fetch), { tier: 'tier-1', retry: { maxAttempts: 3 } });
    const pending = ask(wrapped).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(60_000);
    const error = await pending;
    expect(fetch.calls).toHaveLength(3);
    expect(diagnose(error)).toMatchObject({
      cause: 'server_error',
      attempts: [{ cause: 'server_error' }, { cause: 'server_error' }, { cause: 'server_error' }],
    });
  });

  it.each([
    ['insufficient_quota', fixtures.insufficient_quota],
    ['billing_not_active', fixtures.billing_not_active],
    ['spend_limit_reached', fixtures.project_spend_limit_exceeded],
    ['invalid_api_key', fixtures.invalid_api_key],
    ['region_unsupported', fixtures.region_unsupported],
    ['request_too_large', fixtures.request_too_large],
  ] as const)('%s reaches the server exactly once and is diagnosed', async (cause, fixture) => {
    const fetch = scriptedFetch(fixture, { afterLast: 'repeat-last' });
    const wrapped = guard(client(fetch), { tier: 'tier-5', fallback: { 'gpt-4o': ['gpt-4o-mini'] } });
    const error = await ask(wrapped).catch((caught: unknown) => caught);
    expect(fetch.calls).toHaveLength(cause === 'request_too_large' ? 2 : 1);
    const diagnosis = diagnose(error);
    expect(diagnosis.cause).toBe(cause);
    expect(diagnosis.retryable).toBe(false);
    expect(error).toBeInstanceOf(OpenAI.APIError);
  });

  it('fails fast on a wait longer than maxDelayMs, with the wait in the diagnosis', async () => {
    const fetch = scriptedFetch({
      status: 429,
      body: {
        error: { message: 'Rate limit reached for gpt-4o', code: 'rate_limit_exceeded', type: 'requests' },
      },
      headers: { 'retry-after': '86400' },
    });
    const wrapped = guard(client(fetch), { tier: 'tier-1' });
    const started = Date.now();
    const error = await ask(wrapped).catch((caught: unknown) => caught);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(fetch.calls).toHaveLength(1);
    expect(diagnose(error)).toMatchObject({ cause: 'rate_limited_requests', retryAfterMs: 86_400_000 });
  });

  it('ends at once when the caller aborts while waiting to retry', async () => {
    vi.useFakeTimers();
    const fetch = scriptedFetch(fixtures.overloaded, { afterLast: 'repeat-last' });
    const wrapped = guard(client(fetch), { tier: 'tier-1' });
    const controller = new AbortController();
    const pending = wrapped.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }, { signal: controller.signal })
      .catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(10);
    expect(fetch.calls).toHaveLength(1);
    controller.abort();
    const error = await pending;
    expect(error).toBeInstanceOf(OpenAI.APIUserAbortError);
    expect(diagnose(error).cause).toBe('aborted');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fetch.calls).toHaveLength(1);
  });
});

describe('what an answer says about the guard', () => {
  it('names the model that served and the attempts on every answer, the API headers kept', async () => {
    const fetch = scriptedFetch(
      chatCompletion({
        headers: {
          'x-request-id': 'req_123',
          'x-ratelimit-limit-tokens': '30000',
          'x-ratelimit-remaining-tokens': '29000',
          'set-cookie': '__cf_bm=abc; path=/',
        },
      }),
      { afterLast: 'repeat-last' },
    );
    const wrapped = guard(client(fetch), { tier: 'tier-1' });
    const long = 'Summarize the customer ticket below in one line for the support queue, please. '.repeat(3);
    for (let index = 0; index < 6; index += 1) {
      const { data, response } = await wrapped.chat.completions
        .create({ model: 'gpt-4o', messages: [{ role: 'user', content: long }] })
        .withResponse();
      expect(data.choices[0]?.message.content).toBeTypeOf('string');
      expect(response.headers.get('x-tierguard-model')).toBe('gpt-4o');
      expect(response.headers.get('X-Tierguard-Attempts')).toBe('1');
      expect(response.headers.get('x-request-id')).toBe('req_123');
      // Names are case-insensitive, missing ones are null, as with Headers.
      expect(response.headers.get('X-Request-ID')).toBe('req_123');
      expect(response.headers.get('Set-Cookie')).toBe('__cf_bm=abc; path=/');
      expect(response.headers.get('x-not-sent')).toBeNull();
      expect(response.headers.has('Content-Type')).toBe(true);
      expect(response.headers.has('x-not-sent')).toBe(false);
      expect(response.headers.has('x-tierguard-model')).toBe(true);
      // Copies and iteration see the API's headers and the guard's, sorted like Headers.
      const copy = Object.fromEntries(new Headers(response.headers));
      expect(copy).toMatchObject({ 'x-request-id': 'req_123', 'x-tierguard-model': 'gpt-4o' });
      const names = [...response.headers.keys()];
      expect(names).toEqual([...names].sort());
      expect(response.headers.getSetCookie()).toEqual(['__cf_bm=abc; path=/']);
    }
  });
});

describe('after the answer', () => {
  const answer = (index: number): ScriptItem =>
    chatCompletion({
      headers: limitHeaders({
        requests: 5_000,
        remainingRequests: 4_990 - index,
        tokens: 450_000,
        remainingTokens: 440_000 - index * 100,
      }),
    });
  const long = 'Summarize the customer ticket below in one line for the support queue, please. '.repeat(3);

  it('shows what a plain success taught in stats() and events before the caller has it', async () => {
    const fetch = scriptedFetch(Array.from({ length: 8 }, (_, index) => answer(index)));
    const events: GuardEvent[] = [];
    const created = tracked({ tier: 'tier-1', onEvent: (event) => events.push(event) });
    const wrapped = created.wrap(client(fetch));
    for (let index = 0; index < 8; index += 1) {
      await wrapped.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: long }] });
      const stats = created.stats();
      expect(stats.inFlight).toBe(0);
      expect(stats.limits[0]?.buckets.tokens).toMatchObject({ capacity: 450_000, source: 'headers' });
      expect(stats.limits[0]?.inFlight).toBe(0);
    }
    expect(events.find((event) => event.type === 'tier-detected')).toMatchObject({ tier: 'tier-2' });
  });

  it('learns from the last answer before admitting the next call', async () => {
    // Six answers with room to spare, then one saying no request is left this minute.
    const roomy = (index: number): ScriptItem =>
      chatCompletion({
        headers: limitHeaders({
          requests: 500,
          remainingRequests: 490 - index,
          tokens: 30_000,
          remainingTokens: 20_000,
        }),
      });
    const spent = chatCompletion({
      headers: limitHeaders({ requests: 500, remainingRequests: 0, tokens: 30_000, remainingTokens: 20_000 }),
    });
    const fetch = scriptedFetch([...Array.from({ length: 6 }, (_, index) => roomy(index)), spent, roomy(7)]);
    const events: GuardEvent[] = [];
    const wrapped = guard(client(fetch), { tier: 'tier-1', onEvent: (event) => events.push(event) });
    const call = () =>
      wrapped.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: long }] });
    for (let index = 0; index < 7; index += 1) await call();
    expect(events.some((event) => event.type === 'throttled')).toBe(false);
    // The seventh answer said no request is left: the next call waits for one (60 s / 500 = 120 ms).
    await call();
    expect(events.find((event) => event.type === 'throttled')).toMatchObject({ bucket: 'requests' });
    expect(fetch.calls).toHaveLength(8);
  });

  it('reads the usage of an answer without rate-limit headers when a token limit needs it', async () => {
    // The server counted 500 prompt tokens where the estimate saw about 13: the bucket is corrected
    // to what the API charged (the prompt plus max_tokens, openai-api.md note B).
    const fetch = scriptedFetch(chatCompletion({ usage: { promptTokens: 500, completionTokens: 7 } }));
    const created = tracked({ limits: { '*': { requests: 1_000, tokens: 100_000 } } });
    await ask(created.wrap(client(fetch)));
    const level = created.stats().limits[0]?.buckets.tokens?.level ?? 0;
    // 100,000 − (500 + 50), plus what refilled in the few milliseconds the call took.
    expect(level).toBeGreaterThanOrEqual(99_450);
    expect(level).toBeLessThan(99_900);
  });

  it('shows the stamped headers as a Headers object that inspects and iterates like one', async () => {
    const fetch = scriptedFetch(chatCompletion({ headers: { 'x-request-id': 'req_9' } }), {
      afterLast: 'repeat-last',
    });
    const wrapped = guard(client(fetch), { tier: 'tier-1' });
    const { response } = await wrapped.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: long }] })
      .withResponse();
    const headers = response.headers;
    expect(headers).toBeInstanceOf(Headers);
    expect(Object.prototype.toString.call(headers)).toBe('[object Headers]');
    expect(inspect(headers)).toContain("'x-tierguard-model': 'gpt-4o'");
    const seen: string[] = [];
    headers.forEach((value, name) => seen.push(`${name}=${value}`));
    expect(seen).toContain('x-request-id=req_9');
    expect(seen).toContain('x-tierguard-attempts=1');
    expect([...headers.values()]).toContain('gpt-4o');
    expect(headers.has('X-TIERGUARD-MODEL')).toBe(true);
    expect(headers.get('x-tierguard-other')).toBeNull();
  });
});

describe('fallback', () => {
  it('moves a model the account cannot reach to the next model, and says which served', async () => {
    const events: GuardEvent[] = [];
    const fetch = scriptedFetch((call) => {
      const model = (call.body as { model: string }).model;
      return model === 'gpt-4o'
        ? fixtures.model_access_denied
        : chatCompletion({ model: 'gpt-4o-mini-2024-07-18', content: 'from the mini' });
    });
    const wrapped = guard(client(fetch), {
      tier: 'tier-1',
      fallback: { 'gpt-4o': ['gpt-4o-mini'] },
      onEvent: (event) => events.push(event),
    });
    const { data, response } = await ask(wrapped).withResponse();
    expect(data.model).toBe('gpt-4o-mini-2024-07-18');
    expect(response.headers.get('x-tierguard-model')).toBe('gpt-4o-mini');
    expect(fetch.calls.map((call) => (call.body as { model: string }).model)).toEqual([
      'gpt-4o',
      'gpt-4o-mini',
    ]);
    expect(events.find((event) => event.type === 'fallback')).toEqual({
      type: 'fallback',
      from: 'gpt-4o',
      to: 'gpt-4o-mini',
      cause: 'model_access_denied',
    });
  });

  it('ends the chain with the final error and every attempt', async () => {
    const fetch = scriptedFetch((call) =>
      (call.body as { model: string }).model === 'gpt-4o'
        ? fixtures.model_access_denied
        : apiErrors.modelNotFound('gpt-4o-minii'),
    );
    const wrapped = guard(client(fetch), { tier: 'tier-1', fallback: { 'gpt-4o': ['gpt-4o-minii'] } });
    const error = await ask(wrapped).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    const diagnosis = diagnose(error);
    expect(diagnosis.cause).toBe('model_not_found');
    expect(diagnosis.attempts?.map((attempt) => [attempt.model, attempt.cause])).toEqual([
      ['gpt-4o', 'model_access_denied'],
      ['gpt-4o-minii', 'model_not_found'],
    ]);
    // The caller's locale choice re-renders the hint, keeping the attempts.
    expect(diagnose(error, { locale: 'zh-CN' }).attempts).toHaveLength(2);
  });

  it('sends account-level failures only to a target with its own endpoint, with its own key', async () => {
    const relayKey = fakeApiKey('7654', 'sk-relay-');
    const events: GuardEvent[] = [];
    const fetch = scriptedFetch((call) =>
      call.url.startsWith('https://relay.example')
        ? chatCompletion({ content: 'relay' })
        : fixtures.insufficient_quota,
    );
    const wrapped = guard(client(fetch, { organization: 'org-main' }), {
      tier: 'tier-1',
      fallback: {
        'gpt-4o': [
          'gpt-4o-mini',
          { model: 'openai/gpt-4o', baseURL: 'https://relay.example/v1', apiKey: relayKey },
        ],
      },
      onEvent: (event) => events.push(event),
    });
    const completion = await ask(wrapped);
    expect(completion.choices[0]?.message.content).toBe('relay');
    expect(fetch.calls.map((call) => call.url)).toEqual([
      'https://api.openai.test/v1/chat/completions',
      'https://relay.example/v1/chat/completions',
    ]);
    expect(fetch.calls[1]?.headers.authorization).toBe(`Bearer ${relayKey}`);
    expect(fetch.calls[1]?.headers['openai-organization']).toBeUndefined();
    expect((fetch.calls[1]?.body as { model: string }).model).toBe('openai/gpt-4o');
    expect(JSON.stringify(events)).not.toContain(relayKey);
    expect(events.find((event) => event.type === 'fallback')).toMatchObject({
      to: 'openai/gpt-4o',
      endpoint: 'relay.example',
      cause: 'insufficient_quota',
    });
  });
});

describe('streaming', () => {
  it('streams through the guard and reconciles from streamed usage', async () => {
    const fetch = scriptedFetch(
      chatCompletionStream({ content: 'one two three', usage: { promptTokens: 20, completionTokens: 3 } }),
    );
    const shared = tracked({ limits: { '*': { requests: 100, tokens: 10_000 } } });
    const wrapped = shared.wrap(client(fetch));
    const stream = await wrapped.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'count' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('one two three');
    expect(shared.stats().inFlight).toBe(0);
    // No explicit max: reconciled to the prompt (20) and the real output (3), plus what refilled
    // while the call ran (10,000 a minute: a few tokens in a slow test).
    const level = shared.stats().limits[0]?.buckets.tokens?.level ?? 0;
    expect(level).toBeGreaterThanOrEqual(10_000 - 23 - 0.5);
    expect(level).toBeLessThanOrEqual(10_000 - 23 + 100);
  });

  it('falls back before the first token when the stream opens with an error', async () => {
    const fetch = scriptedFetch((call) =>
      (call.body as { model: string }).model === 'o3'
        ? fixtures.credit_balance_exhausted_stream
        : chatCompletionStream({ content: 'mini here' }),
    );
    const wrapped = guard(client(fetch), {
      tier: 'tier-1',
      fallback: {
        o3: [
          {
            model: 'gpt-4o-mini',
            baseURL: 'https://backup.example/v1',
            apiKey: BACKUP_KEY,
          },
        ],
      },
    });
    const stream = await wrapped.chat.completions.create({
      model: 'o3',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('mini here');
    expect(fetch.calls).toHaveLength(2);
  });

  it('turns an error before the first token into the SDK error for its status', async () => {
    const fetch = scriptedFetch(fixtures.credit_balance_exhausted_stream);
    const wrapped = guard(client(fetch), { tier: 'tier-1' });
    const error = await wrapped.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(diagnose(error)).toMatchObject({ cause: 'insufficient_quota', code: 'credit_balance_exhausted' });
    expect(fetch.calls).toHaveLength(1);
  });
});

describe('local refusals', () => {
  it('a call that can never fit is refused before sending, as the SDK error the API would cause', async () => {
    const fetch = scriptedFetch(chatCompletion());
    const wrapped = guard(client(fetch), { tier: 'tier-1' });
    const error = await wrapped.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], max_tokens: 40_000 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(diagnose(error)).toMatchObject({ cause: 'request_too_large', origin: 'local', retryable: false });
    expect(fetch.calls).toHaveLength(0);
  });

  it('queue_full reaches the caller as a RateLimitError with origin local', async () => {
    vi.useFakeTimers();
    const fetch = scriptedFetch(chatCompletion(), { afterLast: 'repeat-last' });
    const wrapped = guard(client(fetch), {
      limits: { 'gpt-4o': { requests: 1, tokens: 100_000 } },
      maxQueued: 1,
    });
    const first = ask(wrapped);
    await vi.advanceTimersByTimeAsync(0);
    const second = ask(wrapped).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(0);
    const third = await ask(wrapped).catch((error: unknown) => error);
    expect(third).toBeInstanceOf(RateLimitError);
    expect(diagnose(third)).toMatchObject({ cause: 'queue_full', origin: 'local' });
    await first;
    await vi.advanceTimersByTimeAsync(60_000);
    await second;
  });

  it('close() rejects waiting calls with a clear error and refuses new ones', async () => {
    const fetch = scriptedFetch(chatCompletion(), { afterLast: 'repeat-last' });
    const created = createGuard({ limits: { 'gpt-4o': { requests: 1, tokens: 100_000 } } });
    const wrapped = created.wrap(client(fetch));
    await ask(wrapped);
    const waiting = ask(wrapped).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(created.stats().waiting).toBe(1);
    await created.close();
    const error = await waiting;
    expect(error).toBeInstanceOf(OpenAI.APIConnectionError);
    expect(String((error as { cause?: unknown }).cause)).toContain('the guard was closed');
    expect(diagnose(error)).toMatchObject({ cause: 'aborted', origin: 'local' });
    expect(created.stats()).toMatchObject({ waiting: 0, inFlight: 0 });
  });
});

describe('pacing through the guard', () => {
  it('learns the limits from headers and emits tier-detected', async () => {
    const events: GuardEvent[] = [];
    const answers: ScriptItem[] = Array.from({ length: 3 }, (_, index) =>
      chatCompletion({
        headers: limitHeaders({
          requests: 5_000,
          remainingRequests: 4_999 - index,
          tokens: 450_000,
          remainingTokens: 449_000 - index * 100,
        }),
      }),
    );
    const wrapped = guard(client(scriptedFetch(answers)), {
      tier: 'auto',
      onEvent: (event) => events.push(event),
    });
    for (let index = 0; index < 3; index += 1) await ask(wrapped);
    expect(events.find((event) => event.type === 'tier-detected')).toMatchObject({
      tier: 'tier-2',
      family: 'gpt-4o',
    });
    expect(events.filter((event) => event.type === 'limits-learned').length).toBeGreaterThanOrEqual(2);
  });

  it('passes requests without a model (models.list, files) through', async () => {
    const fetch = scriptedFetch({
      json: { object: 'list', data: [{ id: 'gpt-4o', object: 'model', created: 1, owned_by: 'openai' }] },
    });
    const wrapped = guard(client(fetch), { tier: 'tier-1' });
    const page = await wrapped.models.list();
    expect(page.data[0]?.id).toBe('gpt-4o');
  });

  it('passes a body that is not JSON through to the API’s own answer', async () => {
    const fetch = scriptedFetch(fixtures.invalid_request);
    const guarded = createGuard({ tier: 'tier-1', fetch });
    guards.push(guarded);
    const answer = await guarded.fetch('https://api.openai.test/v1/chat/completions', {
      method: 'POST',
      body: 'not json',
    });
    expect(answer.status).toBe(400);
    expect(fetch.calls[0]?.body).toBe('not json');
  });
});

describe('what the transport is given', () => {
  it('sends the headers as they were when the call was made, as fetch does', async () => {
    const fetch = scriptedFetch({
      json: { id: 'x', object: 'chat.completion', model: 'gpt-4o', choices: [] },
    });
    const guarded = tracked({ tier: 'tier-1', fetch });
    const headers = new Headers({ 'content-type': 'application/json', authorization: `Bearer ${KEY}` });
    const sent = guarded.fetch('https://api.openai.test/v1/chat/completions', {
      method: 'POST',
      headers,
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
    });
    // The caller reuses its Headers object before the guard has sent the call.
    headers.set('x-later', 'changed');
    await sent;
    expect(fetch.calls[0]?.headers['x-later']).toBeUndefined();
    expect(fetch.calls[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('sends the caller’s request unchanged on the first attempt; a fallback gets its own, the caller’s init untouched', async () => {
    const seen: { input: unknown; init: RequestInit | undefined }[] = [];
    const answers = [
      new Response(
        JSON.stringify({
          error: { message: 'no access', type: 'invalid_request_error', code: 'model_not_found' },
        }),
        { status: 404, headers: { 'content-type': 'application/json' } },
      ),
    ];
    const transport: typeof globalThis.fetch = async (input, init) => {
      seen.push({ input, init });
      return (
        answers.shift() ??
        new Response(JSON.stringify({ id: 'x', model: 'gpt-4o-mini', choices: [] }), {
          headers: { 'content-type': 'application/json' },
        })
      );
    };
    const guarded = tracked({ tier: 'tier-1', fetch: transport, fallback: { 'gpt-4o': ['gpt-4o-mini'] } });
    const init: RequestInit = {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
    };
    const url = 'https://api.openai.test/v1/chat/completions';
    const answer = await guarded.fetch(url, init);
    expect(answer.headers.get('x-tierguard-model')).toBe('gpt-4o-mini');
    expect(seen).toHaveLength(2);
    expect(seen[0]?.input).toBe(url);
    expect(seen[0]?.init?.body).toBe(init.body);
    expect(seen[0]?.init?.method).toBe('POST');
    expect(Object.fromEntries(new Headers(seen[0]?.init?.headers))).toEqual(
      Object.fromEntries(new Headers(init.headers)),
    );
    // The fallback rewrote the body's model: a request of its own, the caller's init untouched.
    expect(JSON.parse(String(seen[1]?.init?.body))).toMatchObject({ model: 'gpt-4o-mini' });
    expect(JSON.parse(String(init.body))).toMatchObject({ model: 'gpt-4o' });
  });
});

describe('guard.fetch with headers as a record or as pairs', () => {
  const body = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
  it.each([
    ['a record', { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' }],
    [
      'pairs',
      [
        ['authorization', `Bearer ${KEY}`],
        ['content-type', 'application/json'],
      ],
    ],
  ] as [string, HeadersInit][])(
    'given as %s: sent as given, swapped for a fallback endpoint, the key masked',
    async (_form, headers) => {
      const relayPage = `<html><body>502 Bad Gateway (key ${KEY})</body></html>`;
      const fetch = scriptedFetch([
        {
          json: { error: { message: 'no access', type: 'invalid_request_error', code: 'model_not_found' } },
          status: 404,
        },
        new Response(relayPage, { status: 502, headers: { 'content-type': 'text/html' } }),
      ]);
      const guarded = tracked({
        tier: 'tier-1',
        fetch,
        retry: { maxAttempts: 1 },
        fallback: {
          'gpt-4o': [
            {
              model: 'gpt-4o-mini',
              baseURL: 'https://backup.example/v1',
              apiKey: BACKUP_KEY,
            },
          ],
        },
      });
      const answer = await guarded.fetch('https://api.openai.test/v1/chat/completions', {
        method: 'POST',
        headers,
        body,
      });
      expect(fetch.calls[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
      expect(fetch.calls[1]?.url).toBe('https://backup.example/v1/chat/completions');
      expect(fetch.calls[1]?.headers.authorization).toBe(`Bearer ${BACKUP_KEY}`);
      expect((fetch.calls[1]?.body as { model: string }).model).toBe('gpt-4o-mini');
      // The caller's key, read from headers in this form, never reaches the error body.
      const text = await answer.text();
      expect(answer.status).toBe(502);
      expect(text).not.toContain(KEY);
      expect(text).toContain('502 Bad Gateway');
    },
  );
});

describe('options', () => {
  it('refuses options that are not an object', () => {
    expect(() => createGuard(5 as never)).toThrow(/expected object, received 5/);
    expect(() => createGuard(null as never)).not.toThrow();
  });

  it.each([
    [{ tier: 'tier-9' }, 'tier', "one of 'free'", '"tier-9"'],
    [{ retry: { maxAttempts: 0 } }, 'retry.maxAttempts', 'a positive integer number of attempts', '0'],
    [{ retry: { maxDelayMs: -1 } }, 'retry.maxDelayMs', 'milliseconds', '-1'],
    [
      { limits: { 'gpt-4o': { tokens: 'lots' } } },
      'limits.gpt-4o.tokens',
      'a positive integer number of tokens per window',
      '"lots"',
    ],
    [{ maxQueued: 1.5 }, 'maxQueued', 'a positive integer number of calls, or Infinity', '1.5'],
    [
      { fallback: { 'gpt-4o': [{ model: 'x', baseURL: 'not a url' }] } },
      'fallback.gpt-4o.0.baseURL',
      'an http(s) URL',
      '"not a url"',
    ],
    [{ fallbackOn: ['rate_limit'] }, 'fallbackOn.0', 'a cause id', '"rate_limit"'],
    [{ locale: 'fr' }, 'locale', "one of 'en', 'zh-CN'", '"fr"'],
    [{ onEvent: 'log' }, 'onEvent', 'a function', '"log"'],
    [{ budget: { monthlyUsd: 0 } }, 'budget.monthlyUsd', 'a positive number of USD', '0'],
    [{ budget: { monthlyUsd: 10, alertAt: [1.5] } }, 'budget.alertAt.0', 'between 0 and 1', '1.5'],
    [{ redis: 42 }, 'redis', 'a Redis URL', '42'],
    [{ tiers: 'tier-1' }, 'tiers', 'no such option', '"tier-1"'],
    [{ windowMs: 0 }, 'windowMs', 'a positive number of milliseconds', '0'],
    [{ limits: 'fast' }, 'limits', 'an object of limits per model', '"fast"'],
    [{ limits: { '*': { windowMs: -5 } } }, 'limits.*.windowMs', 'a positive number of milliseconds', '-5'],
    [
      { limits: { '*': { rpm: 5 } } },
      'limits.*.rpm',
      'no such option (known: requests, tokens, requestsPerDay, images, windowMs)',
      '5',
    ],
    [
      { retry: { baseDelayMs: 100 } },
      'retry.baseDelayMs',
      'no such option (known: maxAttempts, maxRetries, maxDelayMs, maxElapsedMs)',
      '100',
    ],
    [
      { budget: { monthlyUsd: 10, limitUsd: 5 } },
      'budget.limitUsd',
      'no such option (known: monthlyUsd, alertAt, onExhausted, clampOutput, minOutputTokens)',
      '5',
    ],
    [{ maxQueued: 0 }, 'maxQueued', 'a positive integer number of calls, or Infinity', '0'],
    [{ keyPrefix: 7 }, 'keyPrefix', 'a string', '7'],
    [{ retry: { maxElapsedMs: 0 } }, 'retry.maxElapsedMs', 'a positive number of milliseconds', '0'],
    [
      { retry: 3 },
      'retry',
      'false, or an object { maxAttempts? | maxRetries?, maxDelayMs?, maxElapsedMs? }',
      '3',
    ],
    [
      { fallback: { 'gpt-4o': 'gpt-4o-mini' } },
      'fallback.gpt-4o',
      'an array of fallback models',
      '"gpt-4o-mini"',
    ],
    [
      { budget: { monthlyUsd: 10, onExhausted: 'panic' } },
      'budget.onExhausted',
      "one of 'refuse', 'fallback', 'warn'",
      '"panic"',
    ],
    [{ deployments: { prod: 4 } }, 'deployments.prod', 'a model name (string)', '4'],
    [
      { defaultMaxOutputTokens: 10.5 },
      'defaultMaxOutputTokens',
      'a positive integer number of tokens',
      '10.5',
    ],
    [{ fetch: 'node-fetch' }, 'fetch', 'a fetch function', '"node-fetch"'],
  ])('%j names the field, the expectation and the value', (options, path, expected, received) => {
    // Wrong types from JavaScript callers arrive here as they are.
    let error: unknown;
    try {
      createGuard(options as Parameters<typeof createGuard>[0]);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TierguardOptionsError);
    const message = (error as Error).message;
    expect(message).toContain(`\`${path}\``);
    expect(message).toContain(expected);
    expect(message).toContain(`received ${received}`);
    expect(message).not.toContain('expected expected');
  });
});
