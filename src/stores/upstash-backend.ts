/**
 * A Redis reached over HTTP (Upstash's REST protocol, through `@upstash/redis`) as a shared
 * backend: for serverless functions and Workers, which have no TCP. The buckets are the same Lua
 * scripts on the same keys as over TCP (`LuaBucketStore`), so functions on HTTP and pods on TCP
 * with one prefix share one set of buckets. Nothing here is Node-only: the scripts' SHA-1 comes
 * from Web Crypto, and `@upstash/redis` is loaded only when given `{ url, token }`.
 */
import { maskSecrets } from '../util/mask.js';
import * as z from 'zod/mini';
import { isFunction, parseWith, positiveMini } from '../util/options.js';
import { withTimeout } from '../util/with-timeout.js';
import { FailoverStore, type FailoverEvent, type SharedBackend } from './failover.js';
import { LuaBucketStore } from './lua-bucket-store.js';
import { ScriptRunner, sha1Hex, type ScriptCommands } from './script-runner.js';

/**
 * The part of an `@upstash/redis` client the store uses: its `Redis`, from any of its entries
 * (`@upstash/redis`, `/cloudflare`, `/fastly`), or any client with the same three methods.
 */
export interface UpstashLike {
  eval(script: string, keys: string[], args: string[]): Promise<unknown>;
  evalsha(sha: string, keys: string[], args: string[]): Promise<unknown>;
  ping(): Promise<unknown>;
}

