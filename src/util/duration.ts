/**
 * Go-style durations, the format of `x-ratelimit-reset-*` headers (`6m0s`, `1.5s`, `20ms`) and of
 * the API's "Please try again in 1m26.4s" (openai-api.md Table 2, Table 1 #16–18).
 */

const UNIT_MS: Readonly<Record<string, number>> = {
  h: 3_600_000,
  m: 60_000,
  s: 1_000,
  ms: 1,
  us: 0.001,
  µs: 0.001,
  μs: 0.001,
  ns: 0.000_001,
};

// Longest units first so that `ms` is not read as `m` followed by garbage.
const PART = /(\d+(?:\.\d+)?|\.\d+)(ms|us|µs|μs|ns|h|m|s)/y;

/**
 * Parses a Go-style duration (`1h2m3.5s`, `6m0s`, `20ms`, `0s`) into milliseconds.
 * Returns `undefined` for anything else, including negative values and empty strings; never throws.
 */
export function parseGoDuration(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const input = text.trim();
  if (input === '') return undefined;
  let total = 0;
  let index = 0;
  PART.lastIndex = 0;
  while (index < input.length) {
    PART.lastIndex = index;
    const match = PART.exec(input);
    if (match === null) return undefined;
    const [whole, amount, unit] = match;
    total += Number(amount) * (UNIT_MS[unit as string] ?? Number.NaN);
    index += whole.length;
  }
  return Number.isFinite(total) ? total : undefined;
}

/**
 * Formats milliseconds the way the API writes durations: `644ms` under a second, `9.816s` under a
 * minute, `1m26.4s` and `6m0s` above, `1h0m0s` from an hour.
 */
export function formatGoDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '0s';
  if (ms < 1_000) return `${Math.max(1, Math.round(ms))}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = Math.round(ms % 60_000) / 1_000;
  const secondsText = `${Number(seconds.toFixed(3))}s`;
  if (hours > 0) return `${hours}h${minutes}m${secondsText}`;
  if (minutes > 0) return `${minutes}m${secondsText}`;
  return secondsText;
}
