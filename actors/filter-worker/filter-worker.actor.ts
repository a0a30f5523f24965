import { spawn, type Ref } from "nact";
import type { Logger } from "pino";
import type { FilterDefinition, FilterOutcome } from "../../src/filters/types.js";
import { assertNever, err } from "../../src/result.js";
import type { FilterPool, FilterWorkerCommand } from "./filter-worker.protocol.js";
import { filterWorkerSupervision } from "./filter-worker.supervision.js";

/**
 * Handles one RunFilter. CPU filters run synchronously (a throw crashes the worker and its supervision answers);
 * I/O filters return a promise that is NOT returned to nact, because nact would hold the mailbox until it settles
 * (runtime.md §1.1): the promise is caught and answers through the reply callback.
 */
function handle(state: null, msg: FilterWorkerCommand): null {
  switch (msg.type) {
    case "RunFilter": {
      const out = msg.filter.check(msg.input, msg.services);
      if (isPromise(out)) {
        const name = msg.filter.name;
        out.then(
          (outcome) => msg.reply(checked(name, outcome)),
          (error: unknown) => msg.reply(err({ filter: name, message: `filter failed: ${describeError(error)}` })),
        );
      } else {
        msg.reply(checked(msg.filter.name, out));
      }
      return state;
    }
    default:
      return assertNever(msg.type, "filter worker command");
  }
}

/** A filter that answers with neither a result nor a failure is a developer error (filters.md §1.4). */
function checked(name: string, outcome: FilterOutcome | undefined): FilterOutcome {
  if (outcome === undefined || outcome === null || typeof outcome !== "object" || !("ok" in outcome)) {
    return err({ filter: name, message: "filter returned neither a result nor an error" });
  }
  return outcome;
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export interface FilterPoolOptions {
  readonly parent: Ref<unknown>;
  readonly registry: readonly FilterDefinition[];
  /** Workers per I/O filter. */
  readonly ioPoolSize: number;
  /**
   * Workers per CPU filter. nact runs one message per actor per event-loop turn (each message is its own
   * setImmediate, and the next is scheduled from inside it), so w workers cap the process at w runs of that filter
   * per turn; enough workers let one turn serve every check in flight (system.ts defaultFilterWorkers).
   */
  readonly cpuPoolSize: number;
  readonly logger: Logger;
  readonly onCrashCounted: (kind: string) => void;
}

/** Spawns `cpuPoolSize` workers per CPU filter and `ioPoolSize` per I/O filter under `parent` (the `filters` supervisor). */
export function spawnFilterPool(options: FilterPoolOptions): FilterPool {
  for (const [what, size] of [["I/O", options.ioPoolSize], ["CPU", options.cpuPoolSize]] as const) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`filter ${what} pool size must be a positive integer, got ${size}`);
  }
  const onCrash = filterWorkerSupervision(options.logger, options.onCrashCounted);
  const workers = new Map<string, { refs: Ref<FilterWorkerCommand>[]; next: number }>();
  options.registry.forEach((filter, index) => {
    if (workers.has(filter.name)) throw new Error(`duplicate filter name in registry: ${filter.name}`);
    const size = filter.io ? options.ioPoolSize : options.cpuPoolSize;
    const refs: Ref<FilterWorkerCommand>[] = [];
    for (let i = 0; i < size; i++) {
      refs.push(spawn(options.parent, handle, `filter-${index}-${i}`, { initialState: null, onCrash }));
    }
    workers.set(filter.name, { refs, next: 0 });
  });
  return {
    workerFor(filterName) {
      const entry = workers.get(filterName);
      if (!entry) return undefined;
      const ref = entry.refs[entry.next];
      entry.next = (entry.next + 1) % entry.refs.length;
      return ref;
    },
  };
}
