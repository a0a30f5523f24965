import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import type { JoinRoom } from "../../src/http/routes/admin/join-flow.js";
import type { createJoiner } from "../../src/rooms/index.js";
import { startHarness, type Harness } from "./admin-harness.js";

/** Compile-time proof that the rooms area's joiner plugs straight into the admin and server-centric joins. */
type JoinerFits = ReturnType<typeof createJoiner> extends JoinRoom ? true : false;
const joinerFits: JoinerFits = true;

describe("admin API: rooms", () => {
  let h: Harness;
  let community: string;
  before(async () => {
    h = await startHarness();
    const created = await h.call("/api/v1/communities/new", { method: "POST", body: { name: "Rooms test" } });
    community = created.json.community_id;
  });
  after(() => h.close());
  beforeEach(async () => {
    await h.database.sql`DELETE FROM rooms`;
    h.joins.length = 0;
    h.failingJoins.clear();
  });

  it("accepts the rooms area's joiner as its join dependency", () => {
    assert.equal(joinerFits, true);
  });

  it("lists no rooms as [] (not null)", async () => {
    const res = await h.call("/api/v1/rooms");
    assert.equal(res.status, 200);
    assert.equal(res.text, "[]");
    assert.match(String(res.headers["content-type"]), /application\/json/);
  });

  it("joins a room into a community, then shows it in the list and by ID", async () => {
    const res = await h.call("/api/v1/rooms/!abc:example.org/join", { method: "POST", body: { community_id: community } });
    assert.equal(res.status, 200);
    const room = {
      room_id: "!abc:example.org",
      room_version: "10",
      moderator_user_id: "",
      last_cached_state_timestamp: 0,
      community_id: community,
    };
    assert.deepEqual(res.json, room);
    assert.deepEqual(h.joins, [["!abc:example.org", community]]);
    assert.deepEqual((await h.call("/api/v1/rooms")).json, [room]);
    assert.deepEqual((await h.call("/api/v1/rooms/!abc:example.org")).json, room);
    // The setup bot URI-encodes the room ID; the segment is decoded before the lookup.
    assert.deepEqual((await h.call("/api/v1/rooms/%21abc%3Aexample.org")).json, room);
  });

  it("answers 404 M_NOT_FOUND for an unknown room", async () => {
    const res = await h.call("/api/v1/rooms/!nope:example.org");
    assert.equal(res.status, 404);
    assert.deepEqual(res.json, { errcode: "M_NOT_FOUND", error: "Room not found" });
  });

  it("refuses a join into a missing, empty or unknown community with 400 M_BAD_STATE before touching the room", async () => {
    for (const body of [{}, { community_id: "" }, { community_id: "2b9bWQ6wz8YvKxPZ5lVAXYy3KZ0" }, null]) {
      const res = await h.call("/api/v1/rooms/!abc:example.org/join", { method: "POST", body: JSON.stringify(body) });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.deepEqual(res.json, { errcode: "M_BAD_STATE", error: "Community not found" });
    }
    assert.deepEqual(h.joins, []);
  });

  it("refuses a join of a room we already protect (in any community) with 400 M_BAD_STATE", async () => {
    await h.call("/api/v1/rooms/!abc:example.org/join", { method: "POST", body: { community_id: community } });
    const res = await h.call("/api/v1/rooms/!abc:example.org/join", { method: "POST", body: { community_id: "default" } });
    assert.equal(res.status, 400);
    assert.deepEqual(res.json, { errcode: "M_BAD_STATE", error: "Room already exists" });
    assert.equal(h.joins.length, 1);
  });

  it("refuses a malformed room ID with 400 M_INVALID_PARAM naming it, without trying to join", async () => {
    const res = await h.call("/api/v1/rooms/abc:example.org/join", { method: "POST", body: { community_id: community } });
    assert.equal(res.status, 400);
    assert.equal(res.json.errcode, "M_INVALID_PARAM");
    assert.match(res.json.error, /abc:example\.org/);
    assert.deepEqual(h.joins, []);
  });

  it("maps join failures: unknown errors are 500 M_UNKNOWN, relayed Matrix codes keep their status", async () => {
    h.failingJoins.set("!x:example.org", { errcode: "M_UNKNOWN", message: "make_join failed: 403" });
    let res = await h.call("/api/v1/rooms/!x:example.org/join", { method: "POST", body: { community_id: community } });
    assert.equal(res.status, 500);
    assert.equal(res.json.errcode, "M_UNKNOWN");
    h.failingJoins.set("!x:example.org", { errcode: "M_FORBIDDEN", message: "not invited" });
    res = await h.call("/api/v1/rooms/!x:example.org/join", { method: "POST", body: { community_id: community } });
    assert.equal(res.status, 403);
    assert.equal(res.json.errcode, "M_FORBIDDEN");
    assert.match(res.json.error, /not invited/);
    assert.equal((await h.call("/api/v1/rooms/!x:example.org")).status, 404);
  });

  it("rejects a join body that is not JSON, not an object, or has a wrong type", async () => {
    const cases: [string, string][] = [
      ["{", "M_NOT_JSON"],
      ["", "M_NOT_JSON"],
      ["[]", "M_BAD_JSON"],
      ['{"community_id": 5}', "M_BAD_JSON"],
    ];
    for (const [body, errcode] of cases) {
      const res = await h.call("/api/v1/rooms/!abc:example.org/join", { method: "POST", body });
      assert.equal(res.status, 400, body);
      assert.equal(res.json.errcode, errcode, body);
    }
  });

  it("sets and unsets a room moderator, echoing the request bytes", async () => {
    await h.call("/api/v1/rooms/!abc:example.org/join", { method: "POST", body: { community_id: community } });
    const body = '{ "room_id": "!abc:example.org",  "moderator_user_id": "@mod:example.org", "extra": [1] }';
    let res = await h.call("/api/v1/set_room_moderator", { method: "POST", body });
    assert.equal(res.status, 200);
    assert.equal(res.text, body);
    assert.equal((await h.call("/api/v1/rooms/!abc:example.org")).json.moderator_user_id, "@mod:example.org");
    res = await h.call("/api/v1/set_room_moderator", { method: "POST", body: { room_id: "!abc:example.org", moderator_user_id: "" } });
    assert.equal(res.status, 200);
    assert.equal((await h.call("/api/v1/rooms/!abc:example.org")).json.moderator_user_id, "");
  });

  it("answers set_room_moderator for an unknown, missing or empty room with 404, and a wrong type with 400", async () => {
    for (const body of [{ room_id: "!nope:x" }, {}, { room_id: "" }]) {
      const res = await h.call("/api/v1/set_room_moderator", { method: "POST", body });
      assert.equal(res.status, 404);
      assert.deepEqual(res.json, { errcode: "M_NOT_FOUND", error: "Room not found" });
    }
    const res = await h.call("/api/v1/set_room_moderator", { method: "POST", body: { room_id: "!a:b", moderator_user_id: 7 } });
    assert.equal(res.status, 400);
    assert.equal(res.json.errcode, "M_BAD_JSON");
    assert.match(res.json.error, /moderator_user_id/);
  });
});

describe("admin API: slow joins", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ joinDelayMs: 300, joinTimeoutMs: 50 });
  });
  after(() => h.close());

  it("answers 408 when the join outlasts its bound, and the join still completes and stores the room", async () => {
    const res = await h.call("/api/v1/rooms/!slow:example.org/join", { method: "POST", body: { community_id: "default" } });
    assert.equal(res.status, 408);
    assert.deepEqual(res.json, { errcode: "M_UNKNOWN", error: "Request timed out" });
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal((await h.call("/api/v1/rooms/!slow:example.org")).status, 200);
  });
});
