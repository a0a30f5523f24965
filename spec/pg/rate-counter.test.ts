/**
 * Rate counters on a real database: the batched repository (one statement inserts a batch and announces it with its
 * transaction ID; a reload reads the window under a snapshot), and two counters on two independent connection
 * pools standing in for two server processes, which must see each other's events.
 */
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { RATE_CHANNEL, decodeRatePayload, encodeRateBodies } from "../../src/rate/rate-payload.js";
import type { RateRow } from "../../src/rate/rate-row.js";
import { startSharedRateCounter, type SharedRateCounter } from "../../src/rate/shared-rate-counter.js";
import { parseTxidSnapshot, visibleInSnapshot } from "../../src/rate/txid-snapshot.js";
import { openDatabase, type Database } from "../../src/storage/database.js";
import { createRateBatchesRepo, type RateBatchesRepo } from "../../src/storage/rate-events.repo.js";
import { createTestDatabase, describeWithBackends, needsRealServer, silentLogger, type TestDatabase } from "../support/database.js";

function must<T>(result: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.message}`);
  return result.value;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` holds (bounded, so a missing notification fails instead of hanging). */
async function eventually(check: () => boolean, what: string, ms = 3_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) assert.fail(`timed out waiting for: ${what}`);
    await sleep(10);
  }
}

const row = (sender: string, ts: number, amount = 1, kind: RateRow["kind"] = "events"): RateRow => ({
  communityId: "c1",
  sender,
  kind,
  ts,
  amount,
});

await describeWithBackends("rate counters", (backend) => {
  let t: TestDatabase;
  let repo: RateBatchesRepo;
  before(async () => {
    t = await createTestDatabase({ backend });
    repo = createRateBatchesRepo(t.sql);
  });
  after(async () => {
    await t.drop();
  });

  it("appends a batch as one row per unit and announces it with its transaction ID", async () => {
    const payloads: string[] = [];
    const stop = await t.db.listen(RATE_CHANNEL, (p) => payloads.push(p));
    const now = Date.now();
    const rows = [row("@a:x", now, 1), row("@a:x", now, 3, "mentions"), row("@b:x", now + 1, 1)];
    must(await repo.appendAndAnnounce(rows, RATE_CHANNEL, encodeRateBodies("proc-1", rows)));
    await eventually(() => payloads.length === 1, "the announcement");
    const decoded = decodeRatePayload(payloads[0] as string);
    assert.ok(decoded.ok, decoded.ok ? "" : decoded.error);
    assert.equal(decoded.value.origin, "proc-1");
    assert.deepEqual(decoded.value.rows, rows);
    const [count] = await t.sql`SELECT count(*)::int AS n FROM rate_events WHERE community_id = 'c1'`;
    assert.equal(count?.["n"], 5, "3 mentions are 3 rows, so migration 105's schema and recordAndCount still hold");
    const loaded = must(await repo.loadSince(now - 1));
    const snapshot = parseTxidSnapshot(loaded.snapshot);
    assert.ok(snapshot.ok, snapshot.ok ? "" : snapshot.error);
    assert.equal(visibleInSnapshot(decoded.value.txid, snapshot.value), true, "the reload saw the announced batch");
    const summed = loaded.rows.map((r) => `${r.sender} ${r.kind} ${r.amount}`).sort();
    assert.deepEqual(summed, ["@a:x events 1", "@a:x mentions 3", "@b:x events 1"]);
    await stop();
  });

  it("a transaction that commits after a reload's snapshot is not visible in it", async () => {
    const loaded = must(await repo.loadSince(0));
    const snapshot = parseTxidSnapshot(loaded.snapshot);
    assert.ok(snapshot.ok);
    const payloads: string[] = [];
    const stop = await t.db.listen(RATE_CHANNEL, (p) => payloads.push(p));
    const rows = [row("@late:x", Date.now())];
    must(await repo.appendAndAnnounce(rows, RATE_CHANNEL, encodeRateBodies("proc-1", rows)));
    await eventually(() => payloads.length === 1, "the announcement");
    const decoded = decodeRatePayload(payloads[0] as string);
    assert.ok(decoded.ok);
    assert.equal(visibleInSnapshot(decoded.value.txid, snapshot.value), false);
    await stop();
  });

  it("loadSince leaves out rows before the window; prune deletes them", async () => {
    const old = Date.now() - 120_000;
    must(await repo.appendAndAnnounce([row("@old:x", old, 2)], RATE_CHANNEL, []));
    const loaded = must(await repo.loadSince(Date.now() - 60_000));
    assert.equal(loaded.rows.some((r) => r.sender === "@old:x"), false);
    assert.equal(must(await repo.prune(Date.now() - 65_000)), 2);
  });

  it("an empty batch costs no statement and an empty announcement list inserts silently", async () => {
    must(await repo.appendAndAnnounce([], RATE_CHANNEL, []));
    must(await repo.appendAndAnnounce([row("@quiet:x", Date.now())], RATE_CHANNEL, []));
    const [count] = await t.sql`SELECT count(*)::int AS n FROM rate_events WHERE sender = '@quiet:x'`;
    assert.equal(count?.["n"], 1);
  });

  it("two processes on one database count each other's events", { skip: needsRealServer(backend) }, async () => {
    const other: Database = openDatabase({ url: t.url, logger: silentLogger });
    const start = (db: Database, origin: string): SharedRateCounter =>
      startSharedRateCounter({
        store: createRateBatchesRepo(db.sql),
        listen: (channel, handler, options) => db.listen(channel, handler, options),
        logger: silentLogger,
        now: () => Date.now(),
        origin,
        flushMs: 50,
      });
    const a = start(t.db, "process-a");
    const b = start(other, "process-b");
    try {
      assert.deepEqual(await a.ready, { ok: true, value: undefined });
      assert.deepEqual(await b.ready, { ok: true, value: undefined });
      await sleep(100); // both subscriptions active
      const now = Date.now();
      for (let i = 0; i < 4; i++) a.record("c2", "@flood:x", "events", now, 1);
      b.record("c2", "@flood:x", "events", now, 1);
      b.record("c2", "@flood:x", "mentions", now, 7);
      await eventually(() => b.count("c2", "@flood:x", "events", Date.now()) === 5, "b sees a's four events");
      await eventually(() => a.count("c2", "@flood:x", "events", Date.now()) === 5, "a sees b's event");
      await eventually(() => a.count("c2", "@flood:x", "mentions", Date.now()) === 7, "a sees b's mentions");
      assert.equal(a.count("c2", "@other:x", "events", Date.now()), 0);

      // A third process started now loads the window from the table and agrees.
      const third = openDatabase({ url: t.url, logger: silentLogger });
      const c = start(third, "process-c");
      try {
        assert.deepEqual(await c.ready, { ok: true, value: undefined });
        assert.equal(c.count("c2", "@flood:x", "events", Date.now()), 5);
        assert.equal(c.count("c2", "@flood:x", "mentions", Date.now()), 7);
        await sleep(150); // its subscription's reload and any late announcements must not double count
        assert.equal(c.count("c2", "@flood:x", "events", Date.now()), 5);
      } finally {
        await c.stop();
        await third.close();
      }
    } finally {
      await a.stop();
      await b.stop();
      await other.close();
    }
  });
});
