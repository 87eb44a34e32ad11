import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiErrors, fakeApiKey } from '../../src/testing/fixtures.js';

const root = new URL('../../', import.meta.url).pathname;
const cli = `${root}dist/cli.cjs`;

async function tierguard(
  args: string[],
  input?: string,
): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [cli, ...args],
      { cwd: root, env: { ...process.env, NO_COLOR: '1' } },
      (error, stdout, stderr) => {
        resolve({ stdout, stderr, code: error === null ? 0 : ((error as { code?: number }).code ?? 1) });
      },
    );
    child.stdin?.end(input ?? '');
  });
}

describe('tierguard explain (built entry)', () => {
  beforeAll(() => {
    // `npm test` builds first; run alone, this test builds what it needs.
    if (!existsSync(cli)) execFileSync('npx', ['tsup'], { cwd: root, stdio: 'ignore' });
  }, 60_000);

  it('explains a pasted JSON body with its status: cause, status, code, retry, fallback, then the hint', async () => {
    const result = await tierguard(['explain', apiErrors.insufficientQuota().body, '--status', '429']);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines.slice(0, 6)).toEqual([
      'cause       insufficient_quota',
      'status      429',
      'code        insufficient_quota',
      'message     You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
      'retried     no',
      'falls back  only to another endpoint (another key, account, relay or Azure)',
    ]);
    expect(lines[7]).toBe('The account has no quota left');
    expect(result.stdout).toContain('what to do:\n  1. Open Billing and check the credit balance');
    expect(result.stdout).toContain(
      '  - Billing overview: https://platform.openai.com/settings/organization/billing/overview',
    );
    // No colour when stdout is not a terminal.
    expect(result.stdout).not.toContain('\u001b[');
  });

  it('reads a log line from stdin (no argument, or -), in Chinese, with the wait and the limit', async () => {
    const line =
      'Error: 429 Rate limit reached for gpt-4o in organization org-x on tokens per min (TPM): Limit 30000, Used 29500, Requested 1200. Please try again in 1.4s.';
    for (const args of [
      ['explain', '--locale', 'zh-CN'],
      ['explain', '--locale', 'zh-CN', '-'],
    ]) {
      const result = await tierguard(args, line);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^原因 +rate_limited_tokens$/m);
      expect(result.stdout).toMatch(/^状态码 +429$/m);
      expect(result.stdout).toMatch(/^等待 +1\.4 秒（来自错误信息）$/m);
      expect(result.stdout).toMatch(/^限额 +每分钟 tokens：上限 30,000，已用 29,500，本次请求 1,200$/m);
      expect(result.stdout).toContain('`gpt-4o` 的每分钟 token 数超限');
      expect(result.stdout).toContain('每分钟上限 30,000 tokens');
    }
  });

  it('--model names the model a pasted message does not', async () => {
    const result = await tierguard([
      'explain',
      '--model',
      'gpt-5',
      '403 Your organization must be verified to stream this model.',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('cause       verification_required');
    expect(result.stdout).toContain('`gpt-5` needs a verified organization');
  });

  it('a relay’s HTML page', async () => {
    const result = await tierguard([
      'explain',
      '--json',
      '<html><head><title>502 Bad Gateway</title></head></html>',
      '--status',
      '502',
    ]);
    expect(JSON.parse(result.stdout)).toMatchObject({ cause: 'relay_error', origin: 'network', status: 502 });
  });

  it('never prints the full key a relay echoed, as JSON or as text', async () => {
    const key = fakeApiKey('10zz');
    const json = await tierguard(['explain', '--json', `401 Incorrect API key provided: ${key}.`]);
    expect(JSON.parse(json.stdout)).toMatchObject({ cause: 'invalid_api_key', status: 401 });
    const text = await tierguard([
      'explain',
      `{"error":{"message":"upstream rejected ${key} (Bearer ${key})","code":"invalid_api_key"}}`,
      '--status',
      '401',
    ]);
    for (const output of [json.stdout, text.stdout]) {
      expect(output).not.toContain(key);
      expect(output).not.toContain(key.slice(8, 30));
    }
    expect(text.stdout).toContain('sk-proj-…10zz');
  });

  it('refuses bad usage with exit code 2 and says why; --help everywhere', async () => {
    const badLocale = await tierguard(['explain', '--locale', 'fr', 'x']);
    expect(badLocale.code).toBe(2);
    expect(badLocale.stderr).toContain('--locale must be en or zh-CN, got "fr"');
    expect((await tierguard(['explain', 'x', '--status', '99'])).stderr).toContain(
      '--status must be an HTTP status code',
    );
    const unknownOption = await tierguard(['explain', '--colour', 'x']);
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toContain('--colour');
    const nothing = await tierguard(['explain'], '   ');
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('nothing to explain');
    const unknownCommand = await tierguard(['nope']);
    expect(unknownCommand.code).toBe(2);
    expect(unknownCommand.stderr).toContain('unknown command "nope"');
    const help = await tierguard(['explain', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: tierguard explain');
    const top = await tierguard(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/Commands:\n(?:.*\n)*\s+explain\s+diagnose a pasted error/);
    expect((await tierguard([])).code).toBe(2);
  });
});
