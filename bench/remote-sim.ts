/**
 * The benchmark's servers (the simulator, the Redis bridge) in child processes, driven over
 * stdin/stdout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import type { SimulatorOptions, SimulatorStats } from '../src/testing/index.js';

/** A simulator running in its own process. */
export interface RemoteSimulator extends RemoteServer {
  stats(): Promise<SimulatorStats>;
  reset(): Promise<void>;
}

const root = new URL('../', import.meta.url).pathname;

/** A server of the benchmark's own running in a child process: its URL, and how to stop it. */
export interface RemoteServer {
  readonly baseURL: string;
  close(): Promise<void>;
}

/** Starts `bench/sim-server.ts` with `options` and waits for its URL. */
export async function startRemoteSimulator(options: SimulatorOptions): Promise<RemoteSimulator> {
  const { baseURL, ask, close } = await startChild('bench/sim-server.ts', [JSON.stringify(options)]);
  return {
    baseURL,
    stats: async () => JSON.parse(await ask({ op: 'stats' })) as SimulatorStats,
    reset: async () => {
      await ask({ op: 'reset' });
    },
    close,
  };
}

/** Spawns a server script that prints `{ baseURL }` first, answers commands on stdin, and stops on `close`. */
export async function startChild(
  script: string,
  args: string[],
): Promise<RemoteServer & { ask(command: object): Promise<string> }> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines: Interface = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const pending: ((line: string) => void)[] = [];
  lines.on('line', (line) => pending.shift()?.(line));
  const next = (): Promise<string> => new Promise((resolve) => pending.push(resolve));
  const first = JSON.parse(await next()) as { baseURL: string };
  return {
    baseURL: first.baseURL,
    ask: async (command) => {
      const answer = next();
      child.stdin?.write(`${JSON.stringify(command)}\n`);
      return answer;
    },
    close: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin?.write(`${JSON.stringify({ op: 'close' })}\n`);
      await exited;
    },
  };
}
