import OpenAI from 'openai';
import { createGuard } from 'tierguard';

const guard = createGuard({
  tier: 'tier-1',
  maxWaitMs: 2_000, // a call predicted to wait longer for gpt-4o's limit goes to gpt-4o-mini at once
  fallback: { 'gpt-4o': ['gpt-4o-mini'] },
});
guard.on((event) => {
  if (event.type === 'fallback') console.log(`rerouted: ${event.from} → ${event.to}`, event.predictedWaitMs);
});
const client = guard.wrap(new OpenAI());

const answer = await client.chat.completions.create({
  model: 'gpt-4o',
  messages: [{ role: 'user', content: 'One sentence about rivers.' }],
});
console.log(answer.model, answer.choices[0]?.message.content);
await guard.close();
