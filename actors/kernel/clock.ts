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

/** A clock that remembers its pending timers so the runtime can cancel every one of them when it stops. */
export interface TrackedClock extends Clock {
  clearAll(): void;
  readonly pending: number;
}

/**
 * Wraps a clock so that `clearAll` cancels every pending timer. nact does not stop grandchildren when a parent or the
 * system stops (its `stop` looks children up by reference and finds nothing for nested actors), so `afterStop`
 * cannot be relied on to release timers at shutdown.
 */
export function trackedClock(base: Clock): TrackedClock {
  const pending = new Set<TimerHandle>();
  return {
    now: () => base.now(),
    setTimeout(fn, ms) {
      const handle: TimerHandle = base.setTimeout(() => {
        pending.delete(handle);
        fn();
      }, ms);
      pending.add(handle);
      return handle;
    },
    clearTimeout(handle) {
      pending.delete(handle);
      base.clearTimeout(handle);
    },
    clearAll() {
      for (const handle of pending) base.clearTimeout(handle);
      pending.clear();
    },
    get pending() {
      return pending.size;
    },
  };
}
