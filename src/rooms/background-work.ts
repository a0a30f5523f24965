/**
 * A bounded pool for work that runs after a response has gone out (the filtering of `/send` PDUs). Bounded twice:
 * at most `concurrency` tasks run, at most `maxQueued` wait; past that a task is refused and the caller counts it
 * as dropped. A task that throws or rejects is reported through `onError` and never reaches the process.
 */
export interface BackgroundWork {
  /** Queues a task; false when the queue is full (the task will not run). */
  submit(task: () => Promise<void>): boolean;
  /** Tasks running plus waiting. */
  readonly size: number;
  /** Resolves when nothing is running or waiting (tests, and shutdown after the listener closed). */
  idle(): Promise<void>;
}

export interface BackgroundWorkOptions {
  readonly concurrency: number;
  readonly maxQueued: number;
  readonly onError: (error: unknown) => void;
}

/** Creates a bounded background pool. */
export function createBackgroundWork(options: BackgroundWorkOptions): BackgroundWork {
  if (!(options.concurrency >= 1) || !(options.maxQueued >= 0)) {
    throw new RangeError(`background work needs concurrency >= 1 and maxQueued >= 0, got ${options.concurrency}/${options.maxQueued}`);
  }
  const waiting: (() => Promise<void>)[] = [];
  let running = 0;
  let idleWaiters: (() => void)[] = [];

  const settleIdle = (): void => {
    if (running > 0 || waiting.length > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  };

  const launch = (task: () => Promise<void>): void => {
    running++;
    let promise: Promise<void>;
    try {
      promise = Promise.resolve(task());
    } catch (error) {
      promise = Promise.reject(error);
    }
    promise.catch(options.onError).finally(() => {
      running--;
      const next = waiting.shift();
      if (next !== undefined) launch(next);
      else settleIdle();
    });
  };

  return {
    submit(task) {
      if (running < options.concurrency) {
        launch(task);
        return true;
      }
      if (waiting.length >= options.maxQueued) return false;
      waiting.push(task);
      return true;
    },
    get size() {
      return running + waiting.length;
    },
    idle() {
      if (running === 0 && waiting.length === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
}
