import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { redact, secretSpellings } from '../../src/cli/redact.js';
import { ensureBuilt, httpServer, tierguard, type CliResult, type LocalServer } from './run-cli.js';

beforeAll(ensureBuilt, 60_000);
const open: LocalServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((server) => server.close()));
});

// A project key with the `_` and `-` real keys carry; MIDDLE is in every spelling of it.
const MIDDLE = 'Ij9kLm2nOp5qRs8tUv1wXy4z';
const KEY = `sk-proj-Ab3d_Ef6h-${MIDDLE}-Qr7sT_u8Vw9xYz0aBc1dEf2gHi3jKl4mNo5pQr6sTu7vWx8yZ9a0Bc1dEf2gH9k2T`;
const jsonEscaped = (text: string): string => text.replaceAll('-', '\\u002d');

// Every way a relay, a proxy or a log can echo the key.
const ECHOES: Readonly<Record<string, string>> = {
  plain: `Incorrect API key provided: ${KEY}.`,
  'URL-encoded Bearer': `upstream said: authorization=Bearer%20${KEY}`,
  'URL-encoded query': `GET /v1/models?api_key%3D${KEY} failed`,
  'URL-encoded whole': `forwarded ${encodeURIComponent(`Bearer ${KEY}`)}`,
  'URL-encoded dashes': `key ${KEY.replaceAll('-', '%2D')}`,
  'JSON-escaped': `relay log: {"auth": "${jsonEscaped(KEY)}"}`,
  'token_ prefix': `token_${KEY}`,
};

function expectNoKey(result: CliResult): void {
  const output = result.stdout + result.stderr;
  expect(output).not.toContain(MIDDLE);
  for (const spelling of secretSpellings(KEY)) expect(output).not.toContain(spelling);
}

describe('no key in any CLI output, in any spelling', () => {
  it.each(Object.entries(ECHOES))('explain, %s: as text and as JSON', async (_name, echo) => {
    const text = await tierguard(['explain', '--status', '401', echo]);
    expect(text.code).toBe(0);
    expectNoKey(text);
    const json = await tierguard(['explain', '--json', '--status', '401', echo]);
    expectNoKey(json);
    JSON.parse(json.stdout);
  });

  it('explain, a JSON body whose message carries the key JSON-escaped, and a Python traceback', async () => {
    const body = `{"error":{"message":"Incorrect API key provided: ${jsonEscaped(KEY)}","code":"invalid_api_key"}}`;
    const fromBody = await tierguard(['explain', '--status', '401', body]);
    expect(fromBody.stdout).toMatch(/^cause +invalid_api_key$/m);
    expect(fromBody.stdout).toContain('sk-proj-…9k2T');
    expectNoKey(fromBody);
    const traceback = `openai.AuthenticationError: Error code: 401 - {'error': {'message': 'Incorrect API key provided: ${KEY.replaceAll('-', '\\x2d')}', 'type': 'invalid_request_error', 'param': None, 'code': 'invalid_api_key'}}`;
    expectNoKey(await tierguard(['explain'], { input: traceback }));
  });

  it('a key the environment holds is masked even where it does not look like a key', async () => {
    const azureKey = `${'Zq9'.repeat(27)}Xw`;
    const result = await tierguard(['explain', '--json', `401 Access denied for key ${azureKey}`], {
      env: { AZURE_OPENAI_API_KEY: azureKey },
    });
    expect(result.stdout).not.toContain(azureKey.slice(10, 40));
  });

  it('doctor against a relay and a proxy page that echo the key in every spelling', async () => {
    const echoed = Object.values(ECHOES).join(' | ');
    const relay = await httpServer((_request, response) => {
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: echoed, type: 'invalid_request_error', code: null } }));
    });
    open.push(relay);
    for (const args of [[], ['--json'], ['--locale', 'zh-CN']]) {
      const result = await tierguard(['doctor', '--base-url', relay.url, ...args], {
        env: { OPENAI_API_KEY: KEY },
      });
      expect(result.code).toBe(1);
      expectNoKey(result);
    }
    const proxy = await httpServer((_request, response) => {
      response.writeHead(403, { 'content-type': 'text/html', server: `gw ${encodeURIComponent(KEY)}` });
      response.end(`<html><head><title>Denied ${KEY}</title></head></html>`);
    });
    open.push(proxy);
    for (const args of [[], ['--json']]) {
      const result = await tierguard(['doctor', '--base-url', proxy.url, ...args], {
        env: { OPENAI_API_KEY: KEY },
      });
      expect(result.stdout).toContain('A proxy or gateway answered instead of the API');
      expectNoKey(result);
    }
  });

  it('redact keeps JSON valid and text readable', () => {
    const json = JSON.stringify({ message: Object.values(ECHOES).join(' ') });
    const masked = redact(json);
    expect(() => JSON.parse(masked) as unknown).not.toThrow();
    expect(masked).not.toContain(MIDDLE);
    expect(redact(`Bearer%20${KEY}`)).toBe('Bearer%20sk-proj-…9k2T');
    expect(redact('task-manager-configuration and req_0123456789abcdef0123456789abcdef')).toBe(
      'task-manager-configuration and req_0123456789abcdef0123456789abcdef',
    );
  });
});
