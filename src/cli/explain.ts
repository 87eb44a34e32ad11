/**
 * `tierguard explain '<error json or message>'`: the diagnosis of a pasted error (also from stdin).
 */
import { parseArgs } from 'node:util';
import { diagnose } from '../diagnose/diagnose.js';
import type { Locale } from '../diagnose/types.js';
import type { Command } from './command.js';
import { formatDiagnosis, styleFor } from './output.js';

const HELP = `Usage: tierguard explain [options] ['<error json or message>']

Diagnoses a pasted OpenAI error: the JSON body ({"error": {...}}), the SDK's message
("429 You exceeded your current quota…"), or a log line. Without an argument (or with -),
reads the error from stdin.

Options:
  --locale <en|zh-CN>  language of the hint (default: en)
  --status <code>      the HTTP status, when the pasted text has none
  --model <name>       the model the request asked for, when the error does not name it
  --json               print the diagnosis as JSON
  -h, --help           show this help

Examples:
  tierguard explain '{"error":{"message":"You exceeded your current quota…","type":"insufficient_quota","code":"insufficient_quota"}}' --status 429
  pbpaste | tierguard explain --locale zh-CN`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The `explain` command. */
export const explain: Command = {
  summary: 'diagnose a pasted error (JSON body or message)',
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        locale: { type: 'string', default: 'en' },
        status: { type: 'string' },
        model: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      process.stdout.write(`${HELP}\n`);
      return 0;
    }
    if (values.locale !== 'en' && values.locale !== 'zh-CN') {
      process.stderr.write(
        `tierguard explain: --locale must be en or zh-CN, got ${JSON.stringify(values.locale)}\n`,
      );
      return 2;
    }
    const locale: Locale = values.locale;
    const text =
      positionals.length === 0 || positionals[0] === '-' ? await readStdin() : positionals.join(' ');
    if (text.trim() === '') {
      process.stderr.write(`tierguard explain: nothing to explain.\n\n${HELP}\n`);
      return 2;
    }
    const status = values.status === undefined ? undefined : Number(values.status);
    if (status !== undefined && !(Number.isInteger(status) && status >= 100 && status <= 599)) {
      process.stderr.write(
        `tierguard explain: --status must be an HTTP status code, got ${JSON.stringify(values.status)}\n`,
      );
      return 2;
    }
    let input: unknown = text;
    if (status !== undefined) {
      const trimmed = text.trim();
      // JSON is the answer's body; anything else (a message, an HTML page) reads as "<status> <text>",
      // the SDK's own message format, after any status the pasted line already had.
      input = trimmed.startsWith('{')
        ? { status, body: trimmed }
        : `${status} ${trimmed.replace(/^(?:[A-Za-z]*Error:\s*)?(?:\d{3}\s+)?/, '')}`;
    }
    const diagnosis = diagnose(input, {
      locale,
      ...(values.model === undefined || values.model === '' ? {} : { model: values.model }),
    });
    process.stdout.write(
      values.json
        ? `${JSON.stringify(diagnosis, null, 2)}\n`
        : `${formatDiagnosis(diagnosis, locale, styleFor(process.stdout))}\n`,
    );
    return 0;
  },
};
