import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// CI runs every example the README points to: each starts its own simulator on 127.0.0.1.
const root = new URL('../', import.meta.url).pathname;

function example(name: string, args: string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', `examples/${name}.ts`, ...args],
      { cwd: root, timeout: 90_000 },
      (error, stdout, stderr) => {
        if (error !== null) reject(new Error(`${name} failed: ${stderr || error.message}`));
        else resolve(stdout);
      },
    );
  });
}

describe('examples', () => {
  it('wrap-existing-client', async () => {
    const output = await example('wrap-existing-client');
    expect(output).toContain('gpt-4o-mini limits: 500 RPM, 200000 TPM (from headers)');
  });

  it('fallback', async () => {
    const output = await example('fallback');
    expect(output).toContain('fallback: gpt-4o → gpt-4o-mini (model_access_denied)');
    expect(output).toContain('served by gpt-4o-mini at the backup endpoint');
    expect(output).toMatch(
      /insufficient_quota: gpt-4o-mini@main → insufficient_quota, gpt-4o-mini@http:\/\/127\.0\.0\.1:\d+\/v1 → insufficient_quota/,
    );
  });

  it('streaming', async () => {
    const output = await example('streaming');
    expect(output).toContain('streamed by gpt-4o-mini (o3 needs verification to stream)');
    expect(output).toContain('in flight after the stream: 0');
  });

  it('metrics-and-logs', async () => {
    const output = await example('metrics-and-logs');
    expect(output).toContain('tierguard.calls {outcome=served model=gpt-4o-mini} 6');
    expect(output).toContain(
      'tierguard.calls {outcome=failed cause=model_access_denied origin=api model=gpt-4o} 1',
    );
    expect(output).toContain('tierguard.throttled {bucket=requests model=gpt-4o-mini} 3');
    expect(output).toContain('tierguard.queue.wait {model=gpt-4o-mini} 6 recorded');
  });

  it('ai-sdk', async () => {
    expect(await example('ai-sdk')).toContain('served by the guard: {"gpt-4o-mini":1}');
  });

  it('diagnose-errors, in both languages', async () => {
    expect(await example('diagnose-errors')).toContain(
      'insufficient_quota                       insufficient_quota (429, not retried)',
    );
    expect(await example('diagnose-errors', ['--locale', 'zh-CN'])).toContain('账户额度已用完');
  });

  it('the demo: a burst with no 429s, a fallback, no credit never retried', async () => {
    const output = await example('demo');
    expect(output).toMatch(/tierguard\s+100\s+0\s+100\s+0\s/);
    expect(output).toContain('served by gpt-4o-mini');
    expect(output).toContain('requests sent: tierguard 1 (never retried); bare client 3');
    // Then every failure's one-line diagnosis, as examples/diagnose-errors.ts prints it.
    expect(output).toMatch(/billing_not_active\s+billing_not_active \(429, not retried\)/);
    expect(output).toMatch(/relay_html_520\s+relay_error \(520, retryable\)/);
  }, 90_000);
});
