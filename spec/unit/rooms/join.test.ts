import assert from "node:assert/strict";
import { describe, it, type TestContext } from "node:test";
import type { RoomFacts } from "../../../src/filters/types.js";
import { generateSigningKey, getOwn, parsePdu, verifyPduSignatures, type JsonObject } from "../../../src/matrix/index.js";
import { ok, type Result } from "../../../src/result.js";
import { createJoiner, joinRoom, validateRoomId, type JoinDeps } from "../../../src/rooms/index.js";
import type { BanRuleRecord } from "../../../src/storage/room-state.repo.js";
import type { RoomRecord } from "../../../src/storage/rooms.repo.js";
import type { StorageError } from "../../../src/storage/storage-error.js";
import { FakeHomeserver } from "../../support/fake-homeserver.js";
import { clientFor, serveRoom, silent } from "../../support/fake-resident-server.js";
import { keysOf, TestRoom } from "../../support/room-events.js";

const OUR_NAME = "ps.test";
const OUR_KEY = generateSigningKey("ps1");
const RESIDENT_KEY = generateSigningKey("res1");
const EVIL_KEY = generateSigningKey("evil1");
const NOW = 1_750_000_000_000;

class MemoryRooms {
  readonly rows = new Map<string, RoomRecord>();
  readonly communities = new Set(["default", "c1"]);
  async get(roomId: string): Promise<Result<RoomRecord | null, StorageError>> {
    return ok(this.rows.get(roomId) ?? null);
  }
  async upsert(room: RoomRecord): Promise<Result<RoomRecord, StorageError>> {
    this.rows.set(room.roomId, room);
    return ok(room);
  }
  async setLastStateUpdate(roomId: string, ts: number): Promise<Result<boolean, StorageError>> {
    const row = this.rows.get(roomId);
    if (row === undefined) return ok(false);
    this.rows.set(roomId, { ...row, lastStateUpdateTs: ts });
    return ok(true);
  }
}

interface Setup {
  readonly deps: JoinDeps;
  readonly rooms: MemoryRooms;
  readonly learned: { roomId: string; facts: RoomFacts; banRules: readonly BanRuleRecord[] }[];
  readonly fake: FakeHomeserver;
}

async function setup(t: TestContext, joinServer = "join.test"): Promise<Setup> {
  const fake = await FakeHomeserver.start({ serverName: joinServer });
  t.after(() => fake.close());
  const rooms = new MemoryRooms();
  const learned: Setup["learned"] = [];
  const deps: JoinDeps = {
    client: clientFor(OUR_NAME, OUR_KEY, { [joinServer]: fake }),
    getKey: keysOf({ "join.test": RESIDENT_KEY, [OUR_NAME]: OUR_KEY, "evil.test": EVIL_KEY }),
    signingKey: OUR_KEY,
    repos: {
      rooms,
      communities: { get: async (id) => ok(rooms.communities.has(id) ? { id, name: id, config: {}, canSelfJoinRooms: false } : null) },
    },
    config: { homeserverName: OUR_NAME, joinServer, joinLocalpart: "policyserv" },
    now: () => NOW,
    logger: silent,
    onLearned: async (roomId, facts, banRules) => {
      learned.push({ roomId, facts, banRules });
      return ok(undefined);
    },
  };
  return { deps, rooms, learned, fake };
}

function residentRoom(version: string): { room: TestRoom; state: JsonObject[] } {
  const room = new TestRoom(version, "join.test", RESIDENT_KEY, "@owner:join.test");
  const state = [
    room.member("@owner:join.test", "Owner"),
    room.member("@alice:join.test", "Alice"),
    room.event({ type: "m.room.power_levels", sender: "@owner:join.test", state_key: "", content: { users: { "@owner:join.test": 100 } } }),
  ];
  return { room, state };
}

