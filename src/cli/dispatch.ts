/**
 * The `tierguard` dispatcher over the commands in this folder. `--version` (or `-v`) works on its
 * own and on every command.
 */
import type { Command, CommandIO } from './command.js';
import { doctor } from './doctor.js';
import { explain } from './explain.js';
import { simulate } from './simulate.js';
import { tiers } from './tiers.js';
import { VERSION, VERSION_FLAGS } from './version.js';

const COMMANDS: Readonly<Record<string, Command>> = { doctor, explain, tiers, simulate };

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  return [
    'Usage: tierguard <command> [options]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`),
    '',
    'Options:',
    '  -v, --version  print the version',
    '  -h, --help     show this help',
    '',
    'Run `tierguard <command> --help` for a command’s options.',
  ].join('\n');
}

/** Whether the arguments ask for the version (before any `--` that ends the options). */
function asksVersion(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((arg) => VERSION_FLAGS.includes(arg));
}

/** Runs the CLI on `argv` (without the node and script paths); returns the exit code. */
export async function runCli(argv: readonly string[], io: CommandIO): Promise<number> {
  const [name, ...rest] = argv;
  if (asksVersion(argv)) {
    io.out(`${VERSION}\n`);
    return 0;
  }
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    io.out(`${help()}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    io.err(`tierguard: unknown command ${JSON.stringify(name)}\n\n${help()}\n`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    // Argument errors from parseArgs name the option; anything else is a bug worth showing.
    io.err(`tierguard ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
}
