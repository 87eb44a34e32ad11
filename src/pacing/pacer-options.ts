/**
 * What the pacer is given (its options, validated by the guard's option parser) and what it tells
 * the outside world (its events).
 */
import type { Tier } from '../data/tiers.js';
import type { LearningEvent } from './learning.js';
import type { ExplicitLimit } from './limits.js';
import type { BucketStore, Dimension } from './types.js';

/** What the pacer tells the outside world. */
export type PacerEvent =
  | LearningEvent
  | { type: 'queued'; key: string; model?: string; waiting: number }
  | {
      type: 'throttled';
      key: string;
      model?: string;
      bucket: Dimension | 'concurrency' | 'pause';
      waitMs: number;
      waiting: number;
    }
  | {
      type: 'model-unknown';
      key: string;
      model: string;
      family: string;
      requestsPerMinute?: number;
      tokensPerMinute?: number;
    };

/** The pacer's options, already validated by the guard's option parser. */
export interface PacerOptions {
  readonly tier: Tier | 'auto';
  readonly limits: Readonly<Record<string, ExplicitLimit>>;
  /** The API's window; a minute for OpenAI. */
  readonly windowMs: number;
  /** The caller fixed the window: never infer another from the reset headers. */
  readonly windowFixed: boolean;
  readonly maxQueued: number;
  /** Calls in flight on a lane that knows no limit yet (`tier: 'auto'` before the first headers). */
  readonly initialConcurrency: number;
  /** The most calls in flight on a lane whose server has never sent rate-limit headers. */
  readonly maxUnknownConcurrency: number;
  /** Without any answer, the bound on calls in flight doubles this often (first calls that hang). */
  readonly calibrationStepMs: number;
  /** The longest pause a 429 without a bucket may impose on a lane. */
  readonly maxPauseMs: number;
  /** A lane idle this long (and full again) is forgotten. */
  readonly idleLaneMs: number;
  readonly deployments: Readonly<Record<string, string>>;
  readonly store: BucketStore;
  readonly emit: (event: PacerEvent) => void;
  /** Monotonic milliseconds. @default performance.now() */
  readonly now?: () => number;
}
