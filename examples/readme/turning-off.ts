import OpenAI from 'openai';
import { createGuard } from 'tierguard';

const guard = createGuard({
  pacing: false, // no queue, no buckets: every call is sent at once
  retry: false, // every call is sent once (the same as { maxAttempts: 1 })
  fallback: false, // no model ever stands in for another
  // and no `budget`: nothing is priced or counted
});
const client = guard.wrap(new OpenAI());

const answer = await client.chat.completions.create({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'One sentence about rivers.' }],
});
console.log(answer.choices[0]?.message.content);
console.log('lanes:', guard.stats().limits.length);
await guard.close();
