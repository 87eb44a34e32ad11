import type { Style } from './output.js';

/**
 * What a command reads and writes. Everything written goes through `out` or `err`, which mask
 * every API key (in any spelling) before it reaches the terminal; tests pass their own.
 */
export interface CommandIO {
  /** Writes to stdout, secrets masked. */
  out(text: string): void;
  /** Writes to stderr, secrets masked. */
  err(text: string): void;
  /** The whole of stdin, up to a cap (a paste larger than that is cut). */
  readStdin(): Promise<string>;
  /** The environment the command runs in. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Styles for stdout (no-ops when it is not a colour terminal). */
  readonly style: Style;
  /** Terminal width of stdout, when it is a terminal. */
  readonly columns?: number;
}

/** A CLI command: a one-line summary for the top-level help, and a runner that returns the exit code. */
export interface Command {
  readonly summary: string;
  run(argv: readonly string[], io: CommandIO): Promise<number>;
}
