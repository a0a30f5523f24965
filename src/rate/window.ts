/**
 * The rate filters' sliding window (filters.md §2.21, §2.22): rates are "per second over the last 60 seconds", so a
 * count is the number of units whose timestamp lies in `[now - RATE_WINDOW_MS, ∞)`. Timestamps in the future count
 * (a process whose clock runs ahead still limits), as upstream's counters did.
 */
export const RATE_WINDOW_MS = 60_000;

/** The window's length in seconds, the divisor that turns a count into a rate. */
export const RATE_WINDOW_SECONDS = RATE_WINDOW_MS / 1000;

/** Whether a unit timestamped `ts` is inside the window that ends at `now`. */
export function inWindow(ts: number, now: number, windowMs: number = RATE_WINDOW_MS): boolean {
  return ts >= now - windowMs;
}
