/**
 * Buckets shared through Redis over TCP (ioredis): every process of an organization takes from the
 * same buckets. Each operation is one of the bucket scripts (`bucket-scripts.ts`), the same that
 * the HTTP store runs; the script's SHA is what `SCRIPT LOAD` answers.
 */
import { LuaBucketStore } from './lua-bucket-store.js';
import { ScriptRunner, type ScriptCommands } from './script-runner.js';

/** The part of an ioredis client the store uses (ioredis 5 or 6). */
export interface RedisLike {
  readonly status: string;
  eval(script: string, numberOfKeys: number, ...args: (string | number)[]): Promise<unknown>;
  evalsha(sha: string, numberOfKeys: number, ...args: (string | number)[]): Promise<unknown>;
  script(subcommand: 'LOAD', script: string): Promise<unknown>;
  zadd(key: string, score: number, member: string): Promise<unknown>;
  zremrangebyscore(key: string, min: number | string, max: number | string): Promise<unknown>;
  zcard(key: string): Promise<number>;
  zrem(key: string, member: string): Promise<unknown>;
  pexpire(key: string, ms: number): Promise<unknown>;
  incrbyfloat(key: string, increment: number): Promise<string>;
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ...args: (string | number)[]): Promise<unknown>;
  ping(): Promise<unknown>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off?(event: string, listener: (...args: unknown[]) => void): unknown;
  quit(): Promise<unknown>;
  disconnect(): void;
}

/** Options of the Redis store. */
export interface RedisStoreOptions {
  /** The client, or a function that gives it once it exists. */
  readonly client: RedisLike | (() => Promise<RedisLike>);
  /** Prefix of every key; processes that share limits use the same prefix. */
  readonly keyPrefix: string;
  /** This process's clock (monotonic), to know a bucket it kept alive from one that expired. */
  readonly now?: () => number;
}

/** The script commands over an ioredis client. */
function ioredisCommands(client: RedisLike): ScriptCommands {
  return {
    scriptSha: (script) => client.script('LOAD', script).then(String),
    evalsha: (sha, keys, args) => client.evalsha(sha, keys.length, ...keys, ...args),
    eval: (script, keys, args) => client.eval(script, keys.length, ...keys, ...args),
  };
}

/**
 * Buckets in Redis over an ioredis client. Operations reject when Redis fails; `FailoverStore`
 * decides what then. Time is Redis server time (`TIME`), so the processes' clocks need not agree.
 */
export class RedisStore extends LuaBucketStore {
  constructor(options: RedisStoreOptions) {
    const client = options.client;
    const ready = typeof client === 'function' ? client : () => Promise.resolve(client);
    super({
      scripts: new ScriptRunner(async () => ioredisCommands(await ready())),
      keyPrefix: options.keyPrefix,
      ...(options.now === undefined ? {} : { now: options.now }),
    });
  }
}
