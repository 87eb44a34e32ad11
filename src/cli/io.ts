/**
 * The process's terminal as a `CommandIO`: stdout and stderr with every secret masked and no
 * control sequence but the CLI's colours, stdin read up to a cap.
 */
import type { CommandIO } from './command.js';
import { styleFor, terminalText } from './output.js';
import { environmentSecrets, redact } from './redact.js';

/** Stdin is read up to this many bytes; the rest of a larger paste is not read. */
export const STDIN_MAX_BYTES = 4 * 1024 * 1024;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buffer = chunk as Buffer;
    chunks.push(buffer);
    size += buffer.length;
    if (size >= STDIN_MAX_BYTES) break;
  }
  return Buffer.concat(chunks).subarray(0, STDIN_MAX_BYTES).toString('utf8');
}

/** The process's stdio and environment, as commands see them. */
export function processIO(): CommandIO {
  const env = process.env;
  const secrets = environmentSecrets(env);
  return {
    out: (text) => void process.stdout.write(redact(terminalText(text), secrets)),
    err: (text) => void process.stderr.write(redact(terminalText(text), secrets)),
    readStdin,
    env,
    style: styleFor(process.stdout, env),
    ...(process.stdout.isTTY && process.stdout.columns > 0 ? { columns: process.stdout.columns } : {}),
  };
}
