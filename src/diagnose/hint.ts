/**
 * Step 5 of diagnose: the hint, rendered from the locale's templates (`src/data/hints/`) with
 * formatters for that locale; a guarded call's final diagnosis opens with how its retries ended,
 * and a server's `x-should-retry` that changed the verdict gets a step of its own.
 */
import type { Cause } from '../data/causes.js';
import { HINTS_EN, FRAME_EN } from '../data/hints/en.js';
import type { HintContext, HintFormat, HintFrame, HintTemplate } from '../data/hints/types.js';
import { HINTS_ZH_CN, FRAME_ZH_CN } from '../data/hints/zh-CN.js';
import type { Tier } from '../data/tiers.js';
import type { Hint, Locale } from './types.js';

const TEMPLATES: Readonly<Record<Locale, Readonly<Record<Cause, HintTemplate>>>> = {
  en: HINTS_EN,
  'zh-CN': HINTS_ZH_CN,
};

const FRAMES: Readonly<Record<Locale, HintFrame>> = { en: FRAME_EN, 'zh-CN': FRAME_ZH_CN };

const trim = (value: number): string => String(Number(value.toFixed(1)));

const FORMATS: Readonly<Record<Locale, HintFormat>> = {
  en: {
    wait: (ms) => {
      if (ms < 1_000) return `${Math.round(ms)} ms`;
      if (ms < 60_000) return `${trim(ms / 1_000)} s`;
      if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1_000)} s`;
      return `${Math.floor(ms / 3_600_000)} h ${Math.round((ms % 3_600_000) / 60_000)} min`;
    },
    number: (value) => value.toLocaleString('en-US'),
    tier: (tier: Tier) => (tier === 'free' ? 'the free tier' : `Tier ${tier.slice(5)}`),
    usd: (value) => `$${value.toLocaleString('en-US', { maximumFractionDigits: 2 })}`,
    code: (text) => `\`${text}\``,
  },
  'zh-CN': {
    wait: (ms) => {
      if (ms < 1_000) return `${Math.round(ms)} 毫秒`;
      if (ms < 60_000) return `${trim(ms / 1_000)} 秒`;
      if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} 分 ${Math.round((ms % 60_000) / 1_000)} 秒`;
      return `${Math.floor(ms / 3_600_000)} 小时 ${Math.round((ms % 3_600_000) / 60_000)} 分`;
    },
    number: (value) => value.toLocaleString('en-US'),
    tier: (tier: Tier) => (tier === 'free' ? '免费等级（Free）' : `Tier ${tier.slice(5)}`),
    usd: (value) => `$${value.toLocaleString('en-US', { maximumFractionDigits: 2 })}`,
    code: (text) => `\`${text}\``,
  },
};

/** Renders the hint of `context.cause` in `locale`. */
export function renderHint(locale: Locale, context: Omit<HintContext, 'format'>): Hint {
  const full: HintContext = { ...context, format: FORMATS[locale] };
  const hint = TEMPLATES[locale][context.cause](full);
  const frame = FRAMES[locale];
  const first = context.retries === undefined ? [] : [frame.retries(full, context.retries)];
  const last = context.retryHeader === true ? [frame.retryHeader(full)] : [];
  if (first.length === 0 && last.length === 0) return hint;
  return { ...hint, steps: [...first, ...hint.steps, ...last] };
}

/** A wait in the locale's words (for one-line summaries). */
export function formatWait(locale: Locale, ms: number): string {
  return FORMATS[locale].wait(ms);
}
