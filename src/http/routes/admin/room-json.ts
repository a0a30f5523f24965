import type { RoomRecord } from "../../../storage/rooms.repo.js";

/** A room as the admin API shows it (upstream's field names and order). */
export interface RoomJson {
  readonly room_id: string;
  readonly room_version: string;
  readonly moderator_user_id: string;
  /** Epoch ms of the last state learning; 0 when never learned. */
  readonly last_cached_state_timestamp: number;
  readonly community_id: string | null;
}

/** Serialises a stored room for the admin API and the server-centric join. */
export function roomJson(room: RoomRecord): RoomJson {
  return {
    room_id: room.roomId,
    room_version: room.roomVersion,
    moderator_user_id: room.moderatorUserId,
    last_cached_state_timestamp: room.lastStateUpdateTs,
    community_id: room.communityId,
  };
}
