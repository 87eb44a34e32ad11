/**
 * The independent token-bucket server in a process of its own (so that the measured client does not
 * share its event loop): options as one JSON argument, prints `{ "baseURL" }`, then answers commands
 * on stdin — `{"op":"arrivals"}` prints every arrival as JSON, `{"op":"close"}` stops it. It also
 * stops when its parent goes away (stdin closes).
 */
import { createInterface } from 'node:readline';
import { startTokenBucketServer, type TokenBucketServerOptions } from './token-bucket.js';

const options = JSON.parse(process.argv[2] ?? '{}') as TokenBucketServerOptions;
const server = await startTokenBucketServer(options);
process.stdout.write(`${JSON.stringify({ baseURL: server.baseURL })}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  const command = JSON.parse(line) as { op?: string };
  if (command.op === 'arrivals') process.stdout.write(`${JSON.stringify(server.arrivals())}\n`);
  if (command.op === 'close') break;
}
await server.close();
process.exit(0);
