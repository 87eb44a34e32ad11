import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createSimulator,
  type Simulator,
  type SimulatorOptions,
} from '../../src/testing/simulator/simulator.js';
import { apiErrors, fakeApiKey } from '../../src/testing/fixtures.js';

const root = new URL('../../', import.meta.url).pathname;
const cli = `${root}dist/cli.cjs`;
const KEY = fakeApiKey('klmn');

function tierguard(
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, ...args],
      { cwd: root, env: { PATH: process.env.PATH, NO_COLOR: '1', ...env }, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ stdout, stderr, code: error === null ? 0 : ((error as { code?: number }).code ?? 1) }),
    );
  });
}

const open: Simulator[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((sim) => sim.close()));
});

async function doctorAgainst(
  options: SimulatorOptions,
  models: string[],
  key = KEY,
  extra: readonly string[] = [],
): Promise<{ stdout: string; stderr: string; code: number }> {
  const sim = await createSimulator({ apiKey: KEY, ...options });
  open.push(sim);
  return tierguard(['doctor', ...models.flatMap((model) => ['--model', model]), ...extra], {
    OPENAI_API_KEY: key,
    OPENAI_BASE_URL: sim.baseURL,
  });
}

beforeAll(() => {
  if (!existsSync(cli)) execFileSync('npx', ['tsup'], { cwd: root, stdio: 'ignore' });
}, 60_000);

