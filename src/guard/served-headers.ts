/**
 * The headers a guarded answer carries on top of the API's own — `x-tierguard-model` (the model
 * that served) and `x-tierguard-attempts` — without copying the answer's headers: a copy costs about
 * 8 µs a call and a rebuilt Response more; this view costs a small object.
 */

const MODEL = 'x-tierguard-model';
const ATTEMPTS = 'x-tierguard-attempts';

/**
 * A read-only view of an answer's headers with the two tierguard headers added. It is a `Headers`
 * (its prototype chain says so, and it implements every method) but it never runs the `Headers`
 * constructor, which allocates a header list and marks each instance uncloneable through a native
 * call — work for a view that holds nothing of its own.
 */
class ServedHeaders {
  readonly #base: Headers;
  readonly #model: string | undefined;
  readonly #attempts: string;
  #merged: [string, string][] | undefined;

  constructor(base: Headers, model: string | undefined, attempts: number) {
    this.#base = base;
    this.#model = model;
    this.#attempts = String(attempts);
  }

  /** One of ours, or `undefined`. The names are 17 and 20 characters: the length decides most lookups. */
  #own(name: string): string | undefined {
    if (name.length === MODEL.length) return name.toLowerCase() === MODEL ? this.#model : undefined;
    if (name.length === ATTEMPTS.length && name.toLowerCase() === ATTEMPTS) return this.#attempts;
    return undefined;
  }

  get(name: string): string | null {
    return this.#own(name) ?? this.#base.get(name);
  }

  has(name: string): boolean {
    return this.#own(name) !== undefined || this.#base.has(name);
  }

  getSetCookie(): string[] {
    // A transport's own Response class (node-fetch…) may not have it.
    return typeof this.#base.getSetCookie === 'function' ? this.#base.getSetCookie() : [];
  }

  /** Every header, sorted by name as `Headers` iterates them; built on the first iteration. */
  #all(): [string, string][] {
    if (this.#merged !== undefined) return this.#merged;
    // In name order: `x-tierguard-attempts` before `x-tierguard-model`.
    const extra: [string, string][] = [[ATTEMPTS, this.#attempts]];
    if (this.#model !== undefined) extra.push([MODEL, this.#model]);
    // `Headers` iterates lower-cased and sorted by name: merge the two sorted lists, ours
    // replacing a header of the same name.
    const merged: [string, string][] = [];
    let next = 0;
    for (const entry of this.#base) {
      while (next < extra.length && (extra[next] as [string, string])[0] < entry[0])
        merged.push(extra[next++] as [string, string]);
      if (next < extra.length && (extra[next] as [string, string])[0] === entry[0]) {
        merged.push(extra[next++] as [string, string]);
        continue;
      }
      merged.push(entry);
    }
    while (next < extra.length) merged.push(extra[next++] as [string, string]);
    this.#merged = merged;
    return merged;
  }

  entries(): HeadersIterator<[string, string]> {
    return this.#all().values() as unknown as HeadersIterator<[string, string]>;
  }

  keys(): HeadersIterator<string> {
    return this.#all()
      .map(([name]) => name)
      .values() as unknown as HeadersIterator<string>;
  }

  values(): HeadersIterator<string> {
    return this.#all()
      .map(([, value]) => value)
      .values() as unknown as HeadersIterator<string>;
  }

  [Symbol.iterator](): HeadersIterator<[string, string]> {
    return this.entries();
  }

  forEach(callback: (value: string, key: string, parent: Headers) => void, thisArg?: unknown): void {
    for (const [name, value] of this.#all()) callback.call(thisArg, value, name, this as unknown as Headers);
  }

  set(): void {
    throw new TypeError('immutable');
  }

  append(): void {
    throw new TypeError('immutable');
  }

  delete(): void {
    throw new TypeError('immutable');
  }

  /** What `console.log(response.headers)` shows (undici's own inspector needs its internals). */
  [Symbol.for('nodejs.util.inspect.custom')](): Record<string, string> {
    return Object.fromEntries(this.#all());
  }
}
// `instanceof Headers` holds (the SDK's log formatter asks).
Object.setPrototypeOf(ServedHeaders.prototype, Headers.prototype);

/**
 * Shows `x-tierguard-model` (when known) and `x-tierguard-attempts` among the headers `response`
 * shows (its `headers` property), leaving its body, status and everything else as they are.
 * Returns the same response, or `undefined` when it cannot be stamped (a frozen object from a custom
 * transport).
 */
export function stampHeaders(
  response: Response,
  model: string | undefined,
  attempts: number,
): Response | undefined {
  try {
    Object.defineProperty(response, 'headers', {
      value: new ServedHeaders(response.headers, model, attempts) as unknown as Headers,
      configurable: true,
      enumerable: false,
      writable: false,
    });
    return response;
  } catch {
    return undefined;
  }
}
