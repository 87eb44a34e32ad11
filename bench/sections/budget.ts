/**
 * The budget row (issue 16): 50 gpt-4o calls fired at once against a monthly budget that holds 10
 * of them, against the simulator in its own process (each answer uses its whole output maximum,
 * the worst case). The spend is the simulator's own count of what it served. In memory; through
 * Redis from two guards and from two processes (25 calls each); with and without clamping; and,
 * for comparison, a budget that only warns — what a check made after the answers lets through.
 *
 *   npm run bench:budget         (builds first; writes bench/results/budget.md)
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import OpenAI from 'openai';
import type { GuardEvent, GuardOptions } from '../../src/index.js';
import { freePort, redisServerBinary, startRedisServer } from '../../test/support/redis-server.js';
import { built } from '../built.js';
import { startRemoteSimulator } from '../remote-sim.js';

type Log = (line: string) => void;

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
const CALLS = 50;
const MAX_TOKENS = 1_000;
const PROMPT = 'Write one line about rivers.';
// What one call costs when it uses its whole output: its prompt as the simulator counts it (the
// chat format included, measured on the first answer) and 1,000 output tokens, at $2.50 / $10 per 1M.
const outputUsd = (MAX_TOKENS * 10) / 1_000_000;

/** One budget burst: the store, the policy, and what was spent against the budget. */
export interface BudgetRow {
  readonly store: string;
  readonly clamp: boolean;
  readonly policy: 'refuse' | 'warn';
  readonly served: number;
  readonly refused: number;
  readonly clamped: number;
  readonly spentUsd: number;
  readonly budgetUsd: number;
}

/** One guard's burst of `calls`; what it served, refused and clamped. */
export async function burstThrough(
  options: GuardOptions,
  baseURL: string,
  calls: number,
): Promise<{ served: number; refused: number; clamped: number }> {
  const events: GuardEvent[] = [];
  const guard = built.createGuard({ ...options, onEvent: (event) => events.push(event) });
  const client = guard.wrap(new OpenAI({ apiKey: 'sk-bench', baseURL, maxRetries: 0 }));
  const outcomes = await Promise.all(
    Array.from({ length: calls }, () =>
      client.chat.completions
        .create({ model: 'gpt-4o', messages: [{ role: 'user', content: PROMPT }], max_tokens: MAX_TOKENS })
        .then(
          () => true,
          () => false,
        ),
    ),
  );
  await guard.close();
  return {
    served: outcomes.filter(Boolean).length,
    refused: outcomes.filter((outcome) => !outcome).length,
    clamped: events.filter((event) => event.type === 'budget-clamped').length,
  };
}

/** A simulator that serves every call its whole output maximum, unthrottled. */
function simulator(): ReturnType<typeof startRemoteSimulator> {
  return startRemoteSimulator({
    limits: { '*': { requests: 1e9, tokens: 1e12, requestsPerDay: 1e12 } },
    outputTokens: 1_000_000,
    latencyMs: { min: 50, max: 150 },
  });
}

/** What one call costs at the simulator, measured: one call served on a fresh simulator. */
async function costOfOneCall(): Promise<number> {
  const server = await simulator();
  try {
    const client = new OpenAI({ apiKey: 'sk-bench', baseURL: server.baseURL, maxRetries: 0 });
    await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: PROMPT }],
      max_tokens: MAX_TOKENS,
    });
    return (await server.stats()).spentUsd;
  } finally {
    await server.close();
  }
}

async function memoryRow(budgetUsd: number, clamp: boolean, policy: 'refuse' | 'warn'): Promise<BudgetRow> {
  const server = await simulator();
  try {
    const result = await burstThrough(
      {
        limits: { '*': { requests: 1e6, tokens: 1e9 } },
        budget: { monthlyUsd: budgetUsd, clampOutput: clamp, minOutputTokens: 100, onExhausted: policy },
      },
      server.baseURL,
      CALLS,
    );
    return {
      store: 'memory',
      clamp,
      policy,
      ...result,
      spentUsd: (await server.stats()).spentUsd,
      budgetUsd,
    };
  } finally {
    await server.close();
  }
}

