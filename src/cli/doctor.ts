/**
 * `tierguard doctor`: the checklist a developer follows by hand, in the troubleshooting guides'
 * order (field-guides.md): key present and accepted → billing active and credit left → each
 * wanted model reachable → region and network → the rate limits and the tier they match.
 * Against the real API, a relay, or the simulator (`--simulate tier-N`). Never prints a full key.
 */
import { parseArgs } from 'node:util';
import { requiredTier } from '../advisor/required-tier.js';
import { upgradePlan } from '../advisor/upgrade-plan.js';
import { MODEL_TIER_LIMITS, TIERS, type Tier, type TierRow } from '../data/tiers.js';
import { diagnose } from '../diagnose/diagnose.js';
import type { Diagnosis, Locale } from '../diagnose/types.js';
import { resolveModel } from '../models/resolve.js';
import { readRateLimitHeaders } from '../util/rate-limit-headers.js';
import { createSimulator, type Simulator } from '../testing/simulator/simulator.js';
import { maskKey, maskSecrets } from '../util/mask.js';
import type { Command } from './command.js';
import { styleFor, type Style } from './output.js';

const HELP = `Usage: tierguard doctor [options]

Walks the checklist of the troubleshooting guides, in their order, and says what to fix:
  1. an API key is set, and the API accepts it (GET /models)
  2. billing is active and there is credit left (one minimal call, 1 output token)
  3. each --model is reachable on this account (one minimal call each)
  4. the region is served and the network reaches the API
  5. the rate limits the API reports, and the usage tier they match
Exit code 0 only when every check passes.

Options:
  --model <name>        a model you need (repeat for several; default gpt-4o-mini)
  --base-url <url>      the API or a relay (default: OPENAI_BASE_URL or https://api.openai.com/v1)
  --simulate <tier>     run against tierguard's simulator of a free, tier-1 … tier-5 account
  --timeout <ms>        per request (default 15000)
  --json                print the result as JSON
  --locale <en|zh-CN>   language of the hints (default en)
  -h, --help            show this help

Environment: OPENAI_API_KEY (required, never printed in full), OPENAI_BASE_URL, OPENAI_ORG_ID,
OPENAI_PROJECT_ID.

Examples:
  npx tierguard doctor --model gpt-4o-mini --model gpt-4o
  npx tierguard doctor --simulate free --model gpt-4o-mini --model gpt-4o`;

type Status = 'pass' | 'fail' | 'warn' | 'skip';

/** One line of the checklist. */
export interface DoctorStep {
  readonly id: 'key' | 'auth' | 'billing' | 'model' | 'region' | 'limits';
  readonly status: Status;
  readonly title: string;
  readonly detail?: string;
  readonly model?: string;
  readonly diagnosis?: Diagnosis;
  readonly advice?: readonly string[];
}

interface Answer {
  readonly ok: boolean;
  /** The body of a successful answer. */
  readonly body?: string;
  readonly status?: number;
  readonly headers?: Headers;
  readonly diagnosis?: Diagnosis;
}

const TEXT = {
  en: {
    keyMissing: 'No API key: set OPENAI_API_KEY',
    keyPresent: (key: string) => `API key present (${key})`,
    authOk: (count: number) => `The API accepts the key (GET /models: ${count} models)`,
    authFail: 'The API did not accept the key',
    billingOk: (model: string) => `Billing active and credit left (a minimal call to ${model} succeeded)`,
    billingFail: 'Billing or credit blocks calls',
    modelOk: (model: string) => `${model} is reachable`,
    modelFail: (model: string) => `${model} is not reachable`,
    regionOk: (host: string) => `Region served, network reaches ${host}`,
    regionFail: 'The API refuses this region',
    networkFail: (host: string) =>
      `Cannot reach ${host} (network, DNS, proxy or firewall: not an API refusal)`,
    limits: (model: string, rpm: string, tpm: string, tier: string) =>
      `${model}: ${rpm} RPM, ${tpm} TPM${tier}`,
    matches: (tier: string) => ` → matches ${tier}`,
    noHeaders: (model: string) =>
      `${model}: the endpoint sent no rate-limit headers (a relay?); tierguard will learn the limits from 429s`,
    skipped: 'skipped (an earlier check failed)',
    summaryOk: 'All checks passed.',
    summaryFail: (count: number) => `${count} check(s) failed.`,
    simulated: (tier: string) => `Simulated ${tier} account on 127.0.0.1 (no network, no real key).`,
    plan: (model: string, tier: string) => `To use ${model}: reach ${tier}.`,
  },
  'zh-CN': {
    keyMissing: '没有 API 密钥：请设置 OPENAI_API_KEY',
    keyPresent: (key: string) => `已设置 API 密钥（${key}）`,
    authOk: (count: number) => `API 接受该密钥（GET /models：${count} 个模型）`,
    authFail: 'API 不接受该密钥',
    billingOk: (model: string) => `账单已激活且有余额（对 ${model} 的最小调用成功）`,
    billingFail: '账单或余额问题导致调用被拒绝',
    modelOk: (model: string) => `${model} 可以访问`,
    modelFail: (model: string) => `${model} 无法访问`,
    regionOk: (host: string) => `所在地区受支持，网络可以访问 ${host}`,
    regionFail: 'API 拒绝当前地区',
    networkFail: (host: string) => `无法连接 ${host}（网络、DNS、代理或防火墙问题，不是 API 的拒绝）`,
    limits: (model: string, rpm: string, tpm: string, tier: string) =>
      `${model}：每分钟 ${rpm} 次请求、${tpm} tokens${tier}`,
    matches: (tier: string) => ` → 对应 ${tier}`,
    noHeaders: (model: string) =>
      `${model}：端点没有返回速率限制响应头（中转站？）；tierguard 会从 429 中学习限额`,
    skipped: '已跳过（前面的检查未通过）',
    summaryOk: '全部检查通过。',
    summaryFail: (count: number) => `${count} 项检查未通过。`,
    simulated: (tier: string) => `在 127.0.0.1 上模拟的 ${tier} 账户（不联网，不使用真实密钥）。`,
    plan: (model: string, tier: string) => `要使用 ${model}：需要达到 ${tier}。`,
  },
} as const;

