/**
 * The floor of the guard's per-call cost (docs/decisions.md §30): a `fetch` wrapper that does only
 * what a guarded call cannot skip — read the call, copy its headers for the attempt, give the
 * attempt its own `AbortController` and timer, read the answer to its end, parse it for its usage,
 * and hand on a new `Response` with the guard's headers — with no pacing, retry loop, fallback,
 * budget or events, measured the way the bench measures the guard (`overhead-worker.ts`: alternating
 * bare/wrapped pairs against a 0 ms loopback server, a new prompt each call). Each step is added to
 * the ones before it, each in a new process. Not part of `npm run bench`:
 *
 *   node --import tsx bench/floor.ts
 */
import { execFileSync } from 'node:child_process';
import OpenAI from 'openai';
import { servedResponse } from '../src/guard/answer.js';
import { readCall } from '../src/guard/request.js';
import { prepareRequest } from '../src/guard/send.js';
import { readBody, readWhole } from '../src/util/read-body.js';
import { runPairs, startServer } from './sections/overhead-worker.js';

/** The steps, in the order they are added. */
const STEPS = [
  'read the answer, hand on a new Response',
  'parse it',
  "the guard's headers on it",
  'read the call',
  'copy its headers for the attempt',
  'AbortController and timer',
] as const;

const READ_OPTIONS = {
  deployments: {},
  shareLimitsAcrossKeys: false,
  defaultMaxOutputTokens: 4_096,
  countTokens: undefined,
};

/** The wrapper with the first `steps` steps. */
function floorFetch(steps: number): typeof fetch {
  const has = (step: (typeof STEPS)[number]): boolean => STEPS.indexOf(step) < steps;
  const answer = async (response: Response): Promise<Response> => {
    if (!has('read the answer, hand on a new Response')) return response;
    const whole = await readWhole(response.body);
    if (has('parse it')) readBody(whole.text);
    return has("the guard's headers on it")
      ? servedResponse(response, whole.body, 'gpt-4o-mini', 1)
      : new Response(whole.body, { status: response.status, headers: response.headers });
  };
  return async (input, init = {}) => {
    let url = String(input);
    const sent: RequestInit = { ...init };
    if (has('read the call')) {
      const call = readCall(input as string, init, READ_OPTIONS);
      if (has('copy its headers for the attempt')) {
        const request = prepareRequest(call, { model: call.model, ownEndpoint: false }, 0, call.deployment);
        url = request.url;
        sent.headers = request.headers;
        sent.body = request.body ?? null;
      }
    }
    if (!has('AbortController and timer')) return answer(await fetch(url, sent));
    const controller = new AbortController();
    const onAbort = (): void => controller.abort();
    init.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => controller.abort(), 600_000);
    try {
      return await answer(await fetch(url, { ...sent, signal: controller.signal }));
    } finally {
      clearTimeout(timer);
      init.signal?.removeEventListener('abort', onAbort);
    }
  };
}

/** One process: the time `steps` steps add to a call, µs (median of 3,000 pairs after 2,000). */
async function measure(steps: number): Promise<number> {
  const { server, baseURL } = await startServer(0);
  try {
    const bare = new OpenAI({ apiKey: 'sk-bench', baseURL });
    const wrapped = new OpenAI({ apiKey: 'sk-bench', baseURL, maxRetries: 0, fetch: floorFetch(steps) });
    await runPairs(bare, wrapped, 2_000);
    return (await runPairs(bare, wrapped, 3_000)).addedMedianUs;
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

const step = process.argv[2];
if (step !== undefined) {
  process.stdout.write(`${await measure(Number(step))}\n`);
  process.exit(0);
}
for (let steps = 0; steps <= STEPS.length; steps += 1) {
  const added = Number(
    execFileSync(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, String(steps)]),
  );
  const what = steps === 0 ? 'a wrapper that only passes the call on' : `+ ${STEPS[steps - 1]}`;
  console.log(`${what}: +${added.toFixed(1)} µs a call`);
}
