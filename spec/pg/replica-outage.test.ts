import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, before, it } from "node:test";
import { openDatabase } from "../../src/storage/database.js";
import { createRoomsRepo } from "../../src/storage/rooms.repo.js";
import { createTestDatabase, describeWithBackends, silentLogger, type TestDatabase } from "../support/database.js";

/** A loopback port with nothing listening on it. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

await describeWithBackends("read replica fallback", (backend) => {
  if (backend === "pglite") {
    it("is not used: the embedded database has no replica (openDatabase ignores readUrl)", { skip: "no replica with PGlite" }, () => undefined);
    return;
  }
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase({ backend, readUrl: `postgres://postgres@127.0.0.1:${await deadPort()}/postgres` });
  });
  after(async () => {
    await t.drop();
  });

  it("reads through the primary when the replica is down, repeatedly and quickly", async () => {
    const rooms = createRoomsRepo(t.sql, t.db.read);
    const room = { roomId: "!r:x", roomVersion: "10", moderatorUserId: "", lastStateUpdateTs: 0, communityId: "default" };
    assert.ok((await rooms.upsert(room)).ok);
    for (let i = 0; i < 3; i++) {
      const started = Date.now();
      const got = await rooms.get("!r:x");
      assert.ok(got.ok, got.ok ? "" : got.error.message);
      assert.deepEqual(got.value, room);
      if (i > 0) assert.ok(Date.now() - started < 1_000, "later reads skip the dead replica");
    }
  });

  it("does not retry on the primary when the replica answered with an SQL error", async () => {
    const replicaUp = openDatabase({ url: t.url, readUrl: t.url, logger: silentLogger });
    try {
      let calls = 0;
      await assert.rejects(
        replicaUp.read(async (sql) => {
          calls++;
          return sql`SELECT * FROM no_such_table`;
        }),
        /no_such_table/,
      );
      assert.equal(calls, 1);
    } finally {
      await replicaUp.close();
    }
  });
});

it("a database outage is an `unavailable` Result within the connect timeout, not a hang or a crash", async () => {
  const db = openDatabase({ url: `postgres://postgres@127.0.0.1:${await deadPort()}/postgres`, connectTimeoutSeconds: 2, logger: silentLogger });
  try {
    const started = Date.now();
    const result = await createRoomsRepo(db.sql, db.read).get("!r:x");
    assert.ok(!result.ok);
    assert.equal(result.error.kind, "unavailable");
    assert.match(result.error.message, /get room !r:x: database unavailable/);
    assert.ok(Date.now() - started < 5_000);
    const notified = await db.notify("ps_channel", "x");
    assert.ok(!notified.ok);
    assert.equal(notified.error.kind, "unavailable");
    // listen never rejects while the database is down; it keeps retrying in the background.
    const stop = await db.listen("ps_channel", () => undefined);
    await stop();
  } finally {
    await db.close();
  }
});
