/**
 * Test databases for spec/pg: every call gets its own fresh, empty database, on one of two backends:
 * - "postgres": a real server. `PS_TEST_DATABASE` (an admin URL) when set, else 127.0.0.1:5432 as user postgres when
 *   it answers. Each test database is `CREATE DATABASE ps_test_<random>` and dropped afterwards.
 * - "pglite": the embedded server (src/storage/embedded.ts) in a child process. PGlite ignores the database name in
 *   the connection, so isolation is one PGlite per test database; to keep that fast (initdb and migrations take
 *   seconds under WASM), template data folders are made once and copied.
 */
import { createHash, randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe } from "node:test";
import { pino } from "pino";
import postgres from "postgres";
import { openDatabase, type Database, type Sql } from "../../src/storage/database.js";
import { startEmbeddedDatabase } from "../../src/storage/embedded.js";
import { migrate } from "../../src/storage/migrate.js";
import { defaultMigrationsDirectory, readMigrations, type Migration } from "../../src/storage/migration-files.js";

export type Backend = "postgres" | "pglite";

export interface TestDatabase {
  readonly backend: Backend;
  readonly url: string;
  readonly db: Database;
  readonly sql: Sql;
  /** Closes the pools and removes the database (or the PGlite process and its files). */
  drop(): Promise<void>;
}

export interface CreateOptions {
  /** Default: the first available backend (real PostgreSQL when it answers). */
  readonly backend?: Backend;
  /** Apply the repository's migrations (default true). */
  readonly migrated?: boolean;
  /** Read replica URL passed to openDatabase. */
  readonly readUrl?: string;
}

export const silentLogger = pino({ level: "silent" });

const DEFAULT_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres";

function adminUrl(): string {
  const configured = process.env["PS_TEST_DATABASE"];
  return configured !== undefined && configured !== "" ? configured : DEFAULT_ADMIN_URL;
}

let serverAnswer: Promise<boolean> | undefined;

/** Whether a real PostgreSQL answers (cached per process). */
export function postgresAvailable(): Promise<boolean> {
  serverAnswer ??= (async () => {
    const sql = postgres(adminUrl(), { max: 1, connect_timeout: 2, onnotice: () => undefined });
    try {
      await sql`SELECT 1`;
      return true;
    } catch {
      return false;
    } finally {
      await sql.end({ timeout: 1 });
    }
  })();
  return serverAnswer;
}

/** The backends a test file should run against: always PGlite, plus PostgreSQL when reachable. */
export async function availableBackends(): Promise<Backend[]> {
  return (await postgresAvailable()) ? ["postgres", "pglite"] : ["pglite"];
}

let migrationsCache: Migration[] | undefined;

/** The repository's migrations, read once. */
export function repoMigrations(): Migration[] {
  if (migrationsCache === undefined) {
    const read = readMigrations(defaultMigrationsDirectory());
    if (!read.ok) throw new Error(read.error);
    migrationsCache = read.value;
  }
  return migrationsCache;
}

/** A fresh database, migrated unless told otherwise. */
export async function createTestDatabase(options: CreateOptions = {}): Promise<TestDatabase> {
  const backend = options.backend ?? ((await postgresAvailable()) ? "postgres" : "pglite");
  if (backend === "pglite") return createOnPglite(options.migrated !== false);
  const created = await createOnServer(options);
  if (options.migrated !== false) {
    const result = await migrate(created.sql, repoMigrations(), silentLogger);
    if (!result.ok) {
      await created.drop();
      throw new Error(`test database migration failed: ${result.error.message}`);
    }
  }
  return created;
}

/** Runs `fn` with a fresh database and always drops it. */
export async function withTestDatabase<T>(fn: (database: TestDatabase) => Promise<T>, options: CreateOptions = {}): Promise<T> {
  const database = await createTestDatabase(options);
  try {
    return await fn(database);
  } finally {
    await database.drop();
  }
}

