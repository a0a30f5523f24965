import type { Result } from "../result.js";
import type { ReadRunner, Sql } from "./database.js";
import { attempt, type StorageError } from "./storage-error.js";

/** A protected room (`rooms` table). `moderatorUserId` is "" when unset, as upstream stores it. */
export interface RoomRecord {
  readonly roomId: string;
  readonly roomVersion: string;
  readonly moderatorUserId: string;
  /** Epoch ms of the last state learning; 0 when never learned. */
  readonly lastStateUpdateTs: number;
  /** The owning community; null only for rows an operator nulled by hand (the column allows it). */
  readonly communityId: string | null;
}

export interface RoomsRepo {
  /**
   * Inserts or replaces the whole row, like upstream's upsert. Moving a room to another community fires upstream's
   * trigger (NOTIFY `policyserv_room_community_id_changed`). A community that does not exist is `invalid`.
   */
  upsert(room: RoomRecord): Promise<Result<RoomRecord, StorageError>>;
  /** The room, or null when we do not protect it. */
  get(roomId: string): Promise<Result<RoomRecord | null, StorageError>>;
  /** Every room, ordered by room ID (upstream had no order; a stable one makes listings diffable). */
  list(): Promise<Result<RoomRecord[], StorageError>>;
  /** The rooms of one community, ordered by room ID. */
  listByCommunity(communityId: string): Promise<Result<RoomRecord[], StorageError>>;
  /** Records a finished state learning; false when the room is unknown. */
  setLastStateUpdate(roomId: string, ts: number): Promise<Result<boolean, StorageError>>;
}

/** Rooms repository over `sql` (writes) and `read` (reads; defaults to the same pool). */
export function createRoomsRepo(sql: Sql, read: ReadRunner = (query) => query(sql)): RoomsRepo {
  return {
    upsert: (room) =>
      attempt(`upsert room ${room.roomId}`, async () => {
        const [row] = await sql`
          INSERT INTO rooms (room_id, room_version, moderator_user_id, last_state_update_ts, community_id)
          VALUES (${room.roomId}, ${room.roomVersion}, ${room.moderatorUserId}, ${room.lastStateUpdateTs}, ${room.communityId})
          ON CONFLICT (room_id) DO UPDATE SET
            room_version = EXCLUDED.room_version,
            moderator_user_id = EXCLUDED.moderator_user_id,
            last_state_update_ts = EXCLUDED.last_state_update_ts,
            community_id = EXCLUDED.community_id
          RETURNING room_id, room_version, moderator_user_id, last_state_update_ts::float8 AS ts, community_id`;
        return toRoom(row);
      }),
    get: (roomId) =>
      attempt(`get room ${roomId}`, async () => {
        const [row] = await read(
          (s) => s`SELECT room_id, room_version, moderator_user_id, last_state_update_ts::float8 AS ts, community_id
                   FROM rooms WHERE room_id = ${roomId}`,
        );
        return row === undefined ? null : toRoom(row);
      }),
    list: () =>
      attempt("list rooms", async () => {
        const rows = await read(
          (s) => s`SELECT room_id, room_version, moderator_user_id, last_state_update_ts::float8 AS ts, community_id
                   FROM rooms ORDER BY room_id`,
        );
        return rows.map(toRoom);
      }),
    listByCommunity: (communityId) =>
      attempt(`list rooms of community ${communityId}`, async () => {
        const rows = await read(
          (s) => s`SELECT room_id, room_version, moderator_user_id, last_state_update_ts::float8 AS ts, community_id
                   FROM rooms WHERE community_id = ${communityId} ORDER BY room_id`,
        );
        return rows.map(toRoom);
      }),
    setLastStateUpdate: (roomId, ts) =>
      attempt(`set state timestamp of room ${roomId}`, async () => {
        const result = await sql`UPDATE rooms SET last_state_update_ts = ${ts} WHERE room_id = ${roomId}`;
        return result.count > 0;
      }),
  };
}

function toRoom(row: Record<string, unknown> | undefined): RoomRecord {
  if (row === undefined) throw new Error("rooms query returned no row");
  return {
    roomId: String(row["room_id"]),
    roomVersion: String(row["room_version"]),
    moderatorUserId: String(row["moderator_user_id"]),
    lastStateUpdateTs: Number(row["ts"]),
    communityId: row["community_id"] === null ? null : String(row["community_id"]),
  };
}
