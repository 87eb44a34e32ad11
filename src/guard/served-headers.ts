/**
 * The headers a guarded answer carries on top of the API's own — `x-tierguard-model` (the model
 * that served) and `x-tierguard-attempts` — without copying the answer's headers: a copy costs about
 * 8 µs a call and a rebuilt Response more; this view costs a small object.
 */

const MODEL = 'x-tierguard-model';
const ATTEMPTS = 'x-tierguard-attempts';
/** `x`, the first character of both. */
const X = 120;

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
  /** The base iterated its names in order, as `Headers` must: lookups may search the merged list. */
  #sorted = true;

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
    return this.#own(name) ?? this.#find(name);
  }

  has(name: string): boolean {
    return this.#own(name) !== undefined || this.#find(name) !== null;
  }

  /**
   * One of the base's headers, looked up in the sorted list the view builds once (binary search):
   * every client iterates an answer's headers anyway (openai for its log line, the AI SDK for its
   * result), and a lookup there costs a few comparisons where `Headers.get` validates and converts
   * the name first. `set-cookie`, the one header `Headers` iterates value by value, asks the base.
   */
  #find(name: string): string | null {
    const all = this.#all();
    if (!this.#sorted || name === 'set-cookie') return this.#base.get(name);
    // Callers ask in lower case (`Headers` names are case-insensitive): that spelling first.
    const found = search(all, name);
    if (found !== null) return found;
    const lower = name.toLowerCase();
    if (lower === name) return null;
    return lower === 'set-cookie' ? this.#base.get(name) : search(all, lower);
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
    // The platform's `Headers` iterates in order, as the standard says; only another class (a
    // transport's own) is checked, since lookups search this list.
    const checked = !(this.#base instanceof Headers);
    let previous = '';
    for (const entry of this.#base) {
      const name = entry[0];
      if (checked) {
        if (name < previous) this.#sorted = false;
        previous = name;
      }
      // Ours start with `x`: a name that starts lower goes before them without a comparison of
      // strings (a call each, and this runs for every header of every answer).
      if (next < extra.length && name.charCodeAt(0) >= X) {
        while (next < extra.length && (extra[next] as [string, string])[0] < name)
          merged.push(extra[next++] as [string, string]);
        if (next < extra.length && (extra[next] as [string, string])[0] === name) {
          merged.push(extra[next++] as [string, string]);
          continue;
        }
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
/** The value of `name` in `all`, sorted by name (a binary search), or `null`. */
function search(all: readonly [string, string][], name: string): string | null {
  let low = 0;
  let high = all.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const entry = all[middle] as [string, string];
    if (entry[0] === name) return entry[1];
    if (entry[0] < name) low = middle + 1;
    else high = middle - 1;
  }
  return null;
}

// `instanceof Headers` holds (the SDK's log formatter asks).
Object.setPrototypeOf(ServedHeaders.prototype, Headers.prototype);

/**
 * A read-only view of `base` that also shows `x-tierguard-model` (when known) and
 * `x-tierguard-attempts`. The pipeline reads an answer's headers through it before stamping it.
 */
export function headersView(base: Headers, model: string | undefined, attempts: number): Headers {
  return new ServedHeaders(base, model, attempts) as unknown as Headers;
}

/**
 * Shows `view` (from `headersView`) as the headers of `response` (its `headers` property), leaving
 * its body, status and everything else as they are. Returns the same response, or `undefined` when
 * it cannot be stamped (a frozen object from a custom transport).
 */
export function stampHeaders(response: Response, view: Headers): Response | undefined {
  try {
    Object.defineProperty(response, 'headers', {
      value: view,
      configurable: true,
      enumerable: false,
      writable: false,
    });
    return response;
  } catch {
    return undefined;
  }
}
