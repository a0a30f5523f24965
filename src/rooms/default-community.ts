import type { Result } from "../result.js";
import type { Sql } from "../storage/database.js";
import { attempt, type StorageError } from "../storage/storage-error.js";

/** Upstream's special community (migration 07): id and name `default`, the only community ID that is no KSUID. */
export const DEFAULT_COMMUNITY_ID = "default";

/**
 * Makes sure the `default` community exists, recreating it exactly as upstream's migration seeds it
 * (`('default', 'default', '{}')`) when an operator deleted it. `PS_JOIN_ROOM_IDS` rooms belong to it
 * (api_storage_config.md §4.5). Existing rows, and whatever config they carry, are left alone.
 */
export function ensureDefaultCommunity(sql: Sql): Promise<Result<void, StorageError>> {
  return attempt("ensure the default community exists", async () => {
    await sql`INSERT INTO communities (id, name, config) VALUES (${DEFAULT_COMMUNITY_ID}, ${DEFAULT_COMMUNITY_ID}, '{}'::jsonb)
              ON CONFLICT (id) DO NOTHING`;
  });
}