// KEYS[1]: the HTTP instances' members, KEYS[2]: the TCP processes' (the Redis store's, which
// prunes its own with its own TTL: only counted here). ARGV: member, member TTL in ms. One round
// trip a probe, on the server's clock (the instances' clocks need not agree).
const ANNOUNCE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - ttl)
redis.call('PEXPIRE', KEYS[1], ttl * 4)
return redis.call('ZCARD', KEYS[1]) + redis.call('ZCOUNT', KEYS[2], now - ttl, '+inf')
`;

// KEYS[1]: the HTTP instances' members. ARGV: member.
const LEAVE = `return redis.call('ZREM', KEYS[1], ARGV[1])`;

/** The message of an error without what `@upstash/redis` appends (the whole command, script included). */
function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/, command was: [\s\S]*$/, '');
}

/**
 * What a failed HTTP Redis call means, in words a person can act on; `secrets` (the token) never
 * appear in it, nor does any API key.
 */
export function describeUpstashError(error: unknown, secrets: readonly string[] = []): string {
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  const code =
    (cause as { code?: unknown } | undefined)?.code ?? (error as { code?: unknown } | undefined)?.code;
  const causeText = cause instanceof Error ? `: ${cause.message}` : '';
  const message = maskSecrets(`${messageOf(error)}${causeText}`, secrets).slice(0, 160);
  if (/\bUnauthorized\b|WRONGPASS|NOAUTH|\b401\b/i.test(message))
    return `the HTTP Redis refused the token (${message}): check the REST token (UPSTASH_REDIS_REST_TOKEN; not the TCP password)`;
  if (code === 'ECONNREFUSED' || /ECONNREFUSED|connection refused/i.test(message))
    return `connection refused (${message}): is the REST URL right (UPSTASH_REDIS_REST_URL)?`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || /ENOTFOUND|EAI_AGAIN/.test(message))
    return `the host name of the REST URL did not resolve (${message})`;
  if (/no answer within|timed? ?out|ETIMEDOUT/i.test(message))
    return `no answer from the HTTP Redis (${message})`;
  if (/Unable to parse response body/i.test(message))
    return `the REST URL answered, but not as a Redis REST API (${message})`;
  if (/needs the @upstash\/redis package/.test(message)) return message;
  return `the HTTP Redis answered with an error (${message})`;
}

/** The script commands over an `@upstash/redis` client; errors say what failed, without the token. */
function upstashCommands(client: UpstashLike, secrets: readonly string[]): ScriptCommands {
  const described = (error: unknown): never => {
    // The text keeps Redis's own words (NOSCRIPT included: the runner then sends EVAL).
    throw new Error(describeUpstashError(error, secrets), { cause: error });
  };
  return {
    // Computed here: `SCRIPT LOAD` would cost each new function instance a round trip per script.
    scriptSha: sha1Hex,
    // Arguments as Redis would get them over TCP (ioredis sends `String(n)`; JSON would turn
    // `Infinity` into `null`).
    evalsha: (sha, keys, args) => client.evalsha(sha, [...keys], args.map(String)).catch(described),
    eval: (script, keys, args) => client.eval(script, [...keys], args.map(String)).catch(described),
  };
}

/** Options of an HTTP Redis backend. */
export interface UpstashBackendOptions {
  /** The client, or a promise of one (created from a URL and token). */
  readonly client: UpstashLike | Promise<UpstashLike>;
  readonly keyPrefix: string;
  /** A command slower than this counts as a failure. */
  readonly commandTimeoutMs: number;
  /** A function instance not heard from in this long no longer counts. */
  readonly memberTtlMs: number;
  /** Never shown in a message (the token, when tierguard was given it). */
  readonly secrets?: readonly string[];
}

/** A Redis over HTTP shared by every function instance (and process) with the same key prefix. */
export class UpstashBackend implements SharedBackend {
  readonly store: LuaBucketStore;
  readonly #options: UpstashBackendOptions;
  readonly #secrets: readonly string[];
  #client: UpstashLike | undefined;
  /** Drawn at the first announcement: Workers refuse random values outside a request. */
  #member: string | undefined;

  constructor(options: UpstashBackendOptions) {
    this.#options = options;
    this.#secrets = options.secrets ?? [];
    this.store = new LuaBucketStore({
      scripts: new ScriptRunner(async () => upstashCommands(await this.#ready(), this.#secrets)),
      keyPrefix: options.keyPrefix,
    });
  }

  async #ready(): Promise<UpstashLike> {
    this.#client ??= await this.#options.client;
    return this.#client;
  }

  /** Waits until the HTTP Redis answers `PING`, or rejects with a reason that says what failed. */
  async connect(timeoutMs: number): Promise<void> {
    try {
      // One timeout for both: the first request to an HTTPS endpoint also opens the connection.
      await withTimeout(
        this.#ready().then((client) => client.ping()),
        timeoutMs,
        'the HTTP Redis at start (PING)',
      );
    } catch (error) {
      throw new Error(describeUpstashError(error, this.#secrets), { cause: error });
    }
  }

  /**
   * Announces this instance; returns how many instances, and processes on TCP with the same
   * prefix, announced themselves recently. One script, one request.
   */
  async heartbeat(): Promise<number> {
    this.#member ??= crypto.randomUUID();
    const reply = await withTimeout(
      this.store.scripts.run(
        ANNOUNCE,
        [`${this.#options.keyPrefix}members:http`, `${this.#options.keyPrefix}members`],
        [this.#member, this.#options.memberTtlMs],
      ),
      this.#options.commandTimeoutMs,
      'announcing this instance',
    );
    return Number(reply);
  }

  /** The client once it exists (what the budget's spend would share). */
  client(): UpstashLike | undefined {
    return this.#client;
  }

  /** Leaves the members when healthy. An HTTP client holds no connection to close. */
  async close(healthy: boolean): Promise<void> {
    if (!healthy || this.#member === undefined) return;
    await withTimeout(
      this.store.scripts.run(LEAVE, [`${this.#options.keyPrefix}members:http`], [this.#member]),
      this.#options.commandTimeoutMs,
      'leaving the members',
    ).catch(() => undefined);
  }
}

/** Options of `createUpstashStore`: where the HTTP Redis is, and how the store treats it. */
export type UpstashStoreOptions = UpstashConnection & {
  /** Prefix of every key; everything that shares limits (functions, pods on TCP Redis) uses the same one. @default 'tierguard:' */
  readonly keyPrefix?: string;
  /** How long to wait for the HTTP Redis at start before running on local buckets. @default 3_000 */
  readonly connectTimeoutMs?: number;
  /** A bucket operation slower than this counts as a failure. @default 1_000 */
  readonly commandTimeoutMs?: number;
  /**
   * How often this instance announces itself (one request each time), and looks for the HTTP Redis
   * while it is away. @default 5_000
   */
  readonly probeIntervalMs?: number;
  /** `store-degraded` / `store-restored`. */
  readonly emit?: (event: FailoverEvent) => void;
};

/** Either the REST URL and token (tierguard loads `@upstash/redis`), or a client you built. */
export type UpstashConnection =
  | {
      /** The REST URL (`UPSTASH_REDIS_REST_URL`), https in production. */
      readonly url: string;
      /** The REST token (`UPSTASH_REDIS_REST_TOKEN`). */
      readonly token: string;
      readonly client?: never;
    }
  | {
      /** An `@upstash/redis` `Redis` (for example `Redis.fromEnv()`), from whichever entry your runtime uses. */
      readonly client: UpstashLike;
      readonly url?: never;
      readonly token?: never;
    };

const isUpstashClient = (value: unknown): boolean =>
  typeof value === 'object' &&
  value !== null &&
  ['eval', 'evalsha', 'ping'].every(
    (name) => typeof (value as Record<string, unknown>)[name] === 'function',
  ) &&
  // An ioredis client has the same names with other arguments (and a connection `status`).
  typeof (value as { status?: unknown }).status !== 'string';

const milliseconds = z.optional(positiveMini('milliseconds'));
const schema = z
  .strictObject({
    url: z.optional(
      z
        .string({ error: 'the REST URL, http(s)://… (UPSTASH_REDIS_REST_URL)' })
        .check(
          z.regex(/^https?:\/\/[^\s/?#]+/, { error: 'the REST URL, http(s)://… (UPSTASH_REDIS_REST_URL)' }),
        ),
    ),
    token: z.optional(
      z
        .string({ error: 'the REST token (UPSTASH_REDIS_REST_TOKEN)' })
        .check(z.trim(), z.minLength(1, { error: 'the REST token (UPSTASH_REDIS_REST_TOKEN)' })),
    ),
    client: z.optional(
      z.custom<UpstashLike>(isUpstashClient, {
        error: 'an @upstash/redis Redis client (an ioredis client goes to createRedisStore)',
      }),
    ),
    keyPrefix: z.optional(z.string({ error: 'a string' })),
    connectTimeoutMs: milliseconds,
    commandTimeoutMs: milliseconds,
    probeIntervalMs: milliseconds,
    emit: z.optional(
      z.custom<(event: FailoverEvent) => void>(isFunction, { error: 'a function (event) => void' }),
    ),
  })
  .check(
    z.superRefine((options, context) => {
      const either = (path: 'url' | 'token', expected: string, input: unknown): void =>
        context.addIssue({ code: 'custom', path: [path], message: expected, input });
      if (options.client !== undefined) {
        if (options.url !== undefined)
          either('url', 'either `client` or `url` and `token`, not both', options.url);
        if (options.token !== undefined)
          either('token', 'either `client` or `url` and `token`, not both', options.token);
        return;
      }
      if (options.url === undefined)
        either('url', 'the REST URL (UPSTASH_REDIS_REST_URL), or a `client`', undefined);
      if (options.token === undefined)
        either('token', 'the REST token (UPSTASH_REDIS_REST_TOKEN), or a `client`', undefined);
    }),
  );

/**
 * The options as an error may show them: the token as dots, a URL without its query (it may hold
 * `_token=`), a "URL" that is not one (a token pasted in the wrong field) by its length alone, and
 * an object that is not a client by its keys (it may hold a token).
 */
function redacted(options: UpstashStoreOptions): unknown {
  const given = options as Record<string, unknown>;
  const { url, token, client } = given;
  return {
    ...given,
    ...(client !== undefined && !isUpstashClient(client)
      ? {
          client:
            typeof client === 'object' && client !== null
              ? `an object with keys ${Object.keys(client).slice(0, 6).join(', ')}`
              : typeof client === 'string'
                ? `a string of ${client.length} characters`
                : client,
        }
      : {}),
    ...(typeof url === 'string'
      ? { url: /^https?:\/\//.test(url) ? url.replace(/[?#][\s\S]*$/, '?…') : `<${url.length} characters>` }
      : {}),
    ...(typeof token === 'string'
      ? { token: token.trim() === '' ? token : '•'.repeat(Math.min(8, token.length)) }
      : {}),
  };
}

/** An `@upstash/redis` client for `url` and `token`, loaded now (an optional peer dependency). */
async function loadUpstashClient(url: string, token: string): Promise<UpstashLike> {
  // A variable specifier: bundlers leave @upstash/redis out of builds that pass `{ client }`.
  const name = '@upstash/redis';
  let module: { Redis?: unknown };
  try {
    module = (await import(name)) as { Redis?: unknown };
  } catch {
    throw new Error(
      'createUpstashStore({ url, token }) needs the @upstash/redis package (npm install @upstash/redis), or pass { client }',
    );
  }
  const Redis = module.Redis as new (config: Record<string, unknown>) => UpstashLike;
  return new Redis({
    url,
    token,
    // One quick retry: the failover store, not the client, decides what a slow Redis means.
    retry: { retries: 1, backoff: () => 50 },
    enableTelemetry: false,
  });
}

/**
 * Buckets shared through a Redis over HTTP, with local buckets at this instance's share while it is
 * away: for serverless functions and Workers. Give it to `createGuard({ store })`. In a Worker,
 * create it while handling a request (Workers allow no I/O at start-up) and pass `{ client }`.
 */
export function createUpstashStore(options: UpstashStoreOptions): FailoverStore {
  parseWith(schema, redacted(options), '', Object.keys(schema.shape));
  const probeIntervalMs = options.probeIntervalMs ?? 5_000;
  const commandTimeoutMs = options.commandTimeoutMs ?? 1_000;
  const client = options.client ?? loadUpstashClient(options.url, options.token);
  // A rejected load is reported by `connect`; until then it must not count as unhandled.
  if (client instanceof Promise) client.catch(() => undefined);
  const backend = new UpstashBackend({
    client,
    keyPrefix: options.keyPrefix ?? 'tierguard:',
    commandTimeoutMs,
    memberTtlMs: probeIntervalMs * 3,
    secrets: options.token === undefined ? [] : [options.token],
  });
  return new FailoverStore({
    backend,
    ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
    commandTimeoutMs,
    probeIntervalMs,
    emit: options.emit ?? (() => undefined),
  });
}
