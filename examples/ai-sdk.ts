/**
 * The AI SDK through guard.fetch: the same pipeline as a plain fetch for any client that takes one.
 *
 *   npx tsx examples/ai-sdk.ts
 */
import { createOpenAI } from '@ai-sdk/openai';
import { generateText } from 'ai';
import { createGuard } from '../src/index.js';
import { createSimulator } from '../src/testing/index.js';

const sim = await createSimulator({ tier: 'tier-1' });
const guard = createGuard({ tier: 'tier-1' });
const openai = createOpenAI({
  apiKey: 'sk-example-not-a-real-key',
  baseURL: sim.baseURL,
  fetch: guard.fetch,
});

// maxRetries: 0 — the guard owns retries; two layers would multiply requests against the limit.
const { text, usage } = await generateText({
  model: openai.chat('gpt-4o-mini'),
  prompt: 'One line about rivers.',
  maxRetries: 0,
  maxOutputTokens: 16,
});
console.log(`text: ${text}`);
console.log(
  `usage: ${usage.inputTokens} in, ${usage.outputTokens} out; served by the guard: ${JSON.stringify(guard.stats().servedByModel)}`,
);
await guard.close();
await sim.close();
