/**
 * A loopback HTTP server that records every request it gets (method, path, query, headers, raw
 * body) and answers each one with what a responder says, noting whether each answer went out whole
 * or was cut by the client going away. Tests compare what two clients put on the wire and what they
 * get back. It listens on 127.0.0.1 only, on a port the system picks.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

/** A request as it arrived. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  /** Query parameters in the order they were sent. */
  readonly query: readonly (readonly [string, string])[];
  /** Headers, lower-cased (repeated ones joined by Node). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/**
 * What the server answers: a body in one piece (sent with its `content-length`), or pieces written
 * one after another (an SSE stream, chunked).
 */
export interface Answer {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array | readonly string[];
  /** Send a body in one piece gzip-encoded (`content-encoding: gzip`), as the API's CDN does. */
  readonly gzip?: boolean;
  /** Wait this long before answering (real time: keep it short). */
  readonly delayMs?: number;
  /** Wait this long between the pieces of a body in pieces (real time: keep it short). */
  readonly pieceDelayMs?: number;
}

/** How an answer ended: written to its end, or cut (the client closed the connection first). */
export type Ending = 'whole' | 'cut';

/** Answers the `index`-th request since the last reset. */
export type Responder = (request: RecordedRequest, index: number) => Answer | Promise<Answer>;

export interface RecordingServer {
  /** `http://127.0.0.1:PORT` (no trailing slash). */
  readonly url: string;
  /** Requests since the last reset, in arrival order. */
  readonly requests: readonly RecordedRequest[];
  /** How the answer to each of those requests ended (unset while it is being written). */
  readonly endings: readonly (Ending | undefined)[];
  /** Resolves when every answer being written has ended. */
  settled(): Promise<void>;
  /** Forgets the requests and starts a fresh responder (its counters from zero). */
  reset(): void;
  close(): Promise<void>;
}

async function readRequest(request: IncomingMessage): Promise<RecordedRequest> {
  const pieces: Buffer[] = [];
  for await (const piece of request) pieces.push(piece as Buffer);
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers))
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return {
    method: request.method ?? 'GET',
    path: url.pathname,
    query: [...url.searchParams],
    headers,
    body: Buffer.concat(pieces),
  };
}

/** `whole` once `response` has been written to its end, `cut` if its connection closed first. */
async function ending(response: ServerResponse): Promise<Ending> {
  if (!response.writableFinished && !response.destroyed)
    await new Promise((resolve) => response.once('close', resolve));
  return response.writableFinished ? 'whole' : 'cut';
}

async function writeAnswer(response: ServerResponse, answer: Answer): Promise<Ending> {
  if (answer.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
  if (response.destroyed) return 'cut';
  const body = answer.body;
  if (!Array.isArray(body)) {
    const bytes = body === undefined ? Buffer.alloc(0) : Buffer.from(body as string | Uint8Array);
    const sent = answer.gzip === true ? gzipSync(bytes) : bytes;
    response.writeHead(answer.status ?? 200, {
      ...answer.headers,
      ...(answer.gzip === true ? { 'content-encoding': 'gzip' } : {}),
      'content-length': String(sent.length),
    });
    response.end(sent);
    return ending(response);
  }
  response.writeHead(answer.status ?? 200, { ...answer.headers });
  for (const [index, piece] of (body as readonly string[]).entries()) {
    if (index > 0 && answer.pieceDelayMs !== undefined)
      await new Promise((resolve) => setTimeout(resolve, answer.pieceDelayMs));
    if (response.destroyed) return 'cut';
    response.write(piece);
    // A turn between pieces: the client reads the stream as it arrives.
    await new Promise((resolve) => setImmediate(resolve));
  }
  response.end();
  return ending(response);
}

/** Starts a recording server; `createResponder` is called now and on every `reset()`. */
export async function startRecordingServer(createResponder: () => Responder): Promise<RecordingServer> {
  let requests: RecordedRequest[] = [];
  let endings: (Ending | undefined)[] = [];
  const writing = new Set<Promise<void>>();
  let respond = createResponder();
  const server = createServer((request, response) => {
    // The answers carry no Date header: two runs a second apart answer alike.
    response.sendDate = false;
    const written = (async () => {
      let noted = endings;
      let index: number | undefined;
      try {
        const recorded = await readRequest(request);
        // An answer still being written after a reset is noted in its own run's endings.
        noted = endings;
        index = requests.length;
        requests.push(recorded);
        noted[index] = await writeAnswer(response, await respond(recorded, index));
      } catch (error) {
        response.destroy(error instanceof Error ? error : new Error(String(error)));
        if (index !== undefined) noted[index] = 'cut';
      }
    })();
    writing.add(written);
    void written.finally(() => writing.delete(written));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    get endings() {
      return endings;
    },
    async settled() {
      while (writing.size > 0) await Promise.all(writing);
    },
    reset() {
      requests = [];
      endings = [];
      respond = createResponder();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}
