/**
 * A Redis server as a shared backend: its buckets (`RedisStore`), the start-up check that says
 * what went wrong (authentication, refused, no answer, an error reply), and the membership that
 * counts the processes sharing it (each announces itself every probe; `FailoverStore` sizes a
 * process's local share from the count).
 */
import { withTimeout } from '../util/with-timeout.js';
import { RedisStore, type RedisLike } from './redis.js';
import { FailoverStore, type FailoverEvent, type SharedBackend } from './failover.js';

/** Options of a Redis backend. */
export interface RedisBackendOptions {
  /** An ioredis client, or a promise of one (created from a URL). */
  readonly client: RedisLike | Promise<RedisLike>;
  /** Quit the client on close (tierguard created it). */
  readonly ownsClient: boolean;
  readonly keyPrefix: string;
  /** A command slower than this counts as a failure. */
  readonly commandTimeoutMs: number;
  /** A process not heard from in this long no longer counts. */
  readonly memberTtlMs: number;
}

/** What a failed connection means, in words a person can act on. */
export function describeRedisError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | undefined)?.code;
  if (/NOAUTH|WRONGPASS|invalid (?:username-)?password|AUTH/i.test(message))
    return `Redis refused the credentials (${message.slice(0, 120)}): check the user and password in the URL`;
  if (code === 'ECONNREFUSED' || /ECONNREFUSED/.test(message))
    return `connection refused (${message.slice(0, 120)}): is Redis running on that host and port?`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || /ENOTFOUND|EAI_AGAIN/.test(message))
    return `the host name did not resolve (${message.slice(0, 120)})`;
  if (/no answer within|timed? ?out|ETIMEDOUT/i.test(message))
    return `no answer (${message.slice(0, 120)}): a firewall, a wrong port, or a server that is not Redis`;
  return `Redis answered with an error (${message.slice(0, 160)})`;
}

/** A Redis server shared by every process with the same key prefix. */
export class RedisBackend implements SharedBackend {
  readonly store: RedisStore;
  readonly #options: RedisBackendOptions;
  readonly #member = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
  #client: RedisLike | undefined;
  #lastError: unknown;
  readonly #onError = (error: unknown): void => {
    // ioredis emits 'error' on every failed reconnect; unhandled it would end the process.
    this.#lastError = error;
  };

  constructor(options: RedisBackendOptions) {
    this.#options = options;
    // Commands wait for the client; a client that never comes rejects them.
    this.store = new RedisStore({ client: () => this.#ready(), keyPrefix: options.keyPrefix });
  }

  async #ready(): Promise<RedisLike> {
    if (this.#client !== undefined) return this.#client;
    const client = await this.#options.client;
    if (this.#client === undefined) {
      this.#client = client;
      client.on('error', this.#onError);
    }
    return client;
  }

  /** Waits until Redis answers, or rejects with a reason that says what failed. */
  async connect(timeoutMs: number): Promise<void> {
    try {
      const client = await withTimeout(this.#ready(), timeoutMs, 'creating the Redis client');
      if (client.status !== 'ready') {
        await withTimeout(
          new Promise<void>((resolve) => {
            const onReady = (): void => {
              client.off?.('ready', onReady);
              resolve();
            };
            client.on('ready', onReady);
          }),
          timeoutMs,
          'Redis at start',
        );
      }
      await withTimeout(client.ping(), this.#options.commandTimeoutMs, 'PING');
    } catch (error) {
      throw new Error(describeRedisError(this.#lastError ?? error), { cause: error });
    }
  }

  /** Announces this process; returns how many processes announced themselves recently. */
  async heartbeat(): Promise<number> {
    const client = await this.#ready();
    const now = Date.now();
    const key = `${this.#options.keyPrefix}members`;
    const timeout = this.#options.commandTimeoutMs;
    await withTimeout(client.zadd(key, now, this.#member), timeout, 'ZADD');
    await withTimeout(
      client.zremrangebyscore(key, '-inf', now - this.#options.memberTtlMs),
      timeout,
      'ZREMRANGEBYSCORE',
    );
    await withTimeout(client.pexpire(key, this.#options.memberTtlMs * 4), timeout, 'PEXPIRE');
    return withTimeout(client.zcard(key), timeout, 'ZCARD');
  }

  /** The client while it exists (the budget's spend store shares it). */
  client(): RedisLike | undefined {
    return this.#client;
  }

  async close(healthy: boolean): Promise<void> {
    const client = this.#client;
    if (client === undefined) {
      // Created from a URL but never awaited: close it once it exists.
      if (this.#options.ownsClient)
        void Promise.resolve(this.#options.client).then(
          (late) => late.disconnect(),
          () => undefined,
        );
      return;
    }
    const timeout = this.#options.commandTimeoutMs;
    // A connection tierguard opened is unref'd while in use: what closing it sends must finish.
    if (this.#options.ownsClient) (client as { stream?: { ref?: () => void } }).stream?.ref?.();
    if (healthy)
      await withTimeout(
        client.zrem(`${this.#options.keyPrefix}members`, this.#member),
        timeout,
        'ZREM',
      ).catch(() => undefined);
    if (this.#options.ownsClient) {
      await withTimeout(client.quit(), timeout, 'QUIT').catch(() => undefined);
      client.disconnect();
      // A connection still opening fails its queued commands after the disconnect: those errors
      // are the closing's own, not the caller's (without a listener ioredis prints them).
      client.on('error', () => undefined);
    }
    client.off?.('error', this.#onError);
  }
}

/** Options of `createRedisStore`. */
export interface RedisStoreFactoryOptions {
  /** An ioredis client (5 or 6), or a promise of one. */
  readonly client: RedisLike | Promise<RedisLike>;
  /** Quit the client when the store closes. @default false */
  readonly ownsClient?: boolean;
  /** Prefix of every key; processes that share limits use the same prefix. @default 'tierguard:' */
  readonly keyPrefix?: string;
  readonly connectTimeoutMs?: number;
  readonly commandTimeoutMs?: number;
  readonly probeIntervalMs?: number;
  /** `store-degraded` / `store-restored`. */
  readonly emit?: (event: FailoverEvent) => void;
}

/**
 * Buckets shared through Redis, with local buckets at this process's share while Redis is away:
 * what the `redis` option builds, for the `store` option or for use on its own.
 */
export function createRedisStore(options: RedisStoreFactoryOptions): FailoverStore {
  const probeIntervalMs = options.probeIntervalMs ?? 1_000;
  const backend = new RedisBackend({
    client: options.client,
    ownsClient: options.ownsClient ?? false,
    keyPrefix: options.keyPrefix ?? 'tierguard:',
    commandTimeoutMs: options.commandTimeoutMs ?? 1_000,
    memberTtlMs: probeIntervalMs * 3,
  });
  return new FailoverStore({
    backend,
    ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
    ...(options.commandTimeoutMs === undefined ? {} : { commandTimeoutMs: options.commandTimeoutMs }),
    probeIntervalMs,
    emit: options.emit ?? (() => undefined),
  });
}
