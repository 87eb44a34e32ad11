/**
 * The plainest OpenAI-compatible server, in its own process, for the overhead section: every POST
 * gets the same chat completion at once, with no `x-ratelimit-*` headers — as local model servers
 * and many relays answer. Prints the base URL, then serves until told `{"op":"close"}` on stdin.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { chatCompletion } from '../src/testing/index.js';

// The testing kit's chat completion, serialized once: every answer is the same bytes.
const { json } = chatCompletion({ content: 'Paris.', usage: { promptTokens: 31, completionTokens: 2 } }) as {
  json: unknown;
};
const answer = JSON.stringify(json);

const server = createServer((request, response) => {
  // The request is read to its end before answering, as a real server would.
  request.resume();
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_plain' });
    response.end(answer);
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;
process.stdout.write(`${JSON.stringify({ baseURL: `http://127.0.0.1:${port}/v1` })}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  if ((JSON.parse(line) as { op?: string }).op === 'close') break;
}
server.closeAllConnections();
server.close();
process.exit(0);
