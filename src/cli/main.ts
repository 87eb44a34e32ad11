#!/usr/bin/env node
/**
 * The `tierguard` command: the dispatcher on the process's own arguments and terminal.
 */
import { runCli } from './dispatch.js';
import { processIO } from './io.js';

let finished = false;
void runCli(process.argv.slice(2), processIO()).then((code) => {
  finished = true;
  process.exitCode = code;
});

// Nothing left to wait for, yet the command has not finished: a promise that can never settle
// (a lost request). Say so and fail, rather than exit 0 having printed nothing.
process.once('beforeExit', () => {
  if (finished) return;
  process.stderr.write('tierguard: stopped before finishing (a request neither answered nor failed)\n');
  process.exitCode = 70;
});
