/**
 * Calls sent ahead of their admission (Pacer.sendAhead): on a lane far from every limit, a wrapped
 * client's call goes out first and is read, estimated and admitted while it travels. Through the
 * real client over a scripted fetch.
 */
import { createOpenAI } from '@ai-sdk/openai';
import { generateText } from 'ai';
import OpenAI from 'openai';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { diagnose } from '../../src/diagnose/diagnose.js';
import { createGuard, type Guard } from '../../src/guard/create-guard.js';
import type { GuardEvent } from '../../src/guard/events.js';
import { fakeApiKey, fixtures } from '../../src/testing/fixtures.js';
import {
  chatCompletion,
  chatCompletionStream,
  limitHeaders,
  scriptedFetch,
  type ScriptItem,
  type ScriptedFetch,
} from '../../src/testing/scripted-fetch.js';

const KEY = fakeApiKey('5678');
const long = 'Summarize the customer ticket below in one line for the support queue, please. '.repeat(3);

function client(fetch: ScriptedFetch): OpenAI {
  return new OpenAI({ apiKey: KEY, baseURL: 'https://api.openai.test/v1', fetch });
}

const roomy = (): ScriptItem =>
  chatCompletion({
    headers: limitHeaders({ requests: 500, remainingRequests: 490, tokens: 30_000, remainingTokens: 29_000 }),
  });

const guards: Guard[] = [];
function tracked(options: Parameters<typeof createGuard>[0] = {}): Guard {
  const created = createGuard(options);
  guards.push(created);
  return created;
}

afterEach(async () => {
  await Promise.all(guards.splice(0).map((created) => created.close()));
});

/**
 * A scripted fetch answering `roomy()` that notes, as each call reaches it, how many `sent` events
 * the guard had emitted into `events` by then.
 */
function announcing(events: readonly GuardEvent[]): { fetch: ScriptedFetch; announced: number[] } {
  const announced: number[] = [];
  const scripted = scriptedFetch(roomy(), { afterLast: 'repeat-last' });
  const fetch = ((input: string | URL | Request, init?: RequestInit) => {
    announced.push(events.filter((event) => event.type === 'sent').length);
    return scripted(input, init);
  }) as ScriptedFetch;
  return { fetch, announced };
}

/** Lets the scripted fetch record what was sent (it reads each body asynchronously). */
async function turns(count = 3): Promise<void> {
  for (let index = 0; index < count; index += 1) await new Promise((resolve) => setImmediate(resolve));
}

