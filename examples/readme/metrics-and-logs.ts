import { metrics } from '@opentelemetry/api';
import OpenAI from 'openai';
import pino from 'pino';
import { createGuard } from 'tierguard';

const guard = createGuard({
  meter: metrics.getMeter('tierguard'), // or `metrics: true`
  logger: pino(), // or console; any logger openai-node's `logger` option takes
  logLevel: 'info', // retries, fallbacks, store changes; 'warn' (the default): calls that failed for good
});
const client = guard.wrap(new OpenAI());

await client.chat.completions.create({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'One sentence about rivers.' }],
});
await guard.close(); // also unregisters the guard's gauges
