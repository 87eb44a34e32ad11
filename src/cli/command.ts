/** A CLI command: a one-line summary for the top-level help, and a runner that returns the exit code. */
export interface Command {
  readonly summary: string;
  run(argv: readonly string[]): Promise<number>;
}
