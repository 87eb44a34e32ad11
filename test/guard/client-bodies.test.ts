import { describe, expect, it } from 'vitest';
import { ClientBodies } from '../../src/guard/client-bodies.js';

/** A stand-in for an openai client's hook: what `prepareRequest` is called with. */
function hooked(bodies: ClientBodies): {
  prepare(request: { headers: object; body: string }, body: Record<string, unknown>): void;
  ran: number;
} {
  const client = {
    ran: 0,
    prepareRequest(_request: unknown, _context: unknown): Promise<void> {
      client.ran += 1;
      return Promise.resolve();
    },
  };
  bodies.watch(client);
  return {
    prepare: (request, body) => {
      void client.prepareRequest.call(client, request, {
        url: 'https://api.openai.test/v1',
        options: { body },
      });
    },
    get ran() {
      return client.ran;
    },
  };
}

describe('ClientBodies', () => {
  it('hands over the object a body was serialized from, for the same headers and the same text', () => {
    const bodies = new ClientBodies();
    const client = hooked(bodies);
    const body = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] };
    const headers = new Headers();
    const text = JSON.stringify(body);
    client.prepare({ headers, body: text }, body);
    expect(client.ran).toBe(1);
    expect(bodies.take(headers, text)).toBe(body);
    // Taken once.
    expect(bodies.take(headers, text)).toBeUndefined();
  });

  it('hands over nothing for other headers, another text, or a model the text does not name', () => {
    const bodies = new ClientBodies();
    const client = hooked(bodies);
    const body = { model: 'gpt-4o', max_tokens: 5 };
    const headers = new Headers();
    const text = JSON.stringify(body);
    client.prepare({ headers, body: text }, body);
    expect(bodies.take(new Headers(), text)).toBeUndefined();
    client.prepare({ headers, body: text }, body);
    expect(bodies.take(headers, JSON.stringify({ ...body, max_tokens: 6 }))).toBeUndefined();
    // Changed after it was serialized: the text that is sent decides.
    client.prepare({ headers, body: text }, body);
    body.model = 'gpt-4o-mini';
    expect(bodies.take(headers, text)).toBeUndefined();
    // A body serialized as something other than JSON (a form) is not handed over.
    const form = { purpose: 'fine-tune' };
    client.prepare({ headers, body: 'purpose=fine-tune' }, form);
    expect(bodies.take(headers, 'purpose=fine-tune')).toBeUndefined();
    // A model that is not first in the text is found too.
    const later = { messages: [], model: 'o3' };
    const laterText = JSON.stringify(later);
    client.prepare({ headers, body: laterText }, later);
    expect(bodies.take(headers, laterText)).toBe(later);
  });

  it('keeps the latest sixteen notes: older ones are parsed by the caller', () => {
    const bodies = new ClientBodies();
    const client = hooked(bodies);
    const notes = Array.from({ length: 17 }, (_, index) => {
      const body = { model: 'gpt-4o', n: index };
      const note = { headers: new Headers(), body: JSON.stringify(body) };
      client.prepare(note, body);
      return { note, body };
    });
    const [oldest, ...rest] = notes;
    expect(bodies.take(oldest?.note.headers, oldest?.note.body ?? '')).toBeUndefined();
    for (const { note, body } of rest) expect(bodies.take(note.headers, note.body)).toBe(body);
  });

  it('leaves a client without the hook as it is', () => {
    const bodies = new ClientBodies();
    const client = {};
    bodies.watch(client);
    expect(Object.keys(client)).toEqual([]);
    expect(Object.getOwnPropertyNames(client)).toEqual([]);
  });
});
