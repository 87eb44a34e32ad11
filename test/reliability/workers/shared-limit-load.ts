/**
 * One of several processes that share a limit through Redis: for `durationMs`, sends calls through
 * a guard as fast as the shared limit lets it (a transport that answers at once), and prints when
 * each left (epoch ms) and the store events it saw.
 */
import OpenAI from 'openai';
import { createGuard } from '../../../src/guard/create-guard.js';

const [url, prefix, durationText, capacityText, windowText] = process.argv.slice(2);
const durationMs = Number(durationText);
const sent: number[] = [];
const events: string[] = [];
const transport: typeof globalThis.fetch = async () => {
  sent.push(Date.now());
  return new Response(
    JSON.stringify({ id: 'x', object: 'chat.completion', model: 'gpt-4o-mini', choices: [] }),
    {
      headers: { 'content-type': 'application/json' },
    },
  );
};
const guard = createGuard({
  redis: url as string,
  keyPrefix: prefix as string,
  limits: { '*': { requests: Number(capacityText), windowMs: Number(windowText) } },
  onEvent: (event) => {
    if (event.type === 'store-degraded' || event.type === 'store-restored') events.push(event.type);
  },
});
const client = guard.wrap(
  new OpenAI({ apiKey: 'sk-test', baseURL: 'http://shared.test/v1', fetch: transport }),
);
const end = Date.now() + durationMs;
await Promise.all(
  Array.from({ length: 4 }, async () => {
    while (Date.now() < end) {
      await client.chat.completions
        .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 })
        .catch(() => undefined);
    }
  }),
);
process.stdout.write(JSON.stringify({ sent, events }));
await guard.close();
