/**
 * A counting semaphore with a bounded waiting line. External services (OpenAI above all) are slower than the
 * checks that call them; capping calls in flight keeps one slow service from holding every socket, and refusing
 * beyond the waiting line makes a backlog fail fast instead of delaying checks past their deadline.
 */
import { err, ok, type Result } from "../result.js";

export interface ConcurrencyLimit {
  /**
   * Runs `task` once a slot is free. Refused at once when the waiting line is full, and given up (without running)
   * when `signal` aborts while waiting; a started task runs to its end.
   */
  run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<Result<T, string>>;
  readonly active: number;
  readonly waiting: number;
}

/** Creates a limit of `maxActive` tasks in flight and `maxWaiting` queued behind them. */
export function createConcurrencyLimit(maxActive: number, maxWaiting: number): ConcurrencyLimit {
  if (!Number.isInteger(maxActive) || maxActive < 1) throw new Error(`maxActive must be a positive integer, got ${maxActive}`);
  if (!Number.isInteger(maxWaiting) || maxWaiting < 0) throw new Error(`maxWaiting must be a non-negative integer, got ${maxWaiting}`);
  let active = 0;
  const queue: (() => void)[] = [];
  const release = (): void => {
    const next = queue.shift();
    if (next !== undefined) next();
    else active--;
  };
  return {
    get active() {
      return active;
    },
    get waiting() {
      return queue.length;
    },
    async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<Result<T, string>> {
      if (signal?.aborted === true) return err("cancelled before it started");
      if (active >= maxActive) {
        if (queue.length >= maxWaiting) return err(`too many requests waiting (${maxWaiting})`);
        const started = await new Promise<boolean>((resolve) => {
          const go = (): void => {
            signal?.removeEventListener("abort", onAbort);
            resolve(true);
          };
          const onAbort = (): void => {
            const index = queue.indexOf(go);
            if (index >= 0) queue.splice(index, 1);
            resolve(false);
          };
          queue.push(go);
          signal?.addEventListener("abort", onAbort, { once: true });
        });
        // A waiter woken by release() inherits the slot (active is not decremented in between).
        if (!started) return err("cancelled while waiting for a free slot");
      } else {
        active++;
      }
      try {
        return ok(await task());
      } finally {
        release();
      }
    },
  };
}
