/**
 * A service's error handling with tierguard's `diagnose`: wrap the call you already make in a
 * try/catch and log what went wrong and how to fix it. Runs with no key and no network: the
 * client's fetch answers from tierguard's fixtures (the API's real error bodies).
 *
 *   npx tsx examples/diagnose-errors.ts [--locale zh-CN]
 */
import OpenAI from 'openai';
import { describeDiagnosis, diagnose, type Diagnosis, type Locale } from '../src/index.js';
import { fixtures, scriptedFetch, type ErrorFixture } from '../src/testing/index.js';

const locale: Locale = process.argv.includes('zh-CN') ? 'zh-CN' : 'en';

/** What a service does today, plus one line: `diagnose(error)`. */
async function summarize(client: OpenAI, model: string, stream: boolean): Promise<Diagnosis | undefined> {
  try {
    if (stream) {
      const events = await client.chat.completions.create({
        model,
        messages: [{ role: 'user', content: 'Summarize this ticket.' }],
        stream: true,
      });
      for await (const _event of events) {
        // consume the stream
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

const rows: [string, Diagnosis | undefined][] = [];
for (const [name, fixture] of Object.entries(fixtures) as [string, ErrorFixture][]) {
  // Responses-style stream errors need the Responses API; the chat examples cover the rest.
  if (fixture.stream === true && fixture.body.startsWith('event:')) continue;
  const client = new OpenAI({
    apiKey: 'sk-example-not-a-real-key',
    fetch: scriptedFetch(fixture),
    maxRetries: 0,
  });
  rows.push([
    name,
    await summarize(
      client,
      name.startsWith('model_not_found') ? 'gpt-4o-minii' : 'gpt-4o',
      fixture.stream === true,
    ),
  ]);
}

const width = Math.max(...rows.map(([name]) => name.length));
process.stdout.write(
  `${locale === 'zh-CN' ? '每种失败的诊断' : 'What each failure diagnoses to'} (${rows.length})\n\n`,
);
for (const [name, diagnosis] of rows) {
  process.stdout.write(
    `${name.padEnd(width)}  ${diagnosis === undefined ? '(no error)' : describeDiagnosis(diagnosis, locale)}\n`,
  );
}
const example = rows.find(([name]) => name === 'insufficient_quota')?.[1];
if (example !== undefined) {
  process.stdout.write(
    `\n${locale === 'zh-CN' ? '例如' : 'For example'}, insufficient_quota:\n  ${example.hint.why}\n`,
  );
  example.hint.steps.forEach((step, index) => process.stdout.write(`  ${index + 1}. ${step}\n`));
}
