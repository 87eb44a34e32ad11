/**
 * What the guard adds to a call with a large answer: `embeddings.create` with 2,048 inputs (the
 * API's most) of 1,536 floats each, about 39 MB of JSON, from a loopback server in the same
 * process. Bare and guarded calls alternate (2 of warm-up, then 6 pairs); medians of wall and CPU
 * time a call. Measures the built package (`npm run build` first). Not part of `npm run bench`:
 *
 *   node --import tsx bench/large-answer.ts [--inputs 2048]
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import OpenAI from 'openai';
import { built } from './built.js';
import { percentile } from './stats.js';

const { values } = parseArgs({ options: { inputs: { type: 'string', default: '2048' } } });
const inputs = Number(values.inputs);

const data = Array.from({ length: inputs }, (_, index) => ({
  object: 'embedding',
  index,
  embedding: Array.from({ length: 1_536 }, (_, at) => Number(Math.sin(index * 1_536 + at).toFixed(9))),
}));
const payload = Buffer.from(
  JSON.stringify({
    object: 'list',
    data,
    model: 'text-embedding-3-small',
    usage: { prompt_tokens: inputs * 2, total_tokens: inputs * 2 },
  }),
);
const server = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(payload);
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;

const bare = new OpenAI({ apiKey: 'sk-bench', baseURL, maxRetries: 0 });
const guard = built.createGuard({ tier: 'tier-5' });
const guarded = guard.wrap(new OpenAI({ apiKey: 'sk-bench', baseURL }));
const texts = Array.from({ length: inputs }, (_, index) => `text ${index}`);

/** One call: wall and CPU time, ms. */
async function call(client: OpenAI): Promise<{ wall: number; cpu: number }> {
  const startedAt = performance.now();
  const cpu = process.cpuUsage();
  await client.embeddings.create({ model: 'text-embedding-3-small', input: texts, encoding_format: 'float' });
  const used = process.cpuUsage(cpu);
  return { wall: performance.now() - startedAt, cpu: (used.user + used.system) / 1_000 };
}

for (let index = 0; index < 2; index += 1) {
  await call(bare);
  await call(guarded);
}
const runs = { bare: [] as { wall: number; cpu: number }[], guarded: [] as { wall: number; cpu: number }[] };
for (let index = 0; index < 6; index += 1) {
  runs.bare.push(await call(bare));
  runs.guarded.push(await call(guarded));
}
const median = (values: number[]): number => percentile(values, 0.5);
const row = (name: string, list: { wall: number; cpu: number }[]): string =>
  `| ${name} | ${median(list.map((run) => run.wall)).toFixed(1)} ms | ${median(list.map((run) => run.cpu)).toFixed(1)} ms |`;
console.log(`An embeddings answer of ${inputs} vectors, ${(payload.length / 1e6).toFixed(1)} MB:\n`);
console.log('| | time a call | CPU a call |\n|---|---|---|');
console.log(row('bare', runs.bare));
console.log(row('guarded', runs.guarded));
await guard.close();
server.close();
