/**
 * The pacing section's flags (`npm run bench:pacing -- --server … --latency … --strategy … --rows …`,
 * also read by `npm run bench`): each a comma-separated list, checked against the known names.
 */
import { parseArgs } from 'node:util';
import type { PacingSelection } from './section.js';
import { SERVER_MODES, type ServerName } from './servers.js';
import { STRATEGIES, type StrategyName } from './strategies.js';

const ROWS = ['burst', 'steady', 'redis'] as const;

function list<Name extends string>(flag: string, value: string, known: readonly Name[]): Name[] {
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  for (const name of names)
    if (!known.includes(name as Name))
      throw new Error(`--${flag}: unknown "${name}" (known: ${known.join(', ')})`);
  return names as Name[];
}

/** The selection the flags ask for. */
export function parsePacingFlags(argv: readonly string[]): PacingSelection {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      server: { type: 'string' },
      latency: { type: 'string' },
      strategy: { type: 'string' },
      rows: { type: 'string' },
    },
    strict: true,
  });
  const latencies = values.latency?.split(',').map((text) => {
    const ms = Number(text);
    if (!Number.isFinite(ms) || ms < 0) throw new Error(`--latency: "${text}" is not a number of ms`);
    return ms;
  });
  const selection: PacingSelection = {
    ...(values.server === undefined
      ? {}
      : { servers: list('server', values.server, Object.keys(SERVER_MODES) as ServerName[]) }),
    ...(latencies === undefined ? {} : { latencies }),
    ...(values.strategy === undefined
      ? {}
      : { strategies: list('strategy', values.strategy, Object.keys(STRATEGIES) as StrategyName[]) }),
    ...(values.rows === undefined ? {} : { rows: list('rows', values.rows, ROWS) }),
  };
  return selection;
}
