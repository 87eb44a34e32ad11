/**
 * Absurd options are refused at construction, each naming its field (issue 19, item 13): a window
 * above a day, fractional or astronomical limits, a base URL that is not http(s), a model that
 * falls back to itself, a chain beyond eight. `maxQueued: Infinity` (the documented default) is
 * accepted.
 */
import { describe, expect, it } from 'vitest';
import { createGuard, TierguardOptionsError, type GuardOptions } from '../../src/index.js';

describe('absurd options are refused, naming the field', () => {
  it.each([
    ['a window above a day', { windowMs: 1e300 }, 'windowMs', 'at most a day'],
    [
      'a limit window above a day',
      { limits: { '*': { windowMs: 86_400_001 } } },
      'limits.*.windowMs',
      'at most a day',
    ],
    [
      'fractional requests',
      { limits: { 'gpt-4o': { requests: 0.0001 } } },
      'limits.gpt-4o.requests',
      'integer',
    ],
    ['an astronomical limit', { limits: { 'gpt-4o': { tokens: 1e15 } } }, 'limits.gpt-4o.tokens', ''],
    [
      'a javascript: base URL',
      { fallback: { 'gpt-4o': [{ model: 'gpt-4o', baseURL: 'javascript:alert(1)' }] } },
      'fallback.gpt-4o.0.baseURL',
      'http(s) URL',
    ],
    ['a model falling back to itself', { fallback: { 'gpt-4o': ['gpt-4o'] } }, 'fallback.gpt-4o.0', 'itself'],
    [
      'a chain of nine',
      { fallback: { 'gpt-4o': Array.from({ length: 9 }, (_, index) => `model-${index}`) } },
      'fallback.gpt-4o',
      'at most 8',
    ],
    [
      'retries counted both ways',
      { retry: { maxAttempts: 3, maxRetries: 2 } },
      'retry.maxRetries',
      'not both',
    ],
    ['fractional retries', { retry: { maxRetries: 1.5 } }, 'retry.maxRetries', 'integer'],
    ['pacing: "off"', { pacing: 'off' }, 'pacing', 'true or false'],
    ['retry: true', { retry: true }, 'retry', 'false, or an object'],
    // Each option's schema is built when a guard is first given it: one given only through an
    // object's prototype is still read and refused for its value, not as an unknown option.
    ['an inherited tier', Object.create({ tier: 'tier-9' }) as object, 'tier', "one of 'free'"],
    [
      "a class's getter",
      new (class {
        get tier(): string {
          return 'tier-9';
        }
      })(),
      'tier',
      "one of 'free'",
    ],
    ['an unknown option beside a good one', { tier: 'tier-1', tiers: 'tier-1' }, 'tiers', 'no such option'],
  ] as const)('%s', (_name, options, path, expected) => {
    let error: unknown;
    try {
      createGuard(options as unknown as GuardOptions);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TierguardOptionsError);
    expect((error as Error).message).toContain(`\`${path}\``);
    expect((error as Error).message).toContain(expected);
  });

  it('accepts maxQueued: Infinity, the documented default', async () => {
    const created = createGuard({ maxQueued: Number.POSITIVE_INFINITY });
    expect(created.stats().waiting).toBe(0);
    await created.close();
  });
});
