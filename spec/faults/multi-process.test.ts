/**
 * Several processes on one database (decisions §5.3, architecture "Multiple processes"): a hellban, a config change,
 * a keyword template and a newly joined room written through process A are honoured by process B within 1 s, also
 * when B's connection was cut while A wrote (the NOTIFYs are then lost, and B must catch up by reading).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { JsonObject } from "../../src/matrix/index.js";
import type { PeerRoom } from "../support/peer.js";
import { clusterUnavailable } from "../support/pg-cluster.js";
import type { ServerProcess } from "../support/server-process.js";
import { admin, createCommunity, createWorld, joinNewRoom, sleep, STABLE, within, type FaultWorld } from "./harness.js";

const B_ROLE = "policyserv_b";

describe("two processes on one database", { skip: clusterUnavailable() }, () => {
  let world: FaultWorld;
  let a: ServerProcess;
  let b: ServerProcess;
  let communityId: string;
  let room: PeerRoom;
  let sequence = 0;
  /** A sender never used before: a refused probe hellbans its sender, which must not leak into the next probe. */
  const fresh = (): string => `probe${sequence++}`;

  const sign = async (server: ServerProcess, target: PeerRoom, sender: string, body: string): Promise<number> => {
    const pdu: JsonObject = world.peer.event(target, {
      sender: world.peer.user(sender),
      content: { msgtype: "m.text", body: `${body} ${sequence++}` },
    });
    const res = await world.peer.call(server.url, "POST", STABLE, pdu);
    await res.body?.cancel();
    return res.status;
  };
  /** How long until `probe` held on B, failing the test past `ms`. */
  const honouredWithin = async (what: string, ms: number, probe: () => Promise<boolean>): Promise<void> => {
    const took = await within(ms, probe);
    assert.notEqual(took, undefined, `${what} was not honoured by process B within ${ms} ms`);
  };

  before(async () => {
    world = await createWorld();
    // B connects as its own role so the test can cut B alone (NOLOGIN + terminate) while A keeps writing.
    await world.sql.unsafe(`CREATE ROLE ${B_ROLE} SUPERUSER LOGIN`);
    const bUrl = new URL(world.databaseUrl);
    bUrl.username = B_ROLE;
    a = await world.start();
    b = await world.start({ PS_DATABASE: bUrl.toString() });
    communityId = await createCommunity(a, "shared");
    room = await joinNewRoom(world, a, communityId);
    await honouredWithin("the first room", 2_000, async () => (await sign(b, room, "alice", "hello")) === 200);
  });
  after(async () => {
    await world?.close();
  });

  const configure = async (config: Record<string, unknown>): Promise<void> => {
    const res = await admin(a, "POST", `/api/v1/communities/${communityId}/config`, config);
    assert.equal(res.status, 200, await res.text());
  };
  const putTemplate = async (name: string, text: string): Promise<void> => {
    const res = await fetch(`${a.url}/api/v1/keyword_templates/${name}`, {
      method: "POST",
      headers: { authorization: "Bearer faults-admin-key", "content-type": "text/plain" },
      body: text,
    });
    assert.equal(res.status, 200, await res.text());
  };
  const wordTemplate = (word: string): string =>
    `{{ range .BodyWords }}{{ if eq . "${word}" }}org.example.fruit{{ end }}{{ end }}`;

  it("should honour a room, a hellban, a config change and a template written through the other process", async () => {
    const next = world.peer.createRoom("11");
    assert.equal(await sign(b, next, "alice", "before the join"), 404, "B does not know the room yet");
    await joinNewRoomInto(next);
    await honouredWithin("a newly joined room", 1_000, async () => (await sign(b, next, "alice", "hi")) === 200);

    assert.equal(await sign(a, room, "mallory", "spammy spam"), 400, "A refuses the spam and hellbans its sender");
    await honouredWithin("a hellban", 1_000, async () => (await sign(b, room, "mallory", "innocent")) === 400);
    assert.equal(await sign(b, room, "bob", "innocent"), 200, "only the banned sender is refused");

    await configure({ keyword_filter_keywords: ["banana"], keyword_template_filter_template_names: ["fruit"] });
    await honouredWithin("a config change", 1_000, async () => (await sign(b, room, fresh(), "a banana")) === 400);

    assert.equal(await sign(b, room, "carol", "a kumquat"), 200);
    await putTemplate("fruit", wordTemplate("kumquat"));
    await honouredWithin("a keyword template", 1_000, async () => (await sign(b, room, fresh(), "a kumquat")) === 400);
  });

  it("should catch up on what it missed while its connection was cut", async () => {
    const unseen = world.peer.createRoom("11");
    assert.equal(await sign(b, unseen, "alice", "before the join"), 404);

    // Cut B: it may not log in again, and its open connections (the LISTEN one included) are terminated.
    await world.sql.unsafe(`ALTER ROLE ${B_ROLE} NOLOGIN`);
    await world.sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ${B_ROLE}`;
    try {
      // Everything A writes now is announced while B cannot hear it.
      await joinNewRoomInto(unseen);
      assert.equal(await sign(a, room, "trent", "a banana"), 400);
      await configure({ keyword_filter_keywords: ["cherry"], keyword_template_filter_template_names: ["fruit"] });
      await putTemplate("fruit", wordTemplate("plum"));
      await sleep(1_000);
    } finally {
      await world.sql.unsafe(`ALTER ROLE ${B_ROLE} LOGIN`);
    }
    // Reconnect back-off is at most 0.5 s; then B must have caught up on every write it missed.
    const budget = 1_500;
    await honouredWithin("a room joined while cut off", budget, async () => (await sign(b, unseen, "alice", "hi")) === 200);
    await honouredWithin("a hellban made while cut off", budget, async () => (await sign(b, room, "trent", "hi")) === 400);
    await honouredWithin("a config change made while cut off", budget, async () => (await sign(b, room, fresh(), "cherry")) === 400);
    await honouredWithin("a template changed while cut off", budget, async () => (await sign(b, room, fresh(), "plum")) === 400);
    assert.equal(await sign(b, room, fresh(), "banana kumquat"), 200, "the replaced config and template no longer apply");

    // And the live signals work again after the reconnect.
    assert.equal(await sign(a, room, "victor", "cherry"), 400);
    await honouredWithin("a hellban after the reconnect", 1_000, async () => (await sign(b, room, "victor", "hi")) === 400);
  });

  async function joinNewRoomInto(target: PeerRoom): Promise<void> {
    const { serveRoom } = await import("../support/fake-resident-server.js");
    serveRoom(world.peer.hs, target, [target.member(world.peer.user("alice"), "Alice")]);
    const joined = await admin(a, "POST", `/api/v1/rooms/${encodeURIComponent(target.roomId)}/join`, {
      community_id: communityId,
    });
    assert.equal(joined.status, 200, await joined.text());
  }
});
