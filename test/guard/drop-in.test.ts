/**
 * The drop-in promise, one test per item of issue 15's "What breaks today" (1–8), each through the
 * real client of openai 6 and of openai 7: code written for the bare client behaves the same once
 * the client is wrapped. Every delay runs on fake timers (a 20 s wait takes no real time), except
 * item 5, which needs a real transport's `url` and talks to a loopback server.
 */
import { inspect } from 'node:util';
import type OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createGuard, diagnose, guard, guardOf, type Guard, type GuardOptions } from '../../src/index.js';
import {
  apiErrors,
  chatCompletion,
  fakeApiKey,
  fixtures,
  rateLimitHeaders,
  scriptedFetch,
  type ScriptItem,
  type ScriptedFetch,
} from '../../src/testing/index.js';
import { OPENAI_MAJORS, type OpenAIMajor } from '../support/openai-majors.js';
import { plausibleAnswers } from '../support/plausible-answers.js';
import { startRecordingServer, type RecordingServer } from '../support/recording-server.js';

const KEY = fakeApiKey('d1n6');
const BASE_URL = 'https://api.openai.test/v1';
const BODY = {
  model: 'gpt-4o',
  messages: [{ role: 'user' as const, content: 'Write one line about rivers.' }],
  max_tokens: 50,
};

const guards: Guard[] = [];
/** A guard closed after the test. */
function tracked(options: GuardOptions = {}): Guard {
  const created = createGuard(options);
  guards.push(created);
  return created;
}

afterEach(async () => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
  await Promise.all(guards.splice(0).map((created) => created.close()));
});

function clientOf(
  major: OpenAIMajor,
  fetch: ScriptedFetch,
  extra: { timeout?: number; maxRetries?: number } = {},
): OpenAI {
  return new major.OpenAI({ apiKey: KEY, baseURL: BASE_URL, fetch, ...extra });
}

/** Settles `promise` into its value or its error, so that fake timers can run while it is pending. */
function settle<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

// Item 3 runs first: a cold start is only cold once in a process.
describe.each(OPENAI_MAJORS)('3. cold start ($name)', (major) => {
  it('the first guarded call reaches the transport without waiting for anything (no time passes)', async () => {
    vi.useFakeTimers();
    const fetch = scriptedFetch(chatCompletion({ content: 'first' }));
    const wrapped = tracked().wrap(clientOf(major, fetch));
    const startedAt = performance.now();
    const pending = settle(wrapped.chat.completions.create(BODY));
    // Only callbacks already due run: a tokenizer (or anything else) loading first would hold the call.
    await vi.advanceTimersByTimeAsync(0);
    expect(fetch.calls).toHaveLength(1);
    expect(performance.now()).toBe(startedAt);
    const { value } = await pending;
    expect(value?.choices[0]?.message.content).toBe('first');
  });
});

describe.each(OPENAI_MAJORS)('1. retries never multiply ($name)', (major) => {
  const MAX_ATTEMPTS = 3;
  const options: GuardOptions = { tier: 'tier-5', retry: { maxAttempts: MAX_ATTEMPTS } };
  const variants: readonly {
    readonly name: string;
    readonly call: (client: OpenAI) => Promise<unknown>;
  }[] = [
    {
      name: 'create(body, { maxRetries: 3 })',
      call: (client) => tracked(options).wrap(client).chat.completions.create(BODY, { maxRetries: 3 }),
    },
    {
      name: 'wrapped.withOptions({ maxRetries: 2 })',
      call: (client) =>
        tracked(options).wrap(client).withOptions({ maxRetries: 2 }).chat.completions.create(BODY),
    },
    {
      name: 'guard(guard(client))',
      call: (client) => {
        const inner = guard(client, options);
        const outer = guard(inner, options);
        for (const wrapped of [inner, outer]) {
          const owner = guardOf(wrapped);
          if (owner !== undefined) guards.push(owner);
        }
        return outer.chat.completions.create(BODY);
      },
    },
    {
      name: 'two guards, and a per-call maxRetries',
      call: (client) =>
        tracked(options).wrap(tracked(options).wrap(client)).chat.completions.create(BODY, { maxRetries: 4 }),
    },
  ];
  const failures: readonly {
    readonly name: string;
    readonly item: ScriptItem;
    readonly sends: number;
    readonly errorClass: (major: OpenAIMajor) => abstract new (...args: never[]) => unknown;
    readonly cause: string;
  }[] = [
    {
      name: 'insufficient_quota',
      item: fixtures.insufficient_quota,
      sends: 1,
      errorClass: (m) => m.OpenAI.RateLimitError,
      cause: 'insufficient_quota',
    },
    {
      name: 'a persistent 500',
      item: fixtures.server_error,
      sends: MAX_ATTEMPTS,
      errorClass: (m) => m.OpenAI.InternalServerError,
      cause: 'server_error',
    },
    {
      name: 'a connection reset on every try',
      item: { networkError: 'reset' },
      sends: MAX_ATTEMPTS,
      errorClass: (m) => m.OpenAI.APIConnectionError,
      cause: 'connection_error',
    },
  ];
  const cases = variants.flatMap((variant) => failures.map((failure) => ({ variant, failure })));

  it.each(cases)(
    '$variant.name, $failure.name: sent $failure.sends time(s)',
    async ({ variant, failure }) => {
      vi.useFakeTimers();
      const fetch = scriptedFetch(failure.item, { afterLast: 'repeat-last' });
      const pending = settle(variant.call(clientOf(major, fetch)));
      // Long past every backoff of the guard and of the client (8 s at most each).
      await vi.advanceTimersByTimeAsync(120_000);
      const { error } = await pending;
      expect(fetch.calls).toHaveLength(failure.sends);
      expect(error).toBeInstanceOf(failure.errorClass(major));
      expect(diagnose(error).cause).toBe(failure.cause);
      // Every send is the guard's own attempt: the client never resent one.
      expect(fetch.calls.map((call) => call.headers['x-stainless-retry-count'])).toEqual(
        Array.from({ length: failure.sends }, (_, index) => String(index)),
      );
    },
  );
});

