import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCount, parseReset, readRateLimitHeaders } from '../../src/util/rate-limit-headers.js';
import { parseGoDuration } from '../../src/util/duration.js';

describe('parseCount', () => {
  it.each([
    ['0', 0],
    ['499', 499],
    ['1000000000000', 1_000_000_000_000],
    [' 42 ', 42],
    ['1.5', 1.5],
    ['-1', undefined],
    ['', undefined],
    ['abc', undefined],
    ['0x10', undefined],
    ['1e3', undefined],
    ['12a', undefined],
    [undefined, undefined],
  ])('%j → %j', (text, expected) => {
    expect(parseCount(text)).toBe(expected);
  });

  it('reads every digit string as Number does', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{1,15}$/), (digits) => {
        expect(parseCount(digits)).toBe(Number(digits));
      }),
    );
  });
});

describe('parseReset', () => {
  it.each([
    ['20ms', 20],
    ['0ms', 0],
    ['1s', 1_000],
    ['0s', 0],
    ['6m0s', 360_000],
    ['1m26.4s', 86_400],
    ['1.5s', 1_500],
    ['2', 2_000],
    ['1.5', 1_500],
    ['ms', undefined],
    ['s', undefined],
    ['-5ms', undefined],
    ['soon', undefined],
    [undefined, undefined],
  ])('%j → %j', (text, expected) => {
    expect(parseReset(text)).toBe(expected);
  });

  it('agrees with the Go-duration parser on every whole number of ms or s', () => {
    fc.assert(
      fc.property(fc.nat(10_000_000), fc.constantFrom('ms', 's'), (amount, unit) => {
        const text = `${amount}${unit}`;
        expect(parseReset(text)).toBe(parseGoDuration(text));
      }),
    );
  });
});

describe('readRateLimitHeaders', () => {
  it('reads both dimensions from a Headers or a record, and refuses a zero limit', () => {
    const said = readRateLimitHeaders(
      new Headers({
        'x-ratelimit-limit-requests': '500',
        'x-ratelimit-remaining-requests': '499',
        'x-ratelimit-reset-requests': '120ms',
        'x-ratelimit-limit-tokens': '30000',
        'x-ratelimit-remaining-tokens': '29950',
        'x-ratelimit-reset-tokens': '100ms',
      }),
    );
    expect(said).toEqual({
      requests: { limit: 500, remaining: 499, resetMs: 120 },
      tokens: { limit: 30_000, remaining: 29_950, resetMs: 100 },
    });
    expect(
      readRateLimitHeaders({ 'x-ratelimit-limit-tokens': '0', 'x-ratelimit-remaining-tokens': '0' }),
    ).toEqual({ requests: {}, tokens: {} });
  });
});
