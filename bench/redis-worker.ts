/**
 * One of several processes that share one account's limits through Redis: runs its share of the
 * workload through a guard with `redis` set, and prints its per-call results as JSON.
 */
import OpenAI from 'openai';
import { built } from './built.js';

const { createGuard, estimateRequest } = built;

const [baseURL, redisUrl, keyPrefix, countText, windowText] = process.argv.slice(2);
const windowMs = Number(windowText);
const guard = createGuard({
  tier: 'tier-1',
  windowMs,
  redis: redisUrl as string,
  keyPrefix: keyPrefix as string,
});
const client = guard.wrap(new OpenAI({ apiKey: 'sk-bench-not-a-real-key', baseURL: baseURL as string }));
const prompt = process.env.BENCH_PROMPT as string;
// A running service has its tokenizer loaded: load it before the clock starts.
await estimateRequest('chat', { model: 'gpt-4o', messages: [{ role: 'user', content: 'warm' }] }, 'gpt-4o');
const startedAt = Date.now();
const started = performance.now();
const calls = await Promise.all(
  Array.from({ length: Number(countText) }, async () => {
    const ok = await client.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: prompt }], max_tokens: 200 })
      .then(
        () => true,
        () => false,
      );
    return { ms: performance.now() - started, ok };
  }),
);
process.stdout.write(JSON.stringify({ calls, startedAt, endedAt: Date.now(), health: guard.stats().store }));
await guard.close();
