import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, root, tierguard } from './run-cli.js';

beforeAll(ensureBuilt, 60_000);
const { version } = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string };

describe('--version', () => {
  it.each([[], ['doctor'], ['explain'], ['tiers'], ['simulate']])(
    'tierguard %s --version and -v print the package version',
    async (...command) => {
      for (const flag of ['--version', '-v']) {
        const result = await tierguard([...command, flag]);
        expect(result.code).toBe(0);
        expect(result.stdout).toBe(`${version}\n`);
      }
    },
  );

  it('is listed in every help, and after `--` it is an argument, not the flag', async () => {
    for (const command of [[], ['doctor'], ['explain'], ['tiers'], ['simulate']]) {
      const help = await tierguard([...command, '--help']);
      expect(help.stdout).toContain('-v, --version');
    }
    const explained = await tierguard(['explain', '--json', '--', '-v']);
    expect(explained.stdout).not.toBe(`${version}\n`);
    expect(JSON.parse(explained.stdout)).toHaveProperty('cause');
  });
});
