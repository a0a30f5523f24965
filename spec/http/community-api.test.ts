import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { pino } from "pino";
import { contentInfo } from "../../src/harms/content-info.js";
import { createEventFetcher } from "../../src/http/routes/community-api-event-fetch.js";
import type { JsonObject } from "../../src/matrix/json.js";
import type { Pdu } from "../../src/matrix/pdu.js";
import type { VerifiedEvent } from "../../src/policy/service.js";
import { err, ok } from "../../src/result.js";
import { startHarness, type Harness } from "./admin-harness.js";

describe("server-centric API", () => {
  let h: Harness;
  let id: string;
  let token: string;
  const api = (path: string, body?: string, auth: string | null = `Bearer ${token}`) =>
    h.call(`/_policyserv/v1/${path}`, { method: "POST", body, auth });
  before(async () => {
    h = await startHarness();
    id = (await h.call("/api/v1/communities/new", { method: "POST", body: { name: "Server API" } })).json.community_id;
    token = (await h.call(`/api/v1/communities/${id}/rotate_access_token`, { method: "POST" })).json.new_access_token;
  });
  after(() => h.close());

  it("refuses missing, malformed and unknown tokens with 401, and the admin key is not a token", async () => {
    for (const auth of [null, "Bearer", "Bearer ", "1234567", `XXXXXXX${token}`, `bearer ${token}`, "Bearer pst_AAAAAAAAAAAAAAAAAAAAAAAAAA", "Bearer secret key with spaces"]) {
      for (const path of ["check/text", "check/event_id", "join/!a:example.org"]) {
        const res = await api(path, "{}", auth);
        assert.equal(res.status, 401, `${path} ${String(auth)}`);
        assert.deepEqual(res.json, { errcode: "M_UNAUTHORIZED", error: "Not allowed" });
      }
    }
  });

  it("answers a wrong method with 405 before authentication", async () => {
    for (const path of ["check/text", "check/event_id", "join/!a:example.org"]) {
      const res = await h.call(`/_policyserv/v1/${path}`, { method: "GET", auth: null });
      assert.equal(res.status, 405, path);
    }
  });

  describe("check/text", () => {
    it("answers {} for clean text and for an empty body", async () => {
      for (const body of ["hello world", undefined]) {
        const res = await api("check/text", body);
        assert.equal(res.status, 200);
        assert.deepEqual(res.json, {});
      }
    });

    it("refuses spammy text with 400 ORG.MATRIX.MSC4387_SAFETY and its harms", async () => {
      const res = await api("check/text", "this is spammy spam");
      assert.equal(res.status, 400);
      assert.equal(res.json.errcode, "ORG.MATRIX.MSC4387_SAFETY");
      assert.equal(res.json.error, "Text is probably spammy");
      assert.ok(Array.isArray(res.json["org.matrix.msc4387.harms"]) && res.json["org.matrix.msc4387.harms"].length > 0);
    });

    it("uses the token's community config, and sees a config change at the very next check", async () => {
      await h.call(`/api/v1/communities/${id}/config`, { method: "POST", body: { keyword_filter_keywords: ["crypto giveaway"] } });
      assert.equal((await api("check/text", "spammy spam")).status, 200);
      assert.equal((await api("check/text", "free crypto giveaway")).status, 400);
      await h.call(`/api/v1/communities/${id}`, { method: "PATCH", body: { config: { keyword_filter_keywords: null } } });
      assert.equal((await api("check/text", "free crypto giveaway")).status, 200);
      assert.equal((await api("check/text", "spammy spam")).status, 400);
    });

    it("stores nothing", async () => {
      await api("check/text", "spammy spam");
      assert.equal((await h.database.sql`SELECT count(*)::int AS n FROM hellbans`)[0]?.["n"], 0);
    });
  });

  describe("check/event_id", () => {
    it("answers a stored verdict by its class without fetching (neutral stays neutral)", async () => {
      await h.repos.verdicts.save("$neutral", contentInfo("Neutral"));
      await h.repos.verdicts.save("$bad", contentInfo("Prohibited", ["org.matrix.msc4456.spam"]));
      const fine = await api("check/event_id", JSON.stringify({ event_id: "$neutral" }));
      assert.equal(fine.status, 200);
      assert.deepEqual(fine.json, {});
      const bad = await api("check/event_id", JSON.stringify({ event_id: "$bad" }));
      assert.equal(bad.status, 400);
      assert.deepEqual(bad.json, {
        errcode: "M_FORBIDDEN",
        error: "This message is not allowed by the policy server",
        "org.matrix.msc4387.harms": ["org.matrix.msc4456.spam"],
      });
      assert.deepEqual(h.checks, []);
    });

    it("fetches an unseen event, checks it like an MSC4284 check, and answers later asks from the stored verdict", async () => {
      h.fetchable.set("$fresh", { body: "buy spam now", sender: "@s:example.org", communityId: "default" });
      h.fetchable.set("$ok", { body: "hi", sender: "@s:example.org", communityId: "default" });
      const first = await api("check/event_id", JSON.stringify({ event_id: "$fresh" }));
      assert.equal(first.status, 400);
      assert.equal(first.json.errcode, "M_FORBIDDEN");
      assert.deepEqual(first.json["org.matrix.msc4387.harms"], ["org.matrix.msc4456.spam"]);
      assert.equal((await api("check/event_id", JSON.stringify({ event_id: "$ok" }))).status, 200);
      const again = await api("check/event_id", JSON.stringify({ event_id: "$fresh" }));
      assert.equal(again.status, 400);
      assert.deepEqual(h.checks, ["$fresh", "$ok"]);
    });

    it("answers 500 M_UNKNOWN when no fetch server can supply the event", async () => {
      const res = await api("check/event_id", JSON.stringify({ event_id: "$missing" }));
      assert.equal(res.status, 500);
      assert.equal(res.json.errcode, "M_UNKNOWN");
    });

    it("rejects a missing, mistyped or malformed event_id with 400 naming it (upstream fetched \"\" and said 500)", async () => {
      const cases: [string, string][] = [["{}", "M_MISSING_PARAM"], ['{"event_id": 5}', "M_BAD_JSON"], ['{"event_id": "abc"}', "M_INVALID_PARAM"], ["{", "M_NOT_JSON"]];
      for (const [body, errcode] of cases) {
        const res = await api("check/event_id", body);
        assert.equal(res.status, 400, body);
        assert.equal(res.json.errcode, errcode, body);
      }
    });
  });

  describe("join", () => {
    it("refuses a community without self-join permission with 403 before looking at the room", async () => {
      const res = await api("join/!self:example.org");
      assert.equal(res.status, 403);
      assert.deepEqual(res.json, { errcode: "M_FORBIDDEN", error: "This community cannot self-serve add rooms" });
      assert.deepEqual(h.joins, []);
    });

    it("joins into the token's community once permitted, and refuses a room already protected", async () => {
      await h.call(`/api/v1/communities/${id}`, { method: "PATCH", body: { can_self_join_rooms: true } });
      const res = await api("join/!self:example.org", "ignored body");
      assert.equal(res.status, 200);
      assert.equal(res.json.room_id, "!self:example.org");
      assert.equal(res.json.community_id, id);
      assert.deepEqual(h.joins, [["!self:example.org", id]]);
      const again = await api("join/!self:example.org");
      assert.equal(again.status, 400);
      assert.deepEqual(again.json, { errcode: "M_BAD_STATE", error: "Room already exists" });
    });
  });

  it("revokes the old token the moment it is rotated", async () => {
    const old = token;
    assert.equal((await api("check/text", "hi", `Bearer ${old}`)).status, 200);
    const rotated = await h.call(`/api/v1/communities/${id}/rotate_access_token`, { method: "POST" });
    token = rotated.json.new_access_token;
    assert.equal((await api("check/text", "hi", `Bearer ${old}`)).status, 401);
    assert.equal((await api("check/text", "hi", `Bearer ${token}`)).status, 200);
    const [row] = await h.database.sql`SELECT api_access_token, api_access_token_sha256 FROM communities WHERE id = ${id}`;
    assert.equal(row?.["api_access_token"], null);
    assert.match(String(row?.["api_access_token_sha256"]), /^[0-9a-f]{64}$/);
  });
});

