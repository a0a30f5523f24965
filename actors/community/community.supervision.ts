import type { Logger } from "pino";
import { supervisionPolicy, type CrashWindow } from "../kernel/supervision.js";
import type { CommunityMessage } from "./community.actor.js";
import { refuseCommand } from "./community.protocol.js";

/**
 * A community crash (a bug in plan building, a bad stored config that slipped past validation) resets the actor,
 * which rebuilds from the store: the store is the truth, the actor only a cache. A community that keeps crashing
 * (more than 5 times in 10 s) is stopped instead, so a poisoned config cannot spin; until that window ends the
 * community's checks are answered "unavailable" without rebuilding it (the window outlives the stopped actor).
 * A check whose command crashed the actor is answered "unavailable" here, so its caller is not left waiting.
 */
/** Crash damping of a community: more than this many crashes inside the window quarantines it for the window. */
export const COMMUNITY_MAX_CRASHES = 5;
export const COMMUNITY_CRASH_WINDOW_MS = 10_000;

export function communitySupervision(
  logger: Logger,
  onCrashCounted: (kind: string) => void,
  communityId: string,
  window?: CrashWindow,
) {
  return supervisionPolicy<CommunityMessage>({
    kind: "community",
    logger,
    bindings: { communityId },
    onCrashCounted,
    maxCrashes: COMMUNITY_MAX_CRASHES,
    windowMs: COMMUNITY_CRASH_WINDOW_MS,
    ...(window === undefined ? {} : { window }),
    decide: ({ msg }) => {
      if (msg !== undefined && msg.type !== "ConfigLoaded") refuseCommand(msg, "community actor crashed");
      return "reset";
    },
  });
}
