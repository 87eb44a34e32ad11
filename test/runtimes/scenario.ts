/**
 * The guarded scenario every runtime runs (Node, Bun, Deno, workerd): pacing learned from
 * rate-limit headers against a token-bucket server, a quota error sent once, a fallback to another
 * model, a stream, and a `redis` URL without ioredis. It imports nothing: the runtime's entry hands
 * it the built package (`tierguard`, `tierguard/testing`) and the real `openai` client, and prints
 * (or, in a Worker, answers with) the report it returns. The tests judge the report.
 */
import type OpenAIClass from 'openai';
import type * as Tierguard from '../../src/index.js';
import type * as Testing from '../../src/testing/index.js';

/** What the entry hands the scenario. */
export interface ScenarioLibrary {
  readonly OpenAI: typeof OpenAIClass;
  readonly tierguard: typeof Tierguard;
  readonly testing: typeof Testing;
}

/** What the scenario saw, as plain data. */
export interface ScenarioReport {
  readonly runtime: string;
  readonly pacing: {
    readonly calls: number;
    readonly served: number;
    /** Calls the bucket server received, and how many it refused with a 429. */
    readonly received: number;
    readonly refusedByServer: number;
    readonly throttled: number;
    /** The requests limit the guard learned from the headers. */
    readonly learnedRequests: number | undefined;
  };
  readonly quota: {
    readonly rateLimitError: boolean;
    readonly status: number | undefined;
    readonly cause: string;
    readonly retryable: boolean;
    readonly sent: number;
    readonly hintTitle: string;
  };
  readonly fallback: {
    readonly content: string | null | undefined;
    readonly servedBy: string | null;
    readonly modelsSent: readonly string[];
    readonly event: unknown;
  };
  readonly stream: {
    readonly text: string;
    readonly chunks: number;
    readonly totalTokens: number | undefined;
    readonly inFlightAfter: number;
    readonly servedByModel: Readonly<Record<string, number>>;
  };
  readonly redisWithoutIoredis: {
    /** `TierguardOptionsError` at construction; `none` where the runtime cannot tell. */
    readonly refused: 'options-error' | 'none' | 'other-error';
    readonly path: string | undefined;
  };
}

const BASE_URL = 'https://api.openai.test/v1';
// Pacing: a server allowing 6 requests a 600 ms window, and three windows' worth of calls at once.
const REQUESTS_PER_WINDOW = 6;
const WINDOW_MS = 600;
const PACED_CALLS = 18;

function runtimeName(): string {
  const scope = globalThis as {
    Deno?: { version: { deno: string } };
    Bun?: { version: string };
    navigator?: { userAgent?: string };
    process?: { versions?: { node?: string } };
  };
  if (scope.Deno !== undefined) return `deno ${scope.Deno.version.deno}`;
  if (scope.Bun !== undefined) return `bun ${scope.Bun.version}`;
  if (scope.navigator?.userAgent === 'Cloudflare-Workers') return 'workerd';
  return `node ${scope.process?.versions?.node ?? 'unknown'}`;
}

const modelOf = (call: { body: unknown }): string => (call.body as { model: string }).model;

async function pacing({ OpenAI, tierguard, testing }: ScenarioLibrary): Promise<ScenarioReport['pacing']> {
  // A token-bucket server: a request takes one token; tokens refill continuously over the window.
  let level = REQUESTS_PER_WINDOW;
  let last = performance.now();
  let refused = 0;
  const fetch = testing.scriptedFetch(() => {
    const now = performance.now();
    level = Math.min(REQUESTS_PER_WINDOW, level + ((now - last) / WINDOW_MS) * REQUESTS_PER_WINDOW);
    last = now;
    const headers = testing.limitHeaders({
      requests: REQUESTS_PER_WINDOW,
      remainingRequests: Math.max(0, Math.floor(level >= 1 ? level - 1 : level)),
      tokens: 1_000_000,
      remainingTokens: 999_000,
      windowMs: WINDOW_MS,
    });
    if (level < 1) {
      refused += 1;
      return testing.apiErrors.rateLimited({
        model: 'gpt-4o-mini',
        kind: 'requests',
        limit: REQUESTS_PER_WINDOW,
        used: REQUESTS_PER_WINDOW,
        requested: 1,
        retryAfterMs: ((1 - level) / REQUESTS_PER_WINDOW) * WINDOW_MS,
        headers,
      });
    }
    level -= 1;
    return testing.chatCompletion({ model: 'gpt-4o-mini-2024-07-18', headers });
  });
  const guard = tierguard.createGuard({ tier: 'auto', windowMs: WINDOW_MS });
  let throttled = 0;
  guard.on((event) => {
    if (event.type === 'throttled') throttled += 1;
  });
  try {
    const client = guard.wrap(new OpenAI({ apiKey: testing.fakeApiKey('pace'), baseURL: BASE_URL, fetch }));
    const answers = await Promise.all(
      Array.from({ length: PACED_CALLS }, () =>
        client.chat.completions.create({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: 'One word.' }],
          max_tokens: 5,
        }),
      ),
    );
    return {
      calls: PACED_CALLS,
      served: answers.filter((answer) => answer.choices[0]?.message.content === 'Hello!').length,
      received: fetch.calls.length,
      refusedByServer: refused,
      throttled,
      learnedRequests: guard.stats().limits[0]?.buckets.requests?.capacity,
    };
  } finally {
    await guard.close();
  }
}

