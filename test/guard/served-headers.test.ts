import { describe, expect, it } from 'vitest';
import { headersView } from '../../src/guard/served-headers.js';

describe('headersView', () => {
  it('looks names up case-insensitively among the base’s headers and the guard’s', () => {
    const base = new Headers({
      'content-type': 'application/json',
      'x-request-id': 'req_1',
      'x-zeta': 'last',
      'set-cookie': 'a=1',
    });
    base.append('set-cookie', 'b=2');
    const view = headersView(base, 'gpt-4o', 2);
    expect(view.get('content-type')).toBe('application/json');
    expect(view.get('Content-Type')).toBe('application/json');
    expect(view.get('x-zeta')).toBe('last');
    expect(view.get('X-Tierguard-Model')).toBe('gpt-4o');
    expect(view.get('x-tierguard-attempts')).toBe('2');
    expect(view.get('x-missing')).toBeNull();
    expect(view.has('X-REQUEST-ID')).toBe(true);
    expect(view.has('x-missing')).toBe(false);
    // The one header Headers keeps value by value: joined on get, apart when iterated.
    expect(view.get('set-cookie')).toBe('a=1, b=2');
    expect(view.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect([...view].filter(([name]) => name === 'set-cookie')).toHaveLength(2);
    expect([...view.keys()]).toEqual([...new Headers(view).keys()]);
  });

  it('iterates in order, the guard’s headers replacing any of the same name', () => {
    const base = new Headers({
      'zz-last': 'z',
      'x-tierguard-model': 'from-upstream',
      'x-ratelimit-limit-requests': '500',
      'content-type': 'application/json',
    });
    expect([...headersView(base, 'gpt-4o', 1)]).toEqual([
      ['content-type', 'application/json'],
      ['x-ratelimit-limit-requests', '500'],
      ['x-tierguard-attempts', '1'],
      ['x-tierguard-model', 'gpt-4o'],
      ['zz-last', 'z'],
    ]);
    expect([...headersView(new Headers({ accept: '*/*' }), undefined, 3)]).toEqual([
      ['accept', '*/*'],
      ['x-tierguard-attempts', '3'],
    ]);
  });

  it('asks the base when it iterates out of order (a transport’s own Headers class)', () => {
    const entries: [string, string][] = [
      ['x-b', '2'],
      ['x-a', '1'],
    ];
    const unsorted = {
      get: (name: string) => entries.find(([key]) => key === name.toLowerCase())?.[1] ?? null,
      has: (name: string) => entries.some(([key]) => key === name.toLowerCase()),
      [Symbol.iterator]: () => entries[Symbol.iterator](),
    } as unknown as Headers;
    const view = headersView(unsorted, undefined, 1);
    expect(view.get('x-a')).toBe('1');
    expect(view.get('X-B')).toBe('2');
    expect(view.get('x-tierguard-model')).toBeNull();
    expect(view.get('x-tierguard-attempts')).toBe('1');
  });
});
