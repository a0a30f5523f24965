/**
 * Time as a dependency: actors read `now()` and schedule through this interface so tests can drive expiry with a
 * fake clock instead of sleeping.
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Opaque timer handle; the real clock returns Node's Timeout, the fake clock a number. */
export type TimerHandle = unknown;

/**
 * The production clock. Timers keep the event loop alive like any pending work; every owner cancels its timers when
 * it stops, so a stopped runtime leaves none behind.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    return setTimeout(fn, Math.max(0, Math.min(ms, 2_147_483_647)));
  },
  clearTimeout(handle) {
    clearTimeout(handle as NodeJS.Timeout);
  },
};