const rows: Readonly<Record<string, TierRow>> = MODEL_TIER_LIMITS.models;
const tierLabel = (tier: Tier, locale: Locale): string =>
  tier === 'free' ? (locale === 'zh-CN' ? '免费等级（Free）' : 'the free tier') : `Tier ${tier.slice(5)}`;

/** The tier whose published row matches what the headers said. */
function matchTier(model: string, rpm: number | undefined, tpm: number | undefined): Tier | undefined {
  const resolved = resolveModel(model);
  const row = rows[resolved.limitsFamily ?? resolved.family];
  if (row === undefined) return undefined;
  return TIERS.find((tier) => {
    const limits = row[tier];
    return (
      limits !== undefined &&
      limits !== null &&
      limits.requestsPerMinute === rpm &&
      limits.tokensPerMinute === tpm
    );
  });
}

async function call(
  url: string,
  init: RequestInit,
  timeoutMs: number,
  locale: Locale,
  model?: string,
): Promise<Answer> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    if (response.ok)
      return { ok: true, status: response.status, headers: response.headers, body: await response.text() };
    const body = await response.text();
    return {
      ok: false,
      status: response.status,
      headers: response.headers,
      diagnosis: diagnose(
        { status: response.status, body, headers: response.headers },
        { locale, ...(model === undefined ? {} : { model }) },
      ),
    };
  } catch (error) {
    return { ok: false, diagnosis: diagnose(error, { locale, ...(model === undefined ? {} : { model }) }) };
  }
}

/** A minimal call that proves a model can serve: one output token, or one embedding of "ping". */
function minimalCall(model: string): { path: string; body: Record<string, unknown> } {
  const kind = resolveModel(model).info?.kind;
  if (kind === 'embedding') return { path: '/embeddings', body: { model, input: 'ping' } };
  // Reasoning models refuse max_tokens; max_completion_tokens works for every chat model.
  return {
    path: '/chat/completions',
    body: { model, messages: [{ role: 'user', content: 'ping' }], max_completion_tokens: 1 },
  };
}

