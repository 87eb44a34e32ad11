import { countTokens } from 'gpt-tokenizer/encoding/o200k_base'; // npm i gpt-tokenizer
import OpenAI from 'openai';
import { createGuard } from 'tierguard';

const guard = createGuard({
  countTokens: (text) => countTokens(text, { disallowedSpecial: new Set() }),
});
guard.on((event) => {
  if (event.type === 'sent') console.log(`reserved ${event.estimatedTokens} tokens for ${event.model}`);
});
const client = guard.wrap(new OpenAI());

await client.chat.completions.create({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'One sentence about rivers.' }],
  max_tokens: 100,
});
await guard.close();
