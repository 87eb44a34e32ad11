import { Console } from 'node:console';
import { Writable } from 'node:stream';
import OpenAI from 'openai';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createGuard, type Guard } from '../../src/guard/create-guard.js';
import type { GuardEvent } from '../../src/telemetry/events.js';
import { LOG_LEVEL_OF, type Logger, type LogLevel } from '../../src/telemetry/logging.js';
import { apiErrors, fakeApiKey, fixtures } from '../../src/testing/fixtures.js';
import {
  chatCompletion,
  limitHeaders,
  scriptedFetch,
  type Script,
  type ScriptedFetch,
} from '../../src/testing/scripted-fetch.js';
import { TierguardOptionsError } from '../../src/util/options.js';

const KEY = fakeApiKey('l0gs');
const BACKUP_KEY = fakeApiKey('b4ck', 'sk-backup-');
const PROMPT = 'Write one line about rivers that meet the sea.';

type Level = 'debug' | 'info' | 'warn' | 'error';

/** A logger that records every call with its arguments, as openai-node's shape allows. */
function recordingLogger(): Logger & { readonly calls: { level: Level; args: unknown[] }[] } {
  const calls: { level: Level; args: unknown[] }[] = [];
  const at =
    (level: Level) =>
    (...args: unknown[]): void => {
      calls.push({ level, args });
    };
  return { calls, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** The same, shaped as pino is: its registered serializers symbol, `(fields, message)` calls. */
function pinoShapedLogger(): ReturnType<typeof recordingLogger> {
  const logger = recordingLogger();
  return Object.assign(logger, { [Symbol.for('pino.serializers')]: {} });
}

/** A real `Console` writing to memory. */
function memoryConsole(): { console: Console; text: () => string } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { console: new Console({ stdout: sink, stderr: sink }), text: () => chunks.join('') };
}

const guards: Guard[] = [];
function tracked(options: Parameters<typeof createGuard>[0]): Guard {
  const created = createGuard(options);
  guards.push(created);
  return created;
}

function client(created: Guard, fetch: ScriptedFetch): OpenAI {
  return created.wrap(new OpenAI({ apiKey: KEY, baseURL: 'https://api.openai.test/v1', fetch }));
}

const ask = (openai: OpenAI, model = 'gpt-4o') =>
  openai.chat.completions.create({ model, messages: [{ role: 'user', content: PROMPT }], max_tokens: 50 });

const rateLimited = apiErrors.rateLimited({
  model: 'gpt-4o',
  kind: 'requests',
  limit: 500,
  used: 500,
  requested: 1,
  retryAfterMs: 1_000,
  retryAfterHeaders: true,
});

afterEach(async () => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  await Promise.all(guards.splice(0).map((created) => created.close()));
});

