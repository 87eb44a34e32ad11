import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleForWorker, createConsumer, repoRoot, type Consumer } from '../runtimes/support/consumer.js';

// What the package weighs, where users pay for it: the tarball npm downloads, and the bundle a
// Worker uploads (Cloudflare's free plan takes 1 MB gzipped per Worker, docs/decisions.md).
// `npm test` builds before vitest runs; each test first checks that the build is there.
const MAX_PACKED_BYTES = 600_000;
const MAX_UNPACKED_BYTES = 2_500_000;
const MAX_WORKER_GZIP_BYTES = 1_000_000;

interface PackReport {
  size: number;
  unpackedSize: number;
  files: { path: string; size: number }[];
}

describe('the published tarball', () => {
  const report = (): PackReport => {
    const [packed] = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json'], {
        cwd: repoRoot,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    ) as PackReport[];
    if (packed === undefined) throw new Error('npm pack reported nothing');
    return packed;
  };

  it('ships the built entries, the node10 stub and the docs, and no source maps or sources', () => {
    const paths = report()
      .files.map((file) => file.path)
      .sort();
    for (const entry of [
      'dist/index.js',
      'dist/index.cjs',
      'dist/testing.js',
      'dist/testing.cjs',
      'dist/cli.cjs',
    ])
      expect(paths, 'run `npm run build` first').toContain(entry);
    expect(paths).toContain('testing/package.json');
    expect(
      paths.filter(
        (path) =>
          !/^(dist\/[^/]+\.(c?js|d\.c?ts)|testing\/package\.json|package\.json|README\.md|CHANGELOG\.md)$/.test(
            path,
          ),
      ),
    ).toEqual([]);
  });

  it(`stays under ${MAX_PACKED_BYTES / 1000} KB packed and ${MAX_UNPACKED_BYTES / 1e6} MB unpacked`, () => {
    const { size, unpackedSize } = report();
    expect(size).toBeLessThanOrEqual(MAX_PACKED_BYTES);
    expect(unpackedSize).toBeLessThanOrEqual(MAX_UNPACKED_BYTES);
  });

  it('the main entry carries only the parts of zod it uses (`zod/mini`, `import * as z`)', () => {
    // `import { z } from 'zod'` anywhere the main entry reaches brings all of zod into the build,
    // every locale included (German's "Eingabe" is the marker): twice the size, and more to compile
    // at every start. Any use of zod's classic API brings its schema classes, whose base is
    // `ZodType` (mini's is `ZodMiniType`): more to compile and build at start (docs/decisions.md,
    // "Cold start").
    for (const file of ['dist/index.js', 'dist/index.cjs']) {
      const text = readFileSync(join(repoRoot, file), 'utf8');
      expect(text, 'run `npm run build` first').toContain('tierguard');
      expect(text, file).toContain('"ZodMiniType"');
      expect(text, file).not.toContain('Eingabe');
      expect(text, file).not.toContain('"ZodType"');
    }
  });
});

describe('a Worker bundle of each entry, from a consumer without ioredis', () => {
  let consumer: Consumer;
  beforeAll(async () => {
    consumer = await createConsumer();
  }, 60_000);
  afterAll(() => consumer?.remove());

  const bundle = async (entry: string) => {
    const built = await bundleForWorker(
      join(consumer.dir, `${entry}.mjs`),
      join(consumer.dir, `${entry}.bundle.mjs`),
    );
    return { ...built, gzipBytes: gzipSync(readFileSync(built.outfile)).length };
  };

  it('main entry: builds with nothing Node-only and nothing external, within 1 MB gzipped', async () => {
    const main = await bundle('main');
    // No node:* builtin, no ioredis, no tokenizer: only the library (the parts of zod it uses are
    // built into the main entry, tsup.config.ts).
    expect(main.imports).toEqual([]);
    expect(main.packages).toEqual(['tierguard']);
    expect(main.gzipBytes).toBeLessThanOrEqual(MAX_WORKER_GZIP_BYTES);
  });

  it('testing entry: builds, leaving only the simulator’s node:http to the runtime', async () => {
    const testing = await bundle('testing');
    expect(testing.imports).toEqual(['node:http']);
    expect(testing.packages).toEqual(['tierguard', 'zod']);
    expect(testing.gzipBytes).toBeLessThanOrEqual(MAX_WORKER_GZIP_BYTES);
  });
});
