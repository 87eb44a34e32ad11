/**
 * Terminal output for the CLI: colour only on a TTY (and never with NO_COLOR), and the block a
 * diagnosis prints as.
 */
import { formatWait } from '../diagnose/hint.js';
import type { Diagnosis, Locale } from '../diagnose/types.js';

/** Styles that are no-ops when colour is off. */
export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

// Each style's SGR codes, to open and to close it: the only control sequences the CLI writes.
const STYLES: Readonly<Record<keyof Style, readonly [number, number]>> = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
};

/** Colour when `stream` is a TTY and NO_COLOR is not set. */
export function styleFor(
  stream: { readonly isTTY?: boolean },
  env: Readonly<Record<string, string | undefined>> = process.env,
): Style {
  const on = stream.isTTY === true && env.NO_COLOR === undefined && env.TERM !== 'dumb';
  const wrap =
    ([open, close]: readonly [number, number]) =>
    (text: string) =>
      on ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  return {
    bold: wrap(STYLES.bold),
    dim: wrap(STYLES.dim),
    red: wrap(STYLES.red),
    green: wrap(STYLES.green),
    yellow: wrap(STYLES.yellow),
    cyan: wrap(STYLES.cyan),
  };
}

const MESSAGE_CHARS = 240;

const LABELS = {
  en: {
    cause: 'cause',
    status: 'status',
    code: 'code',
    message: 'message',
    request: 'request',
    retry: 'retried',
    fallback: 'falls back',
    wait: 'wait',
    limit: 'limit',
    steps: 'what to do',
    links: 'links',
    yes: 'yes',
    no: 'no',
    model: 'yes, to another model',
    endpoint: 'only to another endpoint (another key, account, relay or Azure)',
    attempts: 'attempts',
    waited: 'waited',
    limitKinds: { requests: 'requests', tokens: 'tokens', minute: 'per minute', day: 'per day' },
    limitParts: { size: 'limit', used: 'used', requested: 'this request', remaining: 'remaining' },
  },
  'zh-CN': {
    cause: '原因',
    status: '状态码',
    code: '错误码',
    message: '错误信息',
    request: '请求 ID',
    retry: '会重试',
    fallback: '可回退',
    wait: '等待',
    limit: '限额',
    steps: '怎么做',
    links: '链接',
    yes: '是',
    no: '否',
    model: '是，可换其他模型',
    endpoint: '仅限其他端点（其他密钥、账户、中转站或 Azure）',
    attempts: '尝试记录',
    waited: '等待了',
    limitKinds: { requests: '请求数', tokens: 'tokens', minute: '每分钟', day: '每天' },
    limitParts: { size: '上限', used: '已用', requested: '本次请求', remaining: '剩余' },
  },
} as const;

/**
 * A diagnosis as a readable block: what it is (cause, status, code, request id), what tierguard
 * does about it (retry, fallback, wait, the limit that was hit), then the hint (title, why,
 * numbered steps, links).
 */
