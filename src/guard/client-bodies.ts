/**
 * The JSON bodies a wrapped `openai` client serialized, handed to the pipeline so that it need not
 * parse them again: `JSON.parse` of what the client just built costs about 0.8 µs for a short chat
 * call and 6 µs for a 20 KB prompt, on every call (docs/decisions.md §13).
 *
 * The client calls its `prepareRequest(request, { url, options })` hook — openai's documented
 * extension point, a no-op by default — after it has serialized `options.body` into
 * `request.body`. A wrapped client's hook notes the pair under the request's headers object, which
 * reaches the pipeline's `fetch` as `init.headers` unchanged; the pipeline takes the object only when
 * `init.body` is still that very string.
 */

/** A body as the client gave it before serializing it. */
type Json = Record<string, unknown>;

// Notes are taken a few turns of the event loop after they are made; a burst of calls started at
// once may note more than this before the first is taken, and those are parsed.
const SLOTS = 16;
const OPEN_BRACE = 123;

/** What wrapped clients serialized and the pipeline has not yet read. */
export class ClientBodies {
  // A ring of the latest notes, searched by the identity of the headers object: a `WeakMap` keyed
  // by it cost 0.5 µs a call (the object's identity hash and the entry), more than the rest of
  // reading the request. A note never taken (a call aborted before it was sent) is overwritten.
  readonly #headers: (object | undefined)[] = new Array<object | undefined>(SLOTS).fill(undefined);
  readonly #texts: (string | undefined)[] = new Array<string | undefined>(SLOTS).fill(undefined);
  readonly #jsons: (Json | undefined)[] = new Array<Json | undefined>(SLOTS).fill(undefined);
  #next = 0;
  // The last model checked, and how it reads in a serialized body.
  #model = '';
  #modelKey = '';

  /**
   * Makes `client` (a wrapped `openai` client, not shared with anyone) note its bodies. A client
   * without the hook is left as it is: its bodies are parsed.
   */
  watch(client: object): void {
    const own = (client as { prepareRequest?: unknown }).prepareRequest;
    if (typeof own !== 'function') return;
    const note = (headers: object, text: string, json: Json): void => this.#note(headers, text, json);
    Object.defineProperty(client, 'prepareRequest', {
      configurable: true,
      writable: true,
      enumerable: false,
      value: function prepareRequest(this: unknown, request: unknown, context: unknown): unknown {
        const headers = (request as { headers?: unknown } | null)?.headers;
        const text = (request as { body?: unknown } | null)?.body;
        const json = (context as { options?: { body?: unknown } } | null)?.options?.body;
        // JSON text only (`{`): a body the caller had sent as a form is text of another kind.
        if (
          typeof text === 'string' &&
          text.charCodeAt(0) === OPEN_BRACE &&
          isRecord(json) &&
          typeof headers === 'object' &&
          headers !== null
        )
          note(headers, text, json);
        // The client's own hook (a subclass may have one) runs as it would have; if it changes
        // the body or the headers, the note no longer matches and the body is parsed.
        return (own as (request: unknown, context: unknown) => unknown).call(this, request, context);
      },
    });
  }

  #note(headers: object, text: string, json: Json): void {
    const slot = this.#next;
    this.#headers[slot] = headers;
    this.#texts[slot] = text;
    this.#jsons[slot] = json;
    this.#next = (slot + 1) % SLOTS;
  }

  /**
   * The object `text` was serialized from, when a wrapped client noted it for these headers and
   * its `model` is the one the text names; otherwise `undefined` (the caller parses the text).
   */
  take(headers: unknown, text: string): Json | undefined {
    const slot = this.#slot(headers);
    if (slot < 0) return undefined;
    const json = this.#jsons[slot] as Json;
    // The text the client built: the same string, so the comparison ends at its identity.
    const same = this.#texts[slot] === text;
    this.#headers[slot] = undefined;
    this.#texts[slot] = undefined;
    this.#jsons[slot] = undefined;
    return same ? this.#checked(json, text) : undefined;
  }

  /** What `take` would return, leaving the note in place for the read that follows. */
  peek(headers: unknown, text: string): Json | undefined {
    const slot = this.#slot(headers);
    if (slot < 0 || this.#texts[slot] !== text) return undefined;
    return this.#checked(this.#jsons[slot] as Json, text);
  }

  /** The slot noted for `headers`, or -1. */
  #slot(headers: unknown): number {
    if (typeof headers !== 'object' || headers === null) return -1;
    // Newest first: the call being read is usually the last one noted.
    for (let back = 1; back <= SLOTS; back += 1) {
      const slot = (this.#next - back + SLOTS) % SLOTS;
      if (this.#headers[slot] === headers) return slot;
    }
    return -1;
  }

  /**
   * `json`, unless its model is not the one `text` names. The object is read now, a few turns after
   * it was serialized: code that changed its model in between would have the call paced under a
   * model it is not sent to. What is sent decides.
   */
  #checked(json: Json, text: string): Json | undefined {
    const model = json.model;
    if (model === undefined) return json;
    if (typeof model !== 'string') return undefined;
    if (model !== this.#model) {
      this.#model = model;
      this.#modelKey = `"model":${JSON.stringify(model)}`;
    }
    // Usually the first key (`{"model":…`): looked for there before anywhere.
    return text.startsWith(this.#modelKey, 1) || text.includes(this.#modelKey) ? json : undefined;
  }
}

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
