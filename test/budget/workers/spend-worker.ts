/**
 * One process of a shared budget: records `count` responses of 1M gpt-4o prompt tokens ($2.50
 * each) against a $20 budget shared through Redis, and prints the alerts it fired and the spend.
 */
import { Redis } from 'ioredis';
import { createBudget } from '../../../src/budget/budget.js';
import type { RedisLike } from '../../../src/stores/redis.js';

const [url, prefix, countText] = process.argv.slice(2);
const client = new Redis(url as string, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
await new Promise((resolve) => client.once('ready', resolve));
const store = { ready: Promise.resolve(), redisClient: () => client as unknown as RedisLike };
const alerts: number[] = [];
const budget = createBudget({
  monthlyUsd: 20,
  alertAt: [0.5, 0.8],
  onExhausted: 'refuse',
  redis: store,
  keyPrefix: prefix as string,
  deployments: {},
  emit: (event) => alerts.push(event.threshold),
});
// Let the start-up read of the shared total land first.
await budget.close();
for (let index = 0; index < Number(countText); index += 1) {
  budget.record('gpt-4o', { prompt_tokens: 1_000_000, completion_tokens: 0 });
  await budget.close();
}
process.stdout.write(JSON.stringify({ alerts, spentUsd: budget.snapshot().spentUsd }));
await client.quit();