async function createOnServer(options: CreateOptions): Promise<TestDatabase> {
  const name = `ps_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(adminUrl(), { max: 1, onnotice: () => undefined });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  const db = openDatabase({
    url: url.toString(),
    ...(options.readUrl !== undefined ? { readUrl: options.readUrl } : {}),
    logger: silentLogger,
  });
  return {
    backend: "postgres",
    url: url.toString(),
    db,
    sql: db.sql,
    async drop() {
      await db.close();
      const cleanup = postgres(adminUrl(), { max: 1, onnotice: () => undefined });
      try {
        await cleanup.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await cleanup.end();
      }
    },
  };
}

const templates = new Map<boolean, Promise<string>>();

/**
 * A PGlite data folder to copy, made once per machine: initdb'd, and migrated when `migrated` (keyed by a hash of
 * the migration files so editing one rebuilds it). Building happens in a private folder that is then renamed, so
 * concurrent test processes never see a half-made template.
 */
function pgliteTemplate(migrated: boolean): Promise<string> {
  let ready = templates.get(migrated);
  if (ready === undefined) {
    ready = buildTemplate(migrated);
    templates.set(migrated, ready);
  }
  return ready;
}

async function buildTemplate(migrated: boolean): Promise<string> {
  const key = migrated
    ? createHash("sha256").update(JSON.stringify(repoMigrations())).digest("hex").slice(0, 12)
    : "empty";
  const template = join(tmpdir(), `policyserv-pglite-0.5.14-${key}`);
  if (existsSync(join(template, "pglite", "PG_VERSION"))) return template;
  const staging = mkdtempSync(join(tmpdir(), "policyserv-pglite-staging-"));
  if (migrated) cpSync(join(await pgliteTemplate(false), "pglite"), join(staging, "pglite"), { recursive: true });
  const started = await startEmbeddedDatabase({ dataDir: staging, logger: silentLogger });
  if (!started.ok) throw new Error(started.error);
  if (migrated) {
    const db = openDatabase({ url: started.value.url, embedded: true, logger: silentLogger });
    const result = await migrate(db.sql, repoMigrations(), silentLogger);
    await db.close();
    if (!result.ok) {
      await started.value.kill();
      throw new Error(`template migration failed: ${result.error.message}`);
    }
  }
  await started.value.stop();
  try {
    renameSync(staging, template);
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another process won the race
  }
  return template;
}

/**
 * Fills `<dataDir>/pglite` from a template so a test that starts the embedded database itself skips initdb.
 */
export async function seedPgliteDataDir(dataDir: string, migrated = false): Promise<void> {
  cpSync(join(await pgliteTemplate(migrated), "pglite"), join(dataDir, "pglite"), { recursive: true });
}

async function createOnPglite(migrated: boolean): Promise<TestDatabase> {
  const template = await pgliteTemplate(migrated);
  const dataDir = mkdtempSync(join(tmpdir(), "policyserv-pglite-test-"));
  cpSync(join(template, "pglite"), join(dataDir, "pglite"), { recursive: true });
  const started = await startEmbeddedDatabase({ dataDir, logger: silentLogger });
  if (!started.ok) throw new Error(started.error);
  const server = started.value;
  const db = openDatabase({ url: server.url, embedded: true, logger: silentLogger });
  return {
    backend: "pglite",
    url: server.url,
    db,
    sql: db.sql,
    async drop() {
      await db.close();
      await server.kill(); // throw-away data: no need to flush
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Declares one `describe` per available backend, named `<name> [<backend>]`, so a suite proves itself on real
 * PostgreSQL and on PGlite. When PostgreSQL is unreachable its suite is still declared, skipped with the reason.
 */
export async function describeWithBackends(name: string, body: (backend: Backend) => void): Promise<void> {
  const backends = await availableBackends();
  for (const backend of ["postgres", "pglite"] as const) {
    if (backends.includes(backend)) describe(`${name} [${backend}]`, () => body(backend));
    else describe(`${name} [${backend}]`, { skip: "no PostgreSQL server reachable (set PS_TEST_DATABASE)" }, () => undefined);
  }
}

/** Skip reason for tests that need a second, independent backend session, which PGlite does not have. */
export function needsRealServer(backend: Backend): string | false {
  return backend === "pglite" ? "PGlite has one shared backend session (runtime.md §4.2)" : false;
}
