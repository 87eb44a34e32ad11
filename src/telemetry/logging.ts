/**
 * The `logger` option: the guard's events as log lines, through a logger in the shape openai-node's
 * `logger` option takes (`debug` / `info` / `warn` / `error`: `console`, pino, winston…), filtered
 * by `logLevel`. Each event is logged once, at its level (`LOG_LEVEL_OF`); `error` is kept for
 * faults of the guard's own work (a listener that threw, metrics that could not start). A line
 * carries models, causes, numbers and readable limit keys, never an API key or a prompt.
 */
import { describeDiagnosis } from '../diagnose/describe.js';
import type { Diagnosis, Locale } from '../diagnose/types.js';
import { maskSecrets } from '../util/mask.js';
import type { GuardEvent, GuardEventListener } from './events.js';

/** A logger in the shape openai-node's `logger` option takes: `console`, a pino or winston logger… */
export interface Logger {
  error(message: string, ...rest: unknown[]): void;
  warn(message: string, ...rest: unknown[]): void;
  info(message: string, ...rest: unknown[]): void;
  debug(message: string, ...rest: unknown[]): void;
}

/** The levels of `logLevel`, from quietest to loudest (openai-node's names). */
export const LOG_LEVELS = ['off', 'error', 'warn', 'info', 'debug'] as const;

/** How much the guard logs: `'warn'` logs failed calls and the guard's own faults. */
export type LogLevel = (typeof LOG_LEVELS)[number];

type Level = Exclude<LogLevel, 'off'>;

const RANK: Readonly<Record<LogLevel, number>> = { off: 0, error: 1, warn: 2, info: 3, debug: 4 };

/** The level each event is logged at (`budget-alert` is `warn` once the budget is spent). */
export const LOG_LEVEL_OF: Readonly<Record<GuardEvent['type'], Exclude<Level, 'error'>>> = {
  queued: 'debug',
  throttled: 'debug',
  sent: 'debug',
  usage: 'debug',
  served: 'debug',
  diagnosed: 'debug',
  'limits-learned': 'debug',
  'tier-detected': 'info',
  'model-unknown': 'info',
  retry: 'info',
  fallback: 'info',
  'store-degraded': 'info',
  'store-restored': 'info',
  'budget-alert': 'info',
  'budget-clamped': 'info',
  failed: 'warn',
};

/** The guard's log lines: a listener for its events, and a report of its own faults. */
export interface LogSink {
  readonly listener: GuardEventListener;
  /** Logs, at `error`, a fault the guard caught in its own work (`what` says where). */
  fault(what: string, error: unknown): void;
}

function modelOf(model: string | undefined): string {
  return model ?? 'a call';
}

/** The fields of a diagnosis a log line needs (its hint, headers and message stay out of logs). */
function diagnosisFields(diagnosis: Diagnosis): Record<string, unknown> {
  return {
    cause: diagnosis.cause,
    origin: diagnosis.origin,
    ...(diagnosis.status === undefined ? {} : { status: diagnosis.status }),
    ...(diagnosis.code === undefined ? {} : { code: diagnosis.code }),
    ...(diagnosis.model === undefined ? {} : { model: diagnosis.model }),
    ...(diagnosis.requestId === undefined ? {} : { requestId: diagnosis.requestId }),
    retryable: diagnosis.retryable,
    ...(diagnosis.retryAfterMs === undefined ? {} : { retryAfterMs: diagnosis.retryAfterMs }),
    ...(diagnosis.retries === undefined ? {} : { attempts: diagnosis.retries.attempts }),
  };
}

