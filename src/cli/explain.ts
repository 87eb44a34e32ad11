/**
 * `tierguard explain`: the diagnosis of a pasted error — a JSON body, the SDK's message, a Python
 * traceback or `curl -i` output — from an argument or stdin.
 */
import { parseArgs } from 'node:util';
import { diagnose } from '../diagnose/diagnose.js';
import type { Locale } from '../diagnose/types.js';
import type { Command } from './command.js';
import { parseLocale } from './options.js';
import { wrapLines } from './layout.js';
import { formatDiagnosis } from './output.js';
import { diagnoseInput, readPaste, type PastedError } from './paste.js';

const HELP = `Usage: tierguard explain [options] ['<pasted error>']

Diagnoses a pasted OpenAI error, as you copied it:
  - a Python traceback (openai.RateLimitError: Error code: 429 - {'error': {...}})
  - curl output: curl -i or curl -v (status line, headers, body), or curl -s (the JSON body)
  - the JSON body ({"error": {...}}), the SDK's message ("429 You exceeded your current quota…"),
    or a log line
Without an argument (or with -), reads the error from stdin.

Options:
  --locale <en|zh-CN>  language of the hint (default: en)
  --status <code>      the HTTP status, when the pasted text has none
  --model <name>       the model the request asked for, when the error does not name it
  --json               print the diagnosis as JSON
  -v, --version        print the version
  -h, --help           show this help

Examples:
  tierguard explain '{"error":{"message":"You exceeded your current quota…","type":"insufficient_quota","code":"insufficient_quota"}}' --status 429
  python app.py 2>&1 | tierguard explain
  curl -si https://api.openai.com/v1/models -H "Authorization: Bearer $OPENAI_API_KEY" | tierguard explain
  pbpaste | tierguard explain --locale zh-CN`;

const READ_AS: Readonly<Record<Locale, (pasted: PastedError) => string | undefined>> = {
  en: (pasted) => {
    const cut = pasted.cut ? ' (a long paste: its middle was skipped)' : '';
    if (pasted.source === 'curl') return `read as curl output: ${pasted.label ?? ''}${cut}`;
    if (pasted.source === 'python') return `read as a Python traceback: ${pasted.label ?? ''}${cut}`;
    return pasted.cut ? `read the start and the end of a long paste` : undefined;
  },
  'zh-CN': (pasted) => {
    const cut = pasted.cut ? '（内容过长：已跳过中间部分）' : '';
    if (pasted.source === 'curl') return `按 curl 输出读取：${pasted.label ?? ''}${cut}`;
    if (pasted.source === 'python') return `按 Python 回溯读取：${pasted.label ?? ''}${cut}`;
    return pasted.cut ? '内容过长：只读取了开头和结尾' : undefined;
  },
};

/** The `explain` command. */
export const explain: Command = {
  summary: 'diagnose a pasted error (JSON body, message, Python traceback, curl output)',
  async run(argv, io) {
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
      io.out(`${HELP}\n`);
      return 0;
    }
    const locale = parseLocale('explain', values.locale, io);
    if (locale === undefined) return 2;
    const text =
      positionals.length === 0 || (positionals.length === 1 && positionals[0] === '-')
        ? await io.readStdin()
        : positionals.join(' ');
    if (text.trim() === '') {
      io.err(`tierguard explain: nothing to explain.\n\n${HELP}\n`);
      return 2;
    }
    const status = values.status === undefined ? undefined : Number(values.status);
    if (status !== undefined && !(Number.isInteger(status) && status >= 100 && status <= 599)) {
      io.err(
        `tierguard explain: --status must be an HTTP status code, got ${JSON.stringify(values.status)}\n`,
      );
      return 2;
    }
    const pasted = readPaste(text);
    const diagnosis = diagnose(diagnoseInput(pasted, status), {
      locale,
      ...(values.model === undefined || values.model === '' ? {} : { model: values.model }),
    });
    if (values.json) {
      io.out(`${JSON.stringify(diagnosis, null, 2)}\n`);
      return 0;
    }
    const readAs = READ_AS[locale](pasted);
    const block = `${readAs === undefined ? '' : `${io.style.dim(readAs)}\n\n`}${formatDiagnosis(diagnosis, locale, io.style)}`;
    io.out(`${wrapLines(block, io.columns)}\n`);
    return 0;
  },
};