async function quota({ OpenAI, tierguard, testing }: ScenarioLibrary): Promise<ScenarioReport['quota']> {
  const fetch = testing.scriptedFetch(testing.fixtures.insufficient_quota, { afterLast: 'repeat-last' });
  const guard = tierguard.createGuard({ tier: 'tier-1', fallback: { 'gpt-4o': ['gpt-4o-mini'] } });
  try {
    const client = guard.wrap(new OpenAI({ apiKey: testing.fakeApiKey('quot'), baseURL: BASE_URL, fetch }));
    const error: unknown = await client.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hello' }], max_tokens: 20 })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    const diagnosis = tierguard.diagnose(error);
    return {
      rateLimitError: error instanceof OpenAI.RateLimitError,
      status: (error as { status?: number } | undefined)?.status,
      cause: diagnosis.cause,
      retryable: diagnosis.retryable,
      sent: fetch.calls.length,
      hintTitle: diagnosis.hint.title,
    };
  } finally {
    await guard.close();
  }
}

async function fallback({
  OpenAI,
  tierguard,
  testing,
}: ScenarioLibrary): Promise<ScenarioReport['fallback']> {
  const fetch = testing.scriptedFetch((call) =>
    modelOf(call) === 'gpt-4o'
      ? testing.fixtures.model_access_denied
      : testing.chatCompletion({ model: 'gpt-4o-mini-2024-07-18', content: 'from the mini' }),
  );
  let event: unknown;
  const guard = tierguard.createGuard({
    tier: 'tier-1',
    fallback: { 'gpt-4o': ['gpt-4o-mini'] },
    onEvent: (sent) => {
      if (sent.type === 'fallback') event = sent;
    },
  });
  try {
    const client = guard.wrap(new OpenAI({ apiKey: testing.fakeApiKey('fall'), baseURL: BASE_URL, fetch }));
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hello' }], max_tokens: 20 })
      .withResponse();
    return {
      content: data.choices[0]?.message.content,
      servedBy: response.headers.get('x-tierguard-model'),
      modelsSent: fetch.calls.map(modelOf),
      event,
    };
  } finally {
    await guard.close();
  }
}

async function stream({ OpenAI, tierguard, testing }: ScenarioLibrary): Promise<ScenarioReport['stream']> {
  const fetch = testing.scriptedFetch(
    testing.chatCompletionStream({
      content: 'rivers run to the sea',
      usage: { promptTokens: 9, completionTokens: 5 },
    }),
  );
  const guard = tierguard.createGuard({ limits: { '*': { requests: 100, tokens: 10_000 } } });
  try {
    const client = guard.wrap(new OpenAI({ apiKey: testing.fakeApiKey('strm'), baseURL: BASE_URL, fetch }));
    const chunks = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Where do rivers run?' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let count = 0;
    let totalTokens: number | undefined;
    for await (const chunk of chunks) {
      count += 1;
      text += chunk.choices[0]?.delta.content ?? '';
      totalTokens = chunk.usage?.total_tokens ?? totalTokens;
    }
    const stats = guard.stats();
    return {
      text,
      chunks: count,
      totalTokens,
      inFlightAfter: stats.inFlight,
      servedByModel: stats.servedByModel,
    };
  } finally {
    await guard.close();
  }
}

async function redisWithoutIoredis({
  tierguard,
}: ScenarioLibrary): Promise<ScenarioReport['redisWithoutIoredis']> {
  let guard: ReturnType<typeof tierguard.createGuard> | undefined;
  try {
    // Port 1 on loopback: nothing listens, and nothing is sent anywhere else.
    guard = tierguard.createGuard({ redis: 'redis://127.0.0.1:1' });
    return { refused: 'none', path: undefined };
  } catch (error) {
    return error instanceof tierguard.TierguardOptionsError
      ? { refused: 'options-error', path: error.issues[0]?.path }
      : { refused: 'other-error', path: undefined };
  } finally {
    await guard?.close();
  }
}

/** Runs every part in turn and returns what each saw. */
export async function runScenario(library: ScenarioLibrary): Promise<ScenarioReport> {
  return {
    runtime: runtimeName(),
    pacing: await pacing(library),
    quota: await quota(library),
    fallback: await fallback(library),
    stream: await stream(library),
    redisWithoutIoredis: await redisWithoutIoredis(library),
  };
}
