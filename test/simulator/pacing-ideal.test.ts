// The pacing bench's yardstick (bench/pacing/ideal.ts, issue 16): an omniscient client sending in
// order as early as both buckets allow. Checked on workloads whose answer is known by hand.
import { describe, expect, it } from 'vitest';
import { idealFinishMs, idealSendTimes } from '../../bench/pacing/ideal.js';
import { binsOf } from '../../bench/pacing/metrics.js';
import { jobsFor, planOf, promptCharacters } from '../../bench/pacing/workload.js';

const LIMITS = { requests: 100, tokens: 20_000, windowMs: 2_000 };

describe('the ideal of the pacing bench', () => {
  it('sends what the full token bucket holds at once, then at the refill rate', () => {
    // 10,000 tokens refill in 1 s.
    expect(idealSendTimes([10_000, 10_000, 10_000, 10_000], LIMITS)).toEqual([0, 0, 1_000, 2_000]);
    expect(idealFinishMs([10_000, 10_000, 10_000, 10_000], LIMITS, 800)).toBe(2_800);
  });

  it('is bound by the requests bucket when calls are small', () => {
    const times = idealSendTimes(new Array<number>(103).fill(1), LIMITS);
    // 100 at once, then one request every 20 ms.
    expect(times.slice(98)).toEqual([0, 0, 20, 40, 60].map((ms) => expect.closeTo(ms, 6)));
  });

  it('waits for the bucket that is shorter, and keeps the order', () => {
    // The second call needs 15,000 tokens with 5,000 left: 1 s; the third, 5,000 of an empty bucket: 0.5 s more.
    expect(idealSendTimes([15_000, 15_000, 5_000], LIMITS)).toEqual([0, 1_000, 1_500]);
    // A call the tokens bucket holds still waits for one request.
    const times = idealSendTimes([...new Array<number>(100).fill(1), 1], LIMITS);
    expect(times.at(-1)).toBeCloseTo(20, 6);
  });

  it('refuses a call no bucket can ever hold', () => {
    expect(() => idealSendTimes([20_001], LIMITS)).toThrow(/never fits/);
  });
});

describe('the workloads', () => {
  it('are the same for the same seed: 8–31 repetitions of 27 characters, max_tokens 100–299', () => {
    const jobs = jobsFor(300, 16);
    expect(jobsFor(300, 16)).toEqual(jobs);
    const characters = jobs.map(promptCharacters);
    expect(characters.every((count) => count % 27 === 0 && count >= 8 * 27 && count <= 31 * 27)).toBe(true);
    expect(jobs.every((job) => job.max_tokens >= 100 && job.max_tokens <= 299)).toBe(true);
    // Both ends of both ranges occur in 300 draws.
    expect(Math.min(...characters)).toBe(8 * 27);
    expect(Math.max(...characters)).toBe(31 * 27);
  });

  it('spreads a steady load as a Poisson process of the rate asked', () => {
    const { offsetsMs } = planOf({ kind: 'steady', ratePerSecond: 25, durationMs: 200_000, seed: 3 });
    expect(offsetsMs.length).toBeGreaterThan(25 * 200 * 0.95);
    expect(offsetsMs.length).toBeLessThan(25 * 200 * 1.05);
    expect(offsetsMs.every((at, index) => index === 0 || at > (offsetsMs[index - 1] as number))).toBe(true);
  });

  it('bins arrivals per 0.5 s', () => {
    expect(binsOf([0, 10, 499, 500, 2_600], 4)).toEqual([3, 1, 0, 0]);
    expect(binsOf([0, 10, 499, 500, 2_600])).toEqual([3, 1, 0, 0, 0, 1]);
  });
});
