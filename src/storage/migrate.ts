import type { Logger } from "../observability/logger.js";
import { err, ok, type Result } from "../result.js";
import type { Sql } from "./database.js";
import type { Migration } from "./migration-files.js";
import { isConnectionError } from "./storage-error.js";

/** A migration run that stopped: which migration failed (if one did) and why. Nothing of that migration remains. */
export interface MigrationError {
  readonly migrationId?: number;
  readonly file?: string;
  readonly message: string;
  readonly cause?: unknown;
}

export interface MigrationReport {
  /** Ids applied by this run, in order. */
  readonly applied: readonly number[];
  /** Ids recorded in gomigrate that no file here knows (a newer upstream ran on this database); left alone. */
  readonly unknown: readonly number[];
}

// Arbitrary but fixed: every policyserv process (ours) serialises migrations on this advisory lock key.
const MIGRATION_LOCK_KEY = 4284_0001;

/**
 * Brings the database up to date with `migrations`, gomigrate-compatibly: applied ids live in upstream's
 * `gomigrate(id SERIAL PRIMARY KEY, migration_id BIGINT UNIQUE NOT NULL)` table, each pending migration runs in
 * one transaction together with its gomigrate row (a failure leaves no trace of it), and migrations apply in
 * numeric order. Concurrent migrators (several processes starting at once) serialise on a transaction-scoped
 * advisory lock and re-read the applied set after taking it, so each migration is applied exactly once. On PGlite,
 * a single backend, transactions are already serialised by the socket server and the lock is simply granted.
 */
export async function migrate(
  sql: Sql,
  migrations: readonly Migration[],
  logger: Logger,
): Promise<Result<MigrationReport, MigrationError>> {
  const applied: number[] = [];
  try {
    await sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`;
      // gomigrate checks pg_tables; to_regclass also honours search_path.
      const [row] = await tx`SELECT to_regclass('gomigrate') IS NOT NULL AS present`;
      if (row?.["present"] !== true) {
        await tx`CREATE TABLE gomigrate (id SERIAL PRIMARY KEY, migration_id BIGINT UNIQUE NOT NULL)`;
        logger.info("created migration table gomigrate");
      }
    });
  } catch (error) {
    return err({ message: `cannot prepare the gomigrate table: ${describe(error)}`, cause: error });
  }

  for (const migration of migrations) {
    let ran = false;
    try {
      await sql.begin(async (tx) => {
        await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`;
        const done = await tx`SELECT 1 FROM gomigrate WHERE migration_id = ${migration.id}`;
        if (done.length > 0) return;
        logger.info({ migration: migration.file }, "applying migration");
        // Simple-protocol, multi-statement execution, as gomigrate's single Exec of the whole file.
        await tx.unsafe(migration.up);
        await tx`INSERT INTO gomigrate (migration_id) VALUES (${migration.id})`;
        ran = true;
      });
    } catch (error) {
      const message = isConnectionError(error)
        ? `database unavailable while applying migration ${migration.file}: ${describe(error)}`
        : `migration ${migration.file} failed and was rolled back: ${describe(error)}`;
      return err({ migrationId: migration.id, file: migration.file, message, cause: error });
    }
    if (ran) applied.push(migration.id);
  }

  try {
    const known = new Set(migrations.map((m) => m.id));
    const rows = await sql`SELECT migration_id::text AS id FROM gomigrate ORDER BY migration_id`;
    const unknown = rows.map((r) => Number(r["id"])).filter((id) => !known.has(id));
    if (unknown.length > 0) logger.warn({ unknown }, "database has migrations this version does not know; continuing");
    return ok({ applied, unknown });
  } catch (error) {
    return err({ message: `cannot read gomigrate: ${describe(error)}`, cause: error });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
