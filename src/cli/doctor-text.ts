/**
 * The words of `tierguard doctor`, per locale: the checklist's lines, the names of the checks a
 * failure left unchecked, and the one-line upgrade plan (the amount and the wait; the hint above
 * it already says how to pay and what to check).
 */
import type { Locale } from '../diagnose/types.js';
import type { Tier } from '../data/tiers.js';

/** The checks of the list, as JSON names them. */
export type CheckId = 'key' | 'network' | 'auth' | 'billing' | 'model' | 'region' | 'limits';

/** What `doctor` says, in one language. */
export interface DoctorText {
  readonly keyMissing: string;
  readonly keyPresent: (key: string) => string;
  readonly authOk: (count: number) => string;
  readonly authFail: string;
  readonly authRefused: (title: string) => string;
  readonly modelsUnlisted: (title: string) => string;
  readonly billingOk: (model: string) => string;
  readonly billingFail: string;
  readonly modelOk: (model: string) => string;
  readonly modelFail: (model: string) => string;
  readonly tierNotTheReason: (tier: string) => string;
  readonly regionOk: (host: string) => string;
  readonly regionFail: string;
  readonly limits: (model: string, rpm: string, tpm: string, tier: string) => string;
  readonly matches: (tier: string) => string;
  readonly noHeaders: (model: string) => string;
  readonly notChecked: (checks: string) => string;
  readonly checkNames: Readonly<Record<CheckId, string>>;
  readonly list: (names: readonly string[]) => string;
  readonly sameAsAbove: (title: string) => string;
  readonly summaryOk: string;
  readonly summaryFail: (count: number) => string;
  readonly simulated: (tier: string) => string;
  readonly tierName: (tier: Tier) => string;
  readonly plan: (plan: {
    model: string;
    target: string;
    current: string | undefined;
    payUsd: string | undefined;
    totalUsd: string;
    days: number;
  }) => string;
}

const tierNumber = (tier: Tier): string => tier.slice(5);

/** The texts, per locale. */
export const DOCTOR_TEXT: Readonly<Record<Locale, DoctorText>> = {
  en: {
    keyMissing: 'No API key: set OPENAI_API_KEY',
    keyPresent: (key) => `API key present (${key})`,
    authOk: (count) => `The API accepts the key (GET /models: ${count} models)`,
    authFail: 'The API did not accept the key',
    authRefused: (title) => `The API refused the key here: ${title}`,
    modelsUnlisted: (title) => `GET /models did not list the models (${title}); checking with a call instead`,
    billingOk: (model) => `Billing active and credit left (a minimal call to ${model} succeeded)`,
    billingFail: 'Billing or credit blocks calls',
    modelOk: (model) => `${model} is reachable`,
    modelFail: (model) => `${model} is not reachable`,
    tierNotTheReason: (tier) => ` (your ${tier} includes it: the tier is not the reason)`,
    regionOk: (host) => `Region served, network reaches ${host}`,
    regionFail: 'The API refuses this region',
    limits: (model, rpm, tpm, tier) => `${model}: ${rpm} RPM, ${tpm} TPM${tier}`,
    matches: (tier) => ` → matches ${tier}`,
    noHeaders: (model) =>
      `${model}: the endpoint sent no rate-limit headers (a relay?); tierguard will learn the limits from 429s`,
    notChecked: (checks) => `Not checked (an earlier check failed): ${checks}`,
    checkNames: {
      key: 'the key',
      network: 'the network',
      auth: 'the key',
      billing: 'billing and credit',
      model: 'the models',
      region: 'the region',
      limits: 'the rate limits',
    },
    list: (names) => names.join(', '),
    sameAsAbove: (title) => `${title}: as above.`,
    summaryOk: 'All checks passed.',
    summaryFail: (count) => `${count} check(s) failed.`,
    simulated: (tier) => `Simulated ${tier} account on 127.0.0.1 (no network, no real key).`,
    tierName: (tier) => (tier === 'free' ? 'the free tier' : `Tier ${tierNumber(tier)}`),
    plan: ({ model, target, current, payUsd, totalUsd, days }) =>
      [
        `Plan for ${model}: reach ${target}`,
        payUsd === undefined
          ? ` — ${totalUsd} paid in total (count what you have paid already)`
          : ` — pay ${payUsd} more (${totalUsd} in total${current === undefined ? '' : `; the headers say you are on ${current}`})`,
        days > 0 ? `, and ${days} days since your first payment` : '',
        '.',
      ].join(''),
  },
  'zh-CN': {
    keyMissing: '没有 API 密钥：请设置 OPENAI_API_KEY',
    keyPresent: (key) => `已设置 API 密钥（${key}）`,
    authOk: (count) => `API 接受该密钥（GET /models：${count} 个模型）`,
    authFail: 'API 不接受该密钥',
    authRefused: (title) => `API 在这里拒绝了该密钥：${title}`,
    modelsUnlisted: (title) => `GET /models 没有列出模型（${title}）；改用一次调用来检查`,
    billingOk: (model) => `账单已激活且有余额（对 ${model} 的最小调用成功）`,
    billingFail: '账单或余额问题导致调用被拒绝',
    modelOk: (model) => `${model} 可以访问`,
    modelFail: (model) => `${model} 无法访问`,
    tierNotTheReason: (tier) => `（你的 ${tier} 包含这个模型：原因不在等级）`,
    regionOk: (host) => `所在地区受支持，网络可以访问 ${host}`,
    regionFail: 'API 拒绝当前地区',
    limits: (model, rpm, tpm, tier) => `${model}：每分钟 ${rpm} 次请求、${tpm} tokens${tier}`,
    matches: (tier) => ` → 对应 ${tier}`,
    noHeaders: (model) => `${model}：端点没有返回速率限制响应头（中转站？）；tierguard 会从 429 中学习限额`,
    notChecked: (checks) => `未检查（前面的检查未通过）：${checks}`,
    checkNames: {
      key: '密钥',
      network: '网络',
      auth: '密钥',
      billing: '账单与余额',
      model: '模型',
      region: '地区',
      limits: '速率限制',
    },
    list: (names) => names.join('、'),
    sameAsAbove: (title) => `${title}：同上。`,
    summaryOk: '全部检查通过。',
    summaryFail: (count) => `${count} 项检查未通过。`,
    simulated: (tier) => `在 127.0.0.1 上模拟的 ${tier} 账户（不联网，不使用真实密钥）。`,
    tierName: (tier) => (tier === 'free' ? '免费等级（Free）' : `Tier ${tierNumber(tier)}`),
    plan: ({ model, target, current, payUsd, totalUsd, days }) =>
      [
        `${model} 的升级计划：达到 ${target}`,
        payUsd === undefined
          ? `——累计付款需达到 ${totalUsd}（已付的金额计算在内）`
          : `——再付 ${payUsd}（累计 ${totalUsd}${current === undefined ? '' : `；响应头显示你目前处于${current}`}）`,
        days > 0 ? `，且首次付款后满 ${days} 天` : '',
        '。',
      ].join(''),
  },
};
