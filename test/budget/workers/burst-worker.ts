/**
 * One process of a budget shared through Redis: fires `calls` calls at once (see ../support/burst.ts)
 * and prints what it served and refused, and the output maxima it sent.
 */
import { createGuard } from '../../../src/guard/create-guard.js';
import { burst, worstCaseTransport } from '../support/burst.js';

const [url, prefix, monthlyUsd, calls, clamp] = process.argv.slice(2);
const guard = createGuard({
  redis: url as string,
  keyPrefix: prefix as string,
  limits: { '*': { requests: 100_000, tokens: 100_000_000 } },
  budget: { monthlyUsd: Number(monthlyUsd), clampOutput: clamp === 'clamp', minOutputTokens: 100 },
});
const sent: number[] = [];
const result = await burst(guard, worstCaseTransport(20, sent), Number(calls));
await guard.close();
process.stdout.write(JSON.stringify({ ...result, sent }));
