/**
 * A simulator in a child process, driven over stdin/stdout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import type { SimulatorOptions, SimulatorStats } from '../src/testing/index.js';

/** A simulator running in its own process. */
export interface RemoteSimulator {
  readonly baseURL: string;
  stats(): Promise<SimulatorStats>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

const root = new URL('../', import.meta.url).pathname;

/** Starts `bench/sim-server.ts` with `options` and waits for its URL. */
export async function startRemoteSimulator(options: SimulatorOptions): Promise<RemoteSimulator> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'bench/sim-server.ts', JSON.stringify(options)],
    { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines: Interface = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const pending: ((line: string) => void)[] = [];
  lines.on('line', (line) => pending.shift()?.(line));
  const next = (): Promise<string> => new Promise((resolve) => pending.push(resolve));
  const first = JSON.parse(await next()) as { baseURL: string };
  const ask = async (command: object): Promise<string> => {
    const answer = next();
    child.stdin?.write(`${JSON.stringify(command)}\n`);
    return answer;
  };
  return {
    baseURL: first.baseURL,
    stats: async () => JSON.parse(await ask({ op: 'stats' })) as SimulatorStats,
    reset: async () => {
      await ask({ op: 'reset' });
    },
    close: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin?.write(`${JSON.stringify({ op: 'close' })}\n`);
      await exited;
    },
  };
}