describe("event fetcher", () => {
  const logger = pino({ level: "silent" });
  const pduFor = (eventId: string): Pdu =>
    ({ eventId, roomId: "!r:x", roomVersion: "10", type: "m.room.message", stateKey: undefined, sender: "@a:x", originServerTs: 1, content: {}, json: { type: "m.room.message", room_id: "!r:x", sender: "@a:x", content: {} }, contentHashValid: true, signedBytes: Buffer.alloc(0), canonicalLength: 0 }) as Pdu;
  const room = { roomId: "!r:x", roomVersion: "10", communityId: "c1" };

  it("asks every server at once and takes the first answer that verifies", async () => {
    const asked: string[] = [];
    const fetcher = createEventFetcher({
      servers: ["slow.example", "bad.example", "good.example"],
      getEvent: async (server) => {
        asked.push(server);
        if (server === "slow.example") await new Promise((resolve) => setTimeout(resolve, 200));
        return ok({ pdu: { server } as JsonObject });
      },
      verify: async (json): Promise<VerifiedEvent> =>
        (json as { server: string }).server === "bad.example"
          ? { kind: "refused", reason: "signature", message: "bad signature" }
          : { kind: "ok", pdu: pduFor("$e"), room },
      logger,
    });
    const started = Date.now();
    const result = await fetcher("$e");
    assert.ok(result.ok);
    assert.equal(result.value.kind, "event");
    if (result.value.kind === "event") {
      assert.equal(result.value.communityId, "c1");
      assert.equal(result.value.event.eventId, "$e");
    }
    assert.ok(Date.now() - started < 150, "did not wait for the slow server");
    assert.deepEqual(asked.sort(), ["bad.example", "good.example", "slow.example"]);
  });

  it("rejects a server answering with another event, and reports every server's reason when all fail", async () => {
    const fetcher = createEventFetcher({
      servers: ["liar.example", "down.example", "elsewhere.example"],
      getEvent: async (server) => (server === "down.example" ? err({ message: "connection refused" }) : ok({ pdu: { server } as JsonObject })),
      verify: async (json): Promise<VerifiedEvent> =>
        (json as { server: string }).server === "liar.example" ? { kind: "ok", pdu: pduFor("$other"), room } : { kind: "unknown_room" },
      logger,
    });
    const result = await fetcher("$e");
    assert.ok(!result.ok);
    assert.match(result.error, /liar\.example: answered with another event/);
    assert.match(result.error, /down\.example: connection refused/);
    assert.match(result.error, /elsewhere\.example: .*not in a room/);
  });

  it("passes on a refusal that no other copy could change (content hash mismatch)", async () => {
    const fetcher = createEventFetcher({
      servers: ["a.example"],
      getEvent: async () => ok({ pdu: {} }),
      verify: async (): Promise<VerifiedEvent> => ({ kind: "refused", reason: "content_hash", message: "hash mismatch" }),
      logger,
    });
    assert.deepEqual(await fetcher("$e"), ok({ kind: "refused", message: "hash mismatch" }));
    const none = await createEventFetcher({ servers: [], getEvent: async () => ok({ pdu: {} }), verify: async () => ({ kind: "unknown_room" }), logger })("$e");
    assert.ok(!none.ok);
    assert.match(none.error, /PS_EVENT_FETCH_SERVERS/);
  });
});
