/**
 * The words of `tierguard tiers`, per locale. Units (RPM, TPM, RPD, IPM) and tier names
 * ("Tier 2") stay as OpenAI's pages write them in both languages.
 */
import type { Locale } from '../diagnose/types.js';
import type { Tier } from '../data/tiers.js';

/** What `tiers` says, in one language. */
export interface TiersText {
  readonly tierName: (tier: Tier) => string;
  readonly notSupported: string;
  readonly notPublished: string;
  readonly headers: {
    readonly model: string;
    readonly tier: string;
    readonly limits: string;
    readonly takes: string;
  };
  readonly allowedCountry: string;
  readonly paid: (usd: string) => string;
  readonly days: (days: number) => string;
  readonly needs: (parts: readonly string[]) => string;
  readonly qualification: (tier: string, needs: string, usageLimit: string) => string;
  readonly lowest: (tier: string) => string;
  readonly verification: string;
  readonly noTable: (model: string) => string;
  readonly unknownModel: (model: string) => string;
  readonly limitsSource: (pages: string, asOf: string) => string;
  readonly tiersSource: (pages: string, asOf: string) => string;
}

const tierNumber = (tier: Tier): string => tier.slice(5);

/** The texts, per locale. */
export const TIERS_TEXT: Readonly<Record<Locale, TiersText>> = {
  en: {
    tierName: (tier) => (tier === 'free' ? 'Free' : `Tier ${tierNumber(tier)}`),
    notSupported: 'not supported',
    notPublished: 'not published',
    headers: { model: 'model', tier: 'tier', limits: 'limits', takes: 'what it takes' },
    allowedCountry: 'an allowed country',
    paid: (usd) => `$${usd} paid`,
    days: (days) => `${days}+ days since the first payment`,
    needs: (parts) => `needs ${parts.join(' and ')}`,
    qualification: (tier, needs, usageLimit) => `${tier}: ${needs}; usage limit $${usageLimit}/month`,
    lowest: (tier) => `Lowest tier that can use it: ${tier}.`,
    verification: ' It also needs a verified organization for some uses.',
    noTable: (model) =>
      `${model}: no published per-tier table; tierguard learns its limits from the API’s headers.`,
    unknownModel: (model) =>
      `${model}: not a model tierguard knows (a typo, another provider, or a new model).`,
    limitsSource: (pages, asOf) => `Limits: ${pages} (as of ${asOf}).`,
    tiersSource: (pages, asOf) => `Tiers: ${pages} (as of ${asOf}).`,
  },
  'zh-CN': {
    tierName: (tier) => (tier === 'free' ? '免费' : `Tier ${tierNumber(tier)}`),
    notSupported: '不支持',
    notPublished: '未公布',
    headers: { model: '模型', tier: '等级', limits: '限额', takes: '达到条件' },
    allowedCountry: '位于支持的国家或地区',
    paid: (usd) => `累计付款 $${usd}`,
    days: (days) => `首次付款后满 ${days} 天`,
    needs: (parts) => `需要${parts.join('，且')}`,
    qualification: (tier, needs, usageLimit) => `${tier}：${needs}；每月用量上限 $${usageLimit}`,
    lowest: (tier) => `可以使用它的最低等级：${tier}。`,
    verification: '部分用途还需要完成组织验证。',
    noTable: (model) => `${model}：没有公布按等级划分的限额表；tierguard 会从 API 的响应头中学习它的限额。`,
    unknownModel: (model) => `${model}：tierguard 不认识这个模型（拼写错误、其他服务商的模型，或新模型）。`,
    limitsSource: (pages, asOf) => `限额来源：${pages}（截至 ${asOf}）。`,
    tiersSource: (pages, asOf) => `等级来源：${pages}（截至 ${asOf}）。`,
  },
};
