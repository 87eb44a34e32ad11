import OpenAI from 'openai';
import { createGuard } from 'tierguard';

const guard = createGuard({
  budget: {
    monthlyUsd: 200,
    alertAt: [0.5, 0.8, 1], // a `budget-alert` event at each share of the month's budget
    onExhausted: 'fallback', // or 'refuse' (the default) or 'warn'
    clampOutput: true, // a call that does not fit is sent with a smaller output maximum
  },
  fallback: { 'gpt-4o': ['gpt-4o-mini'] },
});
guard.on((event) => {
  if (event.type === 'budget-alert') console.log(`spent ${event.spentUsd} of ${event.monthlyUsd} USD`);
});
const client = guard.wrap(new OpenAI());

await client.chat.completions.create({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'One sentence about rivers.' }],
  max_tokens: 100,
});
console.log('budget:', guard.stats().budget); // spentUsd, reservedUsd (the calls in flight), monthlyUsd
await guard.close();
