import OpenAI from 'openai';
import { createGuard, describeDiagnosis, diagnose } from 'tierguard';

const guard = createGuard({
  tier: 'auto', // the default: limits learned from the API's headers (or 'free', 'tier-1' … 'tier-5')
  fallback: { 'gpt-4o': ['gpt-4o-mini'] }, // when gpt-4o cannot serve
});
guard.on((event) => {
  if (event.type === 'fallback') console.log(`fallback: ${event.from} → ${event.to} (${event.cause})`);
});
const client = guard.wrap(new OpenAI()); // the same client, the same types

try {
  const answer = await client.chat.completions.create({
    model: 'gpt-4o',
    messages: [{ role: 'user', content: 'One sentence about rivers.' }],
  });
  console.log(answer.choices[0]?.message.content);
} catch (error) {
  console.error(describeDiagnosis(diagnose(error))); // diagnose() works in any catch, guarded or not
}
console.log('served by', guard.stats().servedByModel); // and waiting, inFlight, retries, limits…
await guard.close(); // refuses new calls, rejects waiting ones, releases timers and connections
