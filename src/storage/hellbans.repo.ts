import { err, type Result } from "../result.js";
import type { ReadRunner, Sql } from "./database.js";
import { attempt, storageError, type StorageError } from "./storage-error.js";

/** An active or past hellban (`hellbans`). Times come from the database clock, shared by every process. */
export interface HellbanRecord {
  readonly communityId: string;
  readonly userId: string;
  readonly expiresAt: Date;
  readonly createdAt: Date;
}

export interface BanOutcome {
  /** The ban now in force: the new one, or the one that already was. */
  readonly ban: HellbanRecord;
  /** False when an unexpired ban already existed (and was left untouched). */
  readonly created: boolean;
}

export interface HellbansRepo {
  /**
   * Bans `userId` in `communityId` for `durationMs` unless an unexpired ban exists: a ban never extends itself
   * (README, decisions §3.4), even under concurrent bans from several processes. A new (or renewed-after-expiry)
   * ban fires NOTIFY `policyserv_hellban_by_community` from the table's trigger.
   */
  ban(communityId: string, userId: string, durationMs: number): Promise<Result<BanOutcome, StorageError>>;
  /** The unexpired ban, or null. */
  getActive(communityId: string, userId: string): Promise<Result<HellbanRecord | null, StorageError>>;
  /** Unexpired bans, of one community or all; ordered by community then user. */
  listActive(communityId?: string): Promise<Result<HellbanRecord[], StorageError>>;
  /** Deletes expired rows; returns how many. */
  pruneExpired(): Promise<Result<number, StorageError>>;
}

const COLUMNS = ["community_id", "user_id", "expires_at", "created_at"];

/** Hellbans over `sql` (writes) and `read` (listings). */
export function createHellbansRepo(sql: Sql, read: ReadRunner = (query) => query(sql)): HellbansRepo {
  return {
    ban: async (communityId, userId, durationMs) => {
      if (!Number.isFinite(durationMs) || durationMs <= 0) {
        return err(storageError("invalid", `hellban duration must be a positive number of milliseconds, got ${durationMs}`));
      }
      return attempt(`hellban ${userId} in ${communityId}`, async () => {
        // The WHERE on the conflict branch is what prevents extension: an unexpired row is left as it is. Under
        // concurrency the second writer waits for the first, then re-checks WHERE against the committed row.
        const [row] = await sql`
          INSERT INTO hellbans (community_id, user_id, expires_at, created_at)
          VALUES (${communityId}, ${userId}, NOW() + ${durationMs}::float8 * INTERVAL '1 millisecond', NOW())
          ON CONFLICT (community_id, user_id) DO UPDATE
             SET expires_at = EXCLUDED.expires_at, created_at = EXCLUDED.created_at
           WHERE hellbans.expires_at <= NOW()
          RETURNING ${sql(COLUMNS)}`;
        if (row !== undefined) return { ban: toBan(row), created: true };
        const [existing] = await sql`SELECT ${sql(COLUMNS)} FROM hellbans
                                     WHERE community_id = ${communityId} AND user_id = ${userId}`;
        return { ban: toBan(existing), created: false };
      });
    },
    getActive: (communityId, userId) =>
      attempt(`get hellban of ${userId} in ${communityId}`, async () => {
        const [row] = await sql`SELECT ${sql(COLUMNS)} FROM hellbans
                                WHERE community_id = ${communityId} AND user_id = ${userId} AND expires_at > NOW()`;
        return row === undefined ? null : toBan(row);
      }),
    listActive: (communityId) =>
      attempt("list active hellbans", async () => {
        const rows = await read((s) =>
          communityId === undefined
            ? s`SELECT ${s(COLUMNS)} FROM hellbans WHERE expires_at > NOW() ORDER BY community_id, user_id`
            : s`SELECT ${s(COLUMNS)} FROM hellbans WHERE community_id = ${communityId} AND expires_at > NOW() ORDER BY user_id`,
        );
        return rows.map(toBan);
      }),
    pruneExpired: () =>
      attempt("prune expired hellbans", async () => {
        const result = await sql`DELETE FROM hellbans WHERE expires_at <= NOW()`;
        return result.count;
      }),
  };
}

function toBan(row: Record<string, unknown> | undefined): HellbanRecord {
  if (row === undefined) throw new Error("hellbans query returned no row");
  return {
    communityId: String(row["community_id"]),
    userId: String(row["user_id"]),
    expiresAt: row["expires_at"] as Date,
    createdAt: row["created_at"] as Date,
  };
}
