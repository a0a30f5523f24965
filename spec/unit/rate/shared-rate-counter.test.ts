/**
 * The shared rate counter against an in-memory stand-in for PostgreSQL (rows, transaction IDs, snapshots, NOTIFY to
 * every listener): two counters on one "database" see each other's events, a reload never counts an announced
 * batch twice, an outage keeps local counting and writes the backlog later. spec/pg/rate-counter.test.ts repeats
 * the essentials on real PostgreSQL.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { pino } from "pino";
import type { RateRow } from "../../../src/rate/rate-row.js";
import {
  startSharedRateCounter,
  type RateCounterStore,
  type RateListen,
  type SharedRateCounter,
} from "../../../src/rate/shared-rate-counter.js";
import { err, ok } from "../../../src/result.js";

const T0 = 1_700_000_000_000;
const silent = pino({ level: "silent" });

/** Rows with the transaction that wrote them; NOTIFY delivered asynchronously after "commit". */
class FakeDatabase {
  rows: (RateRow & { txid: number })[] = [];
  nextTxid = 100;
  down = false;
  listeners = new Map<string, ((payload: string) => void)[]>();
  /** Deliveries held back (to interleave a reload with a notification). */
  held: (() => void)[] | undefined;

  store(): RateCounterStore {
    return {
      appendAndAnnounce: async (rows, channel, bodies) => {
        if (this.down) return err({ message: "database unavailable" });
        const txid = this.nextTxid++;
        for (const row of rows) this.rows.push({ ...row, txid });
        for (const body of bodies) {
          const deliver = () => {
            for (const handler of this.listeners.get(channel) ?? []) handler(`${txid}:${body}`);
          };
          if (this.held) this.held.push(deliver);
          else setImmediate(deliver);
        }
        return ok(undefined);
      },
      loadSince: async (since) => {
        if (this.down) return err({ message: "database unavailable" });
        const xmax = this.nextTxid;
        return ok({ snapshot: `${xmax}:${xmax}:`, rows: this.rows.filter((r) => r.ts >= since) });
      },
      prune: async (before) => {
        const n = this.rows.length;
        this.rows = this.rows.filter((r) => r.ts >= before);
        return ok(n - this.rows.length);
      },
    };
  }

