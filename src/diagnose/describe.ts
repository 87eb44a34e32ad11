/**
 * One line for logs and tables:
 * `rate_limited_tokens (429, retry in 1.9 s): Too many tokens per minute for gpt-4o`.
 */
import { formatWait } from './hint.js';
import type { Diagnosis, Locale } from './types.js';

/** Options of `describeDiagnosis`. */
export interface DescribeOptions {
  /**
   * Language of the line.
   * @default 'en'
   */
  readonly locale?: Locale;
}

// A field of a diagnosis that came from elsewhere (a log, a header, a forged object): read it
// without trusting its type, and never let a long value through whole.
function field(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

function shortText(value: unknown, fallback: string): string {
  if (typeof value !== 'string' || value.trim() === '') return fallback;
  return value.length > 300 ? `${value.slice(0, 300)}…` : value;
}

/**
 * One line describing `diagnosis`: its cause, status (or origin), whether it is retried and after
 * how long, and its hint's title. `options` is `{ locale }` (a bare locale is accepted too). Never
 * throws, whatever `diagnosis` holds: a forged or partial one (`{ cause: 'x', hint: null }`) gets
 * a line from what it has.
 */
export function describeDiagnosis(diagnosis: Diagnosis, options: DescribeOptions | Locale = 'en'): string {
  try {
    const wanted = typeof options === 'string' ? options : field(options, 'locale');
    const zh = wanted === 'zh-CN';
    const locale: Locale = zh ? 'zh-CN' : 'en';
    const cause = shortText(field(diagnosis, 'cause'), 'unknown');
    const status = field(diagnosis, 'status');
    const retryable = field(diagnosis, 'retryable') === true;
    const wait = field(diagnosis, 'retryAfterMs');
    const title = shortText(field(field(diagnosis, 'hint'), 'title'), zh ? '（无提示）' : '(no hint)');
    const where =
      typeof status === 'number' && Number.isFinite(status)
        ? String(status)
        : shortText(field(diagnosis, 'origin'), 'api');
    const retry =
      retryable && typeof wait === 'number' && Number.isFinite(wait) && wait >= 0
        ? `${zh ? '等待' : 'retry in'} ${formatWait(locale, wait)}`
        : retryable
          ? zh
            ? '可重试'
            : 'retryable'
          : zh
            ? '不重试'
            : 'not retried';
    return `${cause} (${where}, ${retry}): ${title}`;
  } catch {
    return 'unknown (api, not retried): (no hint)';
  }
}