describe('tierguard doctor (built entry, against the simulator)', () => {
  it('passes a healthy account and reads the tier off the headers', async () => {
    const result = await doctorAgainst({ tier: 'tier-2' }, ['gpt-4o-mini', 'gpt-4o']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('✓ API key present (sk-proj-…klmn)');
    expect(result.stdout).toContain('✓ gpt-4o: 5,000 RPM, 450,000 TPM → matches Tier 2');
    expect(result.stdout).toContain('All checks passed.');
  });

  it('fails on no credit, with the billing hint', async () => {
    // The simulator stands in for OpenAI here (`--provider openai`): OpenAI's Billing page.
    const result = await doctorAgainst({ account: { creditUsd: 0 } }, ['gpt-4o-mini'], KEY, [
      '--provider',
      'openai',
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('✗ Billing or credit blocks calls');
    expect(result.stdout).toContain('[insufficient_quota, 429]');
    expect(result.stdout).toContain('Open Billing and check the credit balance');
    expect(result.stdout).toContain('https://platform.openai.com/settings/organization/billing/overview');
  });

  it('on no credit at an endpoint that is not OpenAI’s, sends the reader to its billing, not OpenAI’s', async () => {
    // A loopback base URL, as a local gateway's: its balance is not on OpenAI's pages.
    const result = await doctorAgainst({ account: { creditUsd: 0 } }, ['gpt-4o-mini']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('top up the balance with it');
    expect(result.stdout).not.toContain('/billing/');
  });

  it('fails on a model above the tier, saying which tier can use it and how to get there', async () => {
    const result = await tierguard(
      ['doctor', '--simulate', 'free', '--model', 'gpt-4o-mini', '--model', 'gpt-4o'],
      {},
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('✓ gpt-4o-mini is reachable');
    expect(result.stdout).toContain('✗ gpt-4o is not reachable');
    expect(result.stdout).toContain('needs at least Tier 1 (reached after paying at least $5 in total)');
    // The plan adds what the hint cannot know (the amount from the tier the headers showed), once.
    expect(result.stdout).toContain(
      '    → Plan for gpt-4o: reach Tier 1 — pay $5 more ($5 in total; the headers say you are on the free tier).',
    );
    expect(result.stdout).toContain('gpt-4o-mini: 3 RPM, 40,000 TPM → matches the free tier');
    // …and does not repeat the hint's own steps (pay in one go, check Limits, wait, contact support).
    for (const phrase of [/in one go/gi, /contact support/gi, /6–24/g, /settings\/organization\/limits/g])
      expect(result.stdout.match(phrase)?.length ?? 0).toBeLessThanOrEqual(1);
    // Links and "see" lines are public pages, never the project's own files.
    expect(result.stdout).not.toMatch(/\.md\b|\bsrc\/|Table \d/);
    const lines = result.stdout.split('\n').filter((line) => line.startsWith('    '));
    expect(new Set(lines).size).toBe(lines.length);
    const chinese = await tierguard(
      ['doctor', '--simulate', 'free', '--model', 'gpt-4o-mini', '--model', 'gpt-4o', '--locale', 'zh-CN'],
      {},
    );
    expect(chinese.stdout).toContain(
      '    → gpt-4o 的升级计划：达到 Tier 1——再付 $5（累计 $5；响应头显示你目前处于免费等级（Free））。',
    );
  });

  it('says the tier is not the reason when the headers show a tier that includes the model', async () => {
    // A Tier 2 account (gpt-4o-mini's Tier 2 limits in the headers) whose project does not allow gpt-4o.
    const denied = apiErrors.projectModelDenied('gpt-4o');
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        if (request.url?.endsWith('/models')) {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ object: 'list', data: [] }));
        } else if (body.includes('"gpt-4o-mini"')) {
          response.writeHead(200, {
            'content-type': 'application/json',
            'x-ratelimit-limit-requests': '5000',
            'x-ratelimit-limit-tokens': '2000000',
          });
          response.end(
            JSON.stringify({
              id: 'chatcmpl-1',
              object: 'chat.completion',
              created: 0,
              model: 'gpt-4o-mini',
              choices: [{ index: 0, message: { role: 'assistant', content: 'p' }, finish_reason: 'length' }],
            }),
          );
        } else {
          response.writeHead(denied.status, denied.headers);
          response.end(denied.body);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const result = await tierguard(
        ['doctor', '--provider', 'openai', '--model', 'gpt-4o-mini', '--model', 'gpt-4o'],
        {
          OPENAI_API_KEY: KEY,
          OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1`,
        },
      );
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('gpt-4o-mini: 5,000 RPM, 2,000,000 TPM → matches Tier 2');
      expect(result.stdout).toContain(
        '✗ gpt-4o is not reachable (your Tier 2 includes it: the tier is not the reason)',
      );
      expect(result.stdout).not.toContain('Plan for gpt-4o');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('runs the same check on its own simulator with --simulate free', async () => {
    const result = await tierguard([
      'doctor',
      '--simulate',
      'free',
      '--model',
      'gpt-4o-mini',
      '--model',
      'gpt-4o',
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Simulated Free account');
    expect(result.stdout).toContain('✗ gpt-4o is not reachable');
  });

  it('tells a refused region from a network failure', async () => {
    const region = await doctorAgainst({ account: { regionSupported: false } }, ['gpt-4o-mini']);
    expect(region.code).toBe(1);
    expect(region.stdout).toContain('✗ The API refuses this region');
    expect(region.stdout).toContain('[region_unsupported, 403]');
    expect(region.stdout).not.toContain('did not accept the key');
    // Port 1 is on fetch's blocked list: nothing is sent (test/cli/doctor-network.test.ts has the others).
    const unreachable = await tierguard(
      ['doctor', '--base-url', 'http://127.0.0.1:1/v1', '--timeout', '2000'],
      { OPENAI_API_KEY: KEY },
    );
    expect(unreachable.code).toBe(1);
    expect(unreachable.stdout).toContain(
      '✗ Node’s fetch will not connect to 127.0.0.1:1: the port is on the fetch standard’s blocked list',
    );
    expect(unreachable.stdout).not.toContain('did not accept the key');
  });

  it('fails a wrong key without printing it, and a missing key', async () => {
    const wrong = fakeApiKey('89zz');
    const result = await doctorAgainst({}, ['gpt-4o-mini'], wrong);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('✗ The API did not accept the key');
    expect(result.stdout).toContain('[invalid_api_key, 401]');
    expect(result.stdout + result.stderr).not.toContain(wrong);
    expect(result.stdout).toContain('sk-proj-…89zz');
    const missing = await tierguard(['doctor'], { OPENAI_API_KEY: undefined });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('✗ No API key: set OPENAI_API_KEY');
  });

  it('prints JSON, in Chinese too', async () => {
    const result = await tierguard(['doctor', '--simulate', 'tier-1', '--json', '--locale', 'zh-CN']);
    const parsed = JSON.parse(result.stdout) as {
      ok: boolean;
      steps: { id: string; status: string; title: string }[];
    };
    expect(parsed.ok).toBe(true);
    expect(parsed.steps.map((step) => step.id)).toEqual([
      'key',
      'auth',
      'billing',
      'model',
      'region',
      'limits',
    ]);
    expect(parsed.steps[2]?.title).toContain('账单已激活');
  });
});

describe('tierguard tiers', () => {
  it('prints what a model needs across the tiers', async () => {
    const result = await tierguard(['tiers', '--model', 'gpt-4o-2024-08-06']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Free\s+not supported/);
    expect(result.stdout).toMatch(/Tier 1\s+500 RPM \/ 30k TPM\s+needs \$5 paid/);
    expect(result.stdout).toContain('Lowest tier that can use it: Tier 1.');
    expect(result.stdout).toContain('as of 2025-10-02');
  });

  it('prints a tier, and the whole table', async () => {
    const tier = await tierguard(['tiers', '--tier', 'tier-2']);
    expect(tier.stdout).toContain(
      'Tier 2: needs $50 paid and 7+ days since the first payment; usage limit $500/month',
    );
    const all = await tierguard(['tiers', '--wide']);
    expect(all.stdout).toMatch(/gpt-4o-mini\s+3 RPM\/40k TPM\/200 RPD/);
    expect((await tierguard(['tiers', '--tier', 'tier-9'])).code).toBe(2);
  });
});

describe('tierguard simulate', () => {
  it('serves until interrupted, and reports what it served', async () => {
    const child = spawn(process.execPath, [cli, 'simulate', '--tier', 'free'], { cwd: root });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL in ${output}`)), 15_000);
      child.stdout.on('data', () => {
        const found = /listening on (http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(output)?.[1];
        if (found !== undefined) {
          clearTimeout(timer);
          resolve(found);
        }
      });
    });
    const response = await fetch(`${url}/models`, { headers: { authorization: 'Bearer sk-any' } });
    expect(response.status).toBe(200);
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain('served 0 of 1 requests');
    const bad = await tierguard(['simulate', '--fault', 'meteor']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--fault must be one of');
  });
});
