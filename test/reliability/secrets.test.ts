import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import OpenAI from 'openai';
import { beforeAll, describe, expect, it } from 'vitest';
import { diagnose } from '../../src/diagnose/diagnose.js';
import { createGuard } from '../../src/guard/create-guard.js';
import type { GuardEvent } from '../../src/telemetry/events.js';
import { fakeApiKey } from '../../src/testing/fixtures.js';
import { scriptedFetch } from '../../src/testing/scripted-fetch.js';
import { createSimulator } from '../../src/testing/simulator/simulator.js';

// Recognizable secrets: the caller's key, a fallback endpoint's key, and the prompt.
const KEY = fakeApiKey('tKEY');
const FALLBACK_KEY = fakeApiKey('BACK', 'sk-');
const PROMPT = 'PROMPT-SECRET: the quarterly numbers for project nightingale';
const root = new URL('../../', import.meta.url).pathname;

function leaks(text: string): string[] {
  const found: string[] = [];
  for (const secret of [KEY, FALLBACK_KEY]) {
    // The secret in full, or any 16 characters of its body.
    for (let start = 0; start + 16 <= secret.length; start += 4) {
      const piece = secret.slice(start, start + 16);
      if (!piece.startsWith('sk-') && text.includes(piece)) found.push(piece);
    }
  }
  if (text.includes('PROMPT-SECRET') || text.includes('nightingale')) found.push('prompt');
  return found;
}

beforeAll(() => {
  if (!existsSync(`${root}dist/cli.cjs`)) execFileSync('npx', ['tsup'], { cwd: root, stdio: 'ignore' });
}, 60_000);

describe('no key, organization secret or prompt in anything tierguard creates', () => {
  it('a relay that echoes both keys and the prompt: diagnoses, events, errors, stats', async () => {
    const echo = `Upstream refused. key=${KEY} auth="Bearer ${KEY}" fallback=${FALLBACK_KEY}`;
    const transport = scriptedFetch(() => ({
      status: 401,
      body: { error: { message: echo, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } },
      headers: { 'content-type': 'application/json', 'x-echo-key': KEY, 'x-request-id': 'req_leaky' },
    }));
    const events: GuardEvent[] = [];
    const guard = createGuard({
      tier: 'tier-1',
      fallback: {
        'gpt-4o': [{ model: 'gpt-4o', baseURL: 'https://relay.example/v1', apiKey: FALLBACK_KEY }],
      },
      onEvent: (event) => events.push(event),
    });
    const client = guard.wrap(
      new OpenAI({ apiKey: KEY, baseURL: 'https://api.openai.test/v1', fetch: transport }),
    );
    const error = await client.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: PROMPT }] })
      .catch((caught: unknown) => caught);
    expect(transport.calls).toHaveLength(2);
    const everything = [
      JSON.stringify(diagnose(error)),
      JSON.stringify(diagnose(error, { locale: 'zh-CN' })),
      JSON.stringify(events),
      (error as Error).message,
      JSON.stringify(guard.stats()),
    ].join('\n');
    expect(leaks(everything)).toEqual([]);
    expect(everything).toContain('sk-proj-…tKEY');
    await guard.close();
  });

  it.each([
    [
      'every character JSON-escaped',
      (key: string) => [...key].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join(''),
    ],
    ['without its sk-proj- prefix', (key: string) => key.slice('sk-proj-'.length)],
  ])(
    'a relay that echoes the key %s: not in the error, its diagnosis or the events',
    async (_name, spell) => {
      // Written into the JSON text as it is: a relay's own encoder.
      const body = `{"error":{"message":"Incorrect API key provided: ${spell(KEY)}.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`;
      const transport = scriptedFetch(() => ({
        status: 401,
        body,
        headers: { 'content-type': 'application/json' },
      }));
      const events: GuardEvent[] = [];
      const guard = createGuard({ tier: 'tier-1', onEvent: (event) => events.push(event) });
      const client = guard.wrap(
        new OpenAI({ apiKey: KEY, baseURL: 'https://api.openai.test/v1', fetch: transport }),
      );
      const error = await client.chat.completions
        .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
        .catch((caught: unknown) => caught);
      const everything = [
        (error as Error).message,
        JSON.stringify((error as { error?: unknown }).error),
        JSON.stringify(diagnose(error)),
        JSON.stringify(events),
      ].join('\n');
      // Before: the whole key in the client's error (escaped), or its body everywhere (prefix left out).
      expect(leaks(everything)).toEqual([]);
      expect(diagnose(error).cause).toBe('invalid_api_key');
      await guard.close();
    },
  );

  it('the simulator echoes a wrong key masked, and local refusals carry no prompt', async () => {
    const sim = await createSimulator({ apiKey: 'sk-the-right-one-0000000000' });
    const events: GuardEvent[] = [];
    const guard = createGuard({ tier: 'tier-1', onEvent: (event) => events.push(event) });
    const client = guard.wrap(new OpenAI({ apiKey: KEY, baseURL: sim.baseURL }));
    const wrongKey = await client.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: PROMPT }] })
      .catch((caught: unknown) => caught);
    const tooLarge = await client.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: PROMPT }], max_tokens: 100_000 })
      .catch((caught: unknown) => caught);
    expect(diagnose(tooLarge).cause).toBe('request_too_large');
    const everything = [
      JSON.stringify(diagnose(wrongKey)),
      JSON.stringify(diagnose(tooLarge)),
      (wrongKey as Error).message,
      (tooLarge as Error).message,
      JSON.stringify(events),
    ].join('\n');
    expect(leaks(everything)).toEqual([]);
    await guard.close();
    await sim.close();
  });

  it('doctor and explain never print the key', async () => {
    const sim = await createSimulator({ apiKey: 'sk-the-right-one-0000000000' });
    const doctor = await new Promise<string>((resolve) =>
      execFile(
        process.execPath,
        [`${root}dist/cli.cjs`, 'doctor', '--base-url', sim.baseURL],
        { env: { PATH: process.env.PATH, OPENAI_API_KEY: KEY, NO_COLOR: '1' } },
        (_error, stdout, stderr) => resolve(stdout + stderr),
      ),
    );
    const json = await new Promise<string>((resolve) =>
      execFile(
        process.execPath,
        [`${root}dist/cli.cjs`, 'doctor', '--json', '--base-url', sim.baseURL],
        { env: { PATH: process.env.PATH, OPENAI_API_KEY: KEY } },
        (_error, stdout, stderr) => resolve(stdout + stderr),
      ),
    );
    const explain = await new Promise<string>((resolve) =>
      execFile(
        process.execPath,
        [`${root}dist/cli.cjs`, 'explain', `401 Incorrect API key provided: ${KEY}. Bearer ${FALLBACK_KEY}`],
        { env: { PATH: process.env.PATH, NO_COLOR: '1' } },
        (_error, stdout, stderr) => resolve(stdout + stderr),
      ),
    );
    expect(doctor).toContain('✗ The API did not accept the key');
    expect(leaks(doctor + json + explain)).toEqual([]);
    await sim.close();
  });
});