async function redisRow(
  redisUrl: string,
  budgetUsd: number,
  clamp: boolean,
  processes: boolean,
): Promise<BudgetRow> {
  const server = await simulator();
  const keyPrefix = `tierguard-bench-budget:${Date.now()}:${Math.random().toString(36).slice(2)}:`;
  const options: GuardOptions = {
    redis: redisUrl,
    keyPrefix,
    limits: { '*': { requests: 1e6, tokens: 1e9 } },
    budget: { monthlyUsd: budgetUsd, clampOutput: clamp, minOutputTokens: 100 },
  };
  try {
    const results = processes
      ? (
          await Promise.all(
            [0, 1].map(() =>
              run(
                process.execPath,
                [
                  '--import',
                  'tsx',
                  'bench/sections/budget-worker.ts',
                  JSON.stringify(options),
                  server.baseURL,
                  String(CALLS / 2),
                ],
                {
                  cwd: root,
                  timeout: 120_000,
                },
              ),
            ),
          )
        ).map((output) => JSON.parse(output.stdout) as { served: number; refused: number; clamped: number })
      : await Promise.all([0, 1].map(() => burstThrough(options, server.baseURL, CALLS / 2)));
    const sum = (field: 'served' | 'refused' | 'clamped'): number =>
      results.reduce((total, result) => total + result[field], 0);
    return {
      store: processes ? 'Redis, two processes' : 'Redis, two guards',
      clamp,
      policy: 'refuse',
      served: sum('served'),
      refused: sum('refused'),
      clamped: sum('clamped'),
      spentUsd: (await server.stats()).spentUsd,
      budgetUsd,
    };
  } finally {
    await server.close();
  }
}

/** Runs the budget rows and returns their table. */
export async function runBudgetSection(log: Log): Promise<{ markdown: string; rows: BudgetRow[] }> {
  const callUsd = await costOfOneCall();
  const budgetUsd = 10 * callUsd;
  log(`budget: one call costs $${callUsd.toFixed(6)}; the budget holds 10: $${budgetUsd.toFixed(6)}`);
  const rows: BudgetRow[] = [];
  for (const [clamp, policy] of [
    [false, 'warn'],
    [false, 'refuse'],
    [true, 'refuse'],
  ] as const) {
    log(`budget: memory, clamp ${clamp}, ${policy}`);
    rows.push(await memoryRow(budgetUsd, clamp, policy));
  }
  const binary = redisServerBinary();
  let skipped = '';
  if (binary === '') skipped = '\n\nThe Redis rows were skipped: redis-server is not installed.';
  else {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'tierguard-budget-redis-'));
    const redis = await startRedisServer(binary, port, dir);
    try {
      for (const processes of [false, true])
        for (const clamp of [false, true]) {
          log(`budget: Redis, ${processes ? 'two processes' : 'two guards'}, clamp ${clamp}`);
          rows.push(await redisRow(`redis://127.0.0.1:${port}`, budgetUsd, clamp, processes));
        }
    } finally {
      redis.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const table = [
    '| store | policy | clamp | served | refused | clamped | spent (server) | budget | overshoot | left |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((row) => {
      const overshoot = row.spentUsd - row.budgetUsd;
      return `| ${row.store} | ${row.policy === 'warn' ? "'warn' (no cap)" : "'refuse'"} | ${row.clamp ? 'yes' : 'no'} | ${row.served} | ${row.refused} | ${row.clamped} | $${row.spentUsd.toFixed(5)} | $${row.budgetUsd.toFixed(5)} | ${overshoot > 1e-9 ? `+$${overshoot.toFixed(5)} (${((overshoot / row.budgetUsd) * 100).toFixed(0)} %)` : 'none'} | ${overshoot > 1e-9 ? '—' : `$${(-overshoot).toFixed(5)}`} |`;
    }),
  ].join('\n');
  const markdown = `### Budget: spend capped before sending\n\n${CALLS} gpt-4o calls fired at once (\`max_tokens\` ${MAX_TOKENS}), each answered with its whole output maximum by the simulator in its own process (50–150 ms), against a month's budget that holds 10 of them ($${budgetUsd.toFixed(5)}: one call costs $${callUsd.toFixed(6)} at the simulator, $${outputUsd.toFixed(2)} of it output). "Spent" is what the simulator served, priced by its own tables. A call reserves its worst case — its prompt estimate with a margin, and its whole output — so a little more than it costs: nine fit, and the tenth does only when clamped. \`'warn'\` never refuses: it is what a check made after the answers lets through in a burst.${skipped}\n\n${table}\n`;
  return { markdown, rows };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = Date.now();
  const log: Log = (line) =>
    process.stdout.write(`[${((Date.now() - started) / 1_000).toFixed(0).padStart(4)} s] ${line}\n`);
  const { markdown } = await runBudgetSection(log);
  const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
  mkdirSync(new URL('../results/', import.meta.url), { recursive: true });
  writeFileSync(
    new URL('../results/budget.md', import.meta.url),
    `# Budget\n\nMeasured by \`npm run bench:budget\` on ${when} UTC.\n\n${markdown}`,
  );
  process.stdout.write(`\n${markdown}`);
}
