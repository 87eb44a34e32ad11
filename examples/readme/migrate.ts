import OpenAI from 'openai';
import { createGuard } from 'tierguard';

// Before: const client = new OpenAI({ maxRetries: 4, timeout: 20_000 });
const guard = createGuard({ retry: { maxRetries: 4 } }); // the retries move to the guard…
const client = guard.wrap(new OpenAI({ timeout: 20_000 })); // …the timeout stays: it bounds each attempt

const answer = await client.chat.completions.create(
  { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'One sentence about rivers.' }] },
  { maxRetries: 9 }, // ignored: the guard's policy alone decides, so two layers never multiply requests
);
console.log(answer.choices[0]?.message.content);
console.log('retries:', guard.stats().retries);
await guard.close();
