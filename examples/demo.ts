/**
 * tierguard's demo: a Tier 1 account simulated on 127.0.0.1, a service's day in three scenes,
 * each through guard(new OpenAI()) and through the bare client for contrast; then what every
 * failure the API sends diagnoses to (examples/diagnose-errors.ts). No API key, no network.
 *
 *   npm run demo              (English)
 *   npm run demo -- --locale zh-CN
 */
import OpenAI from 'openai';
import {
  describeDiagnosis,
  diagnose,
  guard,
  type Diagnosis,
  type GuardEvent,
  type Locale,
} from '../src/index.js';
import { createSimulator, fixtures, scriptedFetch, type Simulator } from '../src/testing/index.js';
import { causeTable } from './diagnose-errors.js';

const locale: Locale = process.argv.includes('zh-CN') ? 'zh-CN' : 'en';
const zh = locale === 'zh-CN';
const WINDOW_MS = 3_000;
const out = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};
const seconds = (ms: number): string => `${(ms / 1_000).toFixed(1)} s`;
const progress = (text: string): void => {
  if (process.stdout.isTTY) process.stdout.write(`\r\u001b[2K  ${text}`);
};
const endProgress = (): void => {
  if (process.stdout.isTTY) process.stdout.write('\r\u001b[2K');
};

/** Terminal columns a text takes: CJK characters and full-width punctuation take two. */
function columns(text: string): number {
  let width = 0;
  for (const char of text)
    width +=
      /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(
        char,
      )
        ? 2
        : 1;
  return width;
}

