// Shared by the simulator tests: start simulators that close after each test, talk to them through
// the real `openai` client, and read the API's error fields off what the client throws.
import OpenAI from 'openai';
import { afterEach } from 'vitest';
import {
  createSimulator,
  type Simulator,
  type SimulatorOptions,
} from '../../src/testing/simulator/simulator.js';

const open = new Set<Simulator>();

afterEach(async () => {
  const closing = [...open].map((sim) => sim.close());
  open.clear();
  await Promise.all(closing);
});

/** A clock the test moves by hand (`now` option): refills without sleeping. */
export interface ManualClock {
  nowMs: number;
  readonly now: () => number;
  advance(ms: number): void;
}

export function manualClock(startMs = 1_800_000_000_000): ManualClock {
  const clock: ManualClock = {
    nowMs: startMs,
    now: () => clock.nowMs,
    advance: (ms) => {
      clock.nowMs += ms;
    },
  };
  return clock;
}

/** Starts a simulator (no latency unless asked) and a real client for it, with no retries. */
export async function start(
  options: SimulatorOptions = {},
  clientOptions: { timeout?: number; apiKey?: string } = {},
): Promise<{ sim: Simulator; client: OpenAI }> {
  const sim = await createSimulator({ latencyMs: 0, ...options });
  open.add(sim);
  return {
    sim,
    client: new OpenAI({
      apiKey: clientOptions.apiKey ?? 'sk-test',
      baseURL: sim.baseURL,
      maxRetries: 0,
      timeout: clientOptions.timeout ?? 5_000,
    }),
  };
}

/** Closes a simulator before the test ends (and stops tracking it). */
export async function closeEarly(sim: Simulator): Promise<void> {
  open.delete(sim);
  await sim.close();
}

/** A small chat call (`extra` may hold anything, the simulator sees it as sent). */
export function chat(client: OpenAI, model = 'gpt-4o-mini', extra: Record<string, unknown> = {}) {
  return client.chat.completions.create({
    model,
    messages: [{ role: 'user', content: 'Say hi.' }],
    max_tokens: 50,
    ...extra,
  } as OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming);
}

/** What a failed call threw: the SDK's error fields, headers as a plain record. */
export interface Thrown {
  readonly error: unknown;
  readonly status: number | undefined;
  readonly code: string | null | undefined;
  readonly type: string | null | undefined;
  readonly param: string | null | undefined;
  readonly message: string;
  readonly headers: Record<string, string>;
}

/** Awaits a call that must fail and returns what it threw. */
export async function failure(promise: Promise<unknown>): Promise<Thrown> {
  try {
    await promise;
  } catch (error) {
    const apiError = error instanceof OpenAI.APIError ? error : undefined;
    const headers: Record<string, string> = {};
    const received: unknown = apiError?.headers;
    if (received instanceof Headers) for (const [name, value] of received) headers[name] = value;
    const inner = (apiError?.error ?? {}) as { message?: string };
    return {
      error,
      status: apiError?.status,
      code: apiError?.code,
      type: apiError?.type,
      param: apiError?.param,
      message: inner.message ?? (error instanceof Error ? error.message : String(error)),
      headers,
    };
  }
  throw new Error('expected the call to fail, it succeeded');
}

/** Waits (bounded) until `check` holds: for what the server sees, without guessing a sleep. */
export async function until(check: () => boolean, timeoutMs = 2_000): Promise<void> {
  for (let waited = 0; !check(); waited += 5) {
    if (waited >= timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Raw fetch against a simulator, for what the SDK would not send. */
export function raw(sim: Simulator, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${sim.url}${path}`, init);
}

/** The `x-ratelimit-*` headers of a response, as a record. */
export function limitHeadersOf(headers: Headers | Record<string, string>): Record<string, string> {
  const found: Record<string, string> = {};
  const entries = headers instanceof Headers ? [...headers.entries()] : Object.entries(headers);
  for (const [name, value] of entries) if (name.startsWith('x-ratelimit-')) found[name] = value;
  return found;
}