describe('levels', () => {
  it('logs nothing but failed calls by default once a logger is set (openai-node’s default, warn)', async () => {
    const logger = recordingLogger();
    const created = tracked({ tier: 'tier-1', logger });
    const openai = client(created, scriptedFetch([chatCompletion(), fixtures.insufficient_quota]));
    await ask(openai);
    await expect(ask(openai)).rejects.toBeInstanceOf(OpenAI.APIError);
    expect(logger.calls).toHaveLength(1);
    const [call] = logger.calls;
    expect(call?.level).toBe('warn');
    expect(call?.args[0]).toMatch(
      /^tierguard: gpt-4o failed after 1 attempt: insufficient_quota \(429, not retried\): \S/,
    );
    expect(call?.args[1]).toMatchObject({
      type: 'failed',
      cause: 'insufficient_quota',
      origin: 'api',
      status: 429,
      model: 'gpt-4o',
      attempts: 1,
      retryable: false,
    });
    // The hint's steps stay in the diagnosis, not in the log line's fields.
    expect(call?.args[1]).not.toHaveProperty('hint');
  });

  it('`info` adds retries, fallbacks and tiers; `debug` logs every event once, at its level', async () => {
    vi.useFakeTimers();
    const run = async (logLevel: LogLevel) => {
      const logger = recordingLogger();
      const events: GuardEvent[] = [];
      const created = tracked({
        tier: 'tier-1',
        logger,
        logLevel,
        onEvent: (event) => events.push(event),
        fallback: { 'gpt-4o': ['gpt-4o-mini'] },
      });
      const fetch = scriptedFetch([
        rateLimited,
        apiErrors.modelNotFound('gpt-4o'),
        chatCompletion({
          model: 'gpt-4o-mini',
          headers: limitHeaders({
            requests: 500,
            remainingRequests: 499,
            tokens: 200_000,
            remainingTokens: 199_000,
          }),
        }),
      ]);
      const pending = ask(client(created, fetch));
      await vi.advanceTimersByTimeAsync(1_000);
      await pending;
      return { logger, events };
    };

    const info = await run('info');
    expect(info.logger.calls.map((call) => call.level)).not.toContain('debug');
    expect(info.logger.calls.map((call) => call.args[0])).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^tierguard: gpt-4o attempt 1 failed \(rate_limited_requests, 429\); retrying in 1000 ms \(api\)$/,
        ),
        expect.stringMatching(
          /^tierguard: gpt-4o cannot serve \(model_access_denied\); falling back to gpt-4o-mini$/,
        ),
      ]),
    );
    expect(info.logger.calls).toHaveLength(
      info.events.filter((event) => LOG_LEVEL_OF[event.type] === 'info').length,
    );

    const debug = await run('debug');
    expect(debug.logger.calls).toHaveLength(debug.events.length);
    expect(debug.logger.calls.map((call) => call.level)).toEqual(
      debug.events.map((event) => LOG_LEVEL_OF[event.type]),
    );
    expect(debug.events.map((event) => event.type)).toEqual(
      expect.arrayContaining(['sent', 'diagnosed', 'retry', 'fallback', 'served', 'usage', 'tier-detected']),
    );
    for (const call of debug.logger.calls) {
      expect(call.args[0]).toMatch(/^tierguard: /);
      expect(typeof call.args[1]).toBe('object');
    }
  });

  it('a budget threshold is info, a spent budget a warning; `off` logs nothing at all', async () => {
    const logger = recordingLogger();
    const created = tracked({
      tier: 'tier-1',
      logger,
      logLevel: 'info',
      budget: { monthlyUsd: 0.01, alertAt: [0.5, 1] },
    });
    // gpt-4o prices 1,000 prompt and 500 output tokens at $0.0075: the first call crosses half the
    // budget, the second all of it.
    const openai = client(
      created,
      scriptedFetch(chatCompletion({ usage: { promptTokens: 1_000, completionTokens: 500 } })),
    );
    await ask(openai);
    await ask(openai);
    expect(logger.calls).toEqual([
      {
        level: 'info',
        args: [
          expect.stringMatching(/^tierguard: 50 % of the \d{4}-\d{2} budget reached: \$0\.0075 of \$0\.01$/),
          expect.anything(),
        ],
      },
      {
        level: 'warn',
        args: [
          expect.stringMatching(
            /^tierguard: 100 % of the \d{4}-\d{2} budget reached: \$0\.0150 of \$0\.01 \(spent\)$/,
          ),
          expect.objectContaining({ type: 'budget-alert', exhausted: true }),
        ],
      },
    ]);

    const silent = recordingLogger();
    const quiet = tracked({ tier: 'tier-1', logger: silent, logLevel: 'off' });
    await expect(ask(client(quiet, scriptedFetch(fixtures.insufficient_quota)))).rejects.toThrow();
    expect(silent.calls).toEqual([]);
  });

  it('`logLevel` alone logs to the console', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const created = tracked({ tier: 'tier-1', logLevel: 'warn' });
    await expect(ask(client(created, scriptedFetch(fixtures.insufficient_quota)))).rejects.toThrow();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[0]).toMatch(/^tierguard: gpt-4o failed after 1 attempt: insufficient_quota/);
  });
});

