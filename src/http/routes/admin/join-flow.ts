import type { Logger } from "../../../observability/logger.js";
import type { Result } from "../../../result.js";
import type { RoomRecord, RoomsRepo } from "../../../storage/rooms.repo.js";
import { MatrixError } from "../../matrix-error.js";
import { badState, matrixErrorWithCode } from "./api-error.js";
import { TIMED_OUT, withDeadline } from "./deadline.js";
import { orThrow } from "./storage-failure.js";

/** Why a join failed, as the join flow reports it (the errcode is relayed to the caller). */
export interface JoinFailure {
  readonly errcode: string;
  readonly message: string;
}

/**
 * Joins a room over federation (make_join/send_join via `PS_JOIN_SERVER`) and stores it in the community; resolves
 * once the room row exists. Written elsewhere and injected, so the HTTP layer never does federation itself.
 */
export type JoinRoom = (roomId: string, communityId: string) => Promise<Result<RoomRecord, JoinFailure>>;

/** How long an API join may take before the caller gets 408 (the join itself runs on and still stores the room). */
export const DEFAULT_JOIN_TIMEOUT_MS = 120_000;

export interface JoinFlowDeps {
  readonly rooms: Pick<RoomsRepo, "get">;
  readonly joinRoom: JoinRoom;
  readonly logger: Logger;
  readonly joinTimeoutMs?: number;
}

/** Status codes for errcodes a join may relay; anything else is upstream's 500. */
const JOIN_STATUS: Readonly<Record<string, number>> = {
  M_BAD_STATE: 400,
  M_BAD_JSON: 400,
  M_INVALID_PARAM: 400,
  M_FORBIDDEN: 403,
  M_NOT_FOUND: 404,
  M_LIMIT_EXCEEDED: 429,
  M_UNAVAILABLE: 503,
};

/** A room ID as the spec shapes it: `!` then an opaque local part; older versions also carry `:server`. */
export function roomIdProblem(roomId: string): string | undefined {
  if (!roomId.startsWith("!") || roomId.length < 2) return `room ID ${JSON.stringify(roomId)} must start with "!"`;
  if (Buffer.byteLength(roomId, "utf8") > 255) return "room ID is longer than 255 bytes";
  return undefined;
}

/**
 * The join shared by the admin API and the server-centric API (api_storage_config.md §1.5, §2.4): a room we already
 * protect (in any community) is 400 `M_BAD_STATE "Room already exists"`; otherwise join, answering after the join
 * completes (decisions §4b.5) or 408 when it takes too long. Unlike upstream, a database error stops here (upstream
 * wrote a 500 and carried on), and a malformed room ID is 400 rather than 500.
 */
export async function joinIntoCommunity(deps: JoinFlowDeps, roomId: string, communityId: string): Promise<RoomRecord> {
  const problem = roomIdProblem(roomId);
  if (problem !== undefined) throw new MatrixError("M_INVALID_PARAM", `Bad room ID: ${problem}`);
  const existing = orThrow(await deps.rooms.get(roomId));
  if (existing !== null) throw badState("Room already exists");
  const joined = await withDeadline(deps.joinRoom(roomId, communityId), deps.joinTimeoutMs ?? DEFAULT_JOIN_TIMEOUT_MS);
  if (joined === TIMED_OUT) {
    deps.logger.warn({ roomId, communityId }, "Room join is taking too long; answering 408 while it carries on");
    throw new MatrixError("M_UNKNOWN", "Request timed out", { status: 408 });
  }
  if (!joined.ok) {
    const status = JOIN_STATUS[joined.error.errcode] ?? 500;
    deps.logger.warn({ roomId, communityId, errcode: joined.error.errcode, reason: joined.error.message }, "Room join failed");
    throw matrixErrorWithCode(status === 500 ? "M_UNKNOWN" : joined.error.errcode, `Could not join ${roomId}: ${joined.error.message}`, status);
  }
  deps.logger.info({ roomId, communityId }, "Joined room");
  return joined.value;
}
