import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { generateSigningKey, getRoomVersion, type JsonObject } from "../../../src/matrix/index.js";
import {
  buildJoinEvent,
  createBackgroundWork,
  createRecentResponses,
  inferRoomVersion,
  intervalMs,
  learningDecision,
  parseTransactionBody,
  type LearningTrigger,
} from "../../../src/rooms/index.js";

describe("parseTransactionBody", () => {
  it("treats missing pdus and edus as empty, and counts malformed EDUs", () => {
    assert.deepEqual(parseTransactionBody({}), { ok: true, value: { origin: undefined, pdus: [], edus: { valid: 0, malformed: 0 } } });
    const parsed = parseTransactionBody({ origin: "a.test", origin_server_ts: 5, pdus: [1, "x"], edus: [{ edu_type: "m.presence" }, { edu_type: 1 }, null] });
    assert.deepEqual(parsed, { ok: true, value: { origin: "a.test", pdus: [1, "x"], edus: { valid: 1, malformed: 2 } } });
  });
  const bad: [string, JsonObject | string][] = [
    ["origin_server_ts", { origin_server_ts: -1 }],
    ["origin_server_ts", { origin_server_ts: "now" }],
    ["pdus", { pdus: 5 }],
    ["edus", { edus: {} }],
    ["origin", { origin: [] }],
    ["JSON object", "text"],
  ];
  for (const [field, body] of bad) {
    it(`names ${field} when it has the wrong type (${JSON.stringify(body)})`, () => {
      const parsed = parseTransactionBody(body);
      assert.equal(parsed.ok, false);
      assert.match(parsed.ok ? "" : parsed.error, new RegExp(field));
    });
  }
});

describe("createBackgroundWork", () => {
  it("runs at most `concurrency` tasks, queues up to the limit, refuses the rest and survives failures", async () => {
    const errors: unknown[] = [];
    const work = createBackgroundWork({ concurrency: 2, maxQueued: 1, onError: (e) => errors.push(e) });
    let running = 0;
    let peak = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const task = (fail: boolean) => async () => {
      running++;
      peak = Math.max(peak, running);
      await gate;
      running--;
      if (fail) throw new Error("task failed");
    };
    assert.deepEqual([work.submit(task(true)), work.submit(task(false)), work.submit(task(false)), work.submit(task(false))], [true, true, true, false]);
    assert.equal(work.size, 3);
    release();
    await work.idle();
    assert.equal(peak, 2);
    assert.equal(errors.length, 1);
    assert.equal(work.size, 0);
  });
  it("reports a task that throws synchronously", async () => {
    const errors: unknown[] = [];
    const work = createBackgroundWork({ concurrency: 1, maxQueued: 0, onError: (e) => errors.push(e) });
    work.submit(() => {
      throw new Error("sync");
    });
    await work.idle();
    assert.equal(errors.length, 1);
  });
  it("refuses nonsense limits", () => {
    assert.throws(() => createBackgroundWork({ concurrency: 0, maxQueued: 1, onError: () => undefined }), RangeError);
  });
});

describe("createRecentResponses", () => {
  it("evicts the least recently used entry", () => {
    const lru = createRecentResponses<number>(2);
    lru.set("a", 1);
    lru.set("b", 2);
    assert.equal(lru.get("a"), 1);
    lru.set("c", 3);
    assert.equal(lru.get("b"), undefined);
    assert.equal(lru.get("a"), 1);
    assert.equal(lru.get("c"), 3);
    assert.equal(lru.size, 2);
  });
});

