#!/usr/bin/env node
/**
 * The `tierguard` command: a small dispatcher over the commands in this folder.
 */
import type { Command } from './command.js';
import { doctor } from './doctor.js';
import { explain } from './explain.js';
import { simulate } from './simulate.js';
import { tiers } from './tiers.js';

const COMMANDS: Readonly<Record<string, Command>> = { doctor, explain, tiers, simulate };

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  return [
    'Usage: tierguard <command> [options]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`),
    '',
    'Run `tierguard <command> --help` for a command’s options.',
  ].join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(`${help()}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    process.stderr.write(`tierguard: unknown command ${JSON.stringify(name)}\n\n${help()}\n`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    // Argument errors from parseArgs name the option; anything else is a bug worth showing.
    process.stderr.write(`tierguard ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
