import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { contentInfo } from "../../src/harms/content-info.js";
import { createRepositories, type Repositories } from "../../src/storage/repositories.js";
import { serverKeyStore } from "../../src/storage/server-keys.repo.js";
import { createTestDatabase, describeWithBackends, type TestDatabase } from "../support/database.js";

function must<T>(result: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.message}`);
  return result.value;
}

await describeWithBackends("verdict, state, template, key, transaction and rate repositories", (backend) => {
  let t: TestDatabase;
  let repos: Repositories;
  before(async () => {
    t = await createTestDatabase({ backend });
    repos = createRepositories(t.db);
  });
  after(async () => {
    await t.drop();
  });

  it("stores a verdict once: the first save wins and later saves return it", async () => {
    const spam = contentInfo("Prohibited", ["org.matrix.msc4456.spam"]);
    const first = must(await repos.verdicts.save("$e1", spam));
    assert.equal(first.inserted, true);
    assert.deepEqual(first.verdict.info, spam);
    assert.ok(first.verdict.firstSeen instanceof Date);
    const second = must(await repos.verdicts.save("$e1", contentInfo("Allowed")));
    assert.equal(second.inserted, false);
    assert.deepEqual(second.verdict.info, spam);
    assert.deepEqual(must(await repos.verdicts.get("$e1"))?.info, spam);
    assert.equal(must(await repos.verdicts.get("$missing")), null);
    const [row] = await t.sql`SELECT is_probably_spam, confidence_vectors FROM events WHERE event_id = '$e1'`;
    assert.deepEqual({ ...row }, { is_probably_spam: true, confidence_vectors: '{"h:org.matrix.msc4456.spam":1}' });
  });

  it("round-trips neutral and allowed verdicts (not upstream's always-prohibited decode)", async () => {
    must(await repos.verdicts.save("$neutral", contentInfo("Neutral")));
    must(await repos.verdicts.save("$allowed", contentInfo("Allowed")));
    assert.deepEqual(must(await repos.verdicts.get("$neutral"))?.info, contentInfo("Neutral"));
    assert.deepEqual(must(await repos.verdicts.get("$allowed"))?.info, contentInfo("Allowed"));
  });

  it("concurrent saves of one event store one verdict and all report it", async () => {
    const infos = Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? contentInfo("Allowed") : contentInfo("Prohibited", ["x.y"])));
    const saved = await Promise.all(infos.map((info) => repos.verdicts.save("$race", info)));
    const values = saved.map(must);
    assert.equal(values.filter((v) => v.inserted).length, 1);
    for (const v of values) assert.deepEqual(v.verdict.info, values[0]?.verdict.info);
  });

  it("saves and reads verdicts in batches of any size; a stored verdict is never replaced", async () => {
    must(await repos.verdicts.save("$batch-kept", contentInfo("Prohibited", ["x.kept"])));
    const ids = Array.from({ length: 500 }, (_, i) => `$batch-${i}'"\u00e9`);
    must(await repos.verdicts.saveMany([
      ...ids.map((eventId, i) => ({ eventId, info: i % 2 === 0 ? contentInfo("Allowed") : contentInfo("Prohibited", ["x.y"]) })),
      { eventId: "$batch-kept", info: contentInfo("Allowed") },
      { eventId: ids[0] as string, info: contentInfo("Prohibited", ["x.second"]) },
    ]));
    must(await repos.verdicts.saveMany([]));
    const found = must(await repos.verdicts.getMany([...ids, "$batch-kept", "$batch-missing"]));
    assert.equal(found.size, 501);
    assert.deepEqual(found.get(ids[0] as string)?.info, contentInfo("Allowed"), "the first entry of a batch wins");
    assert.deepEqual(found.get(ids[1] as string)?.info, contentInfo("Prohibited", ["x.y"]));
    assert.deepEqual(found.get("$batch-kept")?.info, contentInfo("Prohibited", ["x.kept"]));
    assert.equal(found.has("$batch-missing"), false);
    assert.equal(must(await repos.verdicts.getMany([])).size, 0);
    assert.equal(must(await repos.verdicts.getMany(["$batch-1'\"\u00e9"])).size, 1);
  });

  it("plans each statement for the table as it is now (no generic plan kept from when events was empty)", async (ctx) => {
    if (backend === "pglite") return ctx.skip("PGlite takes no startup settings; it serves small installs");
    // Regression: a lookup prepared on a fresh events table kept a sequential-scan plan while the table grew.
    const [row] = await t.sql`SHOW plan_cache_mode`;
    assert.equal(row?.["plan_cache_mode"], "force_custom_plan");
  });

  it("replaces display names and ban rules per room wholesale", async () => {
    must(await repos.roomState.replaceDisplaynames("!r:x", [
      { userId: "@b:x", displayname: "Bee" },
      { userId: "@a:x", displayname: "Ay" },
      { userId: "@a:x", displayname: "Ay again" },
    ]));
    must(await repos.roomState.replaceDisplaynames("!other:x", [{ userId: "@c:x", displayname: "See" }]));
    assert.deepEqual(must(await repos.roomState.getDisplaynames("!r:x")), [
      { userId: "@a:x", displayname: "Ay again" },
      { userId: "@b:x", displayname: "Bee" },
    ]);
    must(await repos.roomState.replaceDisplaynames("!r:x", []));
    assert.deepEqual(must(await repos.roomState.getDisplaynames("!r:x")), []);
    assert.equal(must(await repos.roomState.getDisplaynames("!other:x")).length, 1, "other rooms untouched");

    must(await repos.roomState.replaceBanRules("!list:x", [
      { entityType: "m.policy.rule.user", entityId: "@spam*:x" },
      { entityType: "m.policy.rule.server", entityId: "evil.example" },
    ]));
    must(await repos.roomState.replaceBanRules("!list:x", [{ entityType: "m.policy.rule.server", entityId: "evil.example" }]));
    must(await repos.roomState.replaceBanRules("!list2:x", [{ entityType: "m.policy.rule.user", entityId: "@z:x" }]));
    assert.deepEqual(must(await repos.roomState.getBanRules(["!list:x", "!list2:x"])), [
      { roomId: "!list2:x", entityType: "m.policy.rule.user", entityId: "@z:x" },
      { roomId: "!list:x", entityType: "m.policy.rule.server", entityId: "evil.example" },
    ].sort((a, b) => (a.roomId < b.roomId ? -1 : 1)));
    assert.deepEqual(must(await repos.roomState.getBanRules([])), []);
  });

  it("saves a room's learned facts in one transaction: all of them, or none when one part fails", async () => {
    must(await repos.roomState.saveFacts("!facts:x", {
      members: [{ userId: "@a:x", displayname: "Ay" }],
      powerLevels: { users_default: 0 },
      creators: ["@c:x"],
    }));
    assert.deepEqual(must(await repos.roomState.getDisplaynames("!facts:x")), [{ userId: "@a:x", displayname: "Ay" }]);
    assert.deepEqual(must(await repos.trustData.get("power_levels", "!facts:x")), { users_default: 0 });
    assert.deepEqual(must(await repos.trustData.get("creator", "!facts:x")), { creator_user_ids: ["@c:x"] });

    // The power levels cannot be stored (jsonb refuses \u0000): the new members must not be kept either.
    const failed = await repos.roomState.saveFacts("!facts:x", {
      members: [{ userId: "@b:x", displayname: "Bee" }],
      powerLevels: { users_default: "\u0000" },
    });
    assert.equal(failed.ok, false);
    assert.deepEqual(must(await repos.roomState.getDisplaynames("!facts:x")), [{ userId: "@a:x", displayname: "Ay" }]);
    assert.deepEqual(must(await repos.trustData.get("power_levels", "!facts:x")), { users_default: 0 });

    // Facts not learned leave what is stored.
    must(await repos.roomState.saveFacts("!facts:x", { members: [] }));
    assert.deepEqual(must(await repos.roomState.getDisplaynames("!facts:x")), []);
    assert.deepEqual(must(await repos.trustData.get("creator", "!facts:x")), { creator_user_ids: ["@c:x"] });
  });

  it("stores large member lists in batches", async () => {
    const members = Array.from({ length: 12_000 }, (_, i) => ({ userId: `@u${i}:x`, displayname: `User ${i}` }));
    must(await repos.roomState.replaceDisplaynames("!big:x", members));
    assert.equal(must(await repos.roomState.getDisplaynames("!big:x")).length, 12_000);
  });

  it("gets and puts trust data by (source, key)", async () => {
    assert.equal(must(await repos.trustData.get("muninn_hall", "")), null);
    must(await repos.trustData.put("muninn_hall", "", { server_names: ["a.example"] }));
    must(await repos.trustData.put("muninn_hall", "", { server_names: ["b.example", "c.example"] }));
    must(await repos.trustData.put("creator", "!r:x", { creator_user_ids: ["@c:x"] }));
    assert.deepEqual(must(await repos.trustData.get("muninn_hall", "")), { server_names: ["b.example", "c.example"] });
    assert.deepEqual(must(await repos.trustData.get("creator", "!r:x")), { creator_user_ids: ["@c:x"] });
  });

  it("queues one state-learning job per room and pops only due jobs, earliest first", async () => {
    assert.equal(must(await repos.stateLearnQueue.push({ roomId: "!q1:x", atEventId: "$1", via: "x", afterTs: 2_000 })), true);
    assert.equal(must(await repos.stateLearnQueue.push({ roomId: "!q1:x", atEventId: "$2", via: "y", afterTs: 1 })), false);
    must(await repos.stateLearnQueue.push({ roomId: "!q2:x", atEventId: "$3", via: "z", afterTs: 1_000 }));
    assert.equal(must(await repos.stateLearnQueue.popDue(500)), null);
    assert.deepEqual(must(await repos.stateLearnQueue.popDue(5_000)), { roomId: "!q2:x", atEventId: "$3", via: "z", afterTs: 1_000 });
    assert.deepEqual(must(await repos.stateLearnQueue.popDue(5_000)), { roomId: "!q1:x", atEventId: "$1", via: "x", afterTs: 2_000 });
    assert.equal(must(await repos.stateLearnQueue.popDue(5_000)), null);
  });

  it("concurrent pops never hand out the same job twice", async () => {
    for (let i = 0; i < 10; i++) must(await repos.stateLearnQueue.push({ roomId: `!c${i}:x`, atEventId: "$e", via: "x", afterTs: 0 }));
    const popped = (await Promise.all(Array.from({ length: 15 }, () => repos.stateLearnQueue.popDue(1)))).map(must);
    const rooms = popped.filter((p) => p !== null).map((p) => p?.roomId);
    assert.equal(rooms.length, 10);
    assert.equal(new Set(rooms).size, 10);
  });

  it("stores keyword templates, including the empty 'deleted' body", async () => {
    must(await repos.keywordTemplates.put({ name: "t1", body: "{{ .A }}" }));
    must(await repos.keywordTemplates.put({ name: "t1", body: "" }));
    must(await repos.keywordTemplates.put({ name: "t0", body: "x" }));
    assert.deepEqual(must(await repos.keywordTemplates.get("t1")), { name: "t1", body: "" });
    assert.equal(must(await repos.keywordTemplates.get("missing")), null);
    assert.deepEqual(must(await repos.keywordTemplates.list()).map((x) => x.name), ["t0", "t1"]);
  });

  it("saves server keys, keeping the better of two versions, and serves the keyring", async () => {
    const key = { serverName: "hs.example", keyId: "ed25519:a", publicKeyBase64: "AAAA", validUntilTs: 2_000, expiredTs: null };
    must(await repos.serverKeys.save([key]));
    must(await repos.serverKeys.save([{ ...key, validUntilTs: 1_000 }]));
    assert.deepEqual(must(await repos.serverKeys.load("hs.example", "ed25519:a")), key, "a stale fetch never shortens validity");
    must(await repos.serverKeys.save([{ ...key, validUntilTs: 0, expiredTs: 1_500 }]));
    assert.deepEqual(must(await repos.serverKeys.load("hs.example", "ed25519:a")), key, "a current key beats an old one");
    const longer = { ...key, validUntilTs: 9_000 };
    const other = { ...key, keyId: "ed25519:b", validUntilTs: 0, expiredTs: 100 };
    must(await repos.serverKeys.save([longer, other, { ...longer, validUntilTs: 8_000 }]));
    assert.deepEqual(must(await repos.serverKeys.loadAll("hs.example")), [longer, other]);
    assert.equal(must(await repos.serverKeys.load("hs.example", "ed25519:none")), null);

    const store = serverKeyStore(repos.serverKeys);
    assert.deepEqual(await store.load("hs.example", "ed25519:a"), longer);
    await store.save([{ ...key, serverName: "other.example" }]);
    assert.deepEqual(await store.load("other.example", "ed25519:a"), { ...key, serverName: "other.example" });
  });

  it("remembers processed transactions; the first response wins", async () => {
    assert.equal(must(await repos.transactions.get("hs.example", "txn1")), null);
    assert.deepEqual(must(await repos.transactions.save("hs.example", "txn1", { pdus: { $a: {} } })), { pdus: { $a: {} } });
    assert.deepEqual(must(await repos.transactions.save("hs.example", "txn1", { pdus: {} })), { pdus: { $a: {} } });
    assert.deepEqual(must(await repos.transactions.get("hs.example", "txn1")), { pdus: { $a: {} } });
    assert.equal(must(await repos.transactions.get("other.example", "txn1")), null, "keyed by origin too");
    assert.equal(must(await repos.transactions.prune(60_000)), 0);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(must(await repos.transactions.prune(1)), 1);
  });

  it("counts rate events in a sliding window per (community, sender, kind)", async () => {
    const base = { communityId: "c", sender: "@s:x", kind: "events" };
    assert.equal(must(await repos.rateEvents.recordAndCount({ ...base, ts: 1_000 }, 60_000)), 1);
    assert.equal(must(await repos.rateEvents.recordAndCount({ ...base, ts: 2_000 }, 60_000)), 2);
    assert.equal(must(await repos.rateEvents.recordAndCount({ ...base, kind: "mentions", ts: 2_000 }, 60_000)), 1);
    assert.equal(must(await repos.rateEvents.recordAndCount({ ...base, sender: "@t:x", ts: 2_000 }, 60_000)), 1);
    assert.equal(must(await repos.rateEvents.recordAndCount({ ...base, ts: 61_500 }, 60_000)), 2, "the event at 1000 left the window");
    assert.equal(must(await repos.rateEvents.prune(2_000)), 1);
  });
});
