import { spawn, type Ref } from "nact";
import type { Logger } from "pino";
import { assertNever } from "../../src/result.js";
import { supervisionPolicy } from "../kernel/supervision.js";
import { tell } from "../kernel/tell.js";
import type { SubmitRejected, WorkerPoolCommand } from "./worker-pool.protocol.js";

type JobFinished = { readonly type: "JobFinished"; readonly failed: string | undefined };
type PoolMessage<Job> = WorkerPoolCommand<Job> | JobFinished;

export interface WorkerPoolOptions<Job> {
  readonly parent: Ref<unknown>;
  /** Actor name and metric kind: `moderation` or `webhooks`. */
  readonly name: string;
  /** Jobs running at once (`PS_MODERATION_POOL_SIZE`, `PS_WEBHOOK_POOL_SIZE`). */
  readonly size: number;
  /** Jobs waiting beyond that; more are rejected rather than piling up without limit. */
  readonly queueBound: number;
  /** Performs one job. Its promise is never returned to nact, so running jobs do not block the pool's mailbox. */
  readonly run: (job: Job) => Promise<void>;
  readonly logger: Logger;
  readonly onCrashCounted: (kind: string) => void;
}

/** Submits jobs to a running pool. */
export interface WorkerPool<Job> {
  submit(job: Job): Promise<SubmitRejected | undefined>;
  readonly ref: Ref<WorkerPoolCommand<Job>>;
}

interface PoolState<Job> {
  running: number;
  readonly queue: Job[];
}

/**
 * A bounded pool: at most `size` jobs run, at most `queueBound` wait, and the rest are rejected with a value. A job
 * that fails is logged and counted as finished; retry policy belongs to the job runner, which knows what is safe to
 * repeat.
 */
export function spawnWorkerPool<Job>(options: WorkerPoolOptions<Job>): WorkerPool<Job> {
  if (!Number.isInteger(options.size) || options.size < 1) {
    throw new Error(`${options.name} pool size must be a positive integer, got ${options.size}`);
  }
  if (!Number.isInteger(options.queueBound) || options.queueBound < 0) {
    throw new Error(`${options.name} queue bound must be a non-negative integer, got ${options.queueBound}`);
  }
  const start = (self: Ref<PoolMessage<Job>>, state: PoolState<Job>, job: Job): void => {
    state.running++;
    let finished: Promise<void>;
    try {
      finished = options.run(job);
    } catch (error) {
      finished = Promise.reject(error);
    }
    finished.then(
      () => tell(self, { type: "JobFinished", failed: undefined }),
      (error: unknown) => tell(self, { type: "JobFinished", failed: error instanceof Error ? error.message : String(error) }),
    );
  };
  const handle = (state: PoolState<Job>, msg: PoolMessage<Job>, ctx: { self: Ref<PoolMessage<Job>> }): PoolState<Job> => {
    switch (msg.type) {
      case "SubmitJob":
        if (state.running < options.size) {
          start(ctx.self, state, msg.job);
          msg.accepted?.(undefined);
        } else if (state.queue.length < options.queueBound) {
          state.queue.push(msg.job);
          msg.accepted?.(undefined);
        } else {
          msg.accepted?.({ type: "queue-full", bound: options.queueBound });
        }
        return state;
      case "JobFinished": {
        state.running--;
        if (msg.failed !== undefined) options.logger.warn({ pool: options.name, reason: msg.failed }, "pool job failed");
        const next = state.queue.shift();
        if (next !== undefined) start(ctx.self, state, next);
        return state;
      }
      default:
        return assertNever(msg, "worker pool message");
    }
  };
  const ref = spawn(options.parent, handle, options.name, {
    initialStateFunc: () => ({ running: 0, queue: [] }),
    onCrash: supervisionPolicy<PoolMessage<Job>>({
      kind: options.name,
      logger: options.logger,
      onCrashCounted: options.onCrashCounted,
      decide: () => "resume",
    }),
  }) as Ref<WorkerPoolCommand<Job>>;
  return {
    ref,
    submit(job) {
      return new Promise((resolve) => tell(ref, { type: "SubmitJob", job, accepted: resolve }));
    },
  };
}
