/**
 * Hostile conditions (issue: nothing a prompt, an answer or a clock does may freeze the service,
 * lock a lane or leak a key): each test drives the real client through the guard over a scripted
 * fetch, with what a broken proxy, a relay or a stepped clock would do.
 */
import OpenAI from 'openai';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createGuard, diagnose, type Guard, type GuardEvent, type GuardOptions } from '../../src/index.js';
import { apiErrors, fixtures } from '../../src/testing/fixtures.js';
import {
  chatCompletion,
  limitHeaders,
  scriptedFetch,
  type RecordedCall,
} from '../../src/testing/scripted-fetch.js';

// Two customers' keys, plainly fake and different in their body (not only their last digits), so
// that a search for one never finds the other. `A_BODY` is what must never show of key A.
const KEY_A = `sk-proj-${'FAKEa'.repeat(9)}`;
const KEY_B = `sk-proj-${'FAKEb'.repeat(9)}`;
const A_BODY = 'FAKEaFAKEa';
const opened: Guard[] = [];

afterEach(async () => {
  vi.useRealTimers();
  for (const guard of opened.splice(0)) await guard.close();
});

function tracked(options: GuardOptions = {}): Guard {
  const guard = createGuard(options);
  opened.push(guard);
  return guard;
}

function client(
  fetch: typeof globalThis.fetch,
  apiKey = KEY_A,
  baseURL = 'https://api.openai.com/v1',
): OpenAI {
  return new OpenAI({ apiKey, baseURL, fetch, maxRetries: 0 });
}

const ask = (wrapped: OpenAI, model = 'gpt-4o-mini') =>
  wrapped.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 20 });

const honest = limitHeaders({
  requests: 500,
  remainingRequests: 490,
  tokens: 30_000,
  remainingTokens: 29_000,
});

describe('one lying header never locks a lane', () => {
  it.each([
    [
      'x-ratelimit-limit-tokens: 1000',
      { 'x-ratelimit-limit-tokens': '1000', 'x-ratelimit-remaining-tokens': '900' },
    ],
    [
      'x-ratelimit-limit-requests: 0.5',
      { 'x-ratelimit-limit-requests': '0.5', 'x-ratelimit-remaining-requests': '0' },
    ],
  ])('after %s, honest answers are heard and calls keep flowing', async (_name, lie) => {
    const fetch = scriptedFetch(
      [chatCompletion({ headers: { ...honest, ...lie } }), chatCompletion({ headers: honest })],
      {
        afterLast: 'repeat-last',
      },
    );
    const guard = tracked({ limits: { '*': { requests: 500 } } });
    const wrapped = guard.wrap(client(fetch));
    // A prompt of about 1,300 tokens with max_tokens 200: above the lie, far below the truth.
    const long = 'Summarize this ticket for the support queue in one line. '.repeat(90);
    for (let index = 0; index < 6; index += 1)
      await wrapped.chat.completions.create({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: long }],
        max_tokens: 200,
      });
    expect(fetch.calls).toHaveLength(6);
    expect(guard.stats().limits[0]?.buckets.tokens?.capacity).toBe(30_000);
  });

  it('a call above a limit said once, with nothing left, goes at once (not after a window)', async () => {
    vi.useFakeTimers();
    const lie = { 'x-ratelimit-limit-tokens': '10', 'x-ratelimit-remaining-tokens': '0' };
    const fetch = scriptedFetch(
      [
        // A small call, its usage under the lie: the lie stands.
        chatCompletion({ headers: { ...honest, ...lie }, usage: { promptTokens: 5, completionTokens: 1 } }),
        chatCompletion({ headers: honest }),
      ],
      { afterLast: 'repeat-last' },
    );
    const wrapped = tracked({ limits: { '*': { requests: 500 } } }).wrap(client(fetch));
    await ask(wrapped);
    // About 30 tokens: above the lie of 10. Before: held 60 s, until a bucket of 10 was full again.
    const next = ask(wrapped);
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(next).resolves.toBeDefined();
    expect(fetch.calls).toHaveLength(2);
  });

  it('a header-less relay’s 429 quoting another channel’s limit does not pace the lane to it', async () => {
    vi.useFakeTimers();
    const quoted = {
      status: 429,
      headers: { 'content-type': 'application/json', 'retry-after-ms': '5' },
      body: {
        error: {
          message:
            'Rate limit reached for other-model on tokens per min (TPM): Limit 100, Used 100, Requested 1.',
          type: 'tokens',
          param: null,
          code: 'rate_limit_exceeded',
        },
      },
    };
    const fetch = scriptedFetch([quoted, chatCompletion()], { afterLast: 'repeat-last' });
    const guard = tracked();
    const wrapped = guard.wrap(client(fetch));
    const calls = Promise.all(Array.from({ length: 20 }, () => ask(wrapped)));
    await vi.advanceTimersByTimeAsync(5_000);
    // Before: a tokens bucket of 100 a minute, about four of these calls a minute, for good.
    await expect(calls).resolves.toHaveLength(20);
    expect(guard.stats().limits[0]?.buckets.tokens).toBeUndefined();
  });
});

