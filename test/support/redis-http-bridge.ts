/**
 * A loopback HTTP server that speaks Redis's REST protocol as Upstash serves it, forwarding every
 * command to a real redis-server: the HTTP store is tested against Redis itself, not a mock.
 *
 * What it speaks (what `@upstash/redis` sends, read in its `HttpClient` and `Pipeline`, and the
 * REST API's documentation):
 * - `POST /` with a JSON array `["EVALSHA", sha, 1, key, …]` → `200 {"result": …}`, or
 *   `400 {"error": "NOSCRIPT …"}` when Redis answers with an error;
 * - `POST /pipeline` with an array of commands → `200 [{"result": …} | {"error": …}, …]`, in order,
 *   not atomic; `POST /multi-exec` likewise, as one MULTI/EXEC transaction;
 * - a command in the path (`GET /get/foo`), as in the documentation's curl examples;
 * - `Authorization: Bearer <token>` (or `?_token=`), else `401 {"error": "Unauthorized"}`;
 * - `Upstash-Encoding: base64`: every string of a result base64-encoded, except a plain `"OK"`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';

/** Options of the bridge. */
export interface RedisHttpBridgeOptions {
  /** `redis://127.0.0.1:PORT` of the Redis it forwards to. */
  readonly redisUrl: string;
  /** The bearer token it accepts. @default a random one */
  readonly token?: string;
  /** The loopback port to listen on. @default a free one */
  readonly port?: number;
}

/** What the bridge answered so far. */
export interface BridgeCounts {
  /** HTTP requests answered (any status). */
  requests: number;
  /** Redis commands forwarded (a pipeline of three counts three). */
  commands: number;
}

/** A running bridge. */
export interface RedisHttpBridge {
  /** `http://127.0.0.1:PORT`, the REST URL to give the client. */
  readonly url: string;
  readonly token: string;
  readonly counts: BridgeCounts;
  /** Stops listening and drops open connections (clients get "connection refused"); Redis stays up. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  /** Stops and quits its Redis connection. */
  close(): Promise<void>;
}

type Command = readonly (string | number | boolean)[];
type Reply = { result: unknown } | { error: string };

function isCommand(value: unknown): value is Command {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((part) => typeof part === 'string' || typeof part === 'number' || typeof part === 'boolean')
  );
}

/** Every string of a reply base64-encoded, as Upstash does when asked (`"OK"` stays as it is). */
function encodeBase64(value: unknown): unknown {
  if (typeof value === 'string')
    return value === 'OK' ? value : Buffer.from(value, 'utf8').toString('base64');
  if (Array.isArray(value)) return value.map(encodeBase64);
  return value;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** Starts a bridge to the Redis at `options.redisUrl` on 127.0.0.1. */
export async function startRedisHttpBridge(options: RedisHttpBridgeOptions): Promise<RedisHttpBridge> {
  const token = options.token ?? `bridge-${Math.random().toString(36).slice(2, 14)}`;
  // RESP2 replies: the shapes Upstash's JSON carries (flat arrays, doubles as strings).
  const redis = new Redis(options.redisUrl, { protocol: 2, maxRetriesPerRequest: 1 });
  const counts: BridgeCounts = { requests: 0, commands: 0 };

  const forward = async (command: Command): Promise<Reply> => {
    counts.commands += 1;
    const [name, ...args] = command.map(String) as [string, ...string[]];
    try {
      return { result: await redis.call(name, args) };
    } catch (error) {
      return { error: messageOf(error) };
    }
  };

  const transaction = async (commands: readonly Command[]): Promise<Reply[]> => {
    counts.commands += commands.length;
    const multi = redis.multi();
    for (const command of commands) {
      const [name, ...args] = command.map(String) as [string, ...string[]];
      multi.call(name, args);
    }
    const results = await multi.exec();
    if (results === null) throw new Error('EXECABORT the transaction was discarded');
    return results.map(([error, result]) => (error === null ? { result } : { error: error.message }));
  };

  const answer = (response: ServerResponse, status: number, body: unknown): void => {
    counts.requests += 1;
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://bridge');
    const bearer = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if ((bearer ?? url.searchParams.get('_token')) !== token) {
      request.resume();
      return answer(response, 401, { error: 'Unauthorized' });
    }
    if (request.method !== 'POST' && request.method !== 'GET') {
      request.resume();
      return answer(response, 405, { error: `method ${request.method ?? ''} not allowed` });
    }
    const text = await readBody(request);
    const base64 = String(request.headers['upstash-encoding'] ?? '').toLowerCase() === 'base64';
    const encode = (reply: Reply): Reply =>
      'result' in reply && base64 ? { result: encodeBase64(reply.result) } : reply;
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = text;
    }
    if (url.pathname === '/pipeline' || url.pathname === '/multi-exec') {
      if (!Array.isArray(body) || !body.every(isCommand))
        return answer(response, 400, { error: 'ERR a pipeline is an array of commands' });
      const replies =
        url.pathname === '/pipeline'
          ? await Promise.all(body.map(forward))
          : await transaction(body).catch((error: unknown) => [{ error: messageOf(error) }]);
      return answer(response, 200, replies.map(encode));
    }
    const inPath = url.pathname
      .split('/')
      .filter((part) => part !== '')
      .map(decodeURIComponent);
    // A command in the path; a POSTed body is its last argument (the documented `set/foo` + value).
    const command = inPath.length > 0 ? [...inPath, ...(text === '' ? [] : [text])] : body;
    if (!isCommand(command))
      return answer(response, 400, { error: 'ERR a command is a non-empty JSON array' });
    const reply = await forward(command);
    return answer(response, 'error' in reply ? 400 : 200, encode(reply));
  };

  let server: Server | undefined;
  let port = options.port ?? 0;
  const start = async (): Promise<void> => {
    if (server !== undefined) return;
    const listening = createServer((request, response) => {
      handle(request, response).catch((error: unknown) => answer(response, 500, { error: messageOf(error) }));
    });
    await new Promise<void>((resolve, reject) => {
      listening.once('error', reject);
      listening.listen(port, '127.0.0.1', () => resolve());
    });
    port = (listening.address() as AddressInfo).port;
    server = listening;
  };
  const stop = async (): Promise<void> => {
    const listening = server;
    if (listening === undefined) return;
    server = undefined;
    listening.closeAllConnections();
    await new Promise<void>((resolve) => listening.close(() => resolve()));
  };
  await start();
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    counts,
    stop,
    start,
    async close() {
      await stop();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
