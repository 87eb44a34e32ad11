#!/usr/bin/env node
/**
 * The `tierguard` command: the dispatcher on the process's own arguments and terminal.
 */
import { runCli } from './dispatch.js';
import { processIO } from './io.js';

void runCli(process.argv.slice(2), processIO()).then((code) => {
  process.exitCode = code;
});