describe.each(OPENAI_MAJORS)('2. the client’s timeout bounds each attempt ($name)', (major) => {
  it('a hanging first attempt times out after the client’s timeout and the retry serves', async () => {
    vi.useFakeTimers();
    const fetch = scriptedFetch([{ hang: true }, chatCompletion({ content: 'second try' })]);
    const wrapped = tracked({ tier: 'tier-5' }).wrap(clientOf(major, fetch, { timeout: 1_000 }));
    const pending = settle(wrapped.chat.completions.create(BODY));
    await vi.advanceTimersByTimeAsync(999);
    expect(fetch.calls).toHaveLength(1);
    expect(fetch.calls[0]?.signal?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(fetch.calls[0]?.signal?.aborted).toBe(true);
    await vi.advanceTimersByTimeAsync(5_000);
    const { value, error } = await pending;
    expect(error).toBeUndefined();
    expect(value?.choices[0]?.message.content).toBe('second try');
    expect(fetch.calls).toHaveLength(2);
  });

  it('time waiting in the queue is not counted: a bucket empty for 5 s with timeout 1 s still serves', async () => {
    vi.useFakeTimers();
    const fetch = scriptedFetch(chatCompletion({ content: 'after the queue' }), { afterLast: 'repeat-last' });
    const created = tracked({ limits: { 'gpt-4o': { requests: 1, tokens: 1_000_000, windowMs: 5_000 } } });
    const wrapped = created.wrap(clientOf(major, fetch, { timeout: 1_000 }));
    const first = settle(wrapped.chat.completions.create(BODY));
    await vi.advanceTimersByTimeAsync(0);
    expect((await first).value?.choices[0]?.message.content).toBe('after the queue');
    // The only request of the window is spent: the next call waits about 5 s for the bucket.
    const second = settle(wrapped.chat.completions.create(BODY));
    await vi.advanceTimersByTimeAsync(4_000);
    expect(fetch.calls).toHaveLength(1);
    expect(created.stats().waiting).toBe(1);
    await vi.advanceTimersByTimeAsync(2_000);
    const { value, error } = await second;
    expect(error).toBeUndefined();
    expect(value?.choices[0]?.message.content).toBe('after the queue');
    expect(fetch.calls).toHaveLength(2);
  });

  it('a 503 that persists under a short timeout is the InternalServerError the bare client gives', async () => {
    vi.useFakeTimers();
    const bareFetch = scriptedFetch(fixtures.overloaded, { afterLast: 'repeat-last' });
    const bare = settle(
      clientOf(major, bareFetch, { timeout: 800, maxRetries: 2 }).chat.completions.create(BODY),
    );
    const guardedFetch = scriptedFetch(fixtures.overloaded, { afterLast: 'repeat-last' });
    const wrapped = tracked({ tier: 'tier-5', retry: { maxAttempts: 3 } }).wrap(
      clientOf(major, guardedFetch, { timeout: 800 }),
    );
    const guarded = settle(wrapped.chat.completions.create(BODY));
    await vi.advanceTimersByTimeAsync(60_000);
    const [bareError, guardedError] = [(await bare).error, (await guarded).error];
    expect(bareError).toBeInstanceOf(major.OpenAI.InternalServerError);
    expect(guardedError).toBeInstanceOf(major.OpenAI.InternalServerError);
    expect(guardedError).not.toBeInstanceOf(major.OpenAI.APIConnectionTimeoutError);
    expect(guardedFetch.calls).toHaveLength(bareFetch.calls.length);
    expect(diagnose(guardedError).cause).toBe('overloaded');
  });

  it('a timed-out final attempt is an APIConnectionTimeoutError, after every attempt was tried', async () => {
    vi.useFakeTimers();
    const fetch = scriptedFetch({ hang: true });
    const wrapped = tracked({ tier: 'tier-5', retry: { maxAttempts: 2 } }).wrap(
      clientOf(major, fetch, { timeout: 1_000 }),
    );
    const pending = settle(wrapped.chat.completions.create(BODY));
    await vi.advanceTimersByTimeAsync(10_000);
    const { error } = await pending;
    expect(error).toBeInstanceOf(major.OpenAI.APIConnectionTimeoutError);
    expect(fetch.calls).toHaveLength(2);
    expect(diagnose(error).cause).toBe('timeout');
    // openai 7 keeps the thrown error as the cause of its timeout error, so diagnose(err) finds the
    // guard's diagnosis; openai 6 throws a new APIConnectionTimeoutError with nothing to follow.
    if (major.name === 'openai 7')
      expect(diagnose(error).attempts?.map((attempt) => attempt.cause)).toEqual(['timeout', 'timeout']);
  });
});

describe.each(OPENAI_MAJORS)(
  '4. AzureOpenAI keeps its deployment, API version and endpoint ($name)',
  (major) => {
    /**
     * A client of deployment `dep-4o` on an example resource, over `fetch`, with no variable set;
     * authenticated with `KEY`, or as `auth` says (another key, an Entra ID token provider).
     */
    const azureClient = (
      fetch: ScriptedFetch,
      auth: { apiKey: string } | { azureADTokenProvider: () => Promise<string> } = { apiKey: KEY },
    ) => {
      vi.stubEnv('OPENAI_API_VERSION', undefined);
      vi.stubEnv('OPENAI_BASE_URL', undefined);
      return new major.AzureOpenAI({
        ...auth,
        apiVersion: '2024-10-21',
        deployment: 'dep-4o',
        endpoint: 'https://example-resource.openai.azure.com',
        fetch,
      });
    };

    it('wraps without OPENAI_API_VERSION, sends to the deployment’s path, paces under the deployment’s model', async () => {
      const fetch = scriptedFetch(chatCompletion({ content: 'from azure' }), { afterLast: 'repeat-last' });
      const azure = azureClient(fetch);
      const created = tracked({ tier: 'tier-1', deployments: { 'dep-4o': 'gpt-4o' } });
      const wrapped = created.wrap(azure);
      expect(wrapped).toBeInstanceOf(major.AzureOpenAI);
      // The body names another model: the deployment decides where the call goes and its limits.
      const completion = await wrapped.chat.completions.create({ ...BODY, model: 'gpt-4o-mini' });
      expect(completion.choices[0]?.message.content).toBe('from azure');
      expect(fetch.calls.map((call) => call.url)).toEqual([
        'https://example-resource.openai.azure.com/openai/deployments/dep-4o/chat/completions?api-version=2024-10-21',
      ]);
      expect(fetch.calls[0]?.headers['api-key']).toBe(KEY);
      const lanes = created.stats().limits;
      expect(lanes).toHaveLength(1);
      expect(lanes[0]?.family).toBe('deployment:dep-4o');
      // gpt-4o's tier-1 row (30,000 TPM), not gpt-4o-mini's (200,000).
      expect(lanes[0]?.buckets.tokens?.capacity).toBe(30_000);
    });

    it('paces a deployment in one lane, whatever credential reaches it (both keys, a rotating token)', async () => {
      const fetch = scriptedFetch(chatCompletion({ content: 'from azure' }), { afterLast: 'repeat-last' });
      const created = tracked({ tier: 'tier-1', deployments: { 'dep-4o': 'gpt-4o' } });
      let token = 0;
      const withToken = azureClient(fetch, {
        azureADTokenProvider: async () => `entra-token-${(token += 1)}`,
      });
      const withKeys = [fakeApiKey('key1'), fakeApiKey('key2')].map((apiKey) =>
        azureClient(fetch, { apiKey }),
      );
      for (const client of [...withKeys, withToken, withToken])
        await created.wrap(client).chat.completions.create(BODY);
      expect(fetch.calls.map((call) => call.headers.authorization ?? call.headers['api-key'])).toEqual([
        fakeApiKey('key1'),
        fakeApiKey('key2'),
        'Bearer entra-token-1',
        'Bearer entra-token-2',
      ]);
      // Before: four lanes, each with the deployment's whole quota.
      const lanes = created.stats().limits;
      expect(lanes).toHaveLength(1);
      expect(lanes[0]?.family).toBe('deployment:dep-4o');
      // All four took from the one bucket: 500 RPM (tier 1), 496 left (and a few ms of refill).
      expect(lanes[0]?.buckets.requests?.level).toBeLessThan(497);
    });

    it('paces a deployment on the /openai/v1/ path in one lane, whatever credential reaches it', async () => {
      // Azure's v1 shape: a plain OpenAI client, the deployment named as the body's model.
      const fetch = scriptedFetch(chatCompletion({ content: 'from azure' }), { afterLast: 'repeat-last' });
      const created = tracked({ tier: 'tier-1' });
      let token = 0;
      const v1 = (apiKey: string | (() => Promise<string>)) =>
        new major.OpenAI({ apiKey, baseURL: 'https://example-resource.openai.azure.com/openai/v1/', fetch });
      const withToken = v1(async () => `entra-token-${(token += 1)}`);
      for (const client of [v1(fakeApiKey('key1')), v1(fakeApiKey('key2')), withToken, withToken])
        await created.wrap(client).chat.completions.create({ ...BODY, model: 'gpt-4o' });
      expect(new Set(fetch.calls.map((call) => call.headers.authorization)).size).toBe(4);
      // Before: four lanes (one a key or token), each with the deployment's whole quota.
      const lanes = created.stats().limits;
      expect(lanes).toHaveLength(1);
      expect(lanes[0]?.buckets.requests?.level).toBeLessThan(497);
      // Another resource is another quota.
      const other = new major.OpenAI({
        apiKey: fakeApiKey('key1'),
        baseURL: 'https://other-resource.openai.azure.com/openai/v1/',
        fetch,
      });
      await created.wrap(other).chat.completions.create({ ...BODY, model: 'gpt-4o' });
      expect(created.stats().limits).toHaveLength(2);
    });

    const deploymentURL = (name: string): string =>
      `https://example-resource.openai.azure.com/openai/deployments/${name}/chat/completions?api-version=2024-10-21`;

    /** A call to dep-4o, overloaded, that falls back once under `options`. */
    async function fallBackOnce(options: GuardOptions) {
      const fetch = scriptedFetch([fixtures.overloaded, chatCompletion({ content: 'from the mini' })]);
      const created = tracked({ tier: 'tier-1', retry: { maxAttempts: 1 }, ...options });
      const completion = await created
        .wrap(azureClient(fetch))
        .chat.completions.create({ ...BODY, model: 'gpt-4o' });
      expect(completion.choices[0]?.message.content).toBe('from the mini');
      return { fetch, created };
    }

    it('falls back to the deployment that serves the next model, paced on that deployment', async () => {
      const { fetch, created } = await fallBackOnce({
        deployments: { 'dep-4o': 'gpt-4o', 'dep-mini': 'gpt-4o-mini' },
        fallback: { 'gpt-4o': ['gpt-4o-mini'] },
      });
      // Before: the second call went to a deployment named `gpt-4o-mini`, which this resource lacks.
      expect(fetch.calls.map((call) => call.url)).toEqual([
        deploymentURL('dep-4o'),
        deploymentURL('dep-mini'),
      ]);
      expect(fetch.calls[1]?.headers['api-key']).toBe(KEY);
      const lanes = created.stats().limits.map((lane) => [lane.family, lane.buckets.tokens?.capacity]);
      // gpt-4o-mini's tier-1 row (200,000 TPM), on the deployment's own lane.
      expect(lanes).toEqual([
        ['deployment:dep-4o', 30_000],
        ['deployment:dep-mini', 200_000],
      ]);
    });

    it('follows a chain keyed by the deployment’s name, with or without `deployments`', async () => {
      for (const deployments of [{ 'dep-4o': 'gpt-4o', 'dep-mini': 'gpt-4o-mini' }, {}]) {
        // Before: the chain was looked up under the model only, and this call failed on dep-4o.
        const { fetch, created } = await fallBackOnce({ deployments, fallback: { 'dep-4o': ['dep-mini'] } });
        expect(fetch.calls.map((call) => call.url)).toEqual([
          deploymentURL('dep-4o'),
          deploymentURL('dep-mini'),
        ]);
        expect(created.stats().limits.map((lane) => lane.family)).toEqual([
          'deployment:dep-4o',
          'deployment:dep-mini',
        ]);
      }
    });

    it('falls back to OpenAI in its shape, and to another Azure resource with its own api-key', async () => {
      const openaiKey = fakeApiKey('0pen');
      const otherKey = fakeApiKey('0thr');
      const fetch = scriptedFetch([
        fixtures.overloaded,
        fixtures.overloaded,
        chatCompletion({ content: 'ok' }),
      ]);
      const created = tracked({
        tier: 'tier-1',
        deployments: { 'dep-4o': 'gpt-4o' },
        fallback: {
          'gpt-4o': [
            { model: 'dep-4o', baseURL: 'https://other-resource.openai.azure.com/openai', apiKey: otherKey },
            { model: 'gpt-4o-mini', baseURL: 'https://api.openai.com/v1', apiKey: openaiKey },
          ],
        },
        retry: { maxAttempts: 1 },
      });
      const wrapped = created.wrap(azureClient(fetch));
      await wrapped.chat.completions.create({ ...BODY, model: 'gpt-4o' });
      const [, azure, openai] = fetch.calls;
      // Before: Azure's key sent as a bearer token (a 401 there), and OpenAI asked for
      // /v1/deployments/dep-4o/chat/completions?api-version=… with the body's model unchanged.
      expect(azure?.url).toBe(
        'https://other-resource.openai.azure.com/openai/deployments/dep-4o/chat/completions?api-version=2024-10-21',
      );
      expect(azure?.headers['api-key']).toBe(otherKey);
      expect(azure?.headers['authorization']).toBeUndefined();
      expect(openai?.url).toBe('https://api.openai.com/v1/chat/completions');
      expect(openai?.headers['authorization']).toBe(`Bearer ${openaiKey}`);
      expect(openai?.headers['api-key']).toBeUndefined();
      expect((openai?.body as { model?: string }).model).toBe('gpt-4o-mini');
    });
  },
);

describe.each(OPENAI_MAJORS)('5. the raw Response is a Response ($name)', (major) => {
  let server: RecordingServer;
  beforeAll(async () => {
    server = await startRecordingServer(plausibleAnswers);
  });
  afterAll(async () => {
    await server.close();
  });

  const checkResponse = (response: Response, path: string, unread: boolean): void => {
    expect(response).toBeInstanceOf(Response);
    expect(response.headers).toBeInstanceOf(Headers);
    const model = path.endsWith('/embeddings') ? 'text-embedding-3-small' : 'gpt-4o';
    expect(Headers.prototype.get.call(response.headers, 'x-tierguard-model')).toBe(model);
    expect(Headers.prototype.get.call(response.headers, 'x-tierguard-attempts')).toBe('1');
    expect(Headers.prototype.has.call(response.headers, 'x-request-id')).toBe(true);
    expect(inspect(response)).toMatch(/^Response \{/);
    expect(response.url).toBe(`${server.url}${path}`);
    // A body the client already read cannot be cloned, guarded or not.
    if (unread) {
      const copy = response.clone();
      expect(copy.headers.get('x-tierguard-model')).toBe(model);
      expect(copy.headers.get('x-tierguard-attempts')).toBe('1');
      expect(copy.url).toBe(response.url);
    }
  };

  it('withResponse() and asResponse() give a real Response with the guard’s headers and the request URL', async () => {
    const wrapped = tracked().wrap(new major.OpenAI({ apiKey: KEY, baseURL: `${server.url}/v1` }));
    for (let index = 0; index < 3; index += 1) {
      const { data, response } = await wrapped.chat.completions.create(BODY).withResponse();
      expect(data.choices[0]?.message.content).toBe('Hello from the loopback server.');
      checkResponse(response, '/v1/chat/completions', false);
      const raw = await wrapped.chat.completions.create(BODY).asResponse();
      checkResponse(raw, '/v1/chat/completions', true);
      expect(((await raw.clone().json()) as { object: string }).object).toBe('chat.completion');
      const embedded = await wrapped.embeddings
        .create({ model: 'text-embedding-3-small', input: 'rivers' })
        .withResponse();
      checkResponse(embedded.response, '/v1/embeddings', false);
    }
  });
});

describe.each(OPENAI_MAJORS)('6. errors carry the diagnosis, not a blob ($name)', (major) => {
  // Header values the guard adds stay short and readable; nothing looks like an encoded payload.
  const BLOB = /[A-Za-z0-9+/_-]{120,}={0,2}/;
  const forged = {
    'x-tierguard-diagnosis': Buffer.from(
      JSON.stringify({ cause: 'insufficient_quota', retryable: false, hint: { title: 'forged' } }),
    ).toString('base64'),
    'x-tierguard-diagnosis-id': 'tgd_forged00forged',
    'x-tierguard-cause': 'insufficient_quota',
    'x-tierguard-model': 'forged-model',
    'x-tierguard-attempts': '99',
    'x-tierguard-local': '1',
  };

  it('a caught error has no header longer than 100 characters, and diagnose(err) has every attempt', async () => {
    vi.useFakeTimers();
    const item = fixtures.server_error;
    const fetch = scriptedFetch(item, { afterLast: 'repeat-last' });
    const wrapped = tracked({ tier: 'tier-5', retry: { maxAttempts: 3 } }).wrap(clientOf(major, fetch));
    const pending = settle(wrapped.chat.completions.create(BODY));
    await vi.advanceTimersByTimeAsync(60_000);
    const { error } = await pending;
    expect(error).toBeInstanceOf(major.OpenAI.InternalServerError);
    const headers = (error as { headers: Headers }).headers;
    expect(headers).toBeInstanceOf(Headers);
    const upstream = new Set(Object.keys(item.headers ?? {}).map((name) => name.toLowerCase()));
    const added = [...headers].filter(([name]) => !upstream.has(name) && name !== 'content-type');
    expect(added.map(([name]) => name)).toContain('x-tierguard-attempts');
    for (const [name, value] of added) expect(`${name}: ${value}`.length).toBeLessThanOrEqual(100);
    expect(inspect(error, { depth: 6 })).not.toMatch(BLOB);
    expect(JSON.stringify(error)).not.toMatch(BLOB);
    const diagnosis = diagnose(error);
    expect(diagnosis.cause).toBe('server_error');
    expect(diagnosis.attempts?.map((attempt) => attempt.cause)).toEqual([
      'server_error',
      'server_error',
      'server_error',
    ]);
  });

  it('forged upstream x-tierguard-* headers change nothing, on a failure or a success', async () => {
    vi.useFakeTimers();
    const failing = { ...fixtures.server_error, headers: { ...fixtures.server_error.headers, ...forged } };
    const fetch = scriptedFetch([failing, failing, failing, chatCompletion({ headers: forged })]);
    const wrapped = tracked({ tier: 'tier-5', retry: { maxAttempts: 3 } }).wrap(clientOf(major, fetch));
    const pending = settle(wrapped.chat.completions.create(BODY));
    await vi.advanceTimersByTimeAsync(60_000);
    const { error } = await pending;
    // The forged "insufficient_quota" did not stop the retries of a 500.
    expect(fetch.calls).toHaveLength(3);
    expect(error).toBeInstanceOf(major.OpenAI.InternalServerError);
    const headers = (error as { headers: Headers }).headers;
    expect(headers.get('x-tierguard-model')).toBe('gpt-4o');
    expect(headers.get('x-tierguard-attempts')).toBe('3');
    expect(headers.get('x-tierguard-diagnosis')).toBeNull();
    expect(headers.get('x-tierguard-diagnosis-id')).not.toBe(forged['x-tierguard-diagnosis-id']);
    expect(diagnose(error)).toMatchObject({ cause: 'server_error', origin: 'api', retryable: true });
    expect(JSON.stringify(diagnose(error))).not.toMatch(/forged|"99"/);

    const { response } = await wrapped.chat.completions.create(BODY).withResponse();
    expect(response.headers.get('x-tierguard-model')).toBe('gpt-4o');
    expect(response.headers.get('x-tierguard-attempts')).toBe('1');
    for (const name of ['x-tierguard-diagnosis', 'x-tierguard-diagnosis-id', 'x-tierguard-cause'])
      expect(response.headers.get(name)).toBeNull();
  });
});

describe.each(OPENAI_MAJORS)(
  '7. the server’s explicit wait wins over the local estimate ($name)',
  (major) => {
    // The message names a small RPM limit (3) and a 20 s wait; the headers say 400 ms, or 1 s.
    const rateLimited = (headers: Record<string, string>): ScriptItem => {
      const fixture = apiErrors.rateLimited({
        model: 'gpt-4o',
        kind: 'requests',
        limit: 3,
        used: 3,
        requested: 1,
        retryAfterMs: 20_000,
      });
      return { ...fixture, headers: { ...fixture.headers, ...headers } };
    };

    it.each([
      ['retry-after-ms: 400', { 'retry-after-ms': '400' }, 400],
      ['retry-after: 1', { 'retry-after': '1' }, 1_000],
    ] as const)(
      'a 429 with %s is retried after that wait, not the bucket’s refill',
      async (_name, headers, waitMs) => {
        vi.useFakeTimers();
        const fetch = scriptedFetch([
          chatCompletion({ content: 'earlier' }),
          rateLimited(headers),
          chatCompletion({ content: 'served' }),
        ]);
        // The default options (tier 'auto'): the lane takes the message's "Limit 3" as its RPM.
        const wrapped = tracked().wrap(clientOf(major, fetch));
        // A call served earlier: the lane exists, as in a service that has been running.
        await wrapped.chat.completions.create(BODY);
        const pending = settle(wrapped.chat.completions.create(BODY));
        await vi.advanceTimersByTimeAsync(waitMs - 1);
        expect(fetch.calls).toHaveLength(2);
        await vi.advanceTimersByTimeAsync(1);
        expect(fetch.calls).toHaveLength(3);
        const { value } = await pending;
        expect(value?.choices[0]?.message.content).toBe('served');
      },
    );

    it('the retry’s answer says what the server holds: the next call does not wait for the local debt', async () => {
      vi.useFakeTimers();
      // Tier 1's gpt-4o: 30,000 TPM. Each call reserves ~60 tokens; the 429 says the bucket is
      // short by a little, the retry's answer that 25,000 are left.
      const room = (remainingTokens: number) =>
        rateLimitHeaders({
          limitRequests: 500,
          remainingRequests: 490,
          resetRequestsMs: 1_200,
          limitTokens: 30_000,
          remainingTokens,
          resetTokensMs: ((30_000 - remainingTokens) / 30_000) * 60_000,
        });
      const short = apiErrors.rateLimited({
        model: 'gpt-4o',
        kind: 'tokens',
        limit: 30_000,
        used: 29_990,
        requested: 60,
        retryAfterMs: 400,
      });
      const fetch = scriptedFetch([
        chatCompletion({ content: 'earlier', headers: room(29_000) }),
        { ...short, headers: { ...short.headers, ...room(10), 'retry-after-ms': '400' } },
        chatCompletion({ content: 'served', headers: room(25_000) }),
        chatCompletion({ content: 'next', headers: room(24_900) }),
      ]);
      const wrapped = tracked({ tier: 'tier-1' }).wrap(clientOf(major, fetch));
      await wrapped.chat.completions.create(BODY);
      const retried = settle(wrapped.chat.completions.create(BODY));
      await vi.advanceTimersByTimeAsync(400);
      expect((await retried).value?.choices[0]?.message.content).toBe('served');
      const next = settle(wrapped.chat.completions.create(BODY));
      // Only what is already due runs: a call held for the debt the retry left would not be sent.
      await vi.advanceTimersByTimeAsync(0);
      expect(fetch.calls).toHaveLength(4);
      expect((await next).value?.choices[0]?.message.content).toBe('next');
    });
  },
);

describe.each(OPENAI_MAJORS)('8. the server sees the guard’s retries counted ($name)', (major) => {
  it('x-stainless-retry-count is 0, 1, 2 on the guard’s attempts, as the bare client sends it', async () => {
    vi.useFakeTimers();
    const script = [fixtures.server_error, fixtures.server_error, chatCompletion()];
    const bareFetch = scriptedFetch(script);
    const bare = settle(clientOf(major, bareFetch, { maxRetries: 2 }).chat.completions.create(BODY));
    const guardedFetch = scriptedFetch(script);
    const guarded = settle(
      tracked({ tier: 'tier-5', retry: { maxAttempts: 3 } })
        .wrap(clientOf(major, guardedFetch))
        .chat.completions.create(BODY),
    );
    await vi.advanceTimersByTimeAsync(60_000);
    expect((await bare).error).toBeUndefined();
    expect((await guarded).error).toBeUndefined();
    const counts = (fetch: ScriptedFetch) =>
      fetch.calls.map((call) => call.headers['x-stainless-retry-count']);
    expect(counts(guardedFetch)).toEqual(['0', '1', '2']);
    expect(counts(guardedFetch)).toEqual(counts(bareFetch));
  });

  it('each attempt gets headers of its own: a transport that adds to them does not leak into the next', async () => {
    vi.useFakeTimers();
    const script = [fixtures.server_error, fixtures.server_error, chatCompletion()];
    // A tracing wrapper, as services write them: it appends to the headers it is handed.
    const wrapping = (inner: ScriptedFetch): ScriptedFetch => {
      let sent = 0;
      const outer = ((input: string | URL | Request, init?: RequestInit) => {
        sent += 1;
        if (init?.headers instanceof Headers) init.headers.append('x-trace', `t${sent}`);
        return inner(input, init);
      }) as ScriptedFetch;
      return Object.assign(outer, { calls: inner.calls });
    };
    const bareFetch = scriptedFetch(script);
    const bare = settle(
      clientOf(major, wrapping(bareFetch), { maxRetries: 2 }).chat.completions.create(BODY),
    );
    const guardedFetch = scriptedFetch(script);
    const guarded = settle(
      tracked({ tier: 'tier-5', retry: { maxAttempts: 3 } })
        .wrap(clientOf(major, wrapping(guardedFetch)))
        .chat.completions.create(BODY),
    );
    await vi.advanceTimersByTimeAsync(60_000);
    expect((await bare).error).toBeUndefined();
    expect((await guarded).error).toBeUndefined();
    const traces = (fetch: ScriptedFetch) => fetch.calls.map((call) => call.headers['x-trace']);
    expect(traces(guardedFetch)).toEqual(['t1', 't2', 't3']);
    expect(traces(guardedFetch)).toEqual(traces(bareFetch));
  });
});

describe.each(OPENAI_MAJORS)(
  '9. answers the guard needs nothing from are handed on unread ($name)',
  (major) => {
    /** A fetch that answers every call with `answer()` and counts the calls. */
    const answering = (answer: () => Response) => {
      const fetch = async (): Promise<Response> => {
        fetch.sent += 1;
        return answer();
      };
      fetch.sent = 0;
      return fetch;
    };

    /** What the bare and the guarded client make of the same answers: their results and requests sent. */
    async function both<T>(answer: () => Response, call: (client: OpenAI) => Promise<T>) {
      const bareFetch = answering(answer);
      const bare = await call(
        new major.OpenAI({ apiKey: KEY, baseURL: BASE_URL, fetch: bareFetch, maxRetries: 2 }),
      );
      const guardedFetch = answering(answer);
      const guarded = await call(
        tracked({ tier: 'tier-5' }).wrap(
          new major.OpenAI({ apiKey: KEY, baseURL: BASE_URL, fetch: guardedFetch }),
        ),
      );
      return { bare, guarded, sent: [bareFetch.sent, guardedFetch.sent] };
    }

    it('a file’s JSON Lines content served as application/json (a batch’s output)', async () => {
      const lines =
        '{"custom_id":"a","response":{"status_code":200}}\n{"custom_id":"b","response":{"status_code":200}}\n';
      const result = await both(
        () => new Response(lines, { headers: { 'content-type': 'application/json' } }),
        async (client) => (await client.files.content('file-abc')).text(),
      );
      // Before: read as a cut JSON body, a relay_error retried three times, then a 502.
      expect(result).toEqual({ bare: lines, guarded: lines, sent: [1, 1] });
    });

    it('a deletion answered 204, and a 200 with an empty JSON body', async () => {
      const deleted = await both(
        () => new Response(null, { status: 204, headers: { 'content-type': 'application/json' } }),
        (client) => client.files.delete('file-abc'),
      );
      expect(deleted).toEqual({ bare: null, guarded: null, sent: [1, 1] });
      const empty = await both(
        () => new Response('', { headers: { 'content-type': 'application/json', 'content-length': '0' } }),
        (client) => client.files.retrieve('file-abc'),
      );
      expect(empty).toEqual({ bare: undefined, guarded: undefined, sent: [1, 1] });
    });
  },
);

describe.each(OPENAI_MAJORS)(
  '10. a proxy’s page is resent only as the bare client resends it ($name)',
  (major) => {
    const page = (status: number) => ({
      status,
      body: `<html><head><title>${status} refused</title></head><body>nginx</body></html>`,
      headers: { 'content-type': 'text/html' },
    });

    it.each([401, 403, 404, 413])(
      'a %i page is sent once, diagnosed as the proxy’s refusal',
      async (status) => {
        const fetch = scriptedFetch(page(status), { afterLast: 'repeat-last' });
        const error = await tracked({ tier: 'tier-5' })
          .wrap(clientOf(major, fetch))
          .chat.completions.create(BODY)
          .catch((caught: unknown) => caught);
        // Before: three requests (a relay_error was always retried), where the bare client sends one.
        expect(fetch.calls).toHaveLength(1);
        expect(error).toBeInstanceOf(major.OpenAI.APIError);
        const diagnosis = diagnose(error);
        expect(diagnosis).toMatchObject({ cause: 'relay_error', status, retryable: false });
        expect(diagnosis.hint.title).toBe(`A proxy or relay refused the request (${status})`);
        expect(diagnose(error, { locale: 'zh-CN' }).hint.title).toBe(`代理或中转站拒绝了请求（${status}）`);
      },
    );

    it.each([408, 429, 502])('a %i page is retried, as the bare client retries it', async (status) => {
      vi.useFakeTimers();
      const fetch = scriptedFetch([page(status), page(status), chatCompletion()]);
      const pending = settle(
        tracked({ tier: 'tier-5', retry: { maxAttempts: 3 } })
          .wrap(clientOf(major, fetch))
          .chat.completions.create(BODY),
      );
      await vi.advanceTimersByTimeAsync(60_000);
      expect((await pending).error).toBeUndefined();
      expect(fetch.calls).toHaveLength(3);
    });
  },
);

describe.each(OPENAI_MAJORS)('11. a failure’s body and headers as the server sent them ($name)', (major) => {
  it('a trace id and a checksum stay in the error; the caller’s key echoed back does not', async () => {
    const words = `Invalid file (trace 4bf92f3577b34da6a3ce929d0e0e4736); md5 d41d8cd98f00b204e9800998ecf8427e; key ${KEY}`;
    const fetch = scriptedFetch({
      status: 400,
      body: JSON.stringify({
        error: { message: words, type: 'invalid_request_error', param: null, code: null },
      }),
      headers: { 'content-type': 'application/json' },
    });
    const error = (await tracked({ tier: 'tier-5' })
      .wrap(clientOf(major, fetch))
      .chat.completions.create(BODY)
      .catch((caught: unknown) => caught)) as { message: string };
    // Before: both ids masked as if they were Azure keys (…4736, …427e).
    expect(error.message).toContain('trace 4bf92f3577b34da6a3ce929d0e0e4736');
    expect(error.message).toContain('md5 d41d8cd98f00b204e9800998ecf8427e');
    expect(error.message).not.toContain(KEY);
  });

  it('an error without a body has no content-type, as the bare client shows it', async () => {
    // A body of `null`: a scripted '' would gain text/plain at the server's end already.
    const fetch = async (): Promise<Response> => new Response(null, { status: 404 });
    const call = (client: OpenAI) =>
      client.chat.completions.create(BODY).then(
        () => ({ headers: new Headers({ 'content-type': 'a success, not the 404' }) }),
        (caught: unknown) => caught as { headers: Headers },
      );
    const bare = await call(new major.OpenAI({ apiKey: KEY, baseURL: BASE_URL, fetch, maxRetries: 0 }));
    expect(bare.headers.get('content-type')).toBeNull();
    const error = await call(
      tracked({ tier: 'tier-5' }).wrap(new major.OpenAI({ apiKey: KEY, baseURL: BASE_URL, fetch })),
    );
    expect(error).toBeInstanceOf(major.OpenAI.NotFoundError);
    // Before: text/plain;charset=UTF-8, which the Response constructor gives a string body.
    expect(error.headers.get('content-type')).toBeNull();
  });
});