/** Runs the checklist; returns the steps. */
export async function runDoctor(options: {
  readonly baseURL: string;
  readonly apiKey: string | undefined;
  readonly organization?: string | undefined;
  readonly project?: string | undefined;
  readonly models: readonly string[];
  readonly timeoutMs: number;
  readonly locale: Locale;
}): Promise<DoctorStep[]> {
  const text = TEXT[options.locale];
  const steps: DoctorStep[] = [];
  const base = options.baseURL.replace(/\/+$/, '');
  const host = (() => {
    try {
      return new URL(base).host;
    } catch {
      return base;
    }
  })();
  if (options.apiKey === undefined || options.apiKey.trim() === '') {
    steps.push({ id: 'key', status: 'fail', title: text.keyMissing });
    return steps;
  }
  steps.push({ id: 'key', status: 'pass', title: text.keyPresent(maskKey(options.apiKey)) });
  const headers: Record<string, string> = {
    authorization: `Bearer ${options.apiKey}`,
    'content-type': 'application/json',
  };
  if (options.organization !== undefined) headers['openai-organization'] = options.organization;
  if (options.project !== undefined) headers['openai-project'] = options.project;

  const finish = (failed: Answer): DoctorStep[] => {
    const network = failed.diagnosis?.origin === 'network' && failed.diagnosis.status === undefined;
    steps.push(
      network
        ? {
            id: 'region',
            status: 'fail',
            title: text.networkFail(host),
            ...(failed.diagnosis === undefined ? {} : { diagnosis: failed.diagnosis }),
          }
        : failed.diagnosis?.cause === 'region_unsupported'
          ? { id: 'region', status: 'fail', title: text.regionFail, diagnosis: failed.diagnosis }
          : { id: 'region', status: 'skip', title: text.skipped },
    );
    steps.push({ id: 'limits', status: 'skip', title: text.skipped });
    return steps;
  };

  // 1. The key (GET /models).
  const models = await call(`${base}/models`, { headers }, options.timeoutMs, options.locale);
  if (!models.ok) {
    steps.push({
      id: 'auth',
      status: 'fail',
      title: text.authFail,
      ...(models.diagnosis === undefined ? {} : { diagnosis: models.diagnosis }),
    });
    if (models.diagnosis?.origin === 'network' || models.diagnosis?.cause === 'region_unsupported')
      return finish(models);
    steps.push({ id: 'billing', status: 'skip', title: text.skipped });
    return finish(models);
  }
  let count = 0;
  try {
    const listed = JSON.parse(models.body ?? '{}') as { data?: unknown[] };
    if (Array.isArray(listed.data)) count = listed.data.length;
  } catch {
    // A relay may answer /models with something else; the key was accepted all the same.
  }
  steps.push({ id: 'auth', status: 'pass', title: text.authOk(count) });

  // 2. Billing and credit: one minimal call to the first model wanted (the cheapest by default).
  const wanted = options.models.length > 0 ? options.models : ['gpt-4o-mini'];
  const answers = new Map<string, Answer>();
  const ask = async (model: string): Promise<Answer> => {
    const known = answers.get(model);
    if (known !== undefined) return known;
    const { path, body } = minimalCall(model);
    const answer = await call(
      `${base}${path}`,
      { method: 'POST', headers, body: JSON.stringify(body) },
      options.timeoutMs,
      options.locale,
      model,
    );
    answers.set(model, answer);
    return answer;
  };
  const ACCOUNT = new Set([
    'insufficient_quota',
    'spend_limit_reached',
    'billing_not_active',
    'account_deactivated',
  ]);
  const probe = await ask(wanted[0] as string);
  if (
    !probe.ok &&
    (probe.diagnosis === undefined ||
      ACCOUNT.has(probe.diagnosis.cause) ||
      probe.diagnosis.origin === 'network' ||
      probe.diagnosis.cause === 'region_unsupported')
  ) {
    steps.push({
      id: 'billing',
      status: 'fail',
      title: text.billingFail,
      ...(probe.diagnosis === undefined ? {} : { diagnosis: probe.diagnosis }),
    });
    return finish(probe);
  }
  const billingModel = probe.ok ? (wanted[0] as string) : undefined;
  // When the first model itself is refused, billing is judged by the next model that answers.
  let billingOk = probe.ok;
  for (const model of wanted) {
    const answer = await ask(model);
    if (answer.ok) billingOk = true;
  }
  if (billingOk)
    steps.push({
      id: 'billing',
      status: 'pass',
      title: text.billingOk(billingModel ?? [...answers].find(([, answer]) => answer.ok)?.[0] ?? ''),
    });
  else steps.push({ id: 'billing', status: 'warn', title: text.billingFail });

  // 3. Each model.
  for (const model of wanted) {
    const answer = answers.get(model) as Answer;
    if (answer.ok) {
      steps.push({ id: 'model', status: 'pass', title: text.modelOk(model), model });
      continue;
    }
    const advice: string[] = [];
    const requirement = requiredTier(model);
    if (answer.diagnosis?.cause === 'model_access_denied' && requirement.tier !== undefined) {
      advice.push(text.plan(model, tierLabel(requirement.tier, options.locale)));
      for (const step of upgradePlan(model, { paidUsd: 0 }).steps)
        advice.push(`${step.title}: ${step.detail}`);
    }
    steps.push({
      id: 'model',
      status: 'fail',
      title: text.modelFail(model),
      model,
      ...(answer.diagnosis === undefined ? {} : { diagnosis: answer.diagnosis }),
      advice,
    });
  }

  // 4. Region and network: every answer came from the API, none refused the region.
  steps.push({ id: 'region', status: 'pass', title: text.regionOk(host) });

  // 5. Limits, read back from the headers of the answers.
  for (const [model, answer] of answers) {
    const said = readRateLimitHeaders(answer.headers);
    const rpm = said.requests.limit;
    const tpm = said.tokens.limit;
    if (rpm === undefined && tpm === undefined) {
      if (answer.ok) steps.push({ id: 'limits', status: 'warn', title: text.noHeaders(model), model });
      continue;
    }
    const tier = matchTier(model, rpm, tpm);
    steps.push({
      id: 'limits',
      status: 'pass',
      title: text.limits(
        model,
        rpm?.toLocaleString('en-US') ?? '?',
        tpm?.toLocaleString('en-US') ?? '?',
        tier === undefined ? '' : text.matches(tierLabel(tier, options.locale)),
      ),
      model,
    });
  }
  return steps;
}

