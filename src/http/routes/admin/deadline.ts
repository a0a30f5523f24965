/** Marker for a promise that did not settle in time. */
export const TIMED_OUT: unique symbol = Symbol("timed out");

/**
 * Waits for `work` at most `ms` milliseconds. The work is not cancelled (its result is simply no longer awaited), so
 * callers pass only work that finishes on its own, such as a join that stores its room when it completes.
 */
export async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
