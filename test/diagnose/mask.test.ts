/**
 * Issue 19 #5 and #13: `maskSecrets` masks a key in every encoding it travels in, masks each known
 * secret in its plain, URL-encoded and JSON-escaped forms, keeps what is not a secret (request ids,
 * models, the API's own masked echo), and never throws — an 8 MB key-like run included. And a
 * diagnosis never carries the key a relay echoed back, whatever the encoding.
 */
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/diagnose/diagnose.js';
import { fakeApiKey } from '../../src/testing/fixtures.js';
import { scriptedFetch } from '../../src/testing/scripted-fetch.js';
import { maskKey, maskSecrets } from '../../src/util/mask.js';

// Key-shaped values built at run time (no key-shaped literal in the repository).
const key = fakeApiKey('Wx9Z');
const body = key.slice('sk-proj-'.length);
const restricted = `rk_live_${'FAKE'.repeat(6)}Rk42`;
const azure84 = `${'AzKey'.repeat(16)}Az99`;
const hexUpper = `${'ABCDEF0123456789'.repeat(2)}`;
const hexLower = hexUpper.toLowerCase();
const jsonEscaped = `sk\\u002dproj\\u002d${body}`;

describe('maskSecrets: keys in every encoding', () => {
  const cases: [string, string, string][] = [
    ['a project key', `key=${key} end`, 'sk-proj-…Wx9Z'],
    ['a plain sk- key', `sk-${'abcd1234'.repeat(4)}`, 'sk-…1234'],
    ['a restricted key', `token ${restricted}`, 'rk_…Rk42'],
    ['an 84-character Azure api-key', `api key is ${azure84}.`, '…Az99'],
    ['an upper-case 32-hex key', `key ${hexUpper}`, '…6789'],
    ['a lower-case 32-hex key', `key ${hexLower}`, '…6789'],
    ['Bearer URL-encoded', `Authorization=Bearer%20${key}`, 'Bearer%20sk-proj-…Wx9Z'],
    ['Bearer form-encoded', `auth=Bearer+${key}`, 'Bearer+sk-proj-…Wx9Z'],
    ['a key glued to a name', `token_${key}`, 'token_sk-proj-…Wx9Z'],
    ['a key after %3D', `?key%3D${key}&x=1`, '%3Dsk-proj-…Wx9Z'],
    ['a JSON-escaped key', `{"k":"${jsonEscaped}"}`, '"sk-proj-…Wx9Z"'],
    [
      'an api-key header echoed',
      `api-key: ${azure84.slice(0, 40)}`,
      'api-key: …Az99'.replace('Az99', azure84.slice(36, 40)),
    ],
    ['an api-key query parameter', `https://relay.test/v1?api-key=${'q'.repeat(30)}XY12`, '?api-key=…XY12'],
  ];

  it.each(cases)('%s', (_name, text, shown) => {
    const masked = maskSecrets(text);
    expect(masked).toContain(shown);
    for (const secret of [key, body, restricted, azure84, hexUpper, hexLower, jsonEscaped, 'q'.repeat(30)])
      expect(masked).not.toContain(secret);
  });

  it('keeps what is no secret: request ids, model names, the API’s masked echo, words with "sk-" inside', () => {
    const text = `req_${hexLower} ft:gpt-4o-mini:acme::AbC123 Incorrect API key provided: sk-proj-********Wx9Z. risk-assessment-of-the-whole-thing task-management-systems-here`;
    expect(maskSecrets(text)).toBe(text);
  });

  it('is idempotent', () => {
    const once = maskSecrets(`Bearer ${key} and ${restricted} and ${azure84}`);
    expect(maskSecrets(once)).toBe(once);
  });
});

describe('maskSecrets: known secrets in their plain, URL-encoded and JSON-escaped forms', () => {
  const secret = 'my+relay/secret=value-42';

  it.each([
    ['plain', `x ${secret} y`],
    ['URL-encoded', `x ${encodeURIComponent(secret)} y`],
    [
      'fully percent-encoded',
      `x ${[...secret].map((c) => (/[A-Za-z0-9]/.test(c) ? c : `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('')} y`,
    ],
    ['JSON-escaped', `x ${JSON.stringify(secret).slice(1, -1)} y`],
    [
      'unicode-escaped',
      `x ${[...secret].map((c) => (/[A-Za-z0-9]/.test(c) ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)).join('')} y`,
    ],
  ])('%s', (_form, text) => {
    const masked = maskSecrets(text, [secret]);
    expect(masked).toBe(`x ${maskKey(secret)} y`);
    expect(masked).not.toContain('secret');
  });

  it('ignores known secrets too short to mask and values that are not strings', () => {
    expect(maskSecrets('abc short', ['abc', 5 as never, null as never])).toBe('abc short');
  });
});

describe('maskSecrets never throws', () => {
  it.each([
    ['an 8 MB run after sk-', `sk-${'a'.repeat(8 * 1_048_576)}`],
    ['an 8 MB run after Bearer', `Bearer ${'A'.repeat(8 * 1_048_576)}`],
    ['an 8 MB hex run', 'a1'.repeat(4 * 1_048_576)],
    ['8 MB of escapes', '\\u002d'.repeat(1_398_101)],
  ])('%s: masked, not thrown', (_name, text) => {
    const masked = maskSecrets(text);
    expect(typeof masked).toBe('string');
    expect(masked.length).toBeLessThanOrEqual(text.length);
  });

  it('takes whatever it is given', () => {
    for (const value of [undefined, null, 42, {}, Symbol('s')] as unknown[])
      expect(typeof maskSecrets(value as string)).toBe('string');
    expect(maskSecrets('x', 'not an array' as never)).toBe('x');
  });
});

describe('a diagnosis never carries a key a relay echoed back', () => {
  it.each([
    [
      'in the message',
      (k: string) => ({
        error: { message: `Invalid key ${k}`, type: 'invalid_request_error', code: 'invalid_api_key' },
      }),
    ],
    [
      'URL-encoded',
      (k: string) => ({ error: { message: `bad auth Bearer%20${k}`, type: null, code: null } }),
    ],
    [
      'as a token_ suffix',
      (k: string) => ({ error: { message: `upstream token_${k} refused`, type: null, code: null } }),
    ],
  ])('%s, through the real client', async (_name, build) => {
    const openai = new OpenAI({
      apiKey: key,
      baseURL: 'https://relay.example.test/v1',
      maxRetries: 0,
      fetch: scriptedFetch({ status: 401, body: build(key), headers: { 'x-request-id': `req_${hexLower}` } }),
    });
    const error = await openai.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught);
    for (const locale of ['en', 'zh-CN'] as const) {
      const serialized = JSON.stringify(diagnose(error, { locale }));
      expect(serialized).not.toContain(body);
      expect(serialized).toContain(`req_${hexLower}`);
    }
  });

  it('a JSON-escaped key in a pasted body', () => {
    const pasted = `{"error":{"message":"key ${jsonEscaped} is not valid","type":"invalid_request_error","code":"invalid_api_key"}}`;
    const serialized = JSON.stringify(diagnose(pasted));
    expect(serialized).not.toContain(body);
  });
});
