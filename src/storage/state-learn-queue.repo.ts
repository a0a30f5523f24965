import type { Result } from "../result.js";
import type { Sql } from "./database.js";
import { attempt, type StorageError } from "./storage-error.js";

/** One pending "refresh this room's state" job (`state_learn_queue`). */
export interface StateLearnItem {
  readonly roomId: string;
  readonly atEventId: string;
  /** The server to ask (the triggering event's sender's server). */
  readonly via: string;
  /** Epoch ms from which the job is due. */
  readonly afterTs: number;
}

export interface StateLearnQueueRepo {
  /** Queues a job unless the room already has one; returns whether this call queued it. */
  push(item: StateLearnItem): Promise<Result<boolean, StorageError>>;
  /**
   * Removes and returns the earliest job due at `nowMs`, or null. Concurrent poppers (any process) never get the
   * same job (SKIP LOCKED). Unlike upstream, the row is deleted at once rather than held in an open transaction
   * during learning: an open transaction would block the single-session embedded database. A caller whose learning
   * fails pushes the item back.
   */
  popDue(nowMs: number): Promise<Result<StateLearnItem | null, StorageError>>;
}

/** The state-learning queue over `sql` (all operations write). */
export function createStateLearnQueueRepo(sql: Sql): StateLearnQueueRepo {
  return {
    push: (item) =>
      attempt(`queue state learning for ${item.roomId}`, async () => {
        const result = await sql`
          INSERT INTO state_learn_queue (room_id, at_event_id, via, after_ts)
          VALUES (${item.roomId}, ${item.atEventId}, ${item.via}, ${item.afterTs})
          ON CONFLICT (room_id) DO NOTHING`;
        return result.count > 0;
      }),
    popDue: (nowMs) =>
      attempt("pop due state learning", async () => {
        const [row] = await sql`
          DELETE FROM state_learn_queue WHERE room_id = (
            SELECT room_id FROM state_learn_queue WHERE after_ts <= ${nowMs}
            ORDER BY after_ts, room_id LIMIT 1 FOR UPDATE SKIP LOCKED)
          RETURNING room_id, at_event_id, via, after_ts::float8 AS after_ts`;
        if (row === undefined) return null;
        return {
          roomId: String(row["room_id"]),
          atEventId: String(row["at_event_id"]),
          via: String(row["via"]),
          afterTs: Number(row["after_ts"]),
        };
      }),
  };
}
