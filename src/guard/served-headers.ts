/**
 * The headers a guarded answer carries on top of the API's own — `x-tierguard-model` (the model
 * that served) and `x-tierguard-attempts` — without copying the answer's headers: a copy costs about
 * 8 µs a call and a rebuilt Response more, where this view costs about 1 µs.
 */

/** A read-only view of `base` with `extra` headers added (an answer's headers cannot change). */
class ServedHeaders extends Headers {
  readonly #base: Headers;
  readonly #extra: ReadonlyMap<string, string>;

  constructor(base: Headers, extra: ReadonlyMap<string, string>) {
    super();
    this.#base = base;
    this.#extra = extra;
  }

  override get(name: string): string | null {
    return this.#extra.get(name.toLowerCase()) ?? this.#base.get(name);
  }

  override has(name: string): boolean {
    return this.#extra.has(name.toLowerCase()) || this.#base.has(name);
  }

  override getSetCookie(): string[] {
    // A transport's own Response class (node-fetch…) may not have it.
    return typeof this.#base.getSetCookie === 'function' ? this.#base.getSetCookie() : [];
  }

  #merged: [string, string][] | undefined;

  /**
   * Every header, sorted by name as `Headers` iterates them. Built once: the SDK iterates an
   * answer's headers twice on every call (its request-id note and its debug details).
   */
  #all(): [string, string][] {
    if (this.#merged !== undefined) return this.#merged;
    // `Headers` iterates sorted and lower-cased: insert the few extra names in place.
    const merged: [string, string][] = [...this.#base];
    for (const [name, value] of this.#extra) {
      let index = 0;
      while (index < merged.length && (merged[index] as [string, string])[0] < name) index += 1;
      if (merged[index]?.[0] === name) merged[index] = [name, value];
      else merged.splice(index, 0, [name, value]);
    }
    this.#merged = merged;
    return merged;
  }

  override entries(): HeadersIterator<[string, string]> {
    return this.#all().values() as unknown as HeadersIterator<[string, string]>;
  }

  override keys(): HeadersIterator<string> {
    return this.#all()
      .map(([name]) => name)
      .values() as unknown as HeadersIterator<string>;
  }

  override values(): HeadersIterator<string> {
    return this.#all()
      .map(([, value]) => value)
      .values() as unknown as HeadersIterator<string>;
  }

  override [Symbol.iterator](): HeadersIterator<[string, string]> {
    return this.entries();
  }

  override forEach(callback: (value: string, key: string, parent: Headers) => void, thisArg?: unknown): void {
    for (const [name, value] of this.#all()) callback.call(thisArg, value, name, this);
  }

  override set(): void {
    throw new TypeError('immutable');
  }

  override append(): void {
    throw new TypeError('immutable');
  }

  override delete(): void {
    throw new TypeError('immutable');
  }
}

/**
 * Adds `extra` to the headers `response` shows (its `headers` property), leaving its body, status
 * and everything else as they are. Returns the same response, or `undefined` when it cannot be
 * stamped (a frozen object from a custom transport).
 */
export function stampHeaders(
  response: Response,
  extra: Readonly<Record<string, string>>,
): Response | undefined {
  const names = new Map<string, string>();
  for (const [name, value] of Object.entries(extra)) names.set(name.toLowerCase(), value);
  try {
    Object.defineProperty(response, 'headers', {
      value: new ServedHeaders(response.headers, names),
      configurable: true,
      enumerable: false,
      writable: false,
    });
    return response;
  } catch {
    return undefined;
  }
}
