import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, it } from "node:test";
import { openDatabase } from "../../src/storage/database.js";
import { migrate } from "../../src/storage/migrate.js";
import { defaultMigrationsDirectory, readMigrations } from "../../src/storage/migration-files.js";
import { createTestDatabase, describeWithBackends, repoMigrations, silentLogger, type TestDatabase } from "../support/database.js";

const ALL_IDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 101, 102, 103, 104, 105];

async function gomigrateIds(t: TestDatabase): Promise<number[]> {
  const rows = await t.sql`SELECT migration_id::int AS id FROM gomigrate ORDER BY id`;
  return rows.map((r) => r["id"] as number);
}

async function tableExists(t: TestDatabase, name: string): Promise<boolean> {
  const [row] = await t.sql`SELECT to_regclass(${name}) IS NOT NULL AS present`;
  return row?.["present"] === true;
}

await describeWithBackends("migrate", (backend) => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase({ backend, migrated: false });
  });
  after(async () => {
    await t.drop();
  });

  it("applies every migration to an empty database, in order, recording gomigrate rows", async () => {
    const first = await migrate(t.sql, repoMigrations(), silentLogger);
    assert.ok(first.ok, first.ok ? "" : first.error.message);
    assert.deepEqual(first.value.applied, ALL_IDS);
    assert.deepEqual(await gomigrateIds(t), ALL_IDS);
    const [community] = await t.sql`SELECT id, name, config FROM communities`;
    assert.deepEqual({ ...community }, { id: "default", name: "default", config: {} });
  });

  it("is a no-op on an up-to-date database", async () => {
    const before = await t.sql`SELECT id, migration_id::int AS m FROM gomigrate ORDER BY id`;
    const again = await migrate(t.sql, repoMigrations(), silentLogger);
    assert.ok(again.ok);
    assert.deepEqual(again.value.applied, []);
    assert.deepEqual(again.value.unknown, []);
    const afterRows = await t.sql`SELECT id, migration_id::int AS m FROM gomigrate ORDER BY id`;
    assert.deepEqual([...afterRows], [...before]);
  });

  it("reports ids it does not know (a newer upstream ran here) without failing", async () => {
    await t.sql`INSERT INTO gomigrate (migration_id) VALUES (19)`;
    const run = await migrate(t.sql, repoMigrations(), silentLogger);
    assert.ok(run.ok);
    assert.deepEqual(run.value.unknown, [19]);
    await t.sql`DELETE FROM gomigrate WHERE migration_id = 19`;
  });
});

await describeWithBackends("migrate failure and concurrency", (backend) => {
  it("rolls a failing migration back completely and stops there", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ps-migrations-"));
    const source = defaultMigrationsDirectory();
    for (const file of readdirSync(source)) copyFileSync(join(source, file), join(dir, file));
    writeFileSync(join(dir, "200_broken_up.sql"), "CREATE TABLE broken_marker (id INT);\nINSERT INTO broken_marker VALUES (1);\nSELECT 1/0;\n");
    writeFileSync(join(dir, "200_broken_down.sql"), "DROP TABLE broken_marker;\n");
    writeFileSync(join(dir, "201_later_up.sql"), "CREATE TABLE later_marker (id INT);\n");
    writeFileSync(join(dir, "201_later_down.sql"), "DROP TABLE later_marker;\n");
    const migrations = readMigrations(dir);
    rmSync(dir, { recursive: true, force: true });
    assert.ok(migrations.ok);
    const t = await createTestDatabase({ backend, migrated: false });
    try {
      const run = await migrate(t.sql, migrations.value, silentLogger);
      assert.equal(run.ok, false);
      assert.ok(!run.ok);
      assert.equal(run.error.migrationId, 200);
      assert.match(run.error.message, /200_broken_up\.sql failed and was rolled back: division by zero/);
      assert.equal(await tableExists(t, "broken_marker"), false);
      assert.equal(await tableExists(t, "later_marker"), false);
      assert.deepEqual(await gomigrateIds(t), ALL_IDS, "everything before the failure stays applied");
      // Fixing the problem (here: dropping the broken file) lets the next run carry on.
      const fixed = await migrate(t.sql, migrations.value.filter((m) => m.id !== 200), silentLogger);
      assert.ok(fixed.ok);
      assert.deepEqual(fixed.value.applied, [201]);
    } finally {
      await t.drop();
    }
  });

  it("serialises two migrators starting at once: each migration applied exactly once", async () => {
    const t = await createTestDatabase({ backend, migrated: false });
    const second = openDatabase({ url: t.url, embedded: backend === "pglite", logger: silentLogger });
    try {
      const [a, b] = await Promise.all([
        migrate(t.sql, repoMigrations(), silentLogger),
        migrate(second.sql, repoMigrations(), silentLogger),
      ]);
      assert.ok(a.ok && b.ok, `${a.ok ? "" : a.error.message} ${b.ok ? "" : b.error.message}`);
      assert.deepEqual([...a.value.applied, ...b.value.applied].sort((x, y) => x - y), ALL_IDS);
      assert.deepEqual(await gomigrateIds(t), ALL_IDS);
    } finally {
      await second.close();
      await t.drop();
    }
  });
});

it("rejects a migration directory whose files do not pair up, naming the migration", () => {
  const dir = mkdtempSync(join(tmpdir(), "ps-migrations-"));
  try {
    writeFileSync(join(dir, "01_one_up.sql"), "SELECT 1;");
    writeFileSync(join(dir, "01_one_down.sql"), "SELECT 1;");
    writeFileSync(join(dir, "02_two_up.sql"), "SELECT 2;");
    writeFileSync(join(dir, "README.md"), "ignored");
    const read = readMigrations(dir);
    assert.ok(!read.ok);
    assert.match(read.error, /invalid pair of migration files for 2_two/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it("reads the repository's migrations in numeric order with gomigrate's ids", () => {
  assert.deepEqual(
    repoMigrations().map((m) => m.id),
    ALL_IDS,
  );
  assert.equal(repoMigrations()[0]?.file, "01_event_cache_up.sql");
});
