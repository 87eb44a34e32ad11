import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsumer, repoRoot, type Consumer } from '../runtimes/support/consumer.js';

// A strict TypeScript service on `module: commonjs` — whose default resolution is node10, which
// ignores `exports` — importing both entries of the packed package, with every .d.ts checked.
const TSCONFIG = {
  compilerOptions: {
    module: 'commonjs',
    target: 'ES2022',
    lib: ['ES2022'],
    types: ['node'],
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    skipLibCheck: false,
    noEmit: true,
  },
  files: ['service.ts'],
};

const SERVICE = `import OpenAI from 'openai';
import { createGuard, diagnose, TierguardOptionsError, type Diagnosis, type GuardOptions } from 'tierguard';
import { chatCompletion, fixtures, scriptedFetch, type ScriptedFetch } from 'tierguard/testing';

const options: GuardOptions = { tier: 'tier-1', fallback: { 'gpt-4o': ['gpt-4o-mini'] } };
const fetch: ScriptedFetch = scriptedFetch([fixtures.insufficient_quota, chatCompletion({ content: 'ok' })]);
const guard = createGuard(options);
const client: OpenAI = guard.wrap(new OpenAI({ apiKey: 'sk-test', fetch }));

export async function ask(): Promise<string | Diagnosis> {
  try {
    const completion = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'hi' }],
    });
    return completion.choices[0]?.message.content ?? '';
  } catch (error) {
    if (error instanceof TierguardOptionsError) throw error;
    return diagnose(error);
  } finally {
    await guard.close();
  }
}
`;

describe('a strict CommonJS TypeScript project', () => {
  let consumer: Consumer;
  beforeAll(async () => {
    consumer = await createConsumer();
    mkdirSync(join(consumer.dir, 'node_modules/@types'), { recursive: true });
    symlinkSync(
      join(repoRoot, 'node_modules/@types/node'),
      join(consumer.dir, 'node_modules/@types/node'),
      'dir',
    );
    writeFileSync(join(consumer.dir, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
    writeFileSync(join(consumer.dir, 'service.ts'), SERVICE);
  }, 60_000);
  afterAll(() => consumer?.remove());

  it('type-checks imports of tierguard and tierguard/testing with skipLibCheck off', () => {
    let output = '';
    try {
      execFileSync(join(repoRoot, 'node_modules/.bin/tsc'), ['-p', consumer.dir], { encoding: 'utf8' });
    } catch (error) {
      output = String((error as { stdout?: unknown }).stdout ?? error);
    }
    expect(output).toBe('');
  }, 60_000);
});
