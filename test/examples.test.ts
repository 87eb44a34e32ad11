import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createSimulator, type Simulator, type SimulatorOptions } from '../src/testing/index.js';
import { plausibleAnswers } from './support/plausible-answers.js';
import { startRecordingServer, type RecordingServer } from './support/recording-server.js';
import { startRedisHttpBridge, type RedisHttpBridge } from './support/redis-http-bridge.js';

// CI runs every example the README points to: each starts its own simulator on 127.0.0.1.
const root = new URL('../', import.meta.url).pathname;

function example(name: string, args: string[] = [], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', `examples/${name}.ts`, ...args],
      { cwd: root, timeout: 90_000, env },
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

// The README's code blocks (examples/readme/, test/package/readme.test.ts keeps them identical):
// each runs as written, `new OpenAI()` reading OPENAI_BASE_URL and OPENAI_API_KEY as it does in a
// service, here pointed at a simulator; Azure at a loopback server; Redis at the test Redis. The
// `.test.ts` snippets run with the suite itself (vitest.config.ts includes examples/).
const redisUrl = inject('redisUrl');
const KEY = 'sk-readme-0123456789abcdef';

interface SnippetRun {
  /** The simulator the snippet's `new OpenAI()` talks to. */
  readonly simulator?: SimulatorOptions;
  /** Needs the test Redis (skipped with it). */
  readonly redis?: boolean;
  /** What the run must show; `sim` is the simulator it talked to. */
  readonly check: (stdout: string, sim: Simulator) => void | Promise<void>;
}

const REPLY = 'a simulated reply';
const SNIPPETS: Readonly<Record<string, SnippetRun>> = {
  'quick-start': {
    simulator: { tier: 'free' },
    check: (stdout) => {
      expect(stdout).toContain('fallback: gpt-4o → gpt-4o-mini (model_access_denied)');
      expect(stdout).toContain(REPLY);
      expect(stdout).toContain("served by { 'gpt-4o-mini': 1 }");
    },
  },
  'short-form': { check: (stdout) => expect(stdout).toContain(REPLY) },
  migrate: {
    simulator: { faults: [{ fault: 'server-error', count: 1 }] },
    check: (stdout, sim) => {
      expect(stdout).toContain(REPLY);
      expect(stdout).toContain('retries: 1');
      // The 500 and the guard's one retry: the per-call maxRetries added nothing.
      expect(sim.stats().requests).toBe(2);
    },
  },
  'queue-bounds': { check: (stdout) => expect(stdout).toContain(REPLY) },
  // One call fits gpt-4o's limit: served by gpt-4o (rerouting is tested in test/guard/wait-or-reroute.test.ts).
  'wait-or-reroute': {
    simulator: { tier: 'tier-1' },
    check: (stdout) => {
      expect(stdout).toMatch(/^gpt-4o .*a simulated reply/m);
      expect(stdout).not.toContain('rerouted');
    },
  },
  budget: {
    check: (stdout) => {
      expect(stdout).toMatch(/spentUsd: [0-9.e-]+/);
      expect(stdout).toContain('reservedUsd: 0');
    },
  },
  'count-tokens': {
    check: (stdout) => {
      const reserved = Number(/reserved (\d+) tokens for gpt-4o-mini/.exec(stdout)?.[1]);
      // The prompt's exact tokens plus the 100 the call may write.
      expect(reserved).toBeGreaterThan(100);
      expect(reserved).toBeLessThan(130);
    },
  },
  'metrics-and-logs': {
    simulator: { faults: [{ fault: 'overloaded', count: 1 }] },
    check: (stdout) => {
      const lines = stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines).toContainEqual(
        expect.objectContaining({ type: 'retry', cause: 'overloaded', status: 503 }),
      );
      expect(stdout).not.toContain(KEY);
    },
  },
  'testing-simulator': { check: (stdout) => expect(stdout).toContain('insufficient_quota after 1 request') },
  'turning-off': {
    check: (stdout) => {
      expect(stdout).toContain(REPLY);
      expect(stdout).toContain('lanes: 0');
    },
  },
  'fallback-per-call': {
    simulator: { tier: 'free' },
    check: (stdout) => {
      expect(stdout).toContain('model_access_denied\n');
      expect(stdout).toContain('served by gpt-4.1-mini');
    },
  },
  redis: {
    redis: true,
    check: (stdout) => {
      expect(stdout).toContain(REPLY);
      expect(stdout).toContain('store: redis');
    },
  },
  upstash: { redis: true, check: (stdout) => expect(stdout).toContain(REPLY) },
  azure: { check: () => undefined },
};

describe('README snippets', () => {
  const files = readdirSync(new URL('../examples/readme/', import.meta.url))
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
    .map((name) => name.slice(0, -'.ts'.length));

  it('every snippet that is not a test has a run below', () => {
    expect(files.sort()).toEqual(Object.keys(SNIPPETS).sort());
  });

  let bridge: RedisHttpBridge | undefined;
  beforeAll(async () => {
    if (redisUrl !== '') bridge = await startRedisHttpBridge({ redisUrl });
  });
  afterAll(async () => {
    await bridge?.close();
  });

  const runSnippet = async (name: string, run: SnippetRun): Promise<void> => {
    const sim = await createSimulator(run.simulator ?? {});
    try {
      const before = bridge?.counts.requests ?? 0;
      const stdout = await example(`readme/${name}`, [], {
        ...process.env,
        OPENAI_BASE_URL: sim.baseURL,
        OPENAI_API_KEY: KEY,
        REDIS_URL: redisUrl,
        UPSTASH_REDIS_REST_URL: bridge?.url ?? '',
        UPSTASH_REDIS_REST_TOKEN: bridge?.token ?? '',
      });
      await run.check(stdout, sim);
      if (name === 'upstash') expect(bridge?.counts.requests ?? 0).toBeGreaterThan(before);
    } finally {
      await sim.close();
    }
  };
  const runs = Object.entries(SNIPPETS).filter(([name]) => name !== 'azure');
  it.each(runs.filter(([, run]) => run.redis !== true))('%s', runSnippet);
  it.skipIf(redisUrl === '').each(runs.filter(([, run]) => run.redis === true))(
    `%s${redisUrl === '' ? ' (skipped: no test Redis)' : ''}`,
    runSnippet,
  );

  describe('azure', () => {
    let server: RecordingServer;
    beforeAll(async () => {
      server = await startRecordingServer(plausibleAnswers);
    });
    afterAll(async () => {
      await server.close();
    });

    it('goes to the deployment’s path with its API version and key, paced under its model', async () => {
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        AZURE_OPENAI_ENDPOINT: server.url,
        AZURE_OPENAI_API_KEY: KEY,
      };
      delete env.OPENAI_API_VERSION;
      delete env.OPENAI_BASE_URL;
      const stdout = await example('readme/azure', [], env);
      expect(stdout).toContain('paced as deployment:prod-4o');
      expect(server.requests.map((request) => request.path)).toEqual([
        '/openai/deployments/prod-4o/chat/completions',
      ]);
      expect(server.requests[0]?.query).toContainEqual(['api-version', '2024-10-21']);
      expect(server.requests[0]?.headers['api-key']).toBe(KEY);
    });
  });
});
