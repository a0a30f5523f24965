import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { createTestDatabase, describeWithBackends, type TestDatabase } from "../support/database.js";
import {
  GOMIGRATE_IDS,
  UPSTREAM_COLUMNS,
  UPSTREAM_FOREIGN_KEYS,
  UPSTREAM_INDEXES,
  UPSTREAM_PRIMARY_KEYS,
  UPSTREAM_TRIGGERS,
} from "./fixtures/upstream-schema.js";

await describeWithBackends("migrated schema matches upstream's", (backend) => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase({ backend });
  });
  after(async () => {
    await t.drop();
  });

  it("has upstream's columns, types, nullability and defaults", async () => {
    for (const [table, expected] of Object.entries(UPSTREAM_COLUMNS)) {
      const rows = await t.sql`
        SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = ${table} ORDER BY ordinal_position`;
      const actual = rows.map((r) => [r["column_name"], r["data_type"], r["is_nullable"] === "YES"]);
      assert.deepEqual(actual, expected.map(([name, type, nullable]) => [name, type, nullable]), `columns of ${table}`);
      for (const [name, , , def] of expected) {
        const column = rows.find((r) => r["column_name"] === name);
        const actualDefault = column?.["column_default"] as string | null;
        if (def === "none") assert.equal(actualDefault, null, `${table}.${name} has no default`);
        else assert.ok(actualDefault?.toLowerCase().includes(def), `${table}.${name} default ${actualDefault} contains ${def}`);
      }
    }
  });

  it("has upstream's primary keys", async () => {
    for (const [table, columns] of Object.entries(UPSTREAM_PRIMARY_KEYS)) {
      const rows = await t.sql`
        SELECT a.attname FROM pg_index i
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
        WHERE i.indrelid = to_regclass(${table}) AND i.indisprimary
        ORDER BY array_position(i.indkey::int2[], a.attnum)`;
      assert.deepEqual(rows.map((r) => r["attname"]), [...columns], `primary key of ${table}`);
    }
  });

  it("has upstream's indexes, foreign keys and triggers", async () => {
    const indexes = await t.sql`SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()`;
    const names = new Set(indexes.map((r) => r["indexname"]));
    for (const index of UPSTREAM_INDEXES) assert.ok(names.has(index), `index ${index}`);
    const fks = await t.sql`SELECT conname FROM pg_constraint WHERE contype = 'f'`;
    const fkNames = new Set(fks.map((r) => r["conname"]));
    for (const fk of UPSTREAM_FOREIGN_KEYS) assert.ok(fkNames.has(fk), `foreign key ${fk}`);
    const triggers = await t.sql`
      SELECT c.relname AS tbl, t.tgname AS trigger, p.proname AS fn FROM pg_trigger t
      JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid
      WHERE NOT t.tgisinternal AND c.relname <> 'hellbans' ORDER BY c.relname, t.tgname`;
    const expected = [...UPSTREAM_TRIGGERS].map((x) => [...x]).sort((a, b) => (a[0] ?? "").localeCompare(b[0] ?? ""));
    assert.deepEqual(triggers.map((r) => [r["tbl"], r["trigger"], r["fn"]]), expected);
    const [gone] = await t.sql`SELECT count(*)::int AS n FROM pg_proc WHERE proname = 'notify_state_learn_queue'`;
    assert.equal(gone?.["n"], 0, "migration 13 dropped the state-learn notification function");
  });

  it("records upstream's gomigrate rows, then ours", async () => {
    const rows = await t.sql`SELECT id, migration_id::int AS m FROM gomigrate ORDER BY id`;
    assert.deepEqual(rows.map((r) => r["m"]), [...GOMIGRATE_IDS]);
    assert.deepEqual(rows.map((r) => r["id"]), GOMIGRATE_IDS.map((_, i) => i + 1), "SERIAL ids in application order");
  });

  it("has our additions: hellbans, server_keys, processed_transactions, rate_events", async () => {
    for (const table of ["hellbans", "server_keys", "processed_transactions", "rate_events"]) {
      const [row] = await t.sql`SELECT to_regclass(${table}) IS NOT NULL AS present`;
      assert.equal(row?.["present"], true, table);
    }
  });
});
