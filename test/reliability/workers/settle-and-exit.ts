/**
 * Runs a set of faults through a guard and then simply returns: the test checks that the process
 * exits by itself (no stray timer or socket keeps it alive) and that nothing was left unhandled.
 */
import OpenAI from 'openai';
import { createGuard } from '../../../src/guard/create-guard.js';
import { createSimulator } from '../../../src/testing/simulator/simulator.js';

let unhandled = 0;
process.on('unhandledRejection', () => {
  unhandled += 1;
});
const sim = await createSimulator({
  tier: 'tier-1',
  seed: 5,
  faults: [
    { fault: 'server-error', rate: 0.3 },
    { fault: 'relay-html', count: 2 },
    { fault: 'reset', count: 1 },
  ],
});
const guard = createGuard({ tier: 'tier-1', retry: { maxAttempts: 3, maxElapsedMs: 2_000 } });
const client = guard.wrap(new OpenAI({ apiKey: 'sk-test', baseURL: sim.baseURL, timeout: 2_000 }));
const controller = new AbortController();
const calls = Array.from({ length: 12 }, (_, index) =>
  client.chat.completions.create(
    { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `call ${index}` }], max_tokens: 5 },
    index === 11 ? { signal: controller.signal } : {},
  ),
);
controller.abort();
const results = await Promise.allSettled(calls);
await guard.close();
await sim.close();
process.stdout.write(
  JSON.stringify({
    settled: results.length,
    fulfilled: results.filter((result) => result.status === 'fulfilled').length,
    unhandled,
    waiting: guard.stats().waiting,
    inFlight: guard.stats().inFlight,
  }),
);
