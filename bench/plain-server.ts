/**
 * The plainest OpenAI-compatible server, in its own process, for the overhead section: every POST
 * gets the same chat completion at once, with no `x-ratelimit-*` headers — as local model servers
 * and many relays answer. Prints the base URL, then serves until told `{"op":"close"}` on stdin.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';

const answer = JSON.stringify({
  id: 'chatcmpl-plain',
  object: 'chat.completion',
  created: 1_763_856_000,
  model: 'gpt-4o-mini-2024-07-18',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'Paris.', refusal: null },
      logprobs: null,
      finish_reason: 'stop',
    },
  ],
  usage: { prompt_tokens: 31, completion_tokens: 2, total_tokens: 33 },
});

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
