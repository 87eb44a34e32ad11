/**
 * The REST bridge to a redis-server (test/support/redis-http-bridge.ts) in its own process, for the
 * stores section: the HTTP store's server side does not share the measured event loop, as
 * Upstash's does not. Accepts the token it is given; prints `{ baseURL }`, answers `{"op":"counts"}` on stdin with what it
 * forwarded, and stops on `{"op":"close"}`.
 *
 *   node --import tsx bench/redis-bridge-server.ts redis://127.0.0.1:PORT TOKEN
 */
import { createInterface } from 'node:readline';
import { startRedisHttpBridge } from '../test/support/redis-http-bridge.js';

const [redisUrl, token] = process.argv.slice(2);
const bridge = await startRedisHttpBridge({
  redisUrl: redisUrl ?? 'redis://127.0.0.1:6379',
  ...(token === undefined ? {} : { token }),
});
process.stdout.write(`${JSON.stringify({ baseURL: bridge.url })}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  const command = JSON.parse(line) as { op?: string };
  if (command.op === 'counts') process.stdout.write(`${JSON.stringify(bridge.counts)}\n`);
  if (command.op === 'close') break;
}
await bridge.close();
process.exit(0);
