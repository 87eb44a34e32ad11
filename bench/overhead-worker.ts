/**
 * The guard's overhead per call, in a process of its own: bare and guarded calls alternate against
 * an unthrottled server in another process — the simulator, or the plain server that sends no
 * rate-limit headers. Prints its windows as JSON.
 *
 *   node --import tsx bench/overhead-worker.ts <server latency in ms> [simulator|plain] [fixed|new|short]
 */
import OpenAI from 'openai';
import { built } from './built.js';
import { startPlainServer, startRemoteSimulator, type RemoteServer } from './remote-sim.js';
import { percentile } from './stats.js';

const { createGuard } = built;

/** The server the overhead is measured against. */
export type OverheadServer = 'simulator' | 'plain';

/**
 * What each call asks: `fixed`, the same short system and user message every call; `new`, a user
 * message of about 230 characters that is new on every pair (the tokenizer counts it each time
 * instead of finding it among its recent counts); `short`, a lone "hi".
 */
export type OverheadPrompt = 'fixed' | 'new' | 'short';

/** What the overhead section measured against one server at one latency. */
export interface OverheadResult {
  readonly server: OverheadServer;
  readonly latencyMs: number;
  readonly prompt: OverheadPrompt;
  readonly windows: OverheadWindow[];
}

/** One measured window of the overhead section. */
export interface OverheadWindow {
  /** Pairs run before this window (warm-up and earlier windows). */
  readonly after: number;
  readonly pairs: number;
  readonly bareMedian: number;
  readonly guardedMedian: number;
  readonly bareMean: number;
  readonly guardedMean: number;
}

// V8 in Node 20 (no Maglev) compiles a function with TurboFan after roughly 500 to several
// thousand calls; the guard's hot functions run once per guarded call and reached it between the
// 500th and the 5,500th (`node --trace-opt`), while the SDK's and undici's code, shared by both
// clients, runs twice as often. The steady window starts after this many pairs.
export const STEADY_AFTER_PAIRS = 10_000;
/** Pairs run before the first window (the protocol the section used before it had two). */
export const WARM_UP_PAIRS = 300;

/**
 * The guard's cost per call against an unthrottled loopback server: bare and guarded calls
 * alternate. Two windows: the first calls after a short warm-up, and the steady state once V8 has
 * compiled both paths.
 */
async function overhead(
  latencyMs: number,
  server: OverheadServer,
  prompt: OverheadPrompt,
): Promise<OverheadResult> {
  if (server === 'plain' && latencyMs !== 0)
    throw new Error('the plain server answers at once: latency 0 only');
  const sim: RemoteServer =
    server === 'plain'
      ? await startPlainServer()
      : await startRemoteSimulator({
          // Unthrottled, the daily request limit included (thousands of calls go to one model).
          limits: { '*': { requests: 1e9, tokens: 1e12, requestsPerDay: 1e12 } },
          outputTokens: 20,
          latencyMs,
        });
  const bare = new OpenAI({ apiKey: 'sk-bench', baseURL: sim.baseURL, maxRetries: 0 });
  // Against the simulator, limits as large as its own; against the plain server, nothing told
  // (a server that sends no limits, used as one would use it).
  const guard = createGuard(server === 'plain' ? {} : { limits: { '*': { requests: 1e9, tokens: 1e12 } } });
  const guarded = guard.wrap(new OpenAI({ apiKey: 'sk-bench', baseURL: sim.baseURL }));
  const system = { role: 'system' as const, content: 'You are a helpful assistant that answers briefly.' };
  const fixed = {
    model: 'gpt-4o-mini',
    messages: [
      system,
      { role: 'user' as const, content: 'What is the capital of France? Answer in one word.' },
    ],
    max_tokens: 20,
  };
  let pair = 0;
  // Both calls of a pair ask the same.
  const bodyOfPair = (): typeof fixed => {
    if (prompt === 'fixed') return fixed;
    if (prompt === 'short') return { ...fixed, messages: [{ role: 'user' as const, content: 'hi' }] };
    const user = `Question ${pair}: ${'Name the capital of one country and answer in a single word. '.repeat(3)}`;
    return { ...fixed, messages: [system, { role: 'user' as const, content: user }] };
  };
  const once = async (client: OpenAI, body: typeof fixed): Promise<number> => {
    const at = performance.now();
    await client.chat.completions.create(body);
    return (performance.now() - at) * 1_000;
  };
  const mean = (values: number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;
  let done = 0;
  /** Runs `pairs` alternating pairs (which of the two goes first alternates too). */
  const run = async (pairs: number): Promise<{ bareTimes: number[]; guardedTimes: number[] }> => {
    const bareTimes: number[] = [];
    const guardedTimes: number[] = [];
    for (let index = 0; index < pairs; index += 1) {
      pair += 1;
      const body = bodyOfPair();
      if (index % 2 === 0) {
        bareTimes.push(await once(bare, body));
        guardedTimes.push(await once(guarded, body));
      } else {
        guardedTimes.push(await once(guarded, body));
        bareTimes.push(await once(bare, body));
      }
    }
    done += pairs;
    return { bareTimes, guardedTimes };
  };
  const measure = async (pairs: number): Promise<OverheadWindow> => {
    const after = done;
    const { bareTimes, guardedTimes } = await run(pairs);
    return {
      after,
      pairs,
      bareMedian: percentile(bareTimes, 0.5),
      guardedMedian: percentile(guardedTimes, 0.5),
      bareMean: mean(bareTimes),
      guardedMean: mean(guardedTimes),
    };
  };
  const pairs = latencyMs === 0 ? 3_000 : 1_000;
  await run(WARM_UP_PAIRS);
  const early = await measure(pairs);
  await run(STEADY_AFTER_PAIRS - done);
  const steady = await measure(pairs);
  await guard.close();
  await sim.close();
  return { server, latencyMs, prompt, windows: [early, steady] };
}

// Run as a script (not when imported for its types and constant).
if (process.argv[1]?.endsWith('overhead-worker.ts')) {
  const prompt = process.argv[4] ?? 'fixed';
  if (prompt !== 'fixed' && prompt !== 'new' && prompt !== 'short')
    throw new Error(`prompt: fixed, new or short, not ${prompt}`);
  const result = await overhead(
    Number(process.argv[2] ?? 0),
    process.argv[3] === 'plain' ? 'plain' : 'simulator',
    prompt,
  );
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
