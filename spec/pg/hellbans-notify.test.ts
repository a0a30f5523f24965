import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { createCommunitiesRepo } from "../../src/storage/communities.repo.js";
import { openDatabase, type Database } from "../../src/storage/database.js";
import { encodeHellbanPayload } from "../../src/storage/hellban-payload.js";
import { createHellbansRepo, type HellbansRepo } from "../../src/storage/hellbans.repo.js";
import { CHANNELS, createPubSub } from "../../src/storage/pubsub.js";
import { createRoomsRepo } from "../../src/storage/rooms.repo.js";
import { createTestDatabase, describeWithBackends, needsRealServer, silentLogger, type TestDatabase } from "../support/database.js";

function must<T>(result: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.message}`);
  return result.value;
}

/** Collects payloads and lets a test wait for the n-th one (bounded, so a missing notification fails, not hangs). */
function inbox<T>() {
  const items: T[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  return {
    items,
    push(item: T) {
      items.push(item);
      for (const w of waiters.filter((w) => items.length >= w.n)) w.resolve();
    },
    async waitFor(n: number, ms = 3_000): Promise<T[]> {
      if (items.length < n) {
        await Promise.race([
          new Promise<void>((resolve) => waiters.push({ n, resolve })),
          new Promise<void>((resolve) => setTimeout(resolve, ms)),
        ]);
      }
      return items;
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

await describeWithBackends("hellbans", (backend) => {
  let t: TestDatabase;
  let hellbans: HellbansRepo;
  before(async () => {
    t = await createTestDatabase({ backend });
    hellbans = createHellbansRepo(t.sql, t.db.read);
  });
  after(async () => {
    await t.drop();
  });

  it("bans, and a second ban while active never extends the first", async () => {
    const first = must(await hellbans.ban("c1", "@spammer:x", 60_000));
    assert.equal(first.created, true);
    const remaining = first.ban.expiresAt.getTime() - first.ban.createdAt.getTime();
    assert.ok(Math.abs(remaining - 60_000) < 5, `lasts the given duration (${remaining} ms)`);
    await sleep(20);
    const again = must(await hellbans.ban("c1", "@spammer:x", 600_000));
    assert.equal(again.created, false);
    assert.deepEqual(again.ban, first.ban, "unchanged: not extended");
    assert.deepEqual(must(await hellbans.getActive("c1", "@spammer:x")), first.ban);
    assert.equal(must(await hellbans.getActive("c2", "@spammer:x")), null, "per community");
  });

  it("replaces a ban only once it expired", async () => {
    const short = must(await hellbans.ban("c1", "@brief:x", 30));
    await sleep(60);
    assert.equal(must(await hellbans.getActive("c1", "@brief:x")), null, "expired");
    const renewed = must(await hellbans.ban("c1", "@brief:x", 60_000));
    assert.equal(renewed.created, true);
    assert.ok(renewed.ban.expiresAt > short.ban.expiresAt);
  });

  it("concurrent bans of one user create exactly one ban", async () => {
    const results = (await Promise.all(Array.from({ length: 12 }, (_, i) => hellbans.ban("c3", "@race:x", 10_000 + i * 1_000)))).map(must);
    assert.equal(results.filter((r) => r.created).length, 1);
    const expiries = new Set(results.map((r) => r.ban.expiresAt.getTime()));
    assert.equal(expiries.size, 1, "everyone sees the same expiry");
  });

  it("lists active bans and prunes expired ones", async () => {
    must(await hellbans.ban("c4", "@old:x", 10));
    must(await hellbans.ban("c4", "@new:x", 60_000));
    await sleep(40);
    assert.deepEqual(must(await hellbans.listActive("c4")).map((b) => b.userId), ["@new:x"]);
    assert.ok(must(await hellbans.listActive()).some((b) => b.communityId === "c1"));
    assert.ok(must(await hellbans.pruneExpired()) >= 1);
    const [row] = await t.sql`SELECT count(*)::int AS n FROM hellbans WHERE user_id = '@old:x'`;
    assert.equal(row?.["n"], 0);
  });

  it("rejects a non-positive duration, naming it", async () => {
    const bad = await hellbans.ban("c1", "@x:x", 0);
    assert.ok(!bad.ok);
    assert.equal(bad.error.kind, "invalid");
    assert.match(bad.error.message, /hellban duration must be a positive number of milliseconds, got 0/);
  });
});

await describeWithBackends("notifications", (backend) => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase({ backend });
  });
  after(async () => {
    await t.drop();
  });

  it("delivers trigger notifications (config, room move, hellban) to this process's subscribers", async () => {
    const pubsub = createPubSub(t.db, silentLogger);
    const configs = inbox<string>();
    const rooms = inbox<string>();
    const bans = inbox<{ communityId: string; userId: string }>();
    const stops = [
      await pubsub.onCommunityConfigChanged((id) => configs.push(id)),
      await pubsub.onRoomCommunityChanged((id) => rooms.push(id)),
      await pubsub.onHellban((notice) => bans.push(notice)),
    ];
    const communities = createCommunitiesRepo(t.sql);
    const roomsRepo = createRoomsRepo(t.sql);
    const community = must(await communities.create("Notify"));
    must(await communities.setConfig(community.id, {}));  // unchanged value: no notification
    must(await communities.setConfig(community.id, { spam_threshold: 0.2 }));
    must(await communities.patch(community.id, { name: "Renamed" })); // config untouched: no notification
    const room = { roomId: "!n:x", roomVersion: "11", moderatorUserId: "", lastStateUpdateTs: 0, communityId: "default" };
    must(await roomsRepo.upsert(room));
    must(await roomsRepo.upsert({ ...room, communityId: community.id }));
    must(await createHellbansRepo(t.sql).ban(community.id, "@a,b:x", 60_000));

    assert.deepEqual(await configs.waitFor(1), [community.id]);
    assert.deepEqual(await rooms.waitFor(1), ["!n:x"]);
    assert.deepEqual(await bans.waitFor(1), [{ communityId: community.id, userId: "@a,b:x" }]);
    await sleep(100);
    assert.equal(configs.items.length, 1, "only real changes notify");
    for (const stop of stops) await stop();
  });

  it("publishes and receives hellbans in upstream's CSV payload, matching the trigger's bytes", async () => {
    const raw = inbox<string>();
    const stop = await t.db.listen(CHANNELS.hellban, (payload) => raw.push(payload));
    const hellbans = createHellbansRepo(t.sql);
    must(await hellbans.ban("comm", '@quote"d:x', 60_000));
    must(await hellbans.ban("comm", " @lead:x", 60_000));
    must(await createPubSub(t.db, silentLogger).publishHellban({ communityId: "", userId: "@p:x" }));
    const got = await raw.waitFor(3);
    assert.deepEqual(got, [
      encodeHellbanPayload({ communityId: "comm", userId: '@quote"d:x' }),
      encodeHellbanPayload({ communityId: "comm", userId: " @lead:x" }),
      "default,@p:x\n",
    ]);
    assert.equal(got[0], 'comm,"@quote""d:x"\n');
    await stop();
  });

  it("a throwing subscriber does not stop the others", async () => {
    const seen = inbox<string>();
    const stopA = await t.db.listen("ps_test_channel", () => {
      throw new Error("subscriber bug");
    });
    const stopB = await t.db.listen("ps_test_channel", (payload) => seen.push(payload));
    must(await t.db.notify("ps_test_channel", "hello"));
    assert.deepEqual(await seen.waitFor(1), ["hello"]);
    await stopA();
    await stopB();
  });

  it("delivers across processes' connections: another pool's NOTIFY reaches this listener", { skip: needsRealServer(backend) }, async () => {
    const other: Database = openDatabase({ url: t.url, logger: silentLogger });
    try {
      const seen = inbox<string>();
      const stop = await t.db.listen(CHANNELS.communityConfigChanged, (id) => seen.push(id));
      must(await createCommunitiesRepo(other.sql).setConfig("default", { spam_threshold: 0.9 }));
      must(await other.notify(CHANNELS.communityConfigChanged, "manual"));
      assert.deepEqual(await seen.waitFor(2), ["default", "manual"]);
      await stop();
    } finally {
      await other.close();
    }
  });

  it("re-subscribes after the listening connection is killed", { skip: needsRealServer(backend) }, async () => {
    const seen = inbox<string>();
    let listens = 0;
    const stop = await t.db.listen("ps_reconnect_test", (p) => seen.push(p), { onListen: () => listens++ });
    assert.equal(listens, 1);
    await t.sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid() AND query ILIKE 'listen%'`;
    for (let i = 0; i < 50 && listens < 2; i++) await sleep(100);
    assert.ok(listens >= 2, "onListen fired again after reconnecting");
    must(await t.db.notify("ps_reconnect_test", "after"));
    assert.deepEqual(await seen.waitFor(1), ["after"]);
    await stop();
  });
});
