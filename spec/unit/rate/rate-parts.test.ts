/** The rate counter's pure parts: sliding windows, the NOTIFY payload codec and transaction-snapshot visibility. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { announcedBy, decodeRatePayload, encodeRateBodies } from "../../../src/rate/rate-payload.js";
import type { RateRow } from "../../../src/rate/rate-row.js";
import { SlidingWindows } from "../../../src/rate/sliding-windows.js";
import { parseTxidSnapshot, visibleInSnapshot } from "../../../src/rate/txid-snapshot.js";

const T0 = 1_700_000_000_000;

describe("sliding windows", () => {
  it("sums amounts inside [now - 60 s, ∞) per (community, kind, sender)", () => {
    const w = new SlidingWindows();
    w.add("c", "events", "@a:x", T0, 1);
    w.add("c", "events", "@a:x", T0 + 30_000, 2);
    w.add("c", "mentions", "@a:x", T0, 5);
    w.add("c", "events", "@b:x", T0, 7);
    w.add("d", "events", "@a:x", T0, 11);
    assert.equal(w.count("c", "events", "@a:x", T0 + 30_000), 3);
    assert.equal(w.count("c", "events", "@a:x", T0 + 60_000), 3, "exactly 60 s old still counts");
    assert.equal(w.count("c", "events", "@a:x", T0 + 60_001), 2);
    assert.equal(w.count("c", "mentions", "@a:x", T0), 5);
    assert.equal(w.count("c", "events", "@nobody:x", T0), 0);
  });

  it("counts out-of-order arrivals (another process's late batch) correctly", () => {
    const w = new SlidingWindows();
    w.add("c", "events", "@a:x", T0 + 50_000, 1);
    w.add("c", "events", "@a:x", T0, 1); // late, older
    w.add("c", "events", "@a:x", T0 + 55_000, 1);
    assert.equal(w.count("c", "events", "@a:x", T0 + 70_000), 2);
  });

  it("sweep drops expired entries and empty windows", () => {
    const w = new SlidingWindows();
    w.add("c", "events", "@a:x", T0, 1);
    w.add("c", "events", "@b:x", T0 + 40_000, 1);
    assert.equal(w.size, 2);
    assert.equal(w.sweep(T0 + 70_000), 1);
    assert.equal(w.count("c", "events", "@b:x", T0 + 70_000), 1);
  });

  it("keys cannot collide across fields", () => {
    const w = new SlidingWindows();
    w.add("a", "events", "b:c", T0, 1);
    assert.equal(w.count("a:b", "events", "c", T0), 0);
  });
});

describe("rate announcement payloads", () => {
  const row = (i: number, extra: Partial<RateRow> = {}): RateRow => ({
    communityId: "2Yx7communityKsuid0000000000",
    sender: `@user${i}:example.org`,
    kind: "events",
    ts: T0 + i,
    amount: 1,
    ...extra,
  });

  it("recognises a process's own announcements from their head alone", () => {
    const [body] = encodeRateBodies("origin-1", [row(1)]);
    assert.equal(announcedBy(`12345:${body}`, "origin-1"), true);
    assert.equal(announcedBy(`12345:${body}`, "origin-2"), false);
    assert.equal(announcedBy(`12345:${body}`, "origin"), false, "a prefix of the origin is another origin");
    const [quoted] = encodeRateBodies('o"1', [row(1)]);
    assert.equal(announcedBy(`1:${quoted}`, 'o"1'), true);
    assert.equal(announcedBy("no colon", "origin-1"), false);
  });

  it("round-trips rows through `<txid>:<body>`", () => {
    const rows = [row(1), row(2, { kind: "mentions", amount: 4, sender: "@ünïcødé:例え.jp" })];
    const [body, ...rest] = encodeRateBodies("origin-1", rows);
    assert.deepEqual(rest, []);
    const decoded = decodeRatePayload(`12345:${body}`);
    assert.ok(decoded.ok, decoded.ok ? "" : decoded.error);
    assert.equal(decoded.value.txid, 12345n);
    assert.equal(decoded.value.origin, "origin-1");
    assert.deepEqual(decoded.value.rows, rows);
  });

  it("splits large batches under the byte limit, losing nothing", () => {
    const rows = Array.from({ length: 500 }, (_, i) => row(i, { sender: `@ü${"x".repeat(40)}${i}:example.org` }));
    const bodies = encodeRateBodies("o", rows, 2_000);
    assert.ok(bodies.length > 5);
    for (const body of bodies) assert.ok(Buffer.byteLength(body) <= 2_000, String(Buffer.byteLength(body)));
    const back = bodies.flatMap((body) => {
      const decoded = decodeRatePayload(`1:${body}`);
      assert.ok(decoded.ok);
      return decoded.value.rows;
    });
    assert.deepEqual(back, rows);
  });

  it("leaves out a single row too large to announce instead of failing the batch", () => {
    const bodies = encodeRateBodies("o", [row(1), row(2, { sender: `@${"y".repeat(3_000)}:x` }), row(3)], 1_000);
    const rows = bodies.flatMap((b) => {
      const decoded = decodeRatePayload(`1:${b}`);
      return decoded.ok ? decoded.value.rows : assert.fail(decoded.error);
    });
    assert.deepEqual(rows.map((r) => r.ts), [T0 + 1, T0 + 3]);
  });

  const bad: [payload: string, error: RegExp][] = [
    ["{}", /transaction ID/],
    ["x:{}", /transaction ID/],
    ["1:not json", /not JSON/],
    ["1:[]", /not an object/],
    ['1:{"r":[]}', /origin/],
    ['1:{"o":"a"}', /row list/],
    ['1:{"o":"a","r":[["c","s","events",1]]}', /row 0 is not/],
    ['1:{"o":"a","r":[["c","s","likes",1,1]]}', /unknown kind "likes"/],
    ['1:{"o":"a","r":[["c","s","events",1.5,1]]}', /bad timestamp/],
    ['1:{"o":"a","r":[["c","s","events",1,0]]}', /bad amount/],
    ['1:{"o":"a","r":[[1,"s","events",1,1]]}', /non-string ID/],
  ];
  for (const [payload, error] of bad) {
    it(`rejects ${payload} with a clear error`, () => {
      const decoded = decodeRatePayload(payload);
      assert.equal(decoded.ok, false);
      if (!decoded.ok) assert.match(decoded.error, error);
    });
  }
});

describe("transaction snapshots", () => {
  it("parses xmin:xmax:xip and decides visibility", () => {
    const parsed = parseTxidSnapshot("100:105:101,103");
    assert.ok(parsed.ok);
    const snap = parsed.value;
    assert.equal(visibleInSnapshot(99n, snap), true, "finished before xmin");
    assert.equal(visibleInSnapshot(100n, snap), true, "xmin itself is the oldest still running only when listed");
    assert.equal(visibleInSnapshot(101n, snap), false, "in progress at the time");
    assert.equal(visibleInSnapshot(102n, snap), true);
    assert.equal(visibleInSnapshot(103n, snap), false);
    assert.equal(visibleInSnapshot(105n, snap), false, "at or after xmax: not yet started");
    assert.equal(visibleInSnapshot(9_000_000_000n, snap), false);
  });
  it("parses an empty in-progress list", () => {
    const parsed = parseTxidSnapshot("7:7:");
    assert.ok(parsed.ok);
    assert.equal(visibleInSnapshot(6n, parsed.value), true);
    assert.equal(visibleInSnapshot(7n, parsed.value), false);
  });
  for (const text of ["", "1:2", "a:2:", "1:b:", "1:2:3,x", "1:2:3:4"]) {
    it(`rejects ${JSON.stringify(text)}`, () => {
      const parsed = parseTxidSnapshot(text);
      assert.equal(parsed.ok, false);
      if (!parsed.ok) assert.match(parsed.error, /transaction snapshot/);
    });
  }
});
