/**
 * One process of a shared budget: spends `count` answers of 1M gpt-4o prompt tokens ($2.50 each)
 * against a $20 budget shared through Redis (each reserved, then committed from its usage), and
 * prints the alerts it fired and the spend.
 */
import { Redis } from 'ioredis';
import { createBudget } from '../../../src/budget/budget.js';
import { ScriptRunner } from '../../../src/stores/script-runner.js';
import { estimateRequest } from '../../../src/tokens/estimate.js';

const [url, prefix, countText] = process.argv.slice(2);
const client = new Redis(url as string, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
await new Promise((resolve) => client.once('ready', resolve));
const runner = new ScriptRunner(async () => ({
  scriptSha: (script) => client.script('LOAD', script).then(String),
  evalsha: (sha, keys, args) => client.evalsha(sha, keys.length, ...keys, ...args),
  eval: (script, keys, args) => client.eval(script, keys.length, ...keys, ...args),
}));
const alerts: number[] = [];
const budget = createBudget({
  monthlyUsd: 20,
  alertAt: [0.5, 0.8],
  onExhausted: 'refuse',
  clampOutput: false,
  minOutputTokens: 256,
  shared: { ready: Promise.resolve(), scripts: () => runner, share: () => 0.5 },
  keyPrefix: prefix as string,
  deployments: {},
  emit: (event) => {
    if (event.type === 'budget-alert') alerts.push(event.threshold);
  },
});
const body = { model: 'gpt-4o', messages: [{ role: 'user', content: 'a' }], max_tokens: 1 };
for (let index = 0; index < Number(countText); index += 1) {
  const decision = await budget.reserve(
    {
      model: 'gpt-4o',
      endpoint: 'chat',
      body,
      estimate: estimateRequest('chat', body, 'gpt-4o'),
      baseURL: 'https://api.openai.com/v1',
    },
    false,
  );
  if (decision.kind !== 'reserved') throw new Error(decision.message);
  decision.reservation.commit({ prompt_tokens: 1_000_000, completion_tokens: 0 }, 'default');
  await budget.close();
}
process.stdout.write(JSON.stringify({ alerts, spentUsd: budget.snapshot().spentUsd }));
await client.quit();
