/**
 * What a plain success teaches the pacer — its rate-limit headers, and the end of its reservation —
 * learned after the caller has its answer, not before: reading and applying six headers took about
 * 10 µs an answer before V8 compiled the guard, 2 µs in process after (docs/decisions.md §10, §11).
 * Most plain successes need no lesson at all (§12). A lesson is taken at the next turn of the event
 * loop, or sooner when anything needs the pacer's state: the next admission, `stats()`, `close()`.
 */

// Taken at module load, so that a test's fake timers do not hold lessons back.
const later: (run: () => void) => void =
  typeof globalThis.setImmediate === 'function'
    ? globalThis.setImmediate.bind(globalThis)
    : (run) => {
        setTimeout(run, 0);
      };

/** A guard's lessons not yet taken. */
export class Lessons {
  #queue: (() => void)[] = [];
  #scheduled = false;

  /** Lessons waiting. */
  get size(): number {
    return this.#queue.length;
  }

  /** Queues `lesson` for the next turn of the event loop. */
  add(lesson: () => void): void {
    this.#queue.push(lesson);
    if (this.#scheduled) return;
    this.#scheduled = true;
    later(() => {
      this.#scheduled = false;
      this.take();
    });
  }

  /** Takes every waiting lesson now, in the order the answers came. */
  take(): void {
    // A lesson may emit events whose listeners call back in (stats()): each is taken once.
    while (this.#queue.length > 0) {
      const queue = this.#queue;
      this.#queue = [];
      for (const lesson of queue) {
        try {
          lesson();
        } catch {
          // What one answer would have taught is lost; the call it came from has already been
          // answered, and a throw here would reach no caller (it would end the process).
        }
      }
    }
  }
}
