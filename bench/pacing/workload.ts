/**
 * The pacing bench's workloads (issue 16), seeded so that every run sends the same calls: a burst of
 * 300 chat calls fired at once right after the client is created, and a steady load of Poisson
 * arrivals at a share of the token limit. Prompts are 8–31 repetitions of a 27-character phrase,
 * `max_tokens` 100–299.
 */

/** The limits every server of the bench enforces, per model: 100 requests and 20,000 tokens per 2 s. */
export const LIMITS = { requests: 100, tokens: 20_000, windowMs: 2_000 } as const;

/** The limits as a record (what a client process is handed). */
export interface Limits {
  readonly requests: number;
  readonly tokens: number;
  readonly windowMs: number;
}

/** The model every call names. */
export const MODEL = 'gpt-4o-mini';

/**
 * 27 characters, 7 tokens a repetition to o200k (measured with `countTextTokens`): a server that
 * charges characters / 4 (6.75 a repetition) counts about what the client's tokenizer does, one
 * that charges / 3 (9) a third more.
 */
export const PHRASE = 'Quartz sphinx, judge my vow';

/** The burst's size. */
export const BURST_CALLS = 300;

/** One call of a workload. */
export interface Job {
  readonly model: string;
  readonly messages: { role: 'user'; content: string }[];
  readonly max_tokens: number;
}

/** What a client process is told to run: the jobs are rebuilt from it, so they need not be sent. */
export type Workload =
  | { readonly kind: 'burst'; readonly calls: number; readonly seed: number }
  | {
      readonly kind: 'steady';
      /** Mean arrivals per second. */
      readonly ratePerSecond: number;
      readonly durationMs: number;
      readonly seed: number;
    };

/** A seeded generator of numbers in [0, 1) (mulberry32). */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function job(random: () => number): Job {
  const repetitions = 8 + Math.floor(random() * 24);
  return {
    model: MODEL,
    messages: [{ role: 'user', content: PHRASE.repeat(repetitions) }],
    max_tokens: 100 + Math.floor(random() * 200),
  };
}

/** `count` jobs from `seed`. */
export function jobsFor(count: number, seed: number): Job[] {
  const random = seeded(seed);
  return Array.from({ length: count }, () => job(random));
}

/** The calls of a workload and when each is submitted (ms after the start; all 0 for a burst). */
export function planOf(workload: Workload): { jobs: Job[]; offsetsMs: number[] } {
  if (workload.kind === 'burst') {
    const jobs = jobsFor(workload.calls, workload.seed);
    return { jobs, offsetsMs: jobs.map(() => 0) };
  }
  // Exponential gaps: a Poisson process of the given rate, from its own stream of the seed.
  const gaps = seeded(workload.seed ^ 0x5bd1e995);
  const offsetsMs: number[] = [];
  for (let at = 0; ;) {
    at += (-Math.log(1 - gaps()) / workload.ratePerSecond) * 1_000;
    if (at >= workload.durationMs) break;
    offsetsMs.push(at);
  }
  return { jobs: jobsFor(offsetsMs.length, workload.seed), offsetsMs };
}

/** Characters of a job's prompt, as the character-counting servers count them. */
export function promptCharacters(job: Job): number {
  return job.messages.reduce((sum, message) => sum + message.content.length, 0);
}
