/**
 * Runs the built CLI (`dist/cli.cjs`) as a user would, and test servers on 127.0.0.1 that fail
 * the ways a network does.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';

export const root = new URL('../../', import.meta.url).pathname;
export const cli = `${root}dist/cli.cjs`;

/** Builds the CLI when it is missing (`npm test` builds first; a file run alone builds what it needs). */
export function ensureBuilt(): void {
  if (!existsSync(cli)) execFileSync('npx', ['tsup'], { cwd: root, stdio: 'ignore' });
}

/** What a run of the CLI printed, and its exit code. */
export interface CliResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

/** Runs `tierguard …args` with only PATH, NO_COLOR and `env` in its environment; `input` goes to stdin. */
export function tierguard(
  args: readonly string[],
  options: { env?: Record<string, string | undefined>; input?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [cli, ...args],
      {
        cwd: root,
        env: { PATH: process.env.PATH, NO_COLOR: '1', ...options.env },
        timeout: 60_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) =>
        resolve({ stdout, stderr, code: error === null ? 0 : ((error as { code?: number }).code ?? 1) }),
    );
    child.stdin?.end(options.input ?? '');
  });
}

/** A server on 127.0.0.1, closed by `close()`. */
export interface LocalServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

function listening(
  server: Server | ReturnType<typeof createNetServer>,
  scheme: string,
): Promise<LocalServer> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `${scheme}://127.0.0.1:${port}/v1`,
        port,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/** An HTTP server answering every request with `handler`. */
export function httpServer(handler: RequestListener): Promise<LocalServer> {
  return listening(createHttpServer(handler), 'http');
}

/** A TCP server that does `onSocket` with each connection (reset it, close it, or hold it). */
export function tcpServer(onSocket: (socket: Socket) => void, scheme = 'http'): Promise<LocalServer> {
  return listening(createNetServer(onSocket), scheme);
}

/** A port on 127.0.0.1 that nothing listens on (bound, then closed). */
export async function closedPort(): Promise<number> {
  const server = await tcpServer(() => undefined);
  await server.close();
  return server.port;
}

/** The widest line of `text`, in display columns (CJK counts two). */
export { displayWidth } from '../../src/cli/output.js';
