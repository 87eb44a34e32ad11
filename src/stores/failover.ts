/**
 * A shared store with a local fallback: buckets in a shared backend (Redis, an HTTP Redis…) used
 * by every process, and local buckets while the backend is away. Three rules keep the processes
 * together under the limit when the backend fails or comes back empty:
 *
 * - while degraded, a process's local buckets hold its share (1 / the processes last seen) of what
 *   the shared buckets may hold (`unknownLevel`): a minute's starts empty, as the others may have
 *   spent it since this process last took (an idle process's last take can be long ago); a day's
 *   starts at what its last take found (granted or refused), or full;
 * - a shared bucket the backend lost (a restart without persistence) comes back empty, as the
 *   API's may be (`LuaBucketStore.take` knows a lost bucket from one that expired while idle);
 * - when the backend returns, what each process took locally while it was away (within the
 *   window) is taken from the shared buckets too.
 */
import { withTimeout } from '../util/with-timeout.js';
import { unknownLevel } from './lua-bucket-store.js';
import { MemoryStore } from './memory.js';
import { ScriptRunner } from './script-runner.js';
import type {
  BucketSnapshot,
  BucketSpec,
  BucketStore,
  Dimension,
  SyncInput,
  TakeItem,
  TakeResult,
} from '../pacing/types.js';

/** What a shared backend gives the failover store. */
export interface SharedBackend {
  /** The shared buckets. */
  readonly store: BucketStore;
  /** Resolves once the backend answers; rejects with a reason a person can act on. */
  connect(timeoutMs: number): Promise<void>;
  /** Announces this process; resolves with how many processes share the backend. */
  heartbeat(): Promise<number>;
  close(healthy: boolean): Promise<void>;
}

/** What the failover store reports. */
export type FailoverEvent =
  { type: 'store-degraded'; reason: string; share: number } | { type: 'store-restored'; processes: number };

/** The state of the shared backend, as `stats()` shows it. */
export type StoreHealth = 'connecting' | 'healthy' | 'degraded';

/** Options of the failover store. */
export interface FailoverStoreOptions {
  readonly backend: SharedBackend;
  /** A bucket operation slower than this counts as a failure. @default 1_000 */
  readonly commandTimeoutMs?: number;
  /** How long to wait for the backend at start before running on local buckets. @default 3_000 */
  readonly connectTimeoutMs?: number;
  /** How often to look for the backend while away, and to announce this process. @default 1_000 */
  readonly probeIntervalMs?: number;
  readonly emit: (event: FailoverEvent) => void;
  /** The local buckets' clock (monotonic). */
  readonly now?: () => number;
}

/** Spend this process made in one bucket, kept for a window: what it knows the server counted. */
class RecentSpend {
  readonly #entries: { atMs: number; amount: number }[] = [];

