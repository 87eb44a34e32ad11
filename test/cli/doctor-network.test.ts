import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { apiErrors, fakeApiKey } from '../../src/testing/fixtures.js';
import {
  closedPort,
  ensureBuilt,
  httpServer,
  tcpServer,
  tierguard,
  type CliResult,
  type LocalServer,
} from './run-cli.js';

const KEY = fakeApiKey('netw');
const open: LocalServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((server) => server.close()));
});
beforeAll(ensureBuilt, 60_000);

async function serve(server: Promise<LocalServer>): Promise<LocalServer> {
  const started = await server;
  open.push(started);
  return started;
}

function doctorAt(baseURL: string, more: string[] = []): Promise<CliResult> {
  return tierguard(['doctor', '--base-url', baseURL, '--timeout', '3000', ...more], {
    env: { OPENAI_API_KEY: KEY },
  });
}

/**
 * `doctorAt` for a server that cuts the connection. Node 20's fetch sometimes loses such a
 * connection and never settles (2 runs in 100 here); doctor then ends as a timeout, which is what
 * it saw. That is fetch's doing, not the cut being named wrong, so such a run is tried again.
 */
async function doctorCut(baseURL: string): Promise<CliResult> {
  let result = await doctorAt(baseURL);
  for (let retry = 0; retry < 3 && /^✗ No answer from /m.test(result.stdout); retry += 1)
    result = await doctorAt(baseURL);
  return result;
}

/** A network failure: the run fails, never blames the key, prints its block once, and lists what it could not check. */
function expectNetworkFailure(result: CliResult, title: string | RegExp): void {
  expect(result.code, `exit code; the run printed:\n${result.stdout}${result.stderr}`).toBe(1);
  if (typeof title === 'string') expect(result.stdout).toContain(`✗ ${title}`);
  else expect(result.stdout).toMatch(title);
  expect(result.stdout).not.toContain('did not accept the key');
  expect(result.stdout).not.toContain('invalid_api_key');
  expect(result.stdout).toMatch(/the key was not checked/i);
  expect(result.stdout).toMatch(/^– Not checked \(an earlier check failed\): the key, /m);
  const blockLines = result.stdout.split('\n').filter((line) => line.startsWith('    '));
  expect(blockLines.length).toBeGreaterThan(2);
  expect(new Set(blockLines).size).toBe(blockLines.length);
  expect(result.stdout.match(/^✗ /gm)).toHaveLength(1);
  expect(result.stdout).not.toContain(KEY);
}

const page = (title: string): string =>
  `<!DOCTYPE html><html><head><title>${title}</title></head><body><h1>${title}</h1></body></html>`;