describe("learningDecision", () => {
  const config = { trustedOrigins: ["matrix.org", "element.io"], stateCacheMinutes: 5 };
  const trigger = (sender: string, type = "m.room.message", stateKey?: string, spam = false, failed = false): LearningTrigger => ({
    pdu: { eventId: "$e", roomId: "!r:x", type, sender, stateKey, content: { membership: "join" } },
    roomVersion: "10",
    verdict: failed ? { spam: false, failure: { filter: "f", message: "m" } } : { spam },
  });
  const now = 10 * 60_000;
  const cases: [string, LearningTrigger, number, string][] = [
    ["stale, trusted", trigger("@a:matrix.org"), 0, "queue"],
    ["exactly at the freshness limit", trigger("@a:matrix.org"), now - 5 * 60_000, "queue"],
    ["fresh, ordinary event", trigger("@a:matrix.org"), now - 60_000, "fresh"],
    ["fresh, self-join", trigger("@a:matrix.org", "m.room.member", "@a:matrix.org"), now - 60_000, "queue"],
    ["untrusted sender domain", trigger("@a:evil.org"), 0, "untrusted_sender"],
    ["trusted name as a subdomain does not count", trigger("@a:x.matrix.org"), 0, "untrusted_sender"],
    ["invalid sender", trigger("nobody"), 0, "untrusted_sender"],
    ["prohibited", trigger("@a:matrix.org", "m.room.message", undefined, true), 0, "prohibited"],
    ["filter failure", trigger("@a:matrix.org", "m.room.message", undefined, false, true), 0, "failed"],
  ];
  for (const [name, t, last, expected] of cases) {
    it(`${name} → ${expected}`, () => {
      const decision = learningDecision(t, last, config, now);
      assert.equal(decision.queue ? "queue" : decision.reason, expected);
      if (decision.queue) assert.equal(decision.via, "matrix.org");
    });
  }
});

describe("intervalMs", () => {
  it("jitters the interval by ±10 % and treats 0 or less as 60 minutes", () => {
    assert.equal(intervalMs(10, () => 0), 540_000);
    assert.equal(intervalMs(10, () => 0.5), 600_000);
    assert.equal(intervalMs(10, () => 1), 660_000);
    assert.equal(intervalMs(0, () => 0.5), 3_600_000);
    assert.equal(intervalMs(-3, () => 0.5), 3_600_000);
  });
});

describe("buildJoinEvent", () => {
  const key = generateSigningKey("ps1");
  const version = (id: string) => {
    const v = getRoomVersion(id);
    assert.ok(v.ok);
    return v.value;
  };
  it("keeps template content such as join_authorised_via_users_server and forces membership join", () => {
    const template = {
      type: "m.room.member",
      room_id: "!r:hs.test",
      sender: "@evil:hs.test",
      redacts: "$x",
      content: { membership: "leave", join_authorised_via_users_server: "@admin:hs.test" },
      prev_events: ["$p"],
      auth_events: ["$a"],
      depth: 9,
      unexpected: true,
    };
    const built = buildJoinEvent({ template, roomId: "!r:hs.test", userId: "@policyserv:ps.test", serverName: "ps.test", version: version("10"), signingKey: key, now: 42 });
    assert.ok(built.ok, JSON.stringify(built));
    const { event } = built.value;
    assert.deepEqual(event["content"], { membership: "join", join_authorised_via_users_server: "@admin:hs.test" });
    assert.equal(event["sender"], "@policyserv:ps.test");
    assert.equal(event["redacts"], undefined);
    assert.equal(event["unexpected"], undefined);
    assert.deepEqual(Object.keys(event).sort(), ["auth_events", "content", "depth", "hashes", "origin_server_ts", "prev_events", "room_id", "sender", "signatures", "state_key", "type"]);
  });
  it("names the problem when the template cannot make a valid event", () => {
    const built = buildJoinEvent({ template: { prev_events: "nope", auth_events: [], depth: 1 }, roomId: "!r:hs.test", userId: "@p:ps.test", serverName: "ps.test", version: version("10"), signingKey: key, now: 1 });
    assert.equal(built.ok, false);
    assert.match(built.ok ? "" : built.error, /prev_events/);
  });
  it("infers version 1 from reference-pair auth events and 4 otherwise", () => {
    assert.equal(inferRoomVersion({ auth_events: [["$a:hs", { sha256: "x" }]] }), "1");
    assert.equal(inferRoomVersion({ auth_events: ["$a"] }), "4");
    assert.equal(inferRoomVersion({}), "4");
  });
});