  add(atMs: number, amount: number): void {
    this.#entries.push({ atMs, amount });
    if (this.#entries.length > 4_096) this.#entries.shift();
  }

  /** What was spent within `windowMs` of `nowMs`. */
  within(nowMs: number, windowMs: number): number {
    let sum = 0;
    for (const entry of this.#entries) if (nowMs - entry.atMs < windowMs) sum += entry.amount;
    return sum;
  }
}

/** Shared buckets with a local fallback. */
export class FailoverStore implements BucketStore {
  readonly shared = true;
  readonly #options: FailoverStoreOptions;
  readonly #backend: SharedBackend;
  readonly #specs = new Map<string, Map<Dimension, { spec: BucketSpec; priority: number }>>();
  /** What this process took from its local buckets while degraded: owed to the shared ones. */
  readonly #owed = new Map<
    string,
    { readonly key: string; readonly item: TakeItem; readonly spend: RecentSpend }
  >();
  readonly #ready: Promise<void>;
  readonly #now: () => number;
  #local: MemoryStore;
  /** Counts degradations, so that a ticket taken in one mode is not synced against another. */
  #epoch = 0;
  #health: StoreHealth = 'connecting';
  #processes = 0;
  /** Probes in a row that counted fewer processes than `#processes` (a count falls only slowly). */
  #fewer = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(options: FailoverStoreOptions) {
    this.#options = options;
    this.#backend = options.backend;
    this.#now = options.now ?? (() => performance.now());
    this.#local = new MemoryStore({ now: this.#now });
    this.#ready = this.#connect();
  }

  /** Resolves once the store knows whether the backend is there (it never rejects). */
  get ready(): Promise<void> {
    return this.#ready;
  }

  get health(): StoreHealth {
    return this.#health;
  }

  /**
   * The script runner of a Redis backend (over TCP or HTTP) while it is healthy, for other shared
   * state (the budget's spend); `undefined` while it is away or for a backend without scripts.
   */
  get scripts(): ScriptRunner | undefined {
    if (this.#health !== 'healthy') return undefined;
    const scripts = (this.#backend.store as { scripts?: unknown }).scripts;
    return scripts instanceof ScriptRunner ? scripts : undefined;
  }

  /** The processes sharing the backend while it is healthy (`undefined` while away or unknown). */
  get processes(): number | undefined {
    return this.#health === 'healthy' && this.#processes > 0 ? this.#processes : undefined;
  }

  /** The share of a limit local buckets get while the backend is away. */
  get share(): number {
    // Never having seen the others, assume one more process than this one.
    return 1 / Math.max(2, this.#processes);
  }

  take(key: string, items: readonly TakeItem[]): TakeResult | Promise<TakeResult> {
    if (this.#health === 'degraded') return this.#takeLocally(key, items);
    return this.#shared(
      async (store) => {
        const result = await store.take(key, items);
        return result.ok ? { ...result, origin: 'shared' } : result;
      },
      () => this.#takeLocally(key, items),
    );
  }

  /** A take from the local buckets, remembered so that the shared ones learn of it when they are back. */
  #takeLocally(key: string, items: readonly TakeItem[]): TakeResult {
    const result = this.#local.take(key, items);
    if (!result.ok) return result;
    const now = this.#now();
    for (const item of items) {
      const name = `${key}\u0000${item.dimension}`;
      let owed = this.#owed.get(name);
      if (owed === undefined) {
        owed = { key, item, spend: new RecentSpend() };
        this.#owed.set(name, owed);
      }
      const amount = Math.min(item.amount, item.capacity);
      owed.spend.add(now, amount);
    }
    return { ...result, origin: `local:${this.#epoch}` };
  }

  /** Back on the shared buckets: what was spent locally within their window is taken from them too. */
  async #repay(): Promise<void> {
    const now = this.#now();
    const owed = [...this.#owed.values()];
    this.#owed.clear();
    for (const { key, item, spend } of owed) {
      const amount = spend.within(now, item.windowMs);
      // A bucket the backend lost takes nothing here (adjusting a missing bucket does nothing):
      // the take that recreates it finds it lost and starts it empty.
      if (amount > 0) await this.#backend.store.adjust(key, item.dimension, -amount);
    }
  }

  adjust(key: string, dimension: Dimension, delta: number): void | Promise<void> {
    if (this.#health === 'degraded') return this.#local.adjust(key, dimension, delta);
    return this.#shared(
      (store) => store.adjust(key, dimension, delta),
      () => this.#local.adjust(key, dimension, delta),
    );
  }

  sync(key: string, dimension: Dimension, input: SyncInput): void | Promise<void> {
    // Marks count what one store took: a ticket taken in another mode says nothing here.
    if (this.#health === 'degraded')
      return input.origin === `local:${this.#epoch}` ? this.#local.sync(key, dimension, input) : undefined;
    if (input.origin !== 'shared') return undefined;
    return this.#shared(
      (store) => store.sync(key, dimension, input),
      () => undefined,
    );
  }

  holdOff(key: string, dimension: Dimension, amount: number, waitMs: number): void | Promise<void> {
    if (this.#health === 'degraded') return this.#local.holdOff(key, dimension, amount, waitMs);
    return this.#shared(
      (store) => store.holdOff(key, dimension, amount, waitMs),
      () => this.#local.holdOff(key, dimension, amount, waitMs),
    );
  }

  configure(key: string, dimension: Dimension, spec: BucketSpec, priority: number): void | Promise<void> {
    let specs = this.#specs.get(key);
    if (specs === undefined) {
      specs = new Map();
      this.#specs.set(key, specs);
    }
    const known = specs.get(dimension);
    if (known === undefined || priority >= known.priority) specs.set(dimension, { spec, priority });
    if (this.#health === 'degraded')
      return this.#local.configure(key, dimension, this.#scaled(spec), priority);
    return this.#shared(
      (store) => store.configure(key, dimension, spec, priority),
      () => undefined,
    );
  }

  peek(key: string): Readonly<Partial<Record<Dimension, BucketSnapshot>>> {
    return this.#health === 'degraded' ? this.#local.peek(key) : this.#backend.store.peek(key);
  }

  drop(key: string): void {
    this.#specs.delete(key);
    for (const name of this.#owed.keys()) if (name.startsWith(`${key}\u0000`)) this.#owed.delete(name);
    this.#local.drop(key);
    this.#backend.store.drop(key);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#backend.close(this.#health === 'healthy');
  }

  async #connect(): Promise<void> {
    try {
      await this.#backend.connect(this.#options.connectTimeoutMs ?? 3_000);
      this.#countProcesses(await this.#backend.heartbeat());
      if (this.#closed) return;
      this.#health = 'healthy';
      this.#startTimer();
    } catch (error) {
      this.#degrade(error instanceof Error ? error.message : String(error));
    }
  }

  #startTimer(): void {
    if (this.#timer !== undefined || this.#closed) return;
    this.#timer = setInterval(() => void this.probeNow(), this.#options.probeIntervalMs ?? 1_000);
    // Announcing and probing must not keep a finished process alive.
    (this.#timer as { unref?: () => void }).unref?.();
  }

  /** Announces this process and looks for the backend now, as the periodic probe does. */
  async probeNow(): Promise<void> {
    if (this.#closed) return;
    try {
      this.#countProcesses(await this.#backend.heartbeat());
      if (this.#health === 'degraded') {
        await withTimeout(this.#repay(), this.#options.commandTimeoutMs ?? 1_000, 'repaying local spend');
        this.#health = 'healthy';
        this.#options.emit({ type: 'store-restored', processes: this.#processes });
      }
    } catch (error) {
      if (this.#health === 'healthy') this.#degrade(error instanceof Error ? error.message : String(error));
    }
  }

  /**
   * The processes sharing the backend: a higher count is taken at once, a lower one only after
   * three probes agree — a backend that restarted empty has forgotten the others until they
   * announce themselves again, and a process that left is gone after its member TTL anyway.
   */
  #countProcesses(count: number): void {
    if (count >= this.#processes) {
      this.#processes = count;
      this.#fewer = 0;
    } else if (++this.#fewer >= 3) {
      this.#processes = count;
      this.#fewer = 0;
    }
  }

  #scaled(spec: BucketSpec): BucketSpec {
    return { capacity: Math.max(1, Math.floor(spec.capacity * this.share)), windowMs: spec.windowMs };
  }

  #degrade(reason: string): void {
    if (this.#health === 'degraded' || this.#closed) return;
    this.#health = 'degraded';
    this.#epoch += 1;
    // Local buckets at this process's share of what the shared ones may hold, so that N processes
    // together stay under the limit.
    const local = new MemoryStore({ now: this.#now });
    for (const [key, dimensions] of this.#specs) {
      const seen = this.#backend.store.peek(key);
      for (const [dimension, { spec, priority }] of dimensions) {
        const scaled = this.#scaled(spec);
        local.configure(key, dimension, scaled, priority);
        const level = unknownLevel(spec, seen[dimension]?.level);
        if (level < spec.capacity)
          local.adjust(key, dimension, Math.max(level, 0) * this.share - scaled.capacity);
      }
    }
    this.#local = local;
    this.#options.emit({ type: 'store-degraded', reason, share: this.share });
    this.#startTimer();
  }

  async #shared<T>(operation: (store: BucketStore) => T | Promise<T>, fallback: () => T): Promise<T> {
    if (this.#health === 'connecting') await this.#ready;
    if (this.#health !== 'healthy') return fallback();
    try {
      return await withTimeout(
        Promise.resolve(operation(this.#backend.store)),
        this.#options.commandTimeoutMs ?? 1_000,
        'a bucket operation',
      );
    } catch (error) {
      this.#degrade(error instanceof Error ? error.message : String(error));
      return fallback();
    }
  }
}
