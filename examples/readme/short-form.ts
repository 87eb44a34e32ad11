import OpenAI from 'openai';
import { guard, guardOf } from 'tierguard';

const client = guard(new OpenAI(), { tier: 'tier-1' }); // createGuard({ tier: 'tier-1' }).wrap(…)

const answer = await client.chat.completions.create({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'One sentence about rivers.' }],
});
console.log(answer.choices[0]?.message.content);
await guardOf(client)?.close(); // the guard behind a wrapped client
