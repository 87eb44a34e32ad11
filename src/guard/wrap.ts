/**
 * `wrap(client)`: the same client, its `fetch` replaced by a guard's pipeline. Everything else the
 * client was built with stays — its base URL, key, headers, its own `fetch` as the transport, an
 * `AzureOpenAI`'s deployment and API version — and three things move to the guard:
 *
 * - retries (`maxRetries: 0`): the guard owns them, so that two layers never multiply requests;
 * - the timeout: the client's own `timeout` bounds each of the guard's attempts from the moment it
 *   is sent, as openai-node bounds each of its own; the wrapped client's timer is set past it, so
 *   that time waiting in the guard's queue or between retries is not counted;
 * - wrapping a wrapped client (the same guard or another) wraps the original transport again:
 *   one guard, never two stacked.
 */
import type { ClientFacts } from './pipeline.js';

/** A client `wrap` accepts: anything with openai's `withOptions` (openai 5 and later). */
export interface WrappableClient {
  withOptions(options: { fetch?: typeof globalThis.fetch; maxRetries?: number; timeout?: number }): unknown;
}

/**
 * The timeout the wrapped client is given: the longest a timer can wait (a longer one fires at
 * once). The guard's own attempts are bounded by the caller's timeout instead.
 */
export const WRAPPED_TIMEOUT_MS = 2_147_483_647;

// Registered: a client wrapped by another copy of tierguard is recognised too.
const GUARDED = Symbol.for('tierguard.guarded-fetch');

interface GuardedFetch {
  readonly transport: typeof globalThis.fetch;
  readonly timeoutMs: number | undefined;
}

/** What a guarded fetch wraps, when `fetch` is one. */
function guardedInfo(fetch: unknown): GuardedFetch | undefined {
  if (typeof fetch !== 'function') return undefined;
  const info = (fetch as unknown as Record<symbol, unknown>)[GUARDED];
  return typeof info === 'object' && info !== null ? (info as GuardedFetch) : undefined;
}

/** Marks `fetch` as a guard's pipeline over `transport`. */
export function markGuarded(fetch: typeof globalThis.fetch, facts: ClientFacts): void {
  Object.defineProperty(fetch, GUARDED, {
    value: { transport: facts.transport, timeoutMs: facts.attemptTimeoutMs } satisfies GuardedFetch,
  });
}

/**
 * An `AzureOpenAI` client's deployment and API version, passed again to `withOptions`: openai 6's
 * `withOptions` rebuilds the client without them (it throws without `OPENAI_API_VERSION`, and
 * sends calls to the wrong deployment with it).
 */
function azureOptions(client: object): Record<string, unknown> {
  const azure = client as { apiVersion?: unknown; deploymentName?: unknown };
  if (typeof azure.apiVersion !== 'string' || azure.apiVersion === '') return {};
  return {
    apiVersion: azure.apiVersion,
    ...(typeof azure.deploymentName === 'string' && azure.deploymentName !== ''
      ? { deployment: azure.deploymentName }
      : {}),
  };
}

/** What wrapping `client` needs: its transport and its own timeout. */
export function clientFacts(client: WrappableClient): ClientFacts {
  const own = (client as { fetch?: unknown }).fetch;
  const inner = guardedInfo(own);
  const transport: typeof globalThis.fetch =
    inner?.transport ??
    (typeof own === 'function'
      ? (input, init) => (own as typeof globalThis.fetch).call(undefined, input, init)
      : (input, init) => globalThis.fetch(input, init));
  const declared = (client as { timeout?: unknown }).timeout;
  // A wrapped client shows the guard's bound: its caller's timeout is the one noted when wrapped,
  // unless `withOptions({ timeout })` set another since.
  const attemptTimeoutMs =
    typeof declared === 'number' && declared > 0 && declared !== WRAPPED_TIMEOUT_MS
      ? declared
      : inner?.timeoutMs;
  return { transport, attemptTimeoutMs };
}

/** The wrapped client: `client.withOptions` with the guarded fetch, no retries, the guard's timeout. */
export function wrapWith<C extends WrappableClient>(client: C, fetch: typeof globalThis.fetch): C {
  return client.withOptions({
    fetch,
    maxRetries: 0,
    timeout: WRAPPED_TIMEOUT_MS,
    ...azureOptions(client),
  }) as C;
}

/** Refuses what cannot be wrapped, saying what to do instead. */
export function assertWrappable(client: unknown): asserts client is WrappableClient {
  if (typeof (client as { withOptions?: unknown } | null | undefined)?.withOptions !== 'function')
    throw new TypeError(
      'tierguard: this client has no withOptions(), so it cannot be wrapped (openai 4.x?). tierguard needs openai 5 or later (6 or 7 recommended): npm install openai@latest. With an older client, pass the guarded fetch yourself: new OpenAI({ fetch: guard.fetch, maxRetries: 0 }).',
    );
}
