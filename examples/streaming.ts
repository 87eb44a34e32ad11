/**
 * Streaming through the guard: paced like any call, decided before the first byte reaches you,
 * falling back before the first token, and reconciled from the streamed usage.
 *
 *   npx tsx examples/streaming.ts
 */
import OpenAI from 'openai';
import { createGuard } from '../src/index.js';
import { createSimulator } from '../src/testing/index.js';

// o3 needs a verified organization to stream (openai-api.md Table 1 #14); this one is not verified.
const sim = await createSimulator({
  tier: 'tier-1',
  account: { organizationVerified: false },
  streamChunkDelayMs: 5,
});
const guard = createGuard({ tier: 'tier-1', fallback: { o3: ['gpt-4o-mini'] } });
const client = guard.wrap(new OpenAI({ apiKey: 'sk-example-not-a-real-key', baseURL: sim.baseURL }));

const stream = await client.chat.completions.create({
  model: 'o3',
  messages: [{ role: 'user', content: 'Stream a short answer.' }],
  stream: true,
  stream_options: { include_usage: true },
  max_completion_tokens: 12,
});
let text = '';
for await (const chunk of stream) {
  text += chunk.choices[0]?.delta?.content ?? '';
  if (chunk.usage)
    console.log(
      `usage: ${chunk.usage.prompt_tokens} prompt + ${chunk.usage.completion_tokens} completion tokens`,
    );
}
console.log(
  `streamed by ${guard.stats().servedByModel['gpt-4o-mini'] === 1 ? 'gpt-4o-mini (o3 needs verification to stream)' : '?'}: ${text}`,
);
console.log(`in flight after the stream: ${guard.stats().inFlight}`);
await guard.close();
await sim.close();