describe('a day-long wait never poisons a lane', () => {
  it.each([
    ['retry-after: 86400', { 'retry-after': '86400' }],
    ['retry-after-ms: 86400000', { 'retry-after-ms': '86400000' }],
    ['x-ratelimit-reset-requests: 99999h', { 'x-ratelimit-reset-requests': '99999h' }],
  ])(
    '%s on a per-minute 429 fails that call fast; later calls wait for their request only',
    async (_name, wait) => {
      vi.useFakeTimers();
      const warnings: string[] = [];
      const onWarning = (warning: Error): void => {
        warnings.push(warning.name);
      };
      process.on('warning', onWarning);
      // The API's RPM refusal, its wait said only by the header under test.
      const refusal = {
        status: 429,
        headers: { 'content-type': 'application/json', ...wait },
        body: {
          error: {
            message:
              'Rate limit reached for gpt-4o-mini in organization org-example on requests per min (RPM): Limit 500, Used 500, Requested 1.',
            type: 'requests',
            param: null,
            code: 'rate_limit_exceeded',
          },
        },
      };
      const fetch = scriptedFetch([refusal, chatCompletion({ headers: honest })], {
        afterLast: 'repeat-last',
      });
      const guard = tracked({ tier: 'tier-1' });
      const wrapped = guard.wrap(client(fetch));
      const first = await ask(wrapped).catch((error: unknown) => error);
      expect(diagnose(first)).toMatchObject({
        cause: 'rate_limited_requests',
        retries: { stoppedBy: 'delay-cap' },
      });
      // The next call waits for one request (60 s / 500), not a day, and not a whole window.
      const next = ask(wrapped);
      await vi.advanceTimersByTimeAsync(1_000);
      await expect(next).resolves.toBeDefined();
      process.off('warning', onWarning);
      expect(warnings).not.toContain('TimeoutOverflowWarning');
    },
  );

  it('a relay’s bare 429 with a day-long retry-after pauses its lane no longer than retry.maxDelayMs', async () => {
    vi.useFakeTimers();
    const fetch = scriptedFetch(
      [
        {
          status: 429,
          body: 'Too Many Requests',
          headers: { 'retry-after': '86400', 'content-type': 'text/plain' },
        },
        chatCompletion(),
      ],
      { afterLast: 'repeat-last' },
    );
    const guard = tracked({ retry: { maxDelayMs: 5_000 } });
    const wrapped = guard.wrap(client(fetch));
    await ask(wrapped).catch(() => undefined);
    const next = ask(wrapped);
    await vi.advanceTimersByTimeAsync(5_000);
    await expect(next).resolves.toBeDefined();
  });
});

describe('a wall clock that jumps changes nothing', () => {
  it.each([
    ['back 60 s', -60_000],
    ['forward a day', 86_400_000],
  ])('%s: pacing neither stalls nor grants a fresh burst', async (_name, stepMs) => {
    vi.useFakeTimers({ now: new Date('2026-12-05T12:00:00Z') });
    const fetch = scriptedFetch(chatCompletion(), { afterLast: 'repeat-last' });
    const guard = tracked({ limits: { '*': { requests: 3 } } });
    const wrapped = guard.wrap(client(fetch));
    await Promise.all([ask(wrapped), ask(wrapped), ask(wrapped)]);
    vi.setSystemTime(Date.now() + stepMs);
    const fourth = ask(wrapped);
    // One request refills in 20 s whatever the wall clock says.
    await vi.advanceTimersByTimeAsync(19_000);
    expect(fetch.calls).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1_500);
    await fourth;
    expect(fetch.calls).toHaveLength(4);
  });
});