/** The line for an event: its message and the structured fields beside it. */
function lineFor(event: GuardEvent, locale: Locale): { message: string; fields: Record<string, unknown> } {
  switch (event.type) {
    case 'queued':
      return {
        message: `${modelOf(event.model)} queued on ${event.key} (${event.waiting} waiting)`,
        fields: { ...event },
      };
    case 'throttled':
      return {
        message: `${modelOf(event.model)} held by the ${event.bucket} limit of ${event.key} for ${event.waitMs} ms (${event.waiting} waiting)`,
        fields: { ...event },
      };
    case 'sent':
      return {
        message: `${modelOf(event.model)} sent to ${event.endpoint} (attempt ${event.attempt}, queued ${event.queuedMs} ms, ~${event.estimatedTokens} tokens)`,
        fields: { ...event },
      };
    case 'usage':
      return {
        message: `${modelOf(event.model)} used ${(event.inputTokens ?? 0) + (event.outputTokens ?? 0)} tokens (${event.reservedTokens} reserved) on ${event.key}`,
        fields: { ...event },
      };
    case 'served':
      return {
        message: `${modelOf(event.model)} served (${event.status}) after ${event.attempts} attempt${event.attempts === 1 ? '' : 's'} in ${event.latencyMs} ms`,
        fields: { ...event },
      };
    case 'diagnosed':
      return {
        message: `an attempt failed: ${describeDiagnosis(event.diagnosis, { locale })}`,
        fields: { type: event.type, ...diagnosisFields(event.diagnosis) },
      };
    case 'failed': {
      const attempts = event.diagnosis.retries?.attempts;
      return {
        message: `${modelOf(event.diagnosis.model)} failed${attempts === undefined ? '' : ` after ${attempts} attempt${attempts === 1 ? '' : 's'}`}: ${describeDiagnosis(event.diagnosis, { locale })}`,
        fields: { type: event.type, ...diagnosisFields(event.diagnosis) },
      };
    }
    case 'limits-learned':
      return {
        message: `${event.key} ${event.bucket} limit is ${event.capacity} per ${event.windowMs} ms${event.previous === undefined ? '' : ` (was ${event.previous.capacity} from ${event.previous.source})`}`,
        fields: { ...event },
      };
    case 'tier-detected':
      return {
        message: `${event.key} has the limits of ${event.tier} (${event.requestsPerMinute} requests, ${event.tokensPerMinute} tokens per minute)`,
        fields: { ...event },
      };
    case 'model-unknown':
      return {
        message: `${event.model} has no published limits: ${event.key} is paced by conservative defaults until the API's headers say its limits`,
        fields: { ...event },
      };
    case 'retry':
      return {
        message: `${modelOf(event.model)} attempt ${event.attempt} failed (${event.cause}${event.status === undefined ? '' : `, ${event.status}`}); retrying in ${event.waitMs} ms (${event.waitSource})`,
        fields: { ...event },
      };
    case 'fallback':
      return {
        message: `${event.from} cannot serve (${event.cause}); falling back to ${event.to}${event.endpoint === undefined ? '' : ` on ${event.endpoint}`}`,
        fields: { ...event },
      };
    case 'budget-alert':
      return {
        message: `${Math.round(event.threshold * 100)} % of the ${event.month} budget reached: $${event.spentUsd.toFixed(event.spentUsd < 1 ? 4 : 2)} of $${event.monthlyUsd}${event.exhausted ? ' (spent)' : ''}`,
        fields: { ...event },
      };
    case 'budget-clamped':
      return {
        message: `${modelOf(event.model)} sent with ${event.field} ${event.maxTokens}${event.requestedMaxTokens === undefined ? '' : ` (asked ${event.requestedMaxTokens})`}: the month's budget has $${event.leftUsd.toFixed(4)} left for it`,
        fields: { ...event },
      };
    case 'store-degraded':
      return {
        message: `the shared store is away (${event.reason}): buckets run locally at ${Math.round(event.share * 100)} % of the limits`,
        fields: { ...event },
      };
    case 'store-restored':
      return {
        message: `the shared store is back: buckets are shared by ${event.processes} process${event.processes === 1 ? '' : 'es'}`,
        fields: { ...event },
      };
    default:
      return event satisfies never;
  }
}

// A fault's text is quoted whole up to here: an error message is no place for a novel.
const MAX_ERROR_TEXT = 500;

/** An error as a short line, keys masked before it is cut (a cut key would escape the mask). */
function errorText(error: unknown, secrets: readonly string[]): string {
  let text: string;
  try {
    text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } catch {
    text = 'an unprintable value';
  }
  text = maskSecrets(text, secrets);
  return text.length > MAX_ERROR_TEXT ? `${text.slice(0, MAX_ERROR_TEXT)}…` : text;
}

/**
 * Builds the guard's log sink. Levels above `logLevel` cost nothing: their line is never built.
 * `secrets` (the keys the guard knows) are masked in fault reports, which quote errors.
 */
export function createLogSink(
  logger: Logger,
  logLevel: LogLevel,
  locale: Locale,
  secrets: readonly string[],
): LogSink {
  // pino (and its children) take `(fields, message)`: given a message first, pino drops the fields.
  // openai-node's order, `(message, fields)`, suits console and winston.
  const fieldsFirst = Symbol.for('pino.serializers') in logger;
  const writers = new Map<Level, (message: string, fields: Record<string, unknown>) => void>();
  for (const level of ['error', 'warn', 'info', 'debug'] as const) {
    if (RANK[level] > RANK[logLevel]) continue;
    const write = logger[level].bind(logger) as (...args: unknown[]) => void;
    writers.set(level, (message, fields) =>
      fieldsFirst ? write(fields, `tierguard: ${message}`) : write(`tierguard: ${message}`, fields),
    );
  }
  return {
    listener(event) {
      const level = event.type === 'budget-alert' && event.exhausted ? 'warn' : LOG_LEVEL_OF[event.type];
      const write = writers.get(level);
      if (write === undefined) return;
      const { message, fields } = lineFor(event, locale);
      write(message, fields);
    },
    fault(what, error) {
      const write = writers.get('error');
      if (write === undefined) return;
      const text = errorText(error, secrets);
      write(`${what}: ${text}`, { type: 'fault', what, error: text });
    },
  };
}
