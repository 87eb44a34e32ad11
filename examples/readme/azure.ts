import { AzureOpenAI } from 'openai';
import { createGuard } from 'tierguard';

// The deployment's model gives its limits and prices: name it once.
const guard = createGuard({ deployments: { 'prod-4o': 'gpt-4o' } });
// Endpoint and key from AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_API_KEY, as without the guard.
const client = guard.wrap(new AzureOpenAI({ deployment: 'prod-4o', apiVersion: '2024-10-21' }));

const answer = await client.chat.completions.create({
  model: 'gpt-4o', // Azure serves the deployment's model whatever the body says
  messages: [{ role: 'user', content: 'One sentence about rivers.' }],
});
console.log(answer.choices[0]?.message.content);
console.log('paced as', guard.stats().limits[0]?.family); // deployment:prod-4o, at gpt-4o's limits
await guard.close();