describe('one account never holds another’s calls', () => {
  it('two keys on one base URL have their own lanes (bring your own key)', async () => {
    vi.useFakeTimers();
    const fetch = scriptedFetch(chatCompletion(), { afterLast: 'repeat-last' });
    const guard = tracked({ limits: { '*': { requests: 1 } } });
    const customerA = guard.wrap(client(fetch, KEY_A));
    const customerB = guard.wrap(client(fetch, KEY_B));
    await ask(customerA);
    const waiting = ask(customerA);
    // A's one request a minute is spent; B's call goes at once.
    await ask(customerB);
    expect(fetch.calls).toHaveLength(2);
    expect(guard.stats().limits).toHaveLength(2);
    expect(JSON.stringify(guard.stats())).not.toContain(A_BODY);
    await vi.advanceTimersByTimeAsync(60_000);
    await waiting;
  });

  it('shareLimitsAcrossKeys puts one account’s rotated keys on one lane', async () => {
    const fetch = scriptedFetch(chatCompletion(), { afterLast: 'repeat-last' });
    const guard = tracked({ limits: { '*': { requests: 10 } }, shareLimitsAcrossKeys: true });
    await ask(guard.wrap(client(fetch, KEY_A)));
    await ask(guard.wrap(client(fetch, KEY_B)));
    expect(guard.stats().limits).toHaveLength(1);
  });
});

