/**
 * Rejects with "`what`: no answer within `ms` ms" when `promise` has not settled by then. Its
 * timer never keeps a finished process alive, unless `keepAlive` (a caller is waiting on it, and
 * what it waits for may hold nothing open).
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string, keepAlive = false): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    if (!keepAlive) (timer as { unref?: () => void }).unref?.();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
