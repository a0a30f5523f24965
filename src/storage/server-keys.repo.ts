import type { KeyStore, ServerKey } from "../federation/key-store.js";
import type { Result } from "../result.js";
import type { Sql } from "./database.js";
import { attempt, type StorageError } from "./storage-error.js";

export interface ServerKeysRepo {
  /** One stored key, or null when unknown. */
  load(serverName: string, keyId: string): Promise<Result<ServerKey | null, StorageError>>;
  /** Every stored key of a server, by key ID. */
  loadAll(serverName: string): Promise<Result<ServerKey[], StorageError>>;
  /**
   * Stores keys. An existing row is replaced only by a better one (the keyring's rule, federation/key-store.ts
   * `betterKey`): a current key beats an old one, then later validity wins; a stale fetch never shortens validity.
   */
  save(keys: readonly ServerKey[]): Promise<Result<void, StorageError>>;
}

export interface ServerKeysRepoOptions {
  /** Clock for `fetched_at`, replaceable in tests. */
  readonly now?: () => number;
}

/** Remote server keys (`server_keys`, migration 102), on the primary (keys are small and written rarely). */
export function createServerKeysRepo(sql: Sql, options: ServerKeysRepoOptions = {}): ServerKeysRepo {
  const now = options.now ?? Date.now;
  return {
    load: (serverName, keyId) =>
      attempt(`load key ${keyId} of ${serverName}`, async () => {
        const [row] = await sql`
          SELECT server_name, key_id, public_key, valid_until_ts::float8 AS valid_until_ts, expired_ts::float8 AS expired_ts
          FROM server_keys WHERE server_name = ${serverName} AND key_id = ${keyId}`;
        return row === undefined ? null : toKey(row);
      }),
    loadAll: (serverName) =>
      attempt(`load keys of ${serverName}`, async () => {
        const rows = await sql`
          SELECT server_name, key_id, public_key, valid_until_ts::float8 AS valid_until_ts, expired_ts::float8 AS expired_ts
          FROM server_keys WHERE server_name = ${serverName} ORDER BY key_id`;
        return rows.map(toKey);
      }),
    save: (keys) =>
      attempt(`save ${keys.length} server keys`, async () => {
        if (keys.length === 0) return;
        const fetchedAt = now();
        const rows = keys.map((k) => ({
          server_name: k.serverName,
          key_id: k.keyId,
          public_key: k.publicKeyBase64,
          valid_until_ts: k.validUntilTs,
          expired_ts: k.expiredTs,
          fetched_at: fetchedAt,
        }));
        // One statement cannot touch the same row twice, so a batch holding one key twice is saved in two passes.
        for (const batch of splitDuplicates(rows)) {
          await sql`
            INSERT INTO server_keys ${sql(batch, "server_name", "key_id", "public_key", "valid_until_ts", "expired_ts", "fetched_at")}
            ON CONFLICT (server_name, key_id) DO UPDATE SET
              public_key = EXCLUDED.public_key,
              valid_until_ts = EXCLUDED.valid_until_ts,
              expired_ts = EXCLUDED.expired_ts,
              fetched_at = EXCLUDED.fetched_at
            WHERE CASE
              WHEN EXCLUDED.public_key <> server_keys.public_key THEN EXCLUDED.valid_until_ts >= server_keys.valid_until_ts
              WHEN (EXCLUDED.expired_ts IS NULL) <> (server_keys.expired_ts IS NULL) THEN EXCLUDED.expired_ts IS NULL
              ELSE EXCLUDED.valid_until_ts >= server_keys.valid_until_ts
            END`;
        }
      }),
  };
}

/**
 * Adapts the repository to the keyring's KeyStore, whose contract is to reject on a storage outage (the keyring
 * then treats the key as a cache miss).
 */
export function serverKeyStore(repo: ServerKeysRepo): KeyStore {
  return {
    async load(serverName, keyId) {
      const result = await repo.load(serverName, keyId);
      if (!result.ok) throw new Error(result.error.message, { cause: result.error.cause });
      return result.value;
    },
    async save(keys) {
      const result = await repo.save(keys);
      if (!result.ok) throw new Error(result.error.message, { cause: result.error.cause });
    },
  };
}

function splitDuplicates<T extends { server_name: string; key_id: string }>(rows: readonly T[]): T[][] {
  const batches: { seen: Set<string>; rows: T[] }[] = [];
  for (const row of rows) {
    const id = `${row.server_name}\n${row.key_id}`;
    let batch = batches.find((b) => !b.seen.has(id));
    if (batch === undefined) {
      batch = { seen: new Set(), rows: [] };
      batches.push(batch);
    }
    batch.seen.add(id);
    batch.rows.push(row);
  }
  return batches.map((b) => b.rows);
}

function toKey(row: Record<string, unknown>): ServerKey {
  return {
    serverName: String(row["server_name"]),
    keyId: String(row["key_id"]),
    publicKeyBase64: String(row["public_key"]),
    validUntilTs: Number(row["valid_until_ts"]),
    expiredTs: row["expired_ts"] === null ? null : Number(row["expired_ts"]),
  };
}