describe('tierguard doctor without a network: says which way it failed, not that the key was refused', () => {
  it('DNS: a host that does not resolve (.invalid)', async () => {
    const result = await doctorAt('http://api.example.invalid/v1');
    expectNetworkFailure(
      result,
      /^✗ Cannot reach api\.example\.invalid: the name does not resolve \((?:ENOTFOUND|EAI_AGAIN)\)$/m,
    );
    expect(result.stdout).toContain('nslookup api.example.invalid');
  });

  it('a closed port: connection refused', async () => {
    const port = await closedPort();
    const result = await doctorAt(`http://127.0.0.1:${port}/v1`);
    expectNetworkFailure(result, `Cannot reach 127.0.0.1:${port}: connection refused (ECONNREFUSED)`);
    expect(result.stdout).toContain('start it, or check the port it listens on');
  });

  it('a server that resets the connection, and one that closes it without answering', async () => {
    const reset = await serve(tcpServer((socket) => socket.resetAndDestroy()));
    expectNetworkFailure(
      await doctorCut(reset.url),
      `Cannot reach 127.0.0.1:${reset.port}: the connection was cut before any answer (ECONNRESET)`,
    );
    const closing = await serve(tcpServer((socket) => socket.once('data', () => socket.end())));
    const closed = await doctorCut(closing.url);
    expectNetworkFailure(
      closed,
      `Cannot reach 127.0.0.1:${closing.port}: the connection was cut before any answer (UND_ERR_SOCKET)`,
    );
    expect(closed.stdout).toContain('undici’s ProxyAgent in fetchOptions');
    expect(closed.stdout).toContain('https://github.com/openai/openai-node#configuring-proxies');
  });

  it('a request fetch loses (never settles, holds nothing open): a timeout, not a silent exit 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tg-lost-'));
    const preload = join(dir, 'lost-fetch.cjs');
    // What Node 20's fetch does with some reset connections: no socket left to keep the process
    // alive, and a promise that settles only when its signal aborts.
    writeFileSync(
      preload,
      'globalThis.fetch = (_url, init) => new Promise((_resolve, reject) =>\n' +
        "  init.signal.addEventListener('abort', () => reject(init.signal.reason)));\n",
    );
    try {
      const result = await tierguard(['doctor', '--base-url', 'http://127.0.0.1:9/v1', '--timeout', '200'], {
        env: { OPENAI_API_KEY: KEY, NODE_OPTIONS: `--require ${preload}` },
      });
      expectNetworkFailure(result, 'No answer from 127.0.0.1:9 within 200 ms');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a server that never answers: the timeout, with the value used', async () => {
    const silent = await serve(tcpServer(() => undefined));
    const result = await tierguard(['doctor', '--base-url', silent.url, '--timeout', '300'], {
      env: { OPENAI_API_KEY: KEY },
    });
    expectNetworkFailure(result, `No answer from 127.0.0.1:${silent.port} within 300 ms`);
    expect(result.stdout).toContain('--timeout 60000');
  });

  it('TLS: https to a server that does not speak TLS', async () => {
    const plain = await serve(httpServer((_request, response) => response.end('{}')));
    const result = await doctorAt(`https://127.0.0.1:${plain.port}/v1`);
    expectNetworkFailure(
      result,
      `Secure connection to 127.0.0.1:${plain.port} failed (ERR_SSL_WRONG_VERSION_NUMBER)`,
    );
    expect(result.stdout).toContain('did not speak TLS on that port');
  });

  let openssl = true;
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
  } catch {
    openssl = false;
  }
  it.skipIf(!openssl)('TLS: a self-signed certificate (a TLS-inspecting proxy)', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'tierguard-tls-'));
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '2',
          '-keyout',
          join(directory, 'key.pem'),
          '-out',
          join(directory, 'cert.pem'),
          '-subj',
          '/CN=127.0.0.1',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
        ],
        { stdio: 'ignore' },
      );
      const server = createHttpsServer(
        { key: readFileSync(join(directory, 'key.pem')), cert: readFileSync(join(directory, 'cert.pem')) },
        (_request, response) => response.end('{}'),
      );
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      try {
        const result = await doctorAt(`https://127.0.0.1:${port}/v1`);
        expectNetworkFailure(
          result,
          `Secure connection to 127.0.0.1:${port} failed (DEPTH_ZERO_SELF_SIGNED_CERT)`,
        );
        expect(result.stdout).toContain('NODE_EXTRA_CA_CERTS=/path/to/company-ca.pem');
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('a proxy that wants credentials (407), one that blocks (403 page), a captive portal (200 page)', async () => {
    const auth = await serve(
      httpServer((_request, response) => {
        response.writeHead(407, {
          'content-type': 'text/html',
          server: 'squid/6.10',
          'proxy-authenticate': 'Basic',
        });
        response.end(page('ERROR: Cache Access Denied'));
      }),
    );
    const wants = await doctorAt(auth.url);
    expectNetworkFailure(
      wants,
      // fetch turns a 407 into an error without the page (the fetch standard): the status is all there is.
      'A proxy or gateway answered instead of the API (HTTP 407)',
    );
    expect(wants.stdout).toContain('The proxy asks for credentials (407)');

    const block = await serve(
      httpServer((_request, response) => {
        response.writeHead(403, { 'content-type': 'text/html', via: '1.1 gateway.corp' });
        response.end(page('Access Denied by policy'));
      }),
    );
    const blocked = await doctorAt(block.url);
    expectNetworkFailure(
      blocked,
      'A proxy or gateway answered instead of the API (HTTP 403, “Access Denied by policy”, from 1.1 gateway.corp)',
    );
    expect(blocked.stdout).toContain('allow the API host');

    const portal = await serve(
      httpServer((_request, response) => {
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end(page('Hotel WiFi login'));
      }),
    );
    const captive = await doctorAt(portal.url);
    expectNetworkFailure(
      captive,
      'A proxy or gateway answered instead of the API (HTTP 200, “Hotel WiFi login”)',
    );
    expect(captive.stdout).not.toContain('The API accepts the key');
  });

  it('a 401 page from a proxy is the proxy’s; only the API’s own 401 says the key is wrong', async () => {
    const proxy = await serve(
      httpServer((_request, response) => {
        response.writeHead(401, { 'content-type': 'text/html' });
        response.end(page('401 Authorization Required'));
      }),
    );
    expectNetworkFailure(
      await doctorAt(proxy.url),
      'A proxy or gateway answered instead of the API (HTTP 401, “401 Authorization Required”)',
    );
    const fixture = apiErrors.invalidApiKey(KEY);
    const api = await serve(
      httpServer((_request, response) => {
        response.writeHead(fixture.status, fixture.headers);
        response.end(fixture.body);
      }),
    );
    const refused = await doctorAt(api.url);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('✗ The API did not accept the key');
    expect(refused.stdout).toContain('[invalid_api_key, 401]');
    expect(refused.stdout).toMatch(/^– Not checked \(an earlier check failed\): billing and credit, /m);
  });

  it('a relay that lists models but cuts the calls: the network fails under billing, once', async () => {
    const relay = await serve(
      httpServer((request, response) => {
        if (request.url?.endsWith('/models')) {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model' }] }));
        } else request.socket.destroy();
      }),
    );
    const result = await doctorAt(relay.url, ['--model', 'gpt-4o-mini', '--model', 'gpt-4o']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('✓ The API accepts the key (GET /models: 1 models)');
    expect(result.stdout).toMatch(
      /^✗ Cannot reach 127\.0\.0\.1:\d+: the connection was cut before any answer/m,
    );
    expect(result.stdout).toMatch(
      /^– Not checked \(an earlier check failed\): billing and credit, the models, the region, the rate limits$/m,
    );
    expect(result.stdout.match(/^✗ /gm)).toHaveLength(1);
  });

  it('in Chinese, and as JSON: which way it failed, and what was not checked', async () => {
    const port = await closedPort();
    const chinese = await doctorAt(`http://127.0.0.1:${port}/v1`, ['--locale', 'zh-CN']);
    expect(chinese.code).toBe(1);
    expect(chinese.stdout).toContain(`✗ 无法连接 127.0.0.1:${port}：连接被拒绝（ECONNREFUSED）`);
    expect(chinese.stdout).toContain('密钥尚未经过检查');
    expect(chinese.stdout).toContain('– 未检查（前面的检查未通过）：密钥、账单与余额、模型、地区、速率限制');
    expect(chinese.stdout).not.toContain('API 不接受该密钥');

    const json = await doctorAt('http://api.example.invalid/v1', ['--json']);
    const parsed = JSON.parse(json.stdout) as {
      ok: boolean;
      steps: { id: string; status: string; network?: { kind: string } }[];
    };
    expect(parsed.ok).toBe(false);
    expect(parsed.steps.map((step) => [step.id, step.status])).toEqual([
      ['key', 'pass'],
      ['network', 'fail'],
      ['auth', 'skip'],
      ['billing', 'skip'],
      ['model', 'skip'],
      ['region', 'skip'],
      ['limits', 'skip'],
    ]);
    expect(parsed.steps[1]?.network?.kind).toBe('dns');
  });
});

describe('tierguard doctor goes on where the key is not the question', () => {
  it('a relay without GET /models: a warning, then the calls decide', async () => {
    const missing = apiErrors.invalidUrl('GET', '/v1/models');
    const relay = await serve(
      httpServer((request, response) => {
        if (request.url?.endsWith('/models')) {
          response.writeHead(missing.status, missing.headers);
          response.end(missing.body);
          return;
        }
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            id: 'chatcmpl-1',
            object: 'chat.completion',
            created: 0,
            model: 'gpt-4o-mini',
            choices: [{ index: 0, message: { role: 'assistant', content: 'p' }, finish_reason: 'length' }],
          }),
        );
      }),
    );
    const result = await doctorAt(relay.url);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^! GET \/models did not list the models \(.+\); checking with a call instead$/m,
    );
    expect(result.stdout).toContain(
      '✓ Billing active and credit left (a minimal call to gpt-4o-mini succeeded)',
    );
    expect(result.stdout).toContain('! gpt-4o-mini: the endpoint sent no rate-limit headers');
  });
});
