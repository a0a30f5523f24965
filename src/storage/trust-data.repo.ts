import type { Result } from "../result.js";
import type { Queryable, ReadRunner, Sql } from "./database.js";
import { attempt, type StorageError } from "./storage-error.js";

/**
 * Generic trust-source storage (`trust_data`), keyed by (source, key), e.g. `('muninn_hall', '')`,
 * `('creator', <room id>)`, `('power_levels', <room id>)`. Values are any JSON.
 */
export interface TrustDataRepo {
  /** The stored JSON, or null when absent. */
  get(source: string, key: string): Promise<Result<unknown, StorageError>>;
  /** Creates or replaces the value (last writer wins, as upstream). */
  put(source: string, key: string, data: unknown): Promise<Result<void, StorageError>>;
}

/** Trust data over `sql` (writes) and `read` (reads). */
export function createTrustDataRepo(sql: Sql, read: ReadRunner = (query) => query(sql)): TrustDataRepo {
  return {
    get: (source, key) =>
      attempt(`get trust data ${source}/${key}`, async () => {
        const [row] = await read((s) => s`SELECT data FROM trust_data WHERE source_name = ${source} AND key = ${key}`);
        return row === undefined ? null : (row["data"] as unknown);
      }),
    put: (source, key, data) =>
      attempt(`put trust data ${source}/${key}`, async () => {
        await putTrustData(sql, source, key, data);
      }),
  };
}

/** The upsert behind `put`, on the pool or inside a caller's transaction (learned room facts are saved in one). */
export async function putTrustData(sql: Queryable, source: string, key: string, data: unknown): Promise<void> {
  await sql`INSERT INTO trust_data (source_name, key, data) VALUES (${source}, ${key}, ${sql.json(data as never)})
            ON CONFLICT (source_name, key) DO UPDATE SET data = EXCLUDED.data`;
}
