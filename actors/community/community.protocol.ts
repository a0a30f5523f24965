import type { FilterEvent, RoomFacts } from "../../src/filters/types.js";
import { assertNever, type Result } from "../../src/result.js";
import type { Reply } from "../kernel/reply.js";
import type { SessionOutcome } from "../check-session/check-session.protocol.js";

/** One event to check, with the callback that receives its outcome. */
export interface CommunityCheck {
  readonly event: FilterEvent;
  readonly roomFacts: RoomFacts | undefined;
  readonly reply: Reply<SessionOutcome>;
}

/** Commands a community actor accepts. */
export type CommunityCommand =
  /**
   * Checks for this community, usually one, several when they arrived in the same event-loop turn: an actor handles
   * one message per turn, so a busy community would otherwise take at most one check per turn.
   */
  | { readonly type: "CheckEvents"; readonly checks: readonly CommunityCheck[] }
  /** Rebuild the effective config and plan from the store; the reply fires once the rebuild is done. */
  | { readonly type: "ReloadConfig"; readonly reply: Reply<Result<void, string>> };

/** Delivers commands to community actors by community id (get-or-spawn). */
export type CommunityRouter = (communityId: string, command: CommunityCommand) => void;

export function checkEventsCommand(checks: readonly CommunityCheck[]): CommunityCommand {
  return { type: "CheckEvents", checks };
}

export function reloadConfigCommand(reply: Reply<Result<void, string>>): CommunityCommand {
  return { type: "ReloadConfig", reply };
}

/** Answers a command the actor will never handle (it crashed on it, or stopped with it queued): callers never wait. */
export function refuseCommand(command: CommunityCommand, reason: string): void {
  switch (command.type) {
    case "CheckEvents":
      for (const check of command.checks) check.reply({ type: "unavailable", reason });
      return;
    case "ReloadConfig":
      command.reply({ ok: false, error: reason });
      return;
    default:
      assertNever(command, "community command");
  }
}