function mark(status: Status, style: Style): string {
  if (status === 'pass') return style.green('✓');
  if (status === 'fail') return style.red('✗');
  if (status === 'warn') return style.yellow('!');
  return style.dim('–');
}

function render(
  steps: readonly DoctorStep[],
  locale: Locale,
  style: Style,
  secrets: readonly string[],
): string {
  const lines: string[] = [];
  for (const step of steps) {
    lines.push(`${mark(step.status, style)} ${step.status === 'skip' ? style.dim(step.title) : step.title}`);
    if (step.status !== 'fail' || step.diagnosis === undefined) continue;
    const hint = step.diagnosis.hint;
    lines.push(
      `    ${style.bold(hint.title)} ${style.dim(`[${step.diagnosis.cause}${step.diagnosis.status === undefined ? '' : `, ${step.diagnosis.status}`}]`)}`,
    );
    lines.push(`    ${hint.why}`);
    hint.steps.forEach((line, index) => lines.push(`    ${index + 1}. ${line}`));
    for (const advice of step.advice ?? []) lines.push(`    → ${advice}`);
    for (const link of hint.links) lines.push(`    ${style.dim(`${link.label}: ${link.url}`)}`);
  }
  const failed = steps.filter((step) => step.status === 'fail').length;
  lines.push(
    '',
    failed === 0 ? style.green(TEXT[locale].summaryOk) : style.red(TEXT[locale].summaryFail(failed)),
  );
  return maskSecrets(lines.join('\n'), secrets);
}

/** The `doctor` command. */
export const doctor: Command = {
  summary: 'check key, billing, models, region and limits, in the guides’ order',
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        model: { type: 'string', multiple: true, default: [] },
        'base-url': { type: 'string' },
        simulate: { type: 'string' },
        timeout: { type: 'string', default: '15000' },
        json: { type: 'boolean', default: false },
        locale: { type: 'string', default: 'en' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      process.stdout.write(`${HELP}\n`);
      return 0;
    }
    if (values.locale !== 'en' && values.locale !== 'zh-CN') {
      process.stderr.write(
        `tierguard doctor: --locale must be en or zh-CN, got ${JSON.stringify(values.locale)}\n`,
      );
      return 2;
    }
    const locale: Locale = values.locale;
    const timeoutMs = Number(values.timeout);
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      process.stderr.write(
        `tierguard doctor: --timeout must be a positive number of milliseconds, got ${JSON.stringify(values.timeout)}\n`,
      );
      return 2;
    }
    let simulator: Simulator | undefined;
    let baseURL = values['base-url'] ?? process.env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1';
    let apiKey = process.env.OPENAI_API_KEY;
    if (values.simulate !== undefined) {
      const tier = values.simulate === 'free' ? 'free' : /^(?:tier-)?([1-5])$/.exec(values.simulate)?.[1];
      if (tier === undefined) {
        process.stderr.write(
          `tierguard doctor: --simulate must be free or tier-1 … tier-5, got ${JSON.stringify(values.simulate)}\n`,
        );
        return 2;
      }
      const simulated: Tier = tier === 'free' ? 'free' : (`tier-${tier}` as Tier);
      simulator = await createSimulator({ tier: simulated });
      baseURL = simulator.baseURL;
      apiKey = 'sk-simulated-0000000000000000';
      if (!values.json)
        process.stdout.write(
          `${TEXT[locale].simulated(simulated === 'free' ? 'Free' : `Tier ${simulated.slice(5)}`)}\n\n`,
        );
    }
    try {
      const steps = await runDoctor({
        baseURL,
        apiKey,
        organization: process.env.OPENAI_ORG_ID,
        project: process.env.OPENAI_PROJECT_ID,
        models: values.model,
        timeoutMs,
        locale,
      });
      const secrets = apiKey === undefined ? [] : [apiKey];
      const ok = steps.every((step) => step.status !== 'fail');
      process.stdout.write(
        values.json
          ? `${maskSecrets(JSON.stringify({ ok, baseURL, steps }, null, 2), secrets)}\n`
          : `${render(steps, locale, styleFor(process.stdout), secrets)}\n`,
      );
      return ok ? 0 : 1;
    } finally {
      await simulator?.close();
    }
  },
};
