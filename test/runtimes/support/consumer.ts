/**
 * A consumer outside the repository: a temporary directory with the packed tarball installed as
 * `node_modules/tierguard` beside `openai` and `zod` (and deliberately no ioredis), the scenario
 * compiled to plain JavaScript, and one small entry per way of loading it. Every runtime runs the
 * scenario from here, so what is tested is what `npm publish` would ship.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, transform } from 'esbuild';

export const repoRoot = new URL('../../../', import.meta.url).pathname;

/** The peers a consumer installs next to tierguard (linked from the repository's node_modules). */
const PEERS = ['openai', 'zod'] as const;

/** Entries: each loads the package its own way, runs the scenario and prints the report as JSON. */
const ENTRIES: Readonly<Record<string, string>> = {
  'entry.mjs': `import OpenAI from 'openai';
import * as tierguard from 'tierguard';
import * as testing from 'tierguard/testing';
import { runScenario } from './scenario.mjs';
console.log(JSON.stringify(await runScenario({ OpenAI, tierguard, testing })));
`,
  'entry.cjs': `const OpenAI = require('openai');
const tierguard = require('tierguard');
const testing = require('tierguard/testing');
const { runScenario } = require('./scenario.cjs');
runScenario({ OpenAI, tierguard, testing }).then((report) => console.log(JSON.stringify(report)));
`,
  // Everything each entry exports: what a Worker bundle of the whole entry weighs.
  'main.mjs': `export * from 'tierguard';\n`,
  'testing.mjs': `export * from 'tierguard/testing';\n`,
  // A module Worker: the scenario runs inside the request and answers with its report.
  'worker.mjs': `import OpenAI from 'openai';
import * as tierguard from 'tierguard';
import * as testing from 'tierguard/testing';
import { runScenario } from './scenario.mjs';
export default {
  async fetch() {
    try {
      return Response.json(await runScenario({ OpenAI, tierguard, testing }));
    } catch (error) {
      return new Response(String(error?.stack ?? error), { status: 500 });
    }
  },
};
`,
};

/** A consumer directory; `remove()` deletes it. */
export interface Consumer {
  readonly dir: string;
  /** The packed tarball's size, as `npm pack` reported it. */
  readonly packedBytes: number;
  remove(): void;
}

/** Packs the built package and lays out a consumer of it. `npm run build` must have run. */
export async function createConsumer(): Promise<Consumer> {
  if (!existsSync(join(repoRoot, 'dist/index.js')))
    throw new Error('dist/ is missing: run `npm run build` first');
  const dir = mkdtempSync(join(tmpdir(), 'tierguard-consumer-'));
  try {
    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--pack-destination', dir], {
        cwd: repoRoot,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    ) as { filename: string; size: number }[];
    const tarball = packed[0];
    if (tarball === undefined) throw new Error('npm pack reported no tarball');
    const installed = join(dir, 'node_modules/tierguard');
    mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['-xzf', join(dir, tarball.filename), '-C', installed, '--strip-components=1']);
    for (const peer of PEERS)
      symlinkSync(join(repoRoot, 'node_modules', peer), join(dir, 'node_modules', peer), 'dir');
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'tierguard-consumer', private: true, type: 'module' }, null, 2),
    );
    const source = join(repoRoot, 'test/runtimes/scenario.ts');
    for (const [file, format] of [
      ['scenario.mjs', 'esm'],
      ['scenario.cjs', 'cjs'],
    ] as const) {
      const { code } = await transform(readFileSync(source, 'utf8'), {
        loader: 'ts',
        format,
        target: 'es2022',
      });
      writeFileSync(join(dir, file), code);
    }
    for (const [file, code] of Object.entries(ENTRIES)) writeFileSync(join(dir, file), code);
    return {
      dir,
      packedBytes: tarball.size,
      remove: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** What a Worker bundle pulled in: its size and every module left for the runtime to provide. */
export interface WorkerBundle {
  readonly outfile: string;
  readonly bytes: number;
  /** Imports left in the bundle (`node:*` builtins, or anything marked external). */
  readonly imports: readonly string[];
  /** Every package a file of the bundle came from. */
  readonly packages: readonly string[];
}

/**
 * Bundles `entry` the way wrangler does for a module Worker with `nodejs_compat`: esbuild for the
 * browser platform with the worker conditions, `node:*` left to the runtime, minified.
 */
export async function bundleForWorker(entry: string, outfile: string): Promise<WorkerBundle> {
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    target: 'es2022',
    external: ['node:*'],
    minify: true,
    metafile: true,
    logLevel: 'silent',
  });
  const output = Object.values(result.metafile.outputs)[0];
  if (output === undefined) throw new Error('esbuild wrote no output');
  const packages = new Set<string>();
  for (const input of Object.keys(result.metafile.inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    if (match?.[1] !== undefined) packages.add(match[1]);
  }
  return {
    outfile,
    bytes: output.bytes,
    imports: output.imports.map((item) => item.path),
    packages: [...packages].sort(),
  };
}
