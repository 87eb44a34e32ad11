import OpenAI from 'openai';
import { createGuard, diagnose } from 'tierguard';

const guard = createGuard({ fallback: { 'gpt-4o': ['gpt-4o-mini'] } });
const client = guard.wrap(new OpenAI());
const messages = [{ role: 'user' as const, content: 'One sentence about rivers.' }];

// This call is served by gpt-4o or fails: its fallback is off.
const strict = await client.chat.completions
  .create({ model: 'gpt-4o', messages }, { headers: { 'x-tierguard-fallback': 'off' } })
  .catch((error: unknown) => diagnose(error).cause);
// This one names its own chain (models on the same endpoint) in place of the configured one.
const loose = await client.chat.completions
  .create({ model: 'gpt-4o', messages }, { headers: { 'x-tierguard-fallback': 'gpt-4.1-mini, gpt-4o-mini' } })
  .withResponse();
console.log(typeof strict === 'string' ? strict : 'served');
console.log('served by', loose.response.headers.get('x-tierguard-model'));
await guard.close();