async function assertValidJoin(event: JsonObject, room: TestRoom): Promise<void> {
  const parsed = parsePdu(event, room.version);
  assert.ok(parsed.ok, JSON.stringify(parsed));
  assert.equal(parsed.value.contentHashValid, true);
  assert.equal(parsed.value.sender, "@policyserv:ps.test");
  assert.equal(parsed.value.stateKey, "@policyserv:ps.test");
  assert.equal(getOwn(parsed.value.content, "membership"), "join");
  const verified = await verifyPduSignatures(parsed.value, keysOf({ [OUR_NAME]: OUR_KEY }));
  assert.ok(verified.ok, JSON.stringify(verified));
}

describe("joinRoom", () => {
  for (const version of ["10", "11", "12"]) {
    it(`joins a room version ${version} room through send_join v2, stores and learns it`, async (t) => {
      const { deps, rooms, learned, fake } = await setup(t);
      const { room, state } = residentRoom(version);
      const { joins } = serveRoom(fake, room, state);
      const result = await joinRoom(deps, room.roomId, "c1");
      assert.ok(result.ok, JSON.stringify(result));
      assert.deepEqual(result.value, { roomId: room.roomId, roomVersion: version, moderatorUserId: "", lastStateUpdateTs: NOW, communityId: "c1" });
      assert.deepEqual(rooms.rows.get(room.roomId), result.value);

      const makeJoin = fake.requestsTo("GET", "/_matrix/federation/v1/make_join/")[0];
      assert.deepEqual(makeJoin?.query.getAll("ver"), ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"]);
      assert.equal(joins.length, 1);
      const join = joins[0] as JsonObject;
      await assertValidJoin(join, room);
      assert.equal(join["origin"], undefined, "a clean v3+ PDU has no origin");
      assert.equal(join["event_id"], undefined, "v3+ events carry no event_id");
      assert.equal(join["origin_server_ts"], NOW);

      assert.equal(learned.length, 1);
      assert.deepEqual(
        learned[0]?.facts.members.map((m) => m.displayName),
        ["Owner", "Alice"],
      );
      assert.equal(learned[0]?.facts.powerLevels?.users["@owner:join.test"], 100);
      assert.deepEqual(learned[0]?.facts.creators, version === "12" ? ["@owner:join.test"] : undefined);
    });
  }

  it("falls back to send_join v1 and joins a v1 room whose make_join omits the version", async (t) => {
    const { deps, rooms, fake } = await setup(t);
    const { room, state } = residentRoom("1");
    const { joins } = serveRoom(fake, room, state, { v1Only: true, omitRoomVersion: true });
    const result = await joinRoom(deps, room.roomId, "default");
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.value.roomVersion, "1");
    assert.equal(fake.requestsTo("PUT", "/_matrix/federation/v1/send_join/").length, 1);
    const join = joins[0] as JsonObject;
    assert.match(String(join["event_id"]), /^\$[A-Za-z0-9_-]{16}:ps\.test$/);
    assert.equal(join["origin"], OUR_NAME);
    await assertValidJoin(join, room);
    assert.equal(rooms.rows.get(room.roomId)?.communityId, "default");
  });

  it("drops state events with bad signatures and still joins", async (t) => {
    const { deps, learned, fake } = await setup(t);
    const { room, state } = residentRoom("10");
    const forged = room.event(
      { type: "m.room.member", sender: "@mallory:join.test", state_key: "@mallory:join.test", content: { membership: "join", displayname: "Mallory" } },
      { server: "join.test", key: EVIL_KEY },
    );
    const tampered = { ...room.member("@trudy:join.test", "Trudy"), origin_server_ts: 5 };
    serveRoom(fake, room, state, { extraState: () => [forged, tampered] });
    const result = await joinRoom(deps, room.roomId, "c1");
    assert.ok(result.ok, JSON.stringify(result));
    const names = learned[0]?.facts.members.map((m) => m.displayName) ?? [];
    assert.deepEqual(names, ["Owner", "Alice"]);
  });

  it("fails when the create event in the answer is not validly signed", async (t) => {
    const { deps, rooms, fake } = await setup(t);
    const { room, state } = residentRoom("10");
    const badCreate = { ...room.createEvent, signatures: {} };
    serveRoom(fake, room, state, { state: () => [badCreate, ...state], authChain: () => [badCreate] });
    const result = await joinRoom(deps, room.roomId, "c1");
    assert.equal(result.ok, false);
    assert.equal(result.ok ? "" : result.error.errcode, "M_UNKNOWN");
    assert.match(result.ok ? "" : result.error.message, /m\.room\.create/);
    assert.equal(rooms.rows.size, 0);
  });

  it("answers M_UNKNOWN with the reason when the join server is down", async (t) => {
    const { deps, rooms, fake } = await setup(t);
    await fake.close();
    const result = await joinRoom(deps, "!room:join.test", "c1");
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.error.errcode, "M_UNKNOWN");
    assert.equal(result.error.retryable, true);
    assert.match(result.error.message, /make_join/);
    assert.equal(rooms.rows.size, 0);
  });

  it("answers M_UNKNOWN naming the resident's error when make_join is refused", async (t) => {
    const { deps, fake } = await setup(t);
    const { room, state } = residentRoom("10");
    serveRoom(fake, room, state);
    const result = await joinRoom(deps, "!other:join.test", "c1");
    assert.equal(result.ok, false);
    assert.match(result.ok ? "" : result.error.message, /HTTP 404 M_NOT_FOUND/);
  });

  it("answers M_BAD_STATE 'Room already exists' without federation traffic", async (t) => {
    const { deps, rooms, fake } = await setup(t);
    rooms.rows.set("!known:join.test", { roomId: "!known:join.test", roomVersion: "10", moderatorUserId: "", lastStateUpdateTs: 0, communityId: "c1" });
    const result = await joinRoom(deps, "!known:join.test", "default");
    assert.deepEqual(result, { ok: false, error: { errcode: "M_BAD_STATE", message: "Room already exists", retryable: false } });
    assert.equal(fake.requests.length, 0);
    assert.equal(rooms.rows.get("!known:join.test")?.communityId, "c1");
  });

  it("answers M_BAD_STATE 'Community not found'", async (t) => {
    const { deps } = await setup(t);
    const result = await joinRoom(deps, "!r:join.test", "nope");
    assert.deepEqual(result, { ok: false, error: { errcode: "M_BAD_STATE", message: "Community not found", retryable: false } });
  });

  it("answers M_INVALID_PARAM for a malformed room ID", async (t) => {
    const { deps } = await setup(t);
    const result = await joinRoom(deps, "#alias:join.test", "c1");
    assert.equal(result.ok ? "" : result.error.errcode, "M_INVALID_PARAM");
  });

  it("shares one attempt between concurrent joins of the same room", async (t) => {
    const { deps, fake } = await setup(t);
    const { room, state } = residentRoom("11");
    const { joins } = serveRoom(fake, room, state);
    const join = createJoiner(deps);
    const [first, second] = await Promise.all([join(room.roomId, "c1"), join(room.roomId, "c1")]);
    assert.equal(first.ok, true);
    assert.equal(second.ok ? "" : second.error.message, "Room already exists");
    assert.equal(joins.length, 1);
  });

  it("keeps the room when saving the learned state fails, with a zero state timestamp", async (t) => {
    const { deps, rooms, fake } = await setup(t);
    const { room, state } = residentRoom("10");
    serveRoom(fake, room, state);
    const result = await joinRoom({ ...deps, onLearned: async () => ({ ok: false, error: "actor down" }) }, room.roomId, "c1");
    assert.ok(result.ok);
    assert.equal(result.value.lastStateUpdateTs, 0);
    assert.equal(rooms.rows.get(room.roomId)?.lastStateUpdateTs, 0);
  });
});

describe("validateRoomId", () => {
  const cases: [string, boolean][] = [
    ["!abc:example.org", true],
    ["!abc:example.org:8448", true],
    ["!abc:[::1]:8448", true],
    ["!" + "a".repeat(43), true],
    ["!" + "a".repeat(42), false],
    ["!:example.org", false],
    ["abc:example.org", false],
    ["!abc:exa mple.org", false],
    ["!abc", false],
  ];
  for (const [id, valid] of cases) {
    it(`${JSON.stringify(id)} → ${valid ? "valid" : "invalid"}`, () => {
      assert.equal(validateRoomId(id).ok, valid);
    });
  }
});
