/**
 * Wrap the client you already have: one line, the same class and types, every endpoint.
 * Runs against tierguard's simulator (a Tier 1 account on 127.0.0.1): no key, no network.
 *
 *   npx tsx examples/wrap-existing-client.ts
 */
import OpenAI from 'openai';
import { createGuard } from '../src/index.js';
import { createSimulator } from '../src/testing/index.js';

const sim = await createSimulator({ tier: 'tier-1' });

// What the service had:
const openai = new OpenAI({ apiKey: 'sk-example-not-a-real-key', baseURL: sim.baseURL });

// What it has now: the same client, paced to Tier 1, retrying only what can succeed.
const guard = createGuard({ tier: 'tier-1' });
const client = guard.wrap(openai);

const completion = await client.chat.completions.create({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'One sentence about rivers.' }],
  max_tokens: 40,
});
const embedding = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'rivers' });
const models = await client.models.list();

console.log(`chat: ${completion.choices[0]?.message.content}`);
console.log(`embedding: ${embedding.data[0]?.embedding.length} dimensions`);
console.log(`models: ${models.data.length} available on this tier`);
const lane = guard.stats().limits.find((entry) => entry.family === 'gpt-4o-mini');
console.log(
  `gpt-4o-mini limits: ${lane?.buckets.requests?.capacity} RPM, ${lane?.buckets.tokens?.capacity} TPM (from ${lane?.buckets.tokens?.source})`,
);
await guard.close();
await sim.close();
