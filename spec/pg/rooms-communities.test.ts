import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { isDeepStrictEqual } from "node:util";
import KSUID from "ksuid";
import { createCommunitiesRepo, generateAccessToken, hashAccessToken, type CommunitiesRepo } from "../../src/storage/communities.repo.js";
import { createRoomsRepo, type RoomsRepo } from "../../src/storage/rooms.repo.js";
import { createTestDatabase, describeWithBackends, type TestDatabase } from "../support/database.js";

function must<T>(result: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.message}`);
  return result.value;
}

await describeWithBackends("rooms and communities repositories", (backend) => {
  let t: TestDatabase;
  let rooms: RoomsRepo;
  let communities: CommunitiesRepo;
  before(async () => {
    t = await createTestDatabase({ backend });
    rooms = createRoomsRepo(t.sql, t.db.read);
    communities = createCommunitiesRepo(t.sql, { read: t.db.read });
  });
  after(async () => {
    await t.drop();
  });

  it("creates communities with KSUID ids, an empty config and no self-join", async () => {
    const created = must(await communities.create("Test community"));
    assert.equal(created.id.length, 27);
    assert.match(created.id, /^[0-9A-Za-z]{27}$/);
    assert.ok(Math.abs(KSUID.parse(created.id).date.getTime() - Date.now()) < 60_000, "KSUID carries the creation time");
    assert.deepEqual({ ...created, id: "" }, { id: "", name: "Test community", config: {}, canSelfJoinRooms: false });
    assert.deepEqual(must(await communities.get(created.id)), created);
    assert.equal(must(await communities.get("no-such-community")), null);
    const ids = must(await communities.list()).map((c) => c.id);
    assert.ok(ids.includes("default") && ids.includes(created.id));
  });

  it("upserts, gets and lists rooms, and rejects an unknown community as invalid", async () => {
    const community = must(await communities.create("Rooms"));
    const room = { roomId: "!a:example.org", roomVersion: "11", moderatorUserId: "", lastStateUpdateTs: 0, communityId: community.id };
    assert.deepEqual(must(await rooms.upsert(room)), room);
    assert.deepEqual(must(await rooms.get(room.roomId)), room);
    const updated = { ...room, roomVersion: "12", moderatorUserId: "@mod:example.org" };
    assert.deepEqual(must(await rooms.upsert(updated)), updated);
    assert.deepEqual(must(await rooms.get(room.roomId)), updated);
    must(await rooms.upsert({ ...room, roomId: "!b:example.org", communityId: "default" }));
    assert.deepEqual(must(await rooms.listByCommunity(community.id)).map((r) => r.roomId), ["!a:example.org"]);
    assert.deepEqual(must(await rooms.list()).map((r) => r.roomId).filter((id) => id.endsWith("example.org")), ["!a:example.org", "!b:example.org"]);
    assert.equal(must(await rooms.get("!unknown:example.org")), null);
    assert.equal(must(await rooms.setLastStateUpdate(room.roomId, 1_750_000_000_123)), true);
    assert.equal(must(await rooms.get(room.roomId))?.lastStateUpdateTs, 1_750_000_000_123);
    assert.equal(must(await rooms.setLastStateUpdate("!unknown:example.org", 1)), false);
    const bad = await rooms.upsert({ ...room, roomId: "!c:example.org", communityId: "missing" });
    assert.ok(!bad.ok);
    assert.equal(bad.error.kind, "invalid");
    assert.match(bad.error.message, /upsert room !c:example.org: referenced row does not exist/);
  });

  it("replaces config wholesale and reports an unknown community as not_found", async () => {
    const community = must(await communities.create("Config"));
    must(await communities.setConfig(community.id, { keyword_filter_keywords: ["a"], spam_threshold: 0.5 }));
    const replaced = must(await communities.setConfig(community.id, { mention_filter_max_mentions: 3 }));
    assert.deepEqual(replaced.config, { mention_filter_max_mentions: 3 });
    const missing = await communities.setConfig("nope", {});
    assert.ok(!missing.ok);
    assert.equal(missing.error.kind, "not_found");
    assert.equal(missing.error.message, "community nope does not exist");
  });

  it("patches name, permission and config by merging keys (null removes a key)", async () => {
    const community = must(await communities.create("Patch"));
    must(await communities.setConfig(community.id, { keyword_filter_keywords: ["a", "b"], spam_threshold: 0.5, webhook_url: "https://x" }));
    const patched = must(
      await communities.patch(community.id, { canSelfJoinRooms: true, config: { keyword_filter_keywords: [], webhook_url: null } }),
    );
    assert.deepEqual(patched, {
      id: community.id,
      name: "Patch",
      canSelfJoinRooms: true,
      config: { keyword_filter_keywords: [], spam_threshold: 0.5 },
    });
    const renamed = must(await communities.patch(community.id, { name: "" }));
    assert.equal(renamed.name, "");
    assert.equal(renamed.canSelfJoinRooms, true);
    assert.deepEqual(renamed.config, patched.config);
    const missing = await communities.patch("nope", { name: "x" });
    assert.ok(!missing.ok);
    assert.equal(missing.error.kind, "not_found");
  });

  it("reads a JSONB null config (upstream PATCH config:null) back as {}", async () => {
    const community = must(await communities.create("Null config"));
    await t.sql`UPDATE communities SET config = 'null'::jsonb WHERE id = ${community.id}`;
    assert.deepEqual(must(await communities.get(community.id))?.config, {});
    const patched = must(await communities.patch(community.id, { config: { spam_threshold: 1 } }));
    assert.deepEqual(patched.config, { spam_threshold: 1 });
  });

  it("stores access tokens only as SHA-256 and revokes the old token on rotation", async () => {
    const community = must(await communities.create("Tokens"));
    const first = must(await communities.rotateAccessToken(community.id));
    assert.match(first.accessToken, /^pst_[A-Z2-7]{26}$/);
    assert.equal(first.replacedPrevious, false);
    const [stored] = await t.sql`SELECT api_access_token, api_access_token_sha256 FROM communities WHERE id = ${community.id}`;
    assert.equal(stored?.["api_access_token"], null, "no plaintext");
    assert.equal(stored?.["api_access_token_sha256"], hashAccessToken(first.accessToken));
    assert.equal(must(await communities.findByAccessToken(first.accessToken))?.id, community.id);

    const second = must(await communities.rotateAccessToken(community.id));
    assert.equal(second.replacedPrevious, true);
    assert.notEqual(second.accessToken, first.accessToken);
    assert.equal(must(await communities.findByAccessToken(first.accessToken)), null, "old token revoked");
    assert.equal(must(await communities.findByAccessToken(second.accessToken))?.id, community.id);
    assert.equal(must(await communities.findByAccessToken("")), null);
    const missing = await communities.rotateAccessToken("nope");
    assert.ok(!missing.ok);
    assert.equal(missing.error.kind, "not_found");
  });

  it("keeps every write under concurrency: concurrent PATCHes of different keys all land", async () => {
    const community = must(await communities.create("Concurrent patches"));
    const keys = Array.from({ length: 20 }, (_, i) => `key_${i}`);
    const results = await Promise.all(keys.map((key, i) => communities.patch(community.id, { config: { [key]: i } })));
    assert.ok(results.every((r) => r.ok));
    const config = must(await communities.get(community.id))?.config;
    assert.deepEqual(config, Object.fromEntries(keys.map((key, i) => [key, i])));
  });

  it("two concurrent config replacements: one wins whole, never a mixture", async () => {
    const community = must(await communities.create("Concurrent config"));
    const a = { keyword_filter_keywords: ["a"], spam_threshold: 0.1 };
    const b = { mention_filter_max_mentions: 7 };
    for (let round = 0; round < 10; round++) {
      const [ra, rb] = await Promise.all([communities.setConfig(community.id, a), communities.setConfig(community.id, b)]);
      assert.ok(ra.ok && rb.ok);
      const stored = must(await communities.get(community.id))?.config;
      assert.ok(
        isDeepStrictEqual(stored, a) || isDeepStrictEqual(stored, b),
        `stored config is exactly one write: ${JSON.stringify(stored)}`,
      );
    }
  });

  it("generates tokens from the given random source", () => {
    const zeros = generateAccessToken((size) => Buffer.alloc(size, 0));
    assert.equal(zeros, `pst_${"A".repeat(26)}`);
    const ones = generateAccessToken((size) => Buffer.alloc(size, 0xff));
    assert.equal(ones, `pst_${"7".repeat(26)}`);
  });
});
