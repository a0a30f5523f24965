/**
 * What the rooms area needs from the rest of the program, as narrow structural types so tests pass fakes and the
 * composition root passes the real services.
 */
import type { RoomFacts } from "../filters/types.js";
import type { Result } from "../result.js";
import type { BanRuleRecord } from "../storage/room-state.repo.js";

/**
 * Saves what a learning run produced. The composition root wires it to the actor runtime's `learnRoomState` (which
 * persists the facts and updates the room actor's memory) and to `roomState.replaceBanRules`; an `err` means the
 * run failed and the room's state timestamp is not bumped, so it is learned again later.
 */
export type OnLearned = (roomId: string, facts: RoomFacts, banRules: readonly BanRuleRecord[]) => Promise<Result<void, string>>;

/** The logging calls the rooms area makes (a pino Logger fits). */
export interface RoomsLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}