describe('loggers', () => {
  it('a real console prints the line and its fields', async () => {
    const memory = memoryConsole();
    const created = tracked({ tier: 'tier-1', logger: memory.console, logLevel: 'info' });
    await expect(ask(client(created, scriptedFetch(fixtures.insufficient_quota)))).rejects.toThrow();
    const text = memory.text();
    expect(text).toMatch(
      /^tierguard: gpt-4o failed after 1 attempt: insufficient_quota \(429, not retried\): .+ \{\n/,
    );
    expect(text).toContain("cause: 'insufficient_quota'");
    expect(
      text
        .trim()
        .split('\n')
        .filter((line) => line.startsWith('tierguard:')),
    ).toHaveLength(1);
  });

  it('a pino-shaped logger is called (fields, message), pino’s order', async () => {
    const logger = pinoShapedLogger();
    const created = tracked({ tier: 'tier-1', logger });
    await expect(ask(client(created, scriptedFetch(fixtures.insufficient_quota)))).rejects.toThrow();
    expect(logger.calls).toEqual([
      {
        level: 'warn',
        args: [
          expect.objectContaining({ type: 'failed', cause: 'insufficient_quota' }),
          expect.stringMatching(/^tierguard: gpt-4o failed after 1 attempt: insufficient_quota/),
        ],
      },
    ]);
  });

  it('real pino writes JSON with the message and the fields', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().trim().split('\n'));
        done();
      },
    });
    const logger = pino({ level: 'debug' }, destination);
    const created = tracked({
      tier: 'tier-1',
      logger: logger.child({ service: 'billing' }),
      logLevel: 'info',
    });
    await expect(ask(client(created, scriptedFetch(fixtures.insufficient_quota)))).rejects.toThrow();
    logger.flush();
    await vi.waitFor(() => expect(lines).toHaveLength(1));
    const record = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(record).toMatchObject({
      level: 40,
      service: 'billing',
      type: 'failed',
      cause: 'insufficient_quota',
      origin: 'api',
      status: 429,
      model: 'gpt-4o',
    });
    expect(record.msg).toMatch(
      /^tierguard: gpt-4o failed after 1 attempt: insufficient_quota \(429, not retried\)/,
    );
  });

  it('takes the logger an openai client takes', () => {
    const forOpenAI: NonNullable<ConstructorParameters<typeof OpenAI>[0]>['logger'] = console;
    const level: NonNullable<ConstructorParameters<typeof OpenAI>[0]>['logLevel'] = 'debug';
    expect(() => tracked({ logger: forOpenAI, logLevel: level })).not.toThrow();
  });
});

describe('faults and secrets', () => {
  it('a listener that throws is logged at error, masked, and the call goes on', async () => {
    const logger = recordingLogger();
    const created = tracked({ tier: 'tier-1', logger, logLevel: 'error' });
    created.on((event) => {
      if (event.type === 'served') throw new Error(`listener bug with ${KEY}`);
    });
    const completion = await ask(client(created, scriptedFetch(chatCompletion({ content: 'served' }))));
    expect(completion.choices[0]?.message.content).toBe('served');
    expect(logger.calls).toHaveLength(1);
    expect(logger.calls[0]?.level).toBe('error');
    expect(logger.calls[0]?.args[0]).toMatch(
      /^tierguard: an event listener threw \(the call went on\): Error: listener bug with sk-proj-/,
    );
    expect(JSON.stringify(logger.calls)).not.toContain(KEY);
  });

  it('no key, no prompt and no URL query in any line, at debug, through failures, fallbacks and a relay', async () => {
    const logger = recordingLogger();
    const created = tracked({
      tier: 'tier-1',
      logger,
      logLevel: 'debug',
      fallback: {
        'gpt-4o': [
          {
            model: 'gpt-4o-mini',
            baseURL: `https://relay.example/${BACKUP_KEY}/v1?key=${BACKUP_KEY}`,
            apiKey: BACKUP_KEY,
          },
        ],
      },
    });
    const script: Script = (call) =>
      call.url.startsWith('https://relay.example')
        ? {
            status: 401,
            body: {
              error: {
                message: `Incorrect API key provided: ${BACKUP_KEY}`,
                type: 'invalid_request_error',
                code: 'invalid_api_key',
              },
            },
          }
        : {
            status: 401,
            body: {
              error: {
                message: `Incorrect API key provided: ${KEY}`,
                type: 'invalid_request_error',
                code: 'invalid_api_key',
              },
            },
          };
    const openai = new OpenAI({
      apiKey: KEY,
      baseURL: `https://api.openai.test/${KEY}/v1?api-key=${KEY}`,
      fetch: scriptedFetch(script),
    });
    await expect(ask(created.wrap(openai))).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    expect(logger.calls.map((call) => call.level)).toContain('warn');
    const text = JSON.stringify(logger.calls);
    expect(text).toContain('invalid_api_key');
    expect(text).not.toContain(KEY);
    expect(text).not.toContain(BACKUP_KEY);
    expect(text).not.toContain(KEY.slice(8, -4));
    expect(text).not.toContain(BACKUP_KEY.slice(10, -4));
    expect(text).not.toContain(PROMPT);
    expect(text).not.toContain('?key=');
    expect(text).not.toContain('?api-key=');
  });

  it('refuses a logger that is not one, and an unknown level, naming the option', () => {
    expect(() => createGuard({ logger: { info: () => {} } as unknown as Logger })).toThrow(
      TierguardOptionsError,
    );
    expect(() => createGuard({ logger: { info: () => {} } as unknown as Logger })).toThrow(
      /`logger`: expected a logger with debug, info, warn and error methods/,
    );
    expect(() => createGuard({ logLevel: 'verbose' as LogLevel })).toThrow(
      /`logLevel`: expected one of 'off', 'error', 'warn', 'info', 'debug'/,
    );
  });
});
