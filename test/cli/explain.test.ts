import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiErrors } from '../../src/testing/fixtures.js';

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

  it('explains a pasted JSON body with its status', async () => {
    const result = await tierguard(['explain', apiErrors.insufficientQuota().body, '--status', '429']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('insufficient_quota (429, not retried)');
    expect(result.stdout).toContain('https://platform.openai.com/settings/organization/billing/overview');
    expect(result.stdout).not.toContain('\u001b[');
  });

  it('reads a log line from stdin, in Chinese', async () => {
    const result = await tierguard(
      ['explain', '--locale', 'zh-CN'],
      'Error: 429 Rate limit reached for gpt-4o in organization org-x on tokens per min (TPM): Limit 30000, Used 29500, Requested 1200. Please try again in 1.4s.',
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('rate_limited_tokens (429, 等待 1.4 秒)');
    expect(result.stdout).toContain('上限 每分钟 30,000 tokens');
  });

  it('prints JSON with --json, and never the full key a relay echoed', async () => {
    const key = 'sk-proj-ZyXwVuTsRqPoNmLkJiHgFeDcBa9876543210zz';
    const result = await tierguard(['explain', '--json', `401 Incorrect API key provided: ${key}.`]);
    const diagnosis = JSON.parse(result.stdout) as { cause: string; status: number };
    expect(diagnosis).toMatchObject({ cause: 'invalid_api_key', status: 401 });
    expect(result.stdout).not.toContain(key);
  });

  it('refuses bad usage with exit code 2 and says why', async () => {
    expect((await tierguard(['explain', '--locale', 'fr', 'x'])).code).toBe(2);
    expect((await tierguard(['explain', 'x', '--status', '99'])).stderr).toContain(
      '--status must be an HTTP status code',
    );
    expect((await tierguard(['nope'])).stderr).toContain('unknown command "nope"');
    const help = await tierguard(['explain', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: tierguard explain');
  });
});