describe('credentials stay with their target', () => {
  const notFound = apiErrors.modelNotFound('gpt-4o');

  function recorded(
    calls: readonly RecordedCall[],
  ): { host: string; headers: Record<string, string>; url: string }[] {
    return calls.map((call) => ({
      host: new URL(call.url).host,
      headers: { ...call.headers },
      url: call.url,
    }));
  }

  it('a fallback to another host gets only its own key; the caller’s auth headers, cookies and query keys stay home', async () => {
    const fetch = scriptedFetch([notFound, chatCompletion()]);
    const guard = tracked({
      fallback: { 'gpt-4o': [{ model: 'gpt-4o-mini', baseURL: 'https://relay.example/v1', apiKey: KEY_B }] },
    });
    const wrapped = guard.wrap(
      new OpenAI({
        apiKey: KEY_A,
        fetch,
        maxRetries: 0,
        defaultHeaders: { 'x-api-key': KEY_A, 'Helicone-Auth': `Bearer ${KEY_A}`, cookie: 'session=abc' },
        defaultQuery: { 'api-key': KEY_A },
      }),
    );
    await ask(wrapped, 'gpt-4o');
    const [home, relay] = recorded(fetch.calls);
    expect(home?.headers.authorization).toBe(`Bearer ${KEY_A}`);
    expect(relay?.host).toBe('relay.example');
    expect(relay?.headers.authorization).toBe(`Bearer ${KEY_B}`);
    expect(JSON.stringify(relay)).not.toContain(A_BODY);
    expect(relay?.headers.cookie).toBeUndefined();
  });

  it('credentials under names no list knows stay home too (API Management, Functions, custom)', async () => {
    const fetch = scriptedFetch([notFound, chatCompletion()]);
    const guard = tracked({
      fallback: { 'gpt-4o': [{ model: 'gpt-4o-mini', baseURL: 'https://relay.example/v1', apiKey: KEY_B }] },
    });
    const custom = {
      'ocp-apim-subscription-key': KEY_A,
      'x-functions-key': KEY_A,
      'x-password': A_BODY,
      'x-client-credential': A_BODY,
      'x-signature': A_BODY,
      'x-key': A_BODY,
    };
    const wrapped = guard.wrap(
      new OpenAI({
        apiKey: KEY_A,
        fetch,
        maxRetries: 0,
        defaultHeaders: { ...custom, traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
      }),
    );
    await ask(wrapped, 'gpt-4o');
    const [home, relay] = recorded(fetch.calls);
    for (const name of Object.keys(custom)) expect(home?.headers[name]).toBeDefined();
    // Before: all six reached the other host.
    expect(JSON.stringify(relay?.headers)).not.toContain(A_BODY);
    expect(relay?.headers.authorization).toBe(`Bearer ${KEY_B}`);
    // What describes the request still travels.
    expect(relay?.headers['content-type']).toBe('application/json');
    expect(relay?.headers['x-stainless-lang']).toBe('js');
    expect(relay?.headers.traceparent).toBe(home?.headers.traceparent);
  });

  it('a fallback to another host without its own key gets no key at all, even after the first key was refused', async () => {
    const fetch = scriptedFetch([fixtures.invalid_api_key, chatCompletion()]);
    const guard = tracked({
      fallback: { 'gpt-4o': [{ model: 'gpt-4o', baseURL: 'https://relay.example/v1' }] },
    });
    await ask(guard.wrap(client(fetch)), 'gpt-4o');
    const relay = recorded(fetch.calls)[1];
    expect(relay?.host).toBe('relay.example');
    expect(relay?.headers.authorization).toBeUndefined();
    expect(JSON.stringify(relay)).not.toContain(A_BODY);
  });

  it('a key in a base URL’s path never shows in stats, events or diagnoses', async () => {
    const events: GuardEvent[] = [];
    const fetch = scriptedFetch(fixtures.server_error, { afterLast: 'repeat-last' });
    const guard = tracked({ onEvent: (event) => events.push(event), retry: { maxAttempts: 1 } });
    const wrapped = guard.wrap(client(fetch, KEY_A, `https://relay.example/${KEY_A}/v1`));
    const error = await ask(wrapped).catch((caught: unknown) => caught);
    expect(JSON.stringify(guard.stats())).not.toContain(A_BODY);
    expect(JSON.stringify(events)).not.toContain(A_BODY);
    expect(JSON.stringify(diagnose(error))).not.toContain(A_BODY);
  });
});

describe('an upstream cannot forge the guard’s verdict', () => {
  it('its own x-tierguard-* headers are dropped before anything reads them', async () => {
    const forged = {
      ...fixtures.invalid_request,
      headers: {
        ...fixtures.invalid_request.headers,
        'x-tierguard-cause': 'insufficient_quota',
        'x-tierguard-diagnosis-id': 'tgd_forged',
        'x-tierguard-model': 'gpt-5-pro',
      },
    };
    const fetch = scriptedFetch([forged]);
    const wrapped = tracked().wrap(client(fetch));
    const error = (await ask(wrapped).catch((caught: unknown) => caught)) as { headers: Headers };
    expect(diagnose(error).cause).toBe('invalid_request');
    expect(error.headers.get('x-tierguard-cause')).toBe('invalid_request');
    expect(error.headers.get('x-tierguard-model')).toBe('gpt-4o-mini');
    expect(fetch.calls).toHaveLength(1);
  });
});

describe('model names that are Object.prototype keys', () => {
  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])(
    '%s is sent and answered like any unknown model',
    async (model) => {
      const fetch = scriptedFetch(chatCompletion({ model }));
      const guard = tracked({ tier: 'tier-1', limits: { 'gpt-4o': { requests: 10 } } });
      const answer = await ask(guard.wrap(client(fetch)), model);
      expect(answer.model).toBe(model);
      expect(fetch.calls).toHaveLength(1);
    },
  );
});

describe('lanes are freed', () => {
  it('10,000 distinct model names leave no lane behind once idle, and none after close()', async () => {
    vi.useFakeTimers();
    const fetch = scriptedFetch(chatCompletion(), { afterLast: 'repeat-last' });
    const guard = createGuard({ limits: { '*': { requests: 1_000_000, tokens: 1e9 } } });
    const wrapped = guard.wrap(client(fetch));
    for (let index = 0; index < 10_000; index += 100)
      await Promise.all(Array.from({ length: 100 }, (_, offset) => ask(wrapped, `model-${index + offset}`)));
    expect(guard.stats().limits.length).toBe(10_000);
    // The served counts keep 1,000 names apart, and count every call.
    const served = guard.stats().servedByModel;
    expect(Object.keys(served)).toHaveLength(1_001);
    expect(served['(other models)']).toBe(9_000);
    expect(Object.values(served).reduce((sum, count) => sum + count, 0)).toBe(10_000);
    // Idle lanes go after ten minutes (their buckets are full again by then).
    await vi.advanceTimersByTimeAsync(11 * 60_000);
    expect(guard.stats().limits.length).toBe(0);
    await ask(wrapped, 'model-1');
    expect(guard.stats().limits.length).toBe(1);
    await guard.close();
    expect(guard.stats().limits.length).toBe(0);
  });
});