function table(headers: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = headers.map((header, column) =>
    Math.max(columns(header), ...rows.map((row) => columns(row[column] ?? ''))),
  );
  const pad = (cell: string, width: number): string => cell + ' '.repeat(Math.max(0, width - columns(cell)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => pad(cell, widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  out(`  ${line(headers)}`);
  out(`  ${widths.map((width) => '-'.repeat(width)).join('  ')}`);
  for (const row of rows) out(`  ${line(row)}`);
}

const TICKET =
  'Customer writes: the invoice for order 1182 shows the wrong shipping address and a duplicate line. '.repeat(
    40,
  );

async function burst(
  label: string,
  client: OpenAI,
  sim: Simulator,
  calls: number,
): Promise<{
  label: string;
  served: number;
  failed: number;
  requests: number;
  refused: number;
  ms: number;
  idealMs: number;
}> {
  sim.resetStats();
  const started = Date.now();
  let served = 0;
  let failed = 0;
  const timer = setInterval(
    () =>
      progress(
        `${label}: ${served}/${calls} ${zh ? '完成' : 'served'}, ${failed} ${zh ? '失败' : 'failed'}, ${sim.stats().rateLimited.total} × 429, ${seconds(Date.now() - started)}`,
      ),
    200,
  );
  await Promise.all(
    Array.from({ length: calls }, () =>
      client.chat.completions
        .create({
          model: 'gpt-4o',
          messages: [
            { role: 'system', content: 'Summarize the ticket in one line.' },
            { role: 'user', content: TICKET },
          ],
          max_tokens: 200,
        })
        .then(
          () => (served += 1),
          () => (failed += 1),
        ),
    ),
  );
  clearInterval(timer);
  endProgress();
  const stats = sim.stats();
  // The ideal: the first window's worth at once, the rest at the refill rate of 30,000 TPM.
  const charged = stats.tokensCharged;
  const idealMs = Math.max(0, ((charged - 30_000) / 30_000) * WINDOW_MS);
  return {
    label,
    served,
    failed,
    requests: stats.requests,
    refused: stats.rateLimited.total,
    ms: Date.now() - started,
    idealMs,
  };
}

async function main(): Promise<void> {
  const sim = await createSimulator({
    tier: 'tier-1',
    windowMs: WINDOW_MS,
    latencyMs: { min: 20, max: 60 },
    outputTokens: 60,
  });
  out(
    zh
      ? 'tierguard 演示：在 127.0.0.1 上模拟一个 Tier 1 账户（无需 API 密钥，不联网）'
      : 'tierguard demo: a Tier 1 account simulated on 127.0.0.1 (no API key, no network)',
  );
  out(
    zh
      ? `为了快速演示，一“分钟”只有 ${WINDOW_MS / 1_000} 秒；gpt-4o 的 Tier 1 限额为每分钟 500 次请求、30,000 tokens。`
      : `A "minute" lasts ${WINDOW_MS / 1_000} s here so the demo runs quickly; gpt-4o on Tier 1 allows 500 requests and 30,000 tokens per minute.`,
  );
  out();

  // Scene 1: a burst four times the token limit.
  out(
    zh
      ? '1. 突发：100 个工单摘要，约为 TPM 限额的 4 倍'
      : '1. A burst: 100 ticket summaries, about 4× the TPM limit',
  );
  const events: GuardEvent[] = [];
  const guarded = guard(new OpenAI({ apiKey: 'sk-demo-not-a-real-key', baseURL: sim.baseURL }), {
    tier: 'tier-1',
    windowMs: WINDOW_MS,
    locale,
    fallback: { 'gpt-4o': ['gpt-4o-mini'] },
    onEvent: (event) => events.push(event),
  });
  const bare = new OpenAI({ apiKey: 'sk-demo-not-a-real-key', baseURL: sim.baseURL });
  const results = [await burst(zh ? 'tierguard' : 'tierguard', guarded, sim, 100)];
  // The bare client starts from a full bucket too.
  await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
  results.push(await burst(zh ? '原生客户端（默认重试 2 次）' : 'bare client (2 retries)', bare, sim, 100));
  table(
    zh
      ? ['方式', '成功', '失败', '发出请求', '429', '耗时']
      : ['strategy', 'served', 'failed', 'requests sent', '429s', 'time'],
    results.map((result) => [
      result.label,
      String(result.served),
      String(result.failed),
      String(result.requests),
      String(result.refused),
      seconds(result.ms),
    ]),
  );
  const ideal = results[0]?.idealMs ?? 0;
  out(
    zh
      ? `  这批请求在限额内最快也需要 ${seconds(ideal)}（首个窗口的额度 + 按 TPM 补充）；tierguard 用了 ${seconds(results[0]?.ms ?? 0)}，没有一次 429。`
      : `  The fastest this workload can be served within the limit is ${seconds(ideal)} (one window at once, the rest at the TPM rate); tierguard took ${seconds(results[0]?.ms ?? 0)} with no 429.`,
  );
  out();

  // Scene 2: a model this project cannot use.
  out(
    zh
      ? '2. 项目不允许使用 gpt-4o（允许的模型只有 gpt-4o-mini）'
      : '2. The project does not allow gpt-4o (its allowed models: gpt-4o-mini)',
  );
  sim.setAccount({ allowedModels: ['gpt-4o-mini'] });
  const served = await guarded.chat.completions
    .create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Classify: refund request?' }],
      max_tokens: 20,
    })
    .withResponse();
  const fallback = events.find((event) => event.type === 'fallback');
  out(
    zh
      ? `   tierguard：请求 gpt-4o → ${fallback?.type === 'fallback' ? `因 ${fallback.cause} 回退` : '未回退'} → 由 ${served.response.headers.get('x-tierguard-model')} 完成（响应体 model = ${served.data.model}）`
      : `   tierguard: asked gpt-4o → ${fallback?.type === 'fallback' ? `fell back on ${fallback.cause}` : 'no fallback'} → served by ${served.response.headers.get('x-tierguard-model')} (body model = ${served.data.model})`,
  );
  const bareDenied = await bare.chat.completions
    .create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Classify: refund request?' }],
      max_tokens: 20,
    })
    .catch((error: unknown) => error);
  out(
    `   ${zh ? '原生客户端：' : 'bare client: '}${bareDenied instanceof Error ? bareDenied.message.slice(0, 90) : 'served'}`,
  );
  out();

  // Scene 3: the credit runs out.
  out(zh ? '3. 预付余额用完' : '3. The prepaid credit runs out');
  sim.setAccount({ allowedModels: undefined as never, creditUsd: 0 });
  sim.resetStats();
  const noCredit = await guarded.chat.completions
    .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }], max_tokens: 20 })
    .catch((error: unknown) => error);
  const guardedRequests = sim.stats().requests;
  sim.resetStats();
  await bare.chat.completions
    .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }], max_tokens: 20 })
    .catch(() => undefined);
  const bareRequests = sim.stats().requests;
  const diagnosis: Diagnosis = diagnose(noCredit, { locale });
  out(`   ${describeDiagnosis(diagnosis, locale)}`);
  out(`   ${diagnosis.hint.why}`);
  diagnosis.hint.steps.forEach((step, index) => out(`   ${index + 1}. ${step}`));
  out(
    zh
      ? `   请求次数：tierguard ${guardedRequests} 次（不重试）；原生客户端 ${bareRequests} 次（对不可能成功的错误重试了 ${bareRequests - 1} 次）`
      : `   requests sent: tierguard ${guardedRequests} (never retried); bare client ${bareRequests} (retried ${bareRequests - 1}× an error that cannot succeed)`,
  );
  out();
  await sim.close();
  await causeTable(locale, (text) => process.stdout.write(text), '4. ');
  out();
  await accountAware();
  out();
  out(
    zh
      ? '在你的服务中：const client = guard(new OpenAI(), { tier: "tier-1" })；测试用 tierguard/testing；排查用 npx tierguard doctor。'
      : 'In your service: const client = guard(new OpenAI(), { tier: "tier-1" }); tests: tierguard/testing; checks: npx tierguard doctor.',
  );
}

