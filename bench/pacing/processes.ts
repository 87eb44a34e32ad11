/**
 * Every child process the pacing harness starts (servers, clients, redis-server) goes through here,
 * so that each is killed — by its own pid — when the harness ends, fails or is interrupted, and each
 * run is bounded in time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

const root = new URL('../../', import.meta.url).pathname;
const children = new Set<ChildProcess>();

/** Kills every child still running (SIGKILL: nothing of theirs is worth waiting for at this point). */
export function killChildren(): void {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
}

let hooked = false;
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', killChildren);
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      killChildren();
      process.exit(130);
    });
}

/** Adopts a child started elsewhere (redis-server), so that it is killed with the rest. */
export function track(child: ChildProcess): ChildProcess {
  hookExit();
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** A TypeScript script of the repository run with tsx, tracked. */
function spawnScript(script: string, args: readonly string[], stdin: 'pipe' | 'ignore'): ChildProcess {
  return track(
    spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: root,
      stdio: [stdin, 'pipe', 'inherit'],
    }),
  );
}

/** A server script driven over stdin/stdout: it prints one JSON line first, then answers commands. */
export interface ServerProcess {
  readonly first: Record<string, unknown>;
  /** Sends a command and resolves with the next line it prints. */
  ask(command: object): Promise<string>;
  /** Asks it to close, and kills it if it has not exited within 5 s. */
  close(): Promise<void>;
}

/** Starts a server script and waits (at most 30 s) for its first line. */
export async function startServerProcess(script: string, args: readonly string[]): Promise<ServerProcess> {
  const child = spawnScript(script, args, 'pipe');
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const next = (timeoutMs: number): Promise<string> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${script}: no answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      waiting.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
      void exited.then(() => reject(new Error(`${script} exited`)));
    });
  let first: Record<string, unknown>;
  try {
    first = JSON.parse(await next(30_000)) as Record<string, unknown>;
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    first,
    ask: (command) => {
      const answer = next(30_000);
      child.stdin?.write(`${JSON.stringify(command)}\n`);
      return answer;
    },
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin?.write(`${JSON.stringify({ op: 'close' })}\n`);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Runs a script to its end (killed after `timeoutMs`) and resolves with its last line of output. */
export async function runScript(script: string, args: readonly string[], timeoutMs: number): Promise<string> {
  const child = spawnScript(script, args, 'ignore');
  let output = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => (output += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  // 'close', not 'exit': the output is read to its end first.
  const code = await new Promise<number | null>((resolve) =>
    child.once('close', (exitCode) => resolve(exitCode)),
  );
  clearTimeout(timer);
  if (code !== 0) throw new Error(`${script} exited with ${code ?? 'a signal'} (timeout ${timeoutMs} ms)`);
  const last = output.trim().split('\n').at(-1);
  if (last === undefined || last === '') throw new Error(`${script} printed nothing`);
  return last;
}
