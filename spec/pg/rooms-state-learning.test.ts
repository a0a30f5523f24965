import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { generateSigningKey, parsePdu, type JsonObject } from "../../src/matrix/index.js";
import {
  createStateLearner,
  ensureDefaultCommunity,
  saveLearnedState,
  type LearningTrigger,
  type StateLearner,
} from "../../src/rooms/index.js";
import { createRepositories, type Repositories } from "../../src/storage/repositories.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { FakeHomeserver } from "../support/fake-homeserver.js";
import { clientFor, silent } from "../support/fake-resident-server.js";
import { TestRoom } from "../support/room-events.js";

const KEY = generateSigningKey("trusted1");
const START = 1_750_000_000_000;
const MINUTE = 60_000;

describe("state learning queue on PostgreSQL", () => {
  let database: TestDatabase;
  let repos: Repositories;
  let fake: FakeHomeserver;
  let now = START;
  let stateAnswer: () => { status?: number; body: JsonObject } = () => ({ body: { pdus: [], auth_chain: [] } });
  let learner: StateLearner;
  let room: TestRoom;

  before(async () => {
    database = await createTestDatabase();
    repos = createRepositories(database.db);
    fake = await FakeHomeserver.start({ serverName: "trusted.test" });
    fake.route("GET", "/_matrix/federation/v1/state/:room", () => stateAnswer());
  });
  after(async () => {
    await learner.stop();
    await fake.close();
    await database.drop();
  });

  beforeEach(async () => {
    now = START;
    await database.sql`DELETE FROM state_learn_queue`;
    room = new TestRoom("10", "trusted.test", KEY, "@owner:trusted.test");
    const stored = await repos.rooms.upsert({ roomId: room.roomId, roomVersion: "10", moderatorUserId: "", lastStateUpdateTs: 0, communityId: "default" });
    assert.ok(stored.ok);
    learner = createStateLearner({
      client: clientFor("ps.test", generateSigningKey("ps1"), { "trusted.test": fake }),
      repos,
      config: { trustedOrigins: ["trusted.test", "element.io"], stateCacheMinutes: 5, stateCacheIntervalMinutes: 60 },
      now: () => now,
      logger: silent,
      onLearned: saveLearnedState(repos),
      random: () => 0.5,
    });
  });

  function trigger(event: JsonObject, spam = false): LearningTrigger {
    const parsed = parsePdu(event, room.version);
    assert.ok(parsed.ok);
    return { pdu: parsed.value, roomVersion: room.version, verdict: { spam } };
  }

  const message = (sender: string) => room.event({ type: "m.room.message", sender, content: { body: "hi" } });

  it("queues a trusted sender's event for a stale room, learns it once due, and records the time", async () => {
    const event = message("@mod:trusted.test");
    const queued = await learner.considerEvent(trigger(event));
    assert.deepEqual(queued, { ok: true, value: true });
    const [row] = await database.sql`SELECT at_event_id, via, after_ts::float8 AS after_ts FROM state_learn_queue WHERE room_id = ${room.roomId}`;
    assert.equal(row?.["via"], "trusted.test");
    assert.equal(row?.["after_ts"], START + 2 * MINUTE);

    const policyRule = room.event({ type: "m.policy.rule.server", sender: "@mod:trusted.test", state_key: "r1", content: { entity: "*.evil.test", recommendation: "m.ban" } });
    stateAnswer = () => ({
      body: {
        pdus: [
          room.createEvent,
          room.member("@alice:trusted.test", "Alice"),
          room.member("@bob:trusted.test", "   "),
          room.event({ type: "m.room.power_levels", sender: "@owner:trusted.test", state_key: "", content: { state_default: 60 } }),
          policyRule,
        ],
        auth_chain: [],
      },
    });
    assert.equal(await learner.runOnce(), 0, "not due before two minutes");
    now = START + 2 * MINUTE;
    assert.equal(await learner.runOnce(), 1);

    const request = fake.requestsTo("GET", "/_matrix/federation/v1/state/").at(-1);
    assert.equal(request?.query.get("event_id"), trigger(event).pdu.eventId);
    const names = await repos.roomState.getDisplaynames(room.roomId);
    assert.deepEqual(names, { ok: true, value: [{ userId: "@alice:trusted.test", displayname: "Alice" }] });
    const rules = await repos.roomState.getBanRules([room.roomId]);
    assert.deepEqual(rules.ok && rules.value.map((r) => [r.entityType, r.entityId]), [["m.policy.rule.server", "*.evil.test"]]);
    const levels = await repos.trustData.get("power_levels", room.roomId);
    assert.equal(levels.ok && (levels.value as { state_default: number }).state_default, 60);
    const stored = await repos.rooms.get(room.roomId);
    assert.equal(stored.ok && stored.value?.lastStateUpdateTs, now);
    const left = await database.sql`SELECT count(*)::int AS n FROM state_learn_queue`;
    assert.equal(left[0]?.["n"], 0);
  });

  it("does not queue prohibited events, untrusted senders, or fresh rooms for ordinary events", async () => {
    assert.deepEqual(await learner.considerEvent(trigger(message("@mod:trusted.test"), true)), { ok: true, value: false });
    assert.deepEqual(await learner.considerEvent(trigger(message("@mod:elsewhere.test"))), { ok: true, value: false });
    await repos.rooms.setLastStateUpdate(room.roomId, START - MINUTE);
    assert.deepEqual(await learner.considerEvent(trigger(message("@mod:trusted.test"))), { ok: true, value: false });
    const rows = await database.sql`SELECT count(*)::int AS n FROM state_learn_queue`;
    assert.equal(rows[0]?.["n"], 0);
  });

  it("queues a learnable event even when the room is fresh; the first trigger wins", async () => {
    await repos.rooms.setLastStateUpdate(room.roomId, START - MINUTE);
    const join = room.member("@new:trusted.test", "Newcomer");
    assert.deepEqual(await learner.considerEvent(trigger(join)), { ok: true, value: true });
    assert.deepEqual(await learner.considerEvent(trigger(room.member("@other:trusted.test", "O"))), { ok: true, value: false });
    const rows = await database.sql`SELECT at_event_id FROM state_learn_queue`;
    assert.equal(rows[0]?.["at_event_id"], trigger(join).pdu.eventId);
  });

  it("puts a failed item back for later and leaves the timestamp alone", async () => {
    await learner.considerEvent(trigger(message("@mod:trusted.test")));
    stateAnswer = () => ({ status: 500, body: { errcode: "M_UNKNOWN", error: "boom" } });
    now = START + 3 * MINUTE;
    assert.equal(await learner.runOnce(), 0);
    const [row] = await database.sql`SELECT after_ts::float8 AS after_ts FROM state_learn_queue WHERE room_id = ${room.roomId}`;
    assert.equal(row?.["after_ts"], now + 5 * MINUTE);
    const stored = await repos.rooms.get(room.roomId);
    assert.equal(stored.ok && stored.value?.lastStateUpdateTs, 0);
  });

  it("drops items of rooms no longer protected", async () => {
    await repos.stateLearnQueue.push({ roomId: "!gone:trusted.test", atEventId: "$x", via: "trusted.test", afterTs: START });
    assert.equal(await learner.runOnce(), 1);
    const rows = await database.sql`SELECT count(*)::int AS n FROM state_learn_queue`;
    assert.equal(rows[0]?.["n"], 0);
  });

  it("runs once shortly after start() without being asked", async () => {
    await repos.stateLearnQueue.push({ roomId: room.roomId, atEventId: "$x", via: "trusted.test", afterTs: START });
    stateAnswer = () => ({ body: { pdus: [room.member("@started:trusted.test", "Started")], auth_chain: [] } });
    const quick = createStateLearner({
      client: clientFor("ps.test", generateSigningKey("ps1"), { "trusted.test": fake }),
      repos,
      config: { trustedOrigins: ["trusted.test"], stateCacheMinutes: 5, stateCacheIntervalMinutes: 60 },
      now: () => now,
      logger: silent,
      onLearned: saveLearnedState(repos),
      firstRunMaxDelayMs: 20,
    });
    quick.start();
    for (let i = 0; i < 100; i++) {
      const names = await repos.roomState.getDisplaynames(room.roomId);
      if (names.ok && names.value.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await quick.stop();
    const names = await repos.roomState.getDisplaynames(room.roomId);
    assert.deepEqual(names.ok && names.value.map((n) => n.displayname), ["Started"]);
  });

  it("reads a room once while its state is fresh, and neither reads nor queues again while its item waits", async () => {
    const calls = { get: 0, push: 0 };
    const counted = createStateLearner({
      client: clientFor("ps.test", generateSigningKey("ps1"), { "trusted.test": fake }),
      repos: {
        rooms: {
          get: (roomId) => (calls.get++, repos.rooms.get(roomId)),
          setLastStateUpdate: (roomId, ts) => repos.rooms.setLastStateUpdate(roomId, ts),
        },
        stateLearnQueue: {
          push: (item) => (calls.push++, repos.stateLearnQueue.push(item)),
          popDue: (ts) => repos.stateLearnQueue.popDue(ts),
        },
      },
      config: { trustedOrigins: ["trusted.test"], stateCacheMinutes: 5, stateCacheIntervalMinutes: 60 },
      now: () => now,
      logger: silent,
      onLearned: saveLearnedState(repos),
    });
    // Untrusted senders and spam are decided without the room.
    await counted.considerEvent(trigger(message("@mod:elsewhere.test")));
    await counted.considerEvent(trigger(message("@mod:trusted.test"), true));
    assert.deepEqual(calls, { get: 0, push: 0 });

    await repos.rooms.setLastStateUpdate(room.roomId, START - MINUTE);
    for (let i = 0; i < 5; i++) {
      assert.deepEqual(await counted.considerEvent(trigger(message("@mod:trusted.test"))), { ok: true, value: false });
    }
    assert.deepEqual(calls, { get: 1, push: 0 }, "fresh: one read for five events");

    // Four minutes later the state is stale: one read, one push; then the waiting item answers for the room.
    now = START + 4 * MINUTE;
    assert.deepEqual(await counted.considerEvent(trigger(message("@mod:trusted.test"))), { ok: true, value: true });
    assert.deepEqual(await counted.considerEvent(trigger(room.member("@new:trusted.test", "N"))), { ok: true, value: false });
    assert.deepEqual(await counted.considerEvent(trigger(message("@mod:trusted.test"))), { ok: true, value: false });
    assert.deepEqual(calls, { get: 2, push: 1 });

    // Once the item is due it may be popped at any moment, so the next event reads and pushes again.
    now = START + 6 * MINUTE;
    assert.deepEqual(await counted.considerEvent(trigger(message("@mod:trusted.test"))), { ok: true, value: false });
    assert.deepEqual(calls, { get: 3, push: 2 });

    // Learning bumps the time this process remembers: fresh again without a read.
    assert.equal(await counted.runOnce(), 1);
    const afterLearning = calls.get;
    assert.deepEqual(await counted.considerEvent(trigger(message("@mod:trusted.test"))), { ok: true, value: false });
    assert.equal(calls.get, afterLearning);
  });

  it("sees a newer learning time written by another process when its own memory says stale", async () => {
    await repos.rooms.setLastStateUpdate(room.roomId, START - MINUTE);
    assert.deepEqual(await learner.considerEvent(trigger(message("@mod:trusted.test"))), { ok: true, value: false });
    now = START + 10 * MINUTE;
    await repos.rooms.setLastStateUpdate(room.roomId, now - MINUTE);
    assert.deepEqual(await learner.considerEvent(trigger(message("@mod:trusted.test"))), { ok: true, value: false });
    const rows = await database.sql`SELECT count(*)::int AS n FROM state_learn_queue`;
    assert.equal(rows[0]?.["n"], 0);
  });

  it("recreates the default community when it is missing, and leaves an existing one alone", async () => {
    await database.sql`UPDATE communities SET config = '{"keyword_filter_enabled": true}'::jsonb WHERE id = 'default'`;
    assert.deepEqual(await ensureDefaultCommunity(database.sql), { ok: true, value: undefined });
    const [kept] = await database.sql`SELECT config FROM communities WHERE id = 'default'`;
    assert.deepEqual(kept?.["config"], { keyword_filter_enabled: true });
    await database.sql`DELETE FROM rooms`;
    await database.sql`DELETE FROM communities WHERE id = 'default'`;
    await ensureDefaultCommunity(database.sql);
    const [row] = await database.sql`SELECT id, name, config FROM communities WHERE id = 'default'`;
    assert.deepEqual({ ...row }, { id: "default", name: "default", config: {} });
  });
});