export function formatDiagnosis(diagnosis: Diagnosis, locale: Locale, style: Style): string {
  const label = LABELS[locale];
  const fallback =
    diagnosis.fallbackTo === 'model'
      ? label.model
      : diagnosis.fallbackTo === 'endpoint'
        ? label.endpoint
        : label.no;
  const facts: [string, string][] = [[label.cause, style.cyan(style.bold(diagnosis.cause))]];
  if (diagnosis.status !== undefined) facts.push([label.status, String(diagnosis.status)]);
  if (diagnosis.code !== undefined) facts.push([label.code, diagnosis.code]);
  // The error's own words (already masked by diagnose), cut to a readable length.
  if (diagnosis.message !== '')
    facts.push([
      label.message,
      diagnosis.message.length > MESSAGE_CHARS
        ? `${diagnosis.message.slice(0, MESSAGE_CHARS - 1)}…`
        : diagnosis.message,
    ]);
  if (diagnosis.requestId !== undefined) facts.push([label.request, diagnosis.requestId]);
  facts.push([label.retry, diagnosis.retryable ? style.green(label.yes) : style.red(label.no)]);
  facts.push([label.fallback, fallback]);
  if (diagnosis.retryAfterMs !== undefined) {
    const said = diagnosis.retryAfterSource;
    const source =
      said === undefined
        ? ''
        : locale === 'zh-CN'
          ? `（来自${said === 'the message' ? '错误信息' : ` ${said} 响应头`}）`
          : ` (from ${said})`;
    facts.push([label.wait, `${style.yellow(formatWait(locale, diagnosis.retryAfterMs))}${source}`]);
  }
  const limit = diagnosis.limit;
  if (limit !== undefined && limit.kind !== 'context') {
    const numbers = (
      [
        ['size', limit.limit],
        ['used', limit.used],
        ['requested', limit.requested],
        ['remaining', limit.remaining],
      ] as const
    )
      .filter((entry): entry is readonly [keyof typeof label.limitParts, number] => entry[1] !== undefined)
      .map(([part, value]) => `${label.limitParts[part]} ${value.toLocaleString('en-US')}`);
    facts.push([
      label.limit,
      locale === 'zh-CN'
        ? `${label.limitKinds[limit.window]} ${label.limitKinds[limit.kind]}${numbers.length === 0 ? '' : `：${numbers.join('，')}`}`
        : `${label.limitKinds[limit.kind]} ${label.limitKinds[limit.window]}${numbers.length === 0 ? '' : `: ${numbers.join(', ')}`}`,
    ]);
  }
  const width = Math.max(...facts.map(([name]) => displayWidth(name)));
  const lines = [
    ...facts.map(([name, value]) => `${name}${' '.repeat(width - displayWidth(name))}  ${value}`),
    '',
    style.bold(diagnosis.hint.title),
    diagnosis.hint.why,
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
          `  ${index + 1}. ${attempt.model ?? '?'} → ${attempt.cause}${attempt.status === undefined ? '' : ` (${attempt.status})`}${attempt.waitMs > 0 ? `, ${label.waited} ${formatWait(locale, attempt.waitMs)}` : ''}`,
      ),
    );
  }
  return lines.join('\n');
}

// East Asian wide characters take two terminal columns.
const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/g;
const WIDE_ONE = new RegExp(`^${WIDE.source}$`);
// Colour codes take no column.
const ESCAPE = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/** How many terminal columns `text` takes (CJK characters count two, colour codes none). */
export function displayWidth(text: string): number {
  const plain = text.includes('\u001b') ? text.replace(ESCAPE, '') : text;
  return plain.length + (plain.match(WIDE)?.length ?? 0);
}

/** Whether one character takes two terminal columns. */
export function isWide(character: string): boolean {
  return WIDE_ONE.test(character);
}

// What a terminal acts on rather than shows: control characters (C0 but newline and tab, DEL, C1)
// and the sequences they start. A relay's message or a pasted log could otherwise clear the screen,
// move the cursor or set the window's title (`ESC ] 0 ; … BEL`).
const CONTROL_SEQUENCE = new RegExp(
  [
    // The styles the CLI writes itself (`styleFor`), kept as they are.
    `(${String.fromCharCode(27)}\\[(?:${[...new Set(Object.values(STYLES).flat())].join('|')})m)`,
    // An operating-system command, up to its terminator (BEL or ESC \), or to the end of the text.
    `${String.fromCharCode(27)}\\][^${String.fromCharCode(7, 27)}]*(?:${String.fromCharCode(7)}|${String.fromCharCode(27)}\\\\)?`,
    // Any other control character; a Windows line end is a line end.
    `\\r(?=\\n)`,
    `[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]`,
  ].join('|'),
  'g',
);

/**
 * `text` safe to write to a terminal: the CLI's colours stay, every other control character is
 * shown as an escape (`\x1b`) and an operating-system command is dropped.
 */
export function terminalText(text: string): string {
  return text.replace(CONTROL_SEQUENCE, (match: string, colour: string | undefined) => {
    if (colour !== undefined) return colour;
    if (match.length !== 1) return '';
    const code = match.charCodeAt(0);
    return code === 13 ? '' : `\\x${code.toString(16).padStart(2, '0')}`;
  });
}
