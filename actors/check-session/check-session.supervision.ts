import type { Logger } from "pino";
import { supervisionPolicy } from "../kernel/supervision.js";
import type { CheckSessionMessage } from "./check-session.protocol.js";

/**
 * A session that crashes is a bug in the step functions: it is stopped (its reply fires from `afterStop` as
 * "unavailable", so the caller is never left waiting). One policy instance is shared by all sessions so that crash
 * counting sees a loop across sessions, not one crash per short-lived actor.
 */
export function checkSessionSupervision(logger: Logger, onCrashCounted: (kind: string) => void) {
  return supervisionPolicy<CheckSessionMessage>({
    kind: "check-session",
    logger,
    onCrashCounted,
    maxCrashes: Number.MAX_SAFE_INTEGER,
    decide: () => "stop",
  });
}
