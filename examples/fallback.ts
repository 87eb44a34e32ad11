/**
 * Fallback by cause: a model the account cannot reach falls back to a cheaper one; a quota error
 * falls back only to another endpoint (a cheaper model on the same account fails the same way).
 *
 *   npx tsx examples/fallback.ts
 */
import OpenAI from 'openai';
import { diagnose, guard } from '../src/index.js';
import { createSimulator } from '../src/testing/index.js';

// The main account: a free-tier key, which cannot use gpt-4o.
const main = await createSimulator({ tier: 'free' });
// A second endpoint (another account, Azure, a relay) with credit and a higher tier.
const backup = await createSimulator({ tier: 'tier-2' });

const client = guard(new OpenAI({ apiKey: 'sk-example-main', baseURL: main.baseURL }), {
  tier: 'auto',
  fallback: {
    'gpt-4o': ['gpt-4o-mini'],
    'gpt-4o-mini': [{ model: 'gpt-4o-mini', baseURL: backup.baseURL, apiKey: 'sk-example-backup' }],
  },
  onEvent: (event) => {
    if (event.type === 'fallback')
      console.log(
        `  fallback: ${event.from} → ${event.to} (${event.cause}${event.endpoint === undefined ? '' : `, at ${event.endpoint}`})`,
      );
  },
});

console.log('1. gpt-4o on a free-tier account');
const { data, response } = await client.chat.completions
  .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], max_tokens: 10 })
  .withResponse();
console.log(`  served by ${response.headers.get('x-tierguard-model')} (body model ${data.model})`);

console.log('2. the main account runs out of credit');
main.setAccount({ creditUsd: 0 });
const second = await client.chat.completions
  .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 10 })
  .withResponse();
console.log(`  served by ${second.response.headers.get('x-tierguard-model')} at the backup endpoint`);

console.log('3. both out of credit: the final error, with every attempt');
backup.setAccount({ creditUsd: 0 });
const error = await client.chat.completions
  .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 10 })
  .catch((caught: unknown) => caught);
const diagnosis = diagnose(error);
console.log(
  `  ${diagnosis.cause}: ${diagnosis.attempts?.map((attempt) => `${attempt.model}@${attempt.baseURL ?? 'main'} → ${attempt.cause}`).join(', ')}`,
);
await main.close();
await backup.close();
