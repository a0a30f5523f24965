import type { Logger } from "pino";
import { supervisionPolicy } from "../kernel/supervision.js";
import type { CommunityMessage } from "./community.actor.js";

/**
 * A community crash (a bug in plan building, a bad stored config that slipped past validation) resets the actor,
 * which rebuilds from the store: the store is the truth, the actor only a cache. A community that keeps crashing
 * (more than 5 times in 10 s) is stopped instead, so a poisoned config cannot spin; the next check spawns it again.
 * A check whose command crashed the actor is answered "unavailable" here, so its caller is not left waiting.
 */
export function communitySupervision(logger: Logger, onCrashCounted: (kind: string) => void, communityId: string) {
  return supervisionPolicy<CommunityMessage>({
    kind: "community",
    logger,
    bindings: { communityId },
    onCrashCounted,
    maxCrashes: 5,
    windowMs: 10_000,
    decide: ({ msg }) => {
      if (msg?.type === "CheckEvent") msg.reply({ type: "unavailable", reason: "community actor crashed" });
      if (msg?.type === "ReloadConfig") msg.reply({ ok: false, error: "community actor crashed" });
      return "reset";
    },
  });
}