/** `text` as lines of at most 100 terminal columns, each after the first indented by `indent`. */
function wrapped(text: string, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(zh ? /(?<=[，。；：、）])/ : ' ')) {
    const next = line === '' ? word : zh ? `${line}${word}` : `${line} ${word}`;
    if (line !== '' && columns(indent) + columns(next) > 100) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  lines.push(line);
  return lines.join(`\n${indent}`);
}

/** Scene 5: the same 404 for two accounts, diagnosed with what the caller knows of each. */
async function accountAware(): Promise<void> {
  out(
    zh
      ? '5. 同一个 404，分别发生在 Tier 1 和 Tier 5 账户上：diagnose(err, { tier }) 给出两份不同的提示'
      : '5. The same 404 on a Tier 1 and on a Tier 5 account: diagnose(err, { tier }) gives two different hints',
  );
  const answer = fixtures.tier_required;
  out(
    `   ${zh ? 'API 的回答' : 'the API answered'}: ${answer.status} ${JSON.parse(answer.body).error.message}`,
  );
  for (const tier of ['tier-1', 'tier-5'] as const) {
    const client = new OpenAI({
      apiKey: 'sk-demo-not-a-real-key',
      fetch: scriptedFetch(answer),
      maxRetries: 0,
    });
    const error = await client.chat.completions
      .create({ model: 'o1-mini', messages: [{ role: 'user', content: 'Hello' }] })
      .catch((caught: unknown) => caught);
    const diagnosis = diagnose(error, { tier, locale, model: 'o1-mini' });
    out();
    out(`   ${wrapped(`${tier}: ${describeDiagnosis(diagnosis, { locale })}`, '     ')}`);
    out(`   ${wrapped(diagnosis.hint.why, '   ')}`);
    diagnosis.hint.steps.forEach((step, index) => out(`   ${index + 1}. ${wrapped(step, '      ')}`));
  }
}

await main();
