/**
 * The simulator's HTTP layer: a `node:http` server bound to 127.0.0.1 that reads each request's
 * body (bounded), hands it to the pipeline with a `Reply`, tracks open sockets, and on `close()`
 * destroys them all — hanging calls included — so that tests end cleanly.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** One request, read whole. */
export interface IncomingCall {
  readonly method: string;
  /** The path without query string or trailing slash, e.g. `/v1/chat/completions`. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The body as text; `undefined` when it was larger than the server accepts (answered as unparsable). */
  readonly body: string | undefined;
}

/** Handles one call; must not throw (the server answers 500 if it does). */
export type CallHandler = (call: IncomingCall, reply: Reply) => Promise<void>;

// Far above any real request; a bound so that one body cannot take the process's memory.
const MAX_BODY_BYTES = 32 * 1_048_576;

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The answer side of one call: sends once, and knows when the client has gone. */
export class Reply {
  readonly #response: ServerResponse;
  #gone = false;

  constructor(response: ServerResponse) {
    this.#response = response;
    response.on('close', () => {
      this.#gone = true;
    });
    // A write to a socket the client closed must not become an unhandled error.
    response.on('error', () => {
      this.#gone = true;
    });
  }

  /** Nothing sent yet and the client still there. */
  get open(): boolean {
    return !this.#gone && !this.#response.headersSent;
  }

  /** Sends a whole answer. */
  send(status: number, headers: Readonly<Record<string, string>>, body: string): void {
    if (!this.open) return;
    this.#response.writeHead(status, headers);
    this.#response.end(body);
  }

  /** Sends a stream of SSE frames, `gapMs` apart; stops when the client goes. */
  async stream(
    status: number,
    headers: Readonly<Record<string, string>>,
    frames: readonly string[],
    gapMs: number,
  ): Promise<void> {
    if (!this.open) return;
    const response = this.#response;
    response.writeHead(status, headers);
    if (gapMs <= 0) {
      // One write: the frames still arrive as separate events, and the hot path stays cheap.
      response.end(frames.join(''));
      return;
    }
    for (const frame of frames) {
      if (this.#gone) return;
      response.write(frame);
      await wait(gapMs);
    }
    if (!this.#gone) response.end();
  }

  /**
   * Sends the headers (announcing `declaredLength` bytes when given) and `partial`, then destroys
   * the connection: the client sees the answer start and the socket close mid-body.
   */
  cutOff(
    status: number,
    headers: Readonly<Record<string, string>>,
    partial: string,
    declaredLength?: number,
  ): void {
    if (!this.open) return;
    const response = this.#response;
    response.writeHead(status, {
      ...headers,
      ...(declaredLength === undefined ? {} : { 'content-length': String(declaredLength) }),
    });
    response.write(partial, () => {
      // After the partial body reached the socket: give the client a moment to read it, then close.
      setTimeout(() => response.socket?.destroy(), 5);
    });
  }
}

/** Reads a body, up to `MAX_BODY_BYTES`; `undefined` when it is larger. */
function readBody(request: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
    });
    request.on('end', () =>
      resolve(
        tooLarge
          ? undefined
          : chunks.length === 1
            ? (chunks[0] as Buffer).toString('utf8')
            : Buffer.concat(chunks).toString('utf8'),
      ),
    );
    request.on('error', reject);
  });
}

function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const query = raw.indexOf('?');
  const path = query === -1 ? raw : raw.slice(0, query);
  return path.length > 1 && path.endsWith('/') ? path.replace(/\/+$/, '') : path;
}

/** A listening server. */
export interface RunningServer {
  readonly port: number;
  /** Stops listening and destroys every open connection. */
  close(): Promise<void>;
}

/** Starts the server on 127.0.0.1. */
export async function startServer(
  port: number,
  handler: CallHandler,
  onError: (reply: Reply) => void,
): Promise<RunningServer> {
  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    const reply = new Reply(response);
    readBody(request)
      .then((body) =>
        handler(
          { method: request.method ?? 'GET', path: pathOf(request.url), headers: request.headers, body },
          reply,
        ),
      )
      .catch(() => {
        // A client that went away mid-request, or a bug: never take the server down.
        if (reply.open) onError(reply);
        else response.destroy();
      });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  let closing: Promise<void> | undefined;
  return {
    port: typeof address === 'object' && address !== null ? address.port : port,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
