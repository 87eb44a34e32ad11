/**
 * How long the simulated server takes to answer: a fixed delay, a uniform range, or a log-normal
 * spread (a median and a 90th percentile), drawn from the simulator's seeded generator so that a run
 * replays the same. Real completions are right-skewed — most answers near the median, a few far
 * slower — which a uniform range does not play.
 */

/** The latency option as resolved: one of three shapes. */
export type LatencySpec =
  | { readonly kind: 'uniform'; readonly min: number; readonly max: number }
  | {
      readonly kind: 'lognormal';
      readonly median: number;
      /** ln(p90 / median) / z(0.9): the spread of the underlying normal. */
      readonly sigma: number;
      readonly min: number;
      readonly max: number;
    };

// The standard normal's 90th percentile.
const Z_90 = 1.2815515655446004;

/** A log-normal latency with this median and 90th percentile, clamped to [min, max]. */
export function lognormalLatency(median: number, p90: number, min: number, max: number): LatencySpec {
  // p90 = median means no spread: every draw is the median.
  const sigma = median > 0 && p90 > median ? Math.log(p90 / median) / Z_90 : 0;
  return { kind: 'lognormal', median, sigma, min, max };
}

/** One latency, in ms, from `random` (numbers in [0, 1)). */
export function drawLatency(spec: LatencySpec, random: () => number): number {
  if (spec.kind === 'uniform')
    return spec.max <= spec.min ? spec.min : spec.min + random() * (spec.max - spec.min);
  if (spec.sigma === 0) return Math.min(spec.max, Math.max(spec.min, spec.median));
  // Box–Muller: two uniforms make one standard normal (1 − u keeps the logarithm finite).
  const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return Math.min(spec.max, Math.max(spec.min, spec.median * Math.exp(spec.sigma * normal)));
}