describe('calls sent ahead of their admission', () => {
  it('sends a call on a lane with room before admitting it, and admits it before its answer', async () => {
    // The transport notes how many calls the guard had announced (`sent`) when each call reached it.
    const events: GuardEvent[] = [];
    const { fetch: recording, announced } = announcing(events);
    const created = tracked({ tier: 'tier-1', onEvent: (event) => events.push(event) });
    const wrapped = created.wrap(client(recording));
    for (let index = 0; index < 6; index += 1) {
      const { data: completion, response } = await wrapped.chat.completions
        .create({ model: 'gpt-4o', messages: [{ role: 'user', content: long }], max_tokens: 50 })
        .withResponse();
      expect(completion.choices[0]?.message.content).toBeTruthy();
      expect(response.headers.get('x-tierguard-model')).toBe('gpt-4o');
      expect(response.headers.get('x-tierguard-attempts')).toBe('1');
      expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('490');
      const lane = created.stats().limits[0];
      expect(lane?.inFlight).toBe(0);
      expect(lane?.served).toBe(index + 1);
    }
    // The first call of the lane waits for admission (the lane calibrates on its answer); the
    // others reach the transport before their `sent`, which comes once they are admitted.
    expect(announced).toEqual([1, 1, 2, 3, 4, 5]);
    const sent = events.filter((event) => event.type === 'sent');
    expect(sent).toHaveLength(6);
    expect(sent[5]).toMatchObject({ model: 'gpt-4o', attempt: 1, queuedMs: 0 });
    expect(created.stats().servedByModel).toEqual({ 'gpt-4o': 6 });
  });

  it('lets a burst go no further than the buckets allow', async () => {
    // Ten requests a minute; the first answer says nine are left. Twenty calls at once: nine go, the
    // rest wait — as many as the guard sends when it admits every call before sending it.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const scripted = scriptedFetch(async (_call, index) => {
      if (index > 0) await held;
      return chatCompletion({
        headers: limitHeaders({
          requests: 10,
          remainingRequests: Math.max(0, 9 - index),
          tokens: 1_000_000,
          remainingTokens: 999_000,
        }),
      });
    });
    const created = tracked({ tier: 'tier-1' });
    const wrapped = created.wrap(client(scripted));
    const call = () =>
      wrapped.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: long }] });
    await call();
    const burst = Array.from({ length: 20 }, () => call().catch((error: unknown) => error));
    await turns();
    expect(scripted.calls).toHaveLength(10);
    const stats = created.stats();
    expect(stats.waiting).toBe(11);
    expect(stats.inFlight).toBe(9);
    expect(stats.limits[0]?.buckets.requests?.level).toBeLessThan(1);
    release();
    await created.close();
    await Promise.all(burst);
  });

  it('sends nothing ahead on a lane an answer said is spent', async () => {
    const spent = chatCompletion({
      headers: limitHeaders({ requests: 500, remainingRequests: 0, tokens: 30_000, remainingTokens: 29_000 }),
    });
    const fetch = scriptedFetch([roomy(), roomy(), spent, roomy()]);
    const events: GuardEvent[] = [];
    const created = tracked({ tier: 'tier-1', onEvent: (event) => events.push(event) });
    const wrapped = created.wrap(client(fetch));
    const call = () =>
      wrapped.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: long }] });
    for (let index = 0; index < 3; index += 1) await call();
    expect(events.some((event) => event.type === 'throttled')).toBe(false);
    // One request refills in 60 s / 500 = 120 ms: the fourth call waits for it instead of going.
    await call();
    expect(events.find((event) => event.type === 'throttled')).toMatchObject({ bucket: 'requests' });
    expect(fetch.calls).toHaveLength(4);
  });

  it('retries a call sent ahead after the wait its 429 asked for', async () => {
    const fetch = scriptedFetch([
      roomy(),
      {
        status: 429,
        body: {
          error: {
            message:
              'Rate limit reached for gpt-4o in organization org-x on requests per min (RPM): Limit 500, Used 500, Requested 1.',
            type: 'requests',
            code: 'rate_limit_exceeded',
          },
        },
        headers: { 'retry-after-ms': '40' },
      },
      chatCompletion({ content: 'after the wait' }),
    ]);
    const events: GuardEvent[] = [];
    const wrapped = tracked({ tier: 'tier-1', onEvent: (event) => events.push(event) }).wrap(client(fetch));
    await wrapped.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: long }] });
    const started = performance.now();
    const completion = await wrapped.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: long }],
    });
    expect(performance.now() - started).toBeGreaterThanOrEqual(39);
    expect(completion.choices[0]?.message.content).toBe('after the wait');
    expect(fetch.calls).toHaveLength(3);
    expect(events.find((event) => event.type === 'retry')).toMatchObject({
      cause: 'rate_limited_requests',
      waitMs: 40,
    });
  });

  it('surfaces what a call sent ahead cannot be retried for, sent once, with its diagnosis', async () => {
    const fetch = scriptedFetch([roomy(), fixtures.insufficient_quota]);
    const wrapped = tracked({ tier: 'tier-1' }).wrap(client(fetch));
    await wrapped.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: long }] });
    const error = await wrapped.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: long }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(fetch.calls).toHaveLength(2);
    expect(diagnose(error)).toMatchObject({
      cause: 'insufficient_quota',
      attempts: [{ model: 'gpt-4o', cause: 'insufficient_quota' }],
    });
  });

  it('ends a call sent ahead at once when the caller aborts it in flight, and gives back its take', async () => {
    const fetch = scriptedFetch([roomy(), { hang: true }]);
    const created = tracked({ tier: 'tier-1' });
    const wrapped = created.wrap(client(fetch));
    await wrapped.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: long }] });
    const controller = new AbortController();
    const pending = wrapped.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: long }] }, { signal: controller.signal })
      .catch((error: unknown) => error);
    await turns();
    expect(fetch.calls).toHaveLength(2);
    expect(created.stats().inFlight).toBe(1);
    controller.abort();
    const error = await pending;
    expect(error).toBeInstanceOf(OpenAI.APIUserAbortError);
    expect(created.stats().inFlight).toBe(0);
    expect(created.stats().limits[0]?.inFlight).toBe(0);
  });

  it('falls back before the first token when a stream sent ahead opens with an error', async () => {
    // The first call teaches the lane; the stream after it goes ahead, opens with an error event,
    // and is sent again to the fallback's endpoint before the caller sees a token.
    const fetch = scriptedFetch((call, index) => {
      if (index === 0) return roomy();
      return (call.body as { model: string }).model === 'gpt-4o'
        ? fixtures.credit_balance_exhausted_stream
        : chatCompletionStream({ content: 'mini here' });
    });
    const events: GuardEvent[] = [];
    const wrapped = tracked({
      tier: 'tier-1',
      onEvent: (event) => events.push(event),
      fallback: { 'gpt-4o': [{ model: 'gpt-4o-mini', baseURL: 'https://backup.example/v1', apiKey: KEY }] },
    }).wrap(client(fetch));
    await wrapped.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: long }] });
    const { data: stream, response } = await wrapped.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: long }], stream: true })
      .withResponse();
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('mini here');
    expect(response.headers.get('x-tierguard-model')).toBe('gpt-4o-mini');
    expect(fetch.calls.map((call) => call.url)).toEqual([
      'https://api.openai.test/v1/chat/completions',
      'https://api.openai.test/v1/chat/completions',
      'https://backup.example/v1/chat/completions',
    ]);
    expect(events.find((event) => event.type === 'fallback')).toMatchObject({
      from: 'gpt-4o',
      to: 'gpt-4o-mini',
    });
  });

  it('sends the AI SDK’s calls through guard.fetch ahead too, each admitted once', async () => {
    const events: GuardEvent[] = [];
    const { fetch: transport, announced } = announcing(events);
    const created = tracked({ tier: 'tier-1', fetch: transport, onEvent: (event) => events.push(event) });
    const openai = createOpenAI({
      apiKey: 'sk-test',
      baseURL: 'https://api.openai.test/v1',
      fetch: created.fetch,
    });
    for (let index = 0; index < 4; index += 1) {
      const result = await generateText({ model: openai.chat('gpt-4o'), prompt: long, maxRetries: 0 });
      expect(result.text).toBeTruthy();
    }
    expect(announced).toEqual([1, 1, 2, 3]);
    expect(events.filter((event) => event.type === 'sent')).toHaveLength(4);
    const [lane] = created.stats().limits;
    expect(lane).toMatchObject({ served: 4, inFlight: 0 });
  });

  it('parses a guard.fetch body once when the call waits for its admission after all', async () => {
    // The first call of a lane is admitted before it is sent (the lane calibrates): the body parsed
    // to find its lane is the one the admission reads. (The scripted fetch parses it once more.)
    const body = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: long }] });
    const parse = vi.spyOn(JSON, 'parse');
    const parsesOfBody = (): number => parse.mock.calls.filter(([text]) => text === body).length;
    let beforeSending = -1;
    const scripted = scriptedFetch(roomy());
    const transport = ((input: string | URL | Request, init?: RequestInit) => {
      beforeSending = parsesOfBody();
      return scripted(input, init);
    }) as ScriptedFetch;
    const created = tracked({ tier: 'tier-1', fetch: transport });
    try {
      const response = await created.fetch('https://api.openai.test/v1/chat/completions', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
        body,
      });
      expect(response.status).toBe(200);
      expect(beforeSending).toBe(1);
    } finally {
      parse.mockRestore();
    }
  });
});