  listen(): RateListen {
    return async (channel, handler, options) => {
      this.listeners.set(channel, [...(this.listeners.get(channel) ?? []), handler]);
      setImmediate(() => options?.onListen?.());
      return async () => {
        this.listeners.set(channel, (this.listeners.get(channel) ?? []).filter((h) => h !== handler));
      };
    };
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

async function counter(db: FakeDatabase, clock: { now: number }, origin: string): Promise<SharedRateCounter> {
  const c = startSharedRateCounter({ store: db.store(), listen: db.listen(), logger: silent, now: () => clock.now, origin, timers: false });
  await c.ready;
  await tick();
  await c.sync();
  return c;
}

describe("shared rate counter", () => {
  it("counts its own events at once, before they are written", async () => {
    const db = new FakeDatabase();
    const clock = { now: T0 };
    const a = await counter(db, clock, "a");
    a.record("c1", "@s:x", "events", T0, 1);
    a.record("c1", "@s:x", "mentions", T0, 4);
    assert.equal(a.count("c1", "@s:x", "events", T0), 1);
    assert.equal(a.count("c1", "@s:x", "mentions", T0), 4);
    assert.equal(db.rows.length, 0);
    assert.equal(a.stats().unflushed, 2);
    await a.sync();
    assert.equal(db.rows.length, 2);
    assert.equal(a.stats().unflushed, 0);
    assert.equal(a.count("c1", "@s:x", "events", T0), 1, "its own announcement is not counted again");
    await tick();
    assert.equal(a.count("c1", "@s:x", "events", T0), 1);
    await a.stop();
  });

  it("a second process sees the first one's events after one write (the cross-process limit)", async () => {
    const db = new FakeDatabase();
    const clock = { now: T0 };
    const a = await counter(db, clock, "a");
    const b = await counter(db, clock, "b");
    for (let i = 0; i < 5; i++) a.record("c1", "@flood:x", "events", T0 + i, 1);
    assert.equal(b.count("c1", "@flood:x", "events", T0 + 10), 0, "not yet written: bounded staleness");
    await a.sync();
    await tick();
    assert.equal(b.count("c1", "@flood:x", "events", T0 + 10), 5);
    b.record("c1", "@flood:x", "events", T0 + 20, 1);
    await b.sync();
    await tick();
    assert.equal(a.count("c1", "@flood:x", "events", T0 + 20), 6);
    assert.equal(b.count("c1", "@flood:x", "events", T0 + 20), 6);
    await Promise.all([a.stop(), b.stop()]);
  });

  it("a process started later loads the window from the table", async () => {
    const db = new FakeDatabase();
    const clock = { now: T0 };
    const a = await counter(db, clock, "a");
    a.record("c1", "@s:x", "events", T0, 3);
    a.record("c1", "@s:x", "events", T0 - 10_000, 9);
    await a.sync();
    clock.now = T0 + 55_000; // the second row is now out of the window
    const late = await counter(db, clock, "late");
    assert.equal(late.count("c1", "@s:x", "events", clock.now), 3);
    await Promise.all([a.stop(), late.stop()]);
  });

  it("a notification that races a reload is counted exactly once", async () => {
    const db = new FakeDatabase();
    const clock = { now: T0 };
    const a = await counter(db, clock, "a");
    const b = await counter(db, clock, "b");
    db.held = [];
    a.record("c1", "@s:x", "events", T0, 2);
    await a.sync(); // committed, announcement held back
    // b2 subscribes and reloads now: it reads the row; then the late announcement arrives.
    const b2 = await counter(db, clock, "b2");
    for (const deliver of db.held) deliver();
    db.held = undefined;
    await tick();
    assert.equal(b2.count("c1", "@s:x", "events", T0), 2, "in the reload and announced: counted once");
    assert.equal(b2.stats().announcementsAlreadyLoaded, 1);
    assert.equal(b.count("c1", "@s:x", "events", T0), 2, "b had no reload: the announcement is applied");
    await Promise.all([a.stop(), b.stop(), b2.stop()]);
  });

  it("during an outage it keeps counting locally and writes the backlog when the database is back", async () => {
    const db = new FakeDatabase();
    const clock = { now: T0 };
    const a = await counter(db, clock, "a");
    const b = await counter(db, clock, "b");
    db.down = true;
    a.record("c1", "@s:x", "events", T0, 1);
    a.record("c1", "@s:x", "events", T0 + 1, 1);
    await a.sync();
    assert.equal(a.count("c1", "@s:x", "events", T0 + 1), 2);
    assert.equal(a.stats().unflushed, 2, "kept for retry");
    db.down = false;
    await a.sync();
    await tick();
    assert.equal(a.stats().unflushed, 0);
    assert.equal(db.rows.length, 2);
    assert.equal(b.count("c1", "@s:x", "events", T0 + 1), 2);
    await Promise.all([a.stop(), b.stop()]);
  });

  it("drops backlog rows that left the window while the database was down", async () => {
    const db = new FakeDatabase();
    const clock = { now: T0 };
    const a = await counter(db, clock, "a");
    db.down = true;
    a.record("c1", "@s:x", "events", T0, 1);
    await a.sync();
    clock.now = T0 + 61_000;
    db.down = false;
    await a.sync();
    assert.equal(db.rows.length, 0);
    assert.equal(a.stats().unflushed, 0);
    await a.stop();
  });

  it("ignores malformed announcements and refuses non-positive amounts", async () => {
    const db = new FakeDatabase();
    const clock = { now: T0 };
    const a = await counter(db, clock, "a");
    for (const handler of db.listeners.get("policyserv_rate_events") ?? []) handler("garbage");
    assert.equal(a.stats().announcedRowsApplied, 0);
    assert.throws(() => a.record("c1", "@s:x", "events", T0, 0), /positive integer/);
    assert.throws(() => a.record("c1", "@s:x", "events", T0, 1.5), /positive integer/);
    await a.stop();
  });

  it("stop writes what is buffered", async () => {
    const db = new FakeDatabase();
    const clock = { now: T0 };
    const a = await counter(db, clock, "a");
    a.record("c1", "@s:x", "events", T0, 1);
    await a.stop();
    assert.equal(db.rows.length, 1);
  });
});
