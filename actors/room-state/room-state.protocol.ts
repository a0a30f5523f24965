import type { RoomFacts } from "../../src/filters/types.js";
import type { Result } from "../../src/result.js";
import type { Reply } from "../kernel/reply.js";

/** Commands a room-state actor accepts. */
export type RoomStateCommand =
  | { readonly type: "GetRoomFacts"; readonly reply: Reply<Result<RoomFacts, string>> }
  /** New facts learned from the room's state (by the state learner or an operator); saved to the store. */
  | { readonly type: "LearnState"; readonly facts: RoomFacts; readonly reply: Reply<Result<void, string>> | undefined };

/** Delivers commands to room actors by room id (get-or-spawn). */
export type RoomRouter = (roomId: string, command: RoomStateCommand) => void;

export function getRoomFacts(route: RoomRouter, roomId: string, reply: Reply<Result<RoomFacts, string>>): void {
  route(roomId, { type: "GetRoomFacts", reply });
}

export function learnState(
  route: RoomRouter,
  roomId: string,
  facts: RoomFacts,
  reply?: Reply<Result<void, string>>,
): void {
  route(roomId, { type: "LearnState", facts, reply });
}
