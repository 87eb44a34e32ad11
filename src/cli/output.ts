/**
 * Terminal output for the CLI: colour only on a TTY (and never with NO_COLOR), and the block a
 * diagnosis prints as.
 */
import type { Diagnosis, Locale } from '../diagnose/types.js';
import { describeDiagnosis } from '../diagnose/diagnose.js';

/** Styles that are no-ops when colour is off. */
export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

/** Colour when `stream` is a TTY and NO_COLOR is not set. */
export function styleFor(stream: NodeJS.WriteStream): Style {
  const on = stream.isTTY === true && process.env.NO_COLOR === undefined && process.env.TERM !== 'dumb';
  const wrap = (open: number, close: number) => (text: string) =>
    on ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  return {
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
  };
}

const LABELS = {
  en: {
    cause: 'cause',
    retry: 'retried',
    fallback: 'falls back',
    why: 'why',
    steps: 'what to do',
    links: 'links',
    yes: 'yes',
    no: 'no',
    endpoint: 'only to another endpoint',
    attempts: 'attempts',
  },
  'zh-CN': {
    cause: '原因',
    retry: '会重试',
    fallback: '可回退',
    why: '原因说明',
    steps: '怎么做',
    links: '链接',
    yes: '是',
    no: '否',
    endpoint: '仅限其他端点',
    attempts: '尝试记录',
  },
} as const;

/** A diagnosis as a readable block. */
export function formatDiagnosis(diagnosis: Diagnosis, locale: Locale, style: Style): string {
  const label = LABELS[locale];
  const fallback =
    diagnosis.fallbackTo === 'model'
      ? label.yes
      : diagnosis.fallbackTo === 'endpoint'
        ? label.endpoint
        : label.no;
  const lines = [
    style.bold(diagnosis.hint.title),
    style.dim(describeDiagnosis(diagnosis, locale)),
    '',
    `${label.cause}: ${style.cyan(diagnosis.cause)}${diagnosis.code === undefined ? '' : `  (code ${diagnosis.code})`}${diagnosis.requestId === undefined ? '' : `  ${diagnosis.requestId}`}`,
    `${label.retry}: ${diagnosis.retryable ? style.green(label.yes) : style.red(label.no)}   ${label.fallback}: ${fallback}`,
    '',
    `${label.why}: ${diagnosis.hint.why}`,
    '',
    `${label.steps}:`,
    ...diagnosis.hint.steps.map((step, index) => `  ${index + 1}. ${step}`),
  ];
  if (diagnosis.hint.links.length > 0) {
    lines.push(
      '',
      `${label.links}:`,
      ...diagnosis.hint.links.map((link) => `  - ${link.label}: ${link.url}`),
    );
  }
  if (diagnosis.attempts !== undefined && diagnosis.attempts.length > 1) {
    lines.push(
      '',
      `${label.attempts}:`,
      ...diagnosis.attempts.map(
        (attempt, index) =>
          `  ${index + 1}. ${attempt.model ?? '?'} → ${attempt.cause}${attempt.status === undefined ? '' : ` (${attempt.status})`}${attempt.waitMs > 0 ? `, waited ${attempt.waitMs} ms` : ''}`,
      ),
    );
  }
  return lines.join('\n');
}
