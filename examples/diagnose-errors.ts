/**
 * A service's error handling with tierguard's `diagnose`: wrap the call you already make in a
 * try/catch and log what went wrong and how to fix it. Runs with no key and no network: the
 * client's fetch answers from tierguard's fixtures (the API's real error bodies).
 *
 *   npx tsx examples/diagnose-errors.ts [--locale zh-CN]
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import OpenAI from 'openai';
import { describeDiagnosis, diagnose } from '../src/diagnose/diagnose.js';
import type { Diagnosis, Locale } from '../src/diagnose/types.js';
import { fixtures, type ErrorFixture } from '../src/testing/fixtures.js';
import { scriptedFetch } from '../src/testing/scripted-fetch.js';

const COLUMNS = 120;

/** What a service does today, plus one line in its `catch`: `diagnose(error)`. */
async function summarize(
  client: OpenAI,
  model: string,
  fixture: ErrorFixture,
  locale: Locale,
): Promise<Diagnosis | undefined> {
  try {
    if (fixture.stream === true && fixture.body.startsWith('event:')) {
      // A Responses stream: openai 6 yields a flat `error` event, openai 7.6+ throws it.
      const events = await client.responses.create({ model, input: 'Summarize this ticket.', stream: true });
      for await (const event of events) if (event.type === 'error') return diagnose(event, { locale, model });
    } else if (fixture.stream === true) {
      const chunks = await client.chat.completions.create({
        model,
        messages: [{ role: 'user', content: 'Summarize this ticket.' }],
        stream: true,
      });
      for await (const _chunk of chunks) {
        // A real service would forward each chunk; the error arrives while iterating.
      }
    } else {
      await client.chat.completions.create({
        model,
        messages: [{ role: 'user', content: 'Summarize this ticket.' }],
      });
    }
    return undefined;
  } catch (error) {
    return diagnose(error, { locale, model });
  }
}

// East Asian wide characters take two terminal columns.
const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/;

/** `text` cut to `columns` terminal columns, with an ellipsis when cut. */
function fit(text: string, columns: number): string {
  let used = 0;
  let result = '';
  for (const character of text) {
    const width = WIDE.test(character) ? 2 : 1;
    if (used + width > columns - 1 && result.length < text.length - 1) return `${result}…`;
    used += width;
    result += character;
  }
  return result;
}

/** `text` wrapped at `columns`, every line after the first indented by `indent` spaces. */
function wrap(text: string, indent: number, columns = COLUMNS): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line === '' ? word : `${line} ${word}`;
    if (
      line !== '' &&
      indent + [...next].reduce((sum, char) => sum + (WIDE.test(char) ? 2 : 1), 0) > columns
    ) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}

/** Every fixture through the real client and `diagnose`: one line per failure, then one hint in full. */
export async function causeTable(locale: Locale, write: (text: string) => void, prefix = ''): Promise<void> {
  const rows: [string, Diagnosis | undefined][] = [];
  for (const [name, fixture] of Object.entries(fixtures) as [string, ErrorFixture][]) {
    const client = new OpenAI({
      apiKey: 'sk-example-not-a-real-key',
      fetch: scriptedFetch(fixture),
      maxRetries: 0,
    });
    const model = name.startsWith('model_not_found') ? 'gpt-4o-minii' : 'gpt-4o';
    rows.push([name, await summarize(client, model, fixture, locale)]);
  }

  const width = Math.max(...rows.map(([name]) => name.length));
  write(
    `${prefix}${locale === 'zh-CN' ? '每种失败的诊断' : 'What each failure diagnoses to'} (${rows.length})\n\n`,
  );
  for (const [name, diagnosis] of rows) {
    const line = diagnosis === undefined ? '(no error)' : describeDiagnosis(diagnosis, locale);
    write(`${fit(`${name.padEnd(width)}  ${line}`, COLUMNS)}\n`);
  }

  const example = rows.find(([name]) => name === 'rate_limited_tokens')?.[1];
  if (example !== undefined) {
    write(`\n${locale === 'zh-CN' ? '例如' : 'For example'}, rate_limited_tokens:\n`);
    write(`  ${wrap(example.hint.why, 2)}\n`);
    example.hint.steps.forEach((step, index) => write(`  ${index + 1}. ${wrap(step, 5)}\n`));
  }
}

// Run directly (not imported by the demo): print the table in the language asked for.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { locale: { type: 'string', default: 'en' } } });
  await causeTable(values.locale === 'zh-CN' ? 'zh-CN' : 'en', (text) => process.stdout.write(text));
}
