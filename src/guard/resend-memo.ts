/**
 * The guard owns retries, whatever `maxRetries` the caller passes. Answers it delivers say
 * `x-should-retry: false`, which the client obeys; but a failure without an answer (a network
 * failure, a timeout) is thrown, and a client given a per-call `maxRetries` sends such a call
 * again. Those resends carry `x-stainless-retry-count` above 0 and the same method, URL and body:
 * the guard answers them with the failure it already decided, without sending anything.
 */
import { sha256Hex } from '../util/sha256.js';
import type { Call } from './request.js';

const ENTRIES = 64;
// Longer than the client's longest backoff between two of its retries (8 s).
const TTL_MS = 60_000;

function keyOf(call: Call): string {
  const body =
    call.bodyText ??
    (call.body === undefined || call.body === null ? '' : `(${Object.prototype.toString.call(call.body)})`);
  return sha256Hex(`${call.method} ${call.url}\n${body}`);
}

/** The thrown failures of recent calls, for the client's resends of them. */
export class ResendMemo {
  readonly #failures = new Map<string, { readonly error: unknown; expiresAtMs: number }>();
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** Notes the failure a call ended with (thrown to the client). */
  remember(call: Call, error: unknown): void {
    const key = keyOf(call);
    this.#failures.delete(key);
    if (this.#failures.size >= ENTRIES) this.#failures.delete(this.#failures.keys().next().value as string);
    this.#failures.set(key, { error, expiresAtMs: this.#now() + TTL_MS });
  }

  /** The failure to answer a client's resend of a call with, if the guard decided one recently. */
  recall(call: Call): unknown {
    if (call.clientRetry === 0) return undefined;
    const key = keyOf(call);
    const found = this.#failures.get(key);
    if (found === undefined) return undefined;
    if (found.expiresAtMs < this.#now()) {
      this.#failures.delete(key);
      return undefined;
    }
    found.expiresAtMs = this.#now() + TTL_MS;
    return found.error;
  }
}
