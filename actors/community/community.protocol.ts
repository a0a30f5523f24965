import type { FilterEvent, RoomFacts } from "../../src/filters/types.js";
import type { Result } from "../../src/result.js";
import type { Reply } from "../kernel/reply.js";
import type { SessionOutcome } from "../check-session/check-session.protocol.js";

/** Commands a community actor accepts. */
export type CommunityCommand =
  | {
      readonly type: "CheckEvent";
      readonly event: FilterEvent;
      readonly roomFacts: RoomFacts | undefined;
      readonly reply: Reply<SessionOutcome>;
    }
  /** Rebuild the effective config and plan from the store; the reply fires once the rebuild is done. */
  | { readonly type: "ReloadConfig"; readonly reply: Reply<Result<void, string>> };

/** Delivers commands to community actors by community id (get-or-spawn). */
export type CommunityRouter = (communityId: string, command: CommunityCommand) => void;

export function checkEventCommand(
  event: FilterEvent,
  roomFacts: RoomFacts | undefined,
  reply: Reply<SessionOutcome>,
): CommunityCommand {
  return { type: "CheckEvent", event, roomFacts, reply };
}

export function reloadConfigCommand(reply: Reply<Result<void, string>>): CommunityCommand {
  return { type: "ReloadConfig", reply };
}
