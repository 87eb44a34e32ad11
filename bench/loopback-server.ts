/**
 * A loopback OpenAI-compatible server in the bench's own process: every POST is read to its end,
 * then answered with the same chat completion (the testing kit's, serialized once) and the given
 * headers, at once or after `latencyMs`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chatCompletion } from '../src/testing/index.js';

/** What the server answers. */
export interface LoopbackAnswer {
  readonly content: string;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly headers: Readonly<Record<string, string>>;
  /** How long each answer waits, ms. @default 0 */
  readonly latencyMs?: number;
}

/** Starts the server on a free port of 127.0.0.1; `baseURL` ends in `/v1`. */
export async function startLoopbackServer(
  answer: LoopbackAnswer,
): Promise<{ server: Server; baseURL: string }> {
  const { json } = chatCompletion({
    content: answer.content,
    usage: { promptTokens: answer.promptTokens, completionTokens: answer.completionTokens },
  }) as { json: unknown };
  const body = JSON.stringify(json);
  const latencyMs = answer.latencyMs ?? 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const send = (): void => {
        response.writeHead(200, answer.headers);
        response.end(body);
      };
      if (latencyMs > 0) setTimeout(send, latencyMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1` };
}
