import type { Result } from "../result.js";
import type { Queryable, ReadRunner, Sql } from "./database.js";
import { attempt, type StorageError } from "./storage-error.js";
import { putTrustData } from "./trust-data.repo.js";

/** One joined member's display name (`displaynames`), for the mentions filter. */
export interface DisplaynameRecord {
  readonly userId: string;
  readonly displayname: string;
}

/** One cached `m.ban` policy rule (`ban_rules`). */
export interface BanRuleRecord {
  /** `m.policy.rule.user` or `m.policy.rule.server`. */
  readonly entityType: string;
  /** The rule's entity: a glob. */
  readonly entityId: string;
}

/** A ban rule together with the policy-list room it came from. */
export interface ListedBanRule extends BanRuleRecord {
  readonly roomId: string;
}

/** What learning a room's state produced, stored together by `saveFacts`. */
export interface LearnedFactsRecord {
  readonly members: readonly DisplaynameRecord[];
  /** The power-levels content; undefined leaves the stored one alone. */
  readonly powerLevels?: unknown;
  /** The v12 creators; undefined leaves the stored ones alone. */
  readonly creators?: readonly string[];
}

export interface RoomStateRepo {
  /** Replaces a room's display names wholesale, in one transaction (readers see the old set or the new one). */
  replaceDisplaynames(roomId: string, members: readonly DisplaynameRecord[]): Promise<Result<void, StorageError>>;
  /**
   * Stores a room's learned facts in one transaction: display names replaced wholesale, and the power levels and
   * creators in `trust_data` when given. A failure leaves everything as it was, never half a room.
   */
  saveFacts(roomId: string, facts: LearnedFactsRecord): Promise<Result<void, StorageError>>;
  /** A room's display names, ordered by user ID. */
  getDisplaynames(roomId: string): Promise<Result<DisplaynameRecord[], StorageError>>;
  /** Replaces a policy-list room's ban rules wholesale, in one transaction. */
  replaceBanRules(roomId: string, rules: readonly BanRuleRecord[]): Promise<Result<void, StorageError>>;
  /** The ban rules of the given policy-list rooms, ordered by room, type, entity. */
  getBanRules(roomIds: readonly string[]): Promise<Result<ListedBanRule[], StorageError>>;
}

// Bound parameters per INSERT stay far below PostgreSQL's 65535 limit.
const BATCH_ROWS = 5_000;

/** Replaces a room's display names inside the caller's transaction. Later duplicates win, as a map would. */
async function writeDisplaynames(tx: Queryable, roomId: string, members: readonly DisplaynameRecord[]): Promise<void> {
  const unique = [...new Map(members.map((m) => [m.userId, m.displayname])).entries()];
  await tx`DELETE FROM displaynames WHERE room_id = ${roomId}`;
  for (let i = 0; i < unique.length; i += BATCH_ROWS) {
    const rows = unique.slice(i, i + BATCH_ROWS).map(([userId, displayname]) => ({ room_id: roomId, user_id: userId, displayname }));
    await tx`INSERT INTO displaynames ${tx(rows, "room_id", "user_id", "displayname")}`;
  }
}

/** Learned room state over `sql` (writes) and `read` (reads). */
export function createRoomStateRepo(sql: Sql, read: ReadRunner = (query) => query(sql)): RoomStateRepo {
  return {
    replaceDisplaynames: (roomId, members) =>
      attempt(`replace display names of ${roomId}`, async () => {
        await sql.begin((tx) => writeDisplaynames(tx, roomId, members));
      }),
    saveFacts: (roomId, facts) =>
      attempt(`save learned facts of ${roomId}`, async () => {
        await sql.begin(async (tx) => {
          await writeDisplaynames(tx, roomId, facts.members);
          if (facts.powerLevels !== undefined) await putTrustData(tx, "power_levels", roomId, facts.powerLevels);
          if (facts.creators !== undefined) await putTrustData(tx, "creator", roomId, { creator_user_ids: facts.creators });
        });
      }),
    getDisplaynames: (roomId) =>
      attempt(`get display names of ${roomId}`, async () => {
        const rows = await read((s) => s`SELECT user_id, displayname FROM displaynames WHERE room_id = ${roomId} ORDER BY user_id`);
        return rows.map((r) => ({ userId: String(r["user_id"]), displayname: String(r["displayname"]) }));
      }),
    replaceBanRules: (roomId, rules) =>
      attempt(`replace ban rules of ${roomId}`, async () => {
        const unique = new Map(rules.map((r) => [`${r.entityType}\u0000${r.entityId}`, r]));
        await sql.begin(async (tx) => {
          await tx`DELETE FROM ban_rules WHERE room_id = ${roomId}`;
          const all = [...unique.values()].map((r) => ({ room_id: roomId, entity_type: r.entityType, entity_id: r.entityId }));
          for (let i = 0; i < all.length; i += BATCH_ROWS) {
            await tx`INSERT INTO ban_rules ${tx(all.slice(i, i + BATCH_ROWS), "room_id", "entity_type", "entity_id")}`;
          }
        });
      }),
    getBanRules: (roomIds) =>
      attempt("get ban rules", async () => {
        if (roomIds.length === 0) return [];
        const rows = await read(
          (s) => s`SELECT room_id, entity_type, entity_id FROM ban_rules WHERE room_id IN ${s([...roomIds])}
                   ORDER BY room_id, entity_type, entity_id`,
        );
        return rows.map((r) => ({ roomId: String(r["room_id"]), entityType: String(r["entity_type"]), entityId: String(r["entity_id"]) }));
      }),
  };
}
