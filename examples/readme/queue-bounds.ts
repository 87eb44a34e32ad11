import OpenAI from 'openai';
import { createGuard, diagnose } from 'tierguard';

const guard = createGuard({
  maxWaitMs: 10_000, // a call predicted to wait longer for its rate limit falls back, or is refused at once
  maxQueued: 500, // with 500 calls waiting, the next is refused at once (queue_full)
});
const client = guard.wrap(new OpenAI({ timeout: 30_000 })); // each attempt, from when it is sent

try {
  const answer = await client.chat.completions.create(
    { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'One sentence about rivers.' }] },
    { signal: AbortSignal.timeout(60_000) }, // a deadline for the whole call, the queue included
  );
  console.log(answer.choices[0]?.message.content);
} catch (error) {
  const { cause, origin, retryAfterMs } = diagnose(error);
  console.log(cause, origin, retryAfterMs); // rate_limited_tokens local 14200 (the predicted wait), queue_full…
}
await guard.close();
