/**
 * `npm run bench:pacing`: the pacing section alone (builds first), written to
 * bench/results/pacing.md. Flags run a subset, each a comma-separated list:
 *
 *   --server   bucket/4,bucket/3,sim/tokens,sim/chars3-sparse,sim/spread
 *   --latency  60,800,2000 (ms; a spread's median)
 *   --strategy guard-told,guard-auto,cookbook,bare,p-retry
 *   --rows     burst,steady,redis
 *
 * Without flags: the default plan (about 7½ minutes here). A selection keeps the default plan's bursts
 * that match it; naming what the default plan does not run (`sim/spread`, `p-retry`, another
 * latency) runs every combination of the lists given instead.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parsePacingFlags } from './flags.js';
import { runPacingSection } from './section.js';

const root = new URL('../../', import.meta.url).pathname;
const startedAt = Date.now();
const log = (line: string): void => {
  process.stdout.write(`[${((Date.now() - startedAt) / 1_000).toFixed(0).padStart(4)} s] ${line}\n`);
};

const selection = parsePacingFlags(process.argv.slice(2));
const report = await runPacingSection(selection, log);
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}`;
const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(
  join(root, 'bench/results/pacing.md'),
  `# Pacing on servers that do not share the guard's assumptions\n\nRun on ${date} UTC, ${machine}, by \`npm run bench:pacing ${process.argv.slice(2).join(' ')}\`; ${(report.elapsedMs / 1_000).toFixed(0)} s.\n\n${report.markdown}\n`,
);
log(`wrote bench/results/pacing.md in ${(report.elapsedMs / 1_000).toFixed(0)} s`);
process.exit(0);
