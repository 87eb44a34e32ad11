#!/usr/bin/env node
// Entry point of the `tierguard` command. Commands are added by their own modules.
process.stderr.write('tierguard: no commands yet\n');
process.exitCode = 1;
