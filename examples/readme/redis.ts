import OpenAI from 'openai';
import { createGuard } from 'tierguard';

// Every process with the same Redis and keyPrefix shares one set of buckets (and the budget).
const guard = createGuard({ redis: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', keyPrefix: 'myapp:' });
const client = guard.wrap(new OpenAI());

const answer = await client.chat.completions.create({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'One sentence about rivers.' }],
});
console.log(answer.choices[0]?.message.content);
console.log('store:', guard.stats().store.kind); // 'redis'; its health: connecting, healthy, degraded
await guard.close(); // closes the connection the guard opened
