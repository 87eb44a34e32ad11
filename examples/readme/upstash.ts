import OpenAI from 'openai';
import { Redis } from '@upstash/redis'; // npm i @upstash/redis (an optional peer)
import { createGuard, createUpstashStore } from 'tierguard';

const guard = createGuard({
  store: createUpstashStore({ client: Redis.fromEnv(), keyPrefix: 'myapp:' }),
});
const client = guard.wrap(new OpenAI());

const answer = await client.chat.completions.create({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'One sentence about rivers.' }],
});
console.log(answer.choices[0]?.message.content);
await guard.close();
