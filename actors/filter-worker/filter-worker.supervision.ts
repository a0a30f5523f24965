import type { Logger } from "pino";
import { err } from "../../src/result.js";
import { supervisionPolicy } from "../kernel/supervision.js";
import type { FilterWorkerCommand } from "./filter-worker.protocol.js";

/**
 * A filter that throws is a bug in that filter, not in the check: the check still gets an answer (a failure value
 * naming the filter, decisions §2.4) and the worker is reset so no state of the failed run survives. Filter workers
 * hold no state, so damping never needs to stop them; the loop limit is set high.
 */
export function filterWorkerSupervision(logger: Logger, onCrashCounted: (kind: string) => void) {
  return supervisionPolicy<FilterWorkerCommand>({
    kind: "filter-worker",
    logger,
    onCrashCounted,
    maxCrashes: Number.MAX_SAFE_INTEGER,
    decide: ({ msg, error }) => {
      if (msg?.type === "RunFilter") {
        msg.reply(err({ filter: msg.filter.name, message: `filter threw: ${describe(error)}` }));
      }
      return "reset";
    },
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
