/**
 * End to end: the real server as a child process on real PostgreSQL, a fake homeserver peer that publishes its keys
 * and signs PDUs, and the three policy endpoints answering as Synapse and the MSC expect.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { generateKeyFiles } from "../../src/keys/generate-key-files.js";
import {
  decodeBase64,
  getRoomVersion,
  redactEvent,
  verifyJsonSignature,
  verifyKeyFromBase64,
  type JsonObject,
} from "../../src/matrix/index.js";
import { createTestDatabase, postgresAvailable, type TestDatabase } from "../support/database.js";
import { serveRoom } from "../support/fake-resident-server.js";
import { Peer, type PeerRoom } from "../support/peer.js";
import { startServer, type ServerProcess } from "../support/server-process.js";

const SERVER_NAME = "policy.test";
const API_KEY = "e2e-admin-key";
const STABLE = "/_matrix/policy/v1/sign";
const UNSTABLE = "/_matrix/policy/unstable/org.matrix.msc4284/sign";
const check = (eventId: string): string =>
  `/_matrix/policy/unstable/org.matrix.msc4284/event/${encodeURIComponent(eventId)}/check`;

const available = await postgresAvailable();

describe("policy endpoints end to end", { skip: available ? false : "needs a real PostgreSQL" }, () => {
  let database: TestDatabase;
  let peer: Peer;
  let server: ServerProcess;
  let workdir: string;
  let eventKey: string;
  const rooms: Record<string, PeerRoom> = {};

  const env = (): Record<string, string> => peer.serverEnv(database.url, { serverName: SERVER_NAME, apiKey: API_KEY });

  const admin = (method: string, path: string, body?: unknown): Promise<Response> =>
    fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${API_KEY}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  before(async () => {
    database = await createTestDatabase({ backend: "postgres" });
    peer = await Peer.start("hs1.test");
    workdir = mkdtempSync(join(tmpdir(), "policyserv-e2e-"));
    await generateKeyFiles(
      { signingKeyPath: join(workdir, "signing.key"), eventSigningKeyPath: join(workdir, "event_signing.key") },
      { overwrite: false },
    );
    server = await startServer({ cwd: workdir, env: env() });
    // Rooms are joined the way an operator does it: the admin API, make_join/send_join through PS_JOIN_SERVER.
    const created = await admin("POST", "/api/v1/communities/new", { name: "end to end" });
    assert.equal(created.status, 200, await created.clone().text());
    const communityId = ((await created.json()) as { community_id: string }).community_id;
    for (const version of ["10", "11", "12"]) {
      const room = peer.createRoom(version);
      rooms[version] = room;
      serveRoom(peer.hs, room, [room.member(peer.user("alice"), "Alice")]);
      const joined = await admin("POST", `/api/v1/rooms/${encodeURIComponent(room.roomId)}/join`, {
        community_id: communityId,
      });
      assert.equal(joined.status, 200, await joined.clone().text());
      assert.equal(((await joined.json()) as { room_version: string }).room_version, version);
    }
    const wellKnown = (await (await fetch(`${server.url}/.well-known/matrix/policy_server`)).json()) as {
      public_keys: { ed25519: string };
    };
    eventKey = wellKnown.public_keys.ed25519;
  });

  after(async () => {
    await server?.stop();
    await peer?.close();
    await database?.drop();
    if (workdir) rmSync(workdir, { recursive: true, force: true });
  });

  function assertPolicySignature(room: PeerRoom, pdu: JsonObject, signatures: JsonObject): void {
    const version = getRoomVersion(room.version);
    assert.ok(version.ok);
    const key = verifyKeyFromBase64(eventKey);
    assert.ok(key.ok);
    const sig = (signatures[SERVER_NAME] as Record<string, string>)["ed25519:policy_server"];
    assert.equal(typeof sig, "string");
    assert.ok(decodeBase64(sig as string).ok);
    const merged = {
      ...redactEvent(pdu, version.value),
      signatures: { [SERVER_NAME]: { "ed25519:policy_server": sig } },
    };
    assert.equal(verifyJsonSignature(merged as JsonObject, SERVER_NAME, "ed25519:policy_server", key.value), true);
  }

  for (const version of ["10", "11", "12"]) {
    it(`should sign a clean event in a v${version} room with the published event key`, async () => {
      const room = rooms[version] as PeerRoom;
      const pdu = peer.event(room, { content: { msgtype: "m.text", body: `hello from v${version}` } });
      const stable = await peer.call(server.url, "POST", STABLE, pdu);
      assert.equal(stable.status, 200);
      const signatures = (await stable.json()) as JsonObject;
      assert.deepEqual(Object.keys(signatures), [SERVER_NAME]);
      assertPolicySignature(room, pdu, signatures);

      const unstable = await peer.call(server.url, "POST", UNSTABLE, pdu);
      assert.equal(unstable.status, 200);
      assertPolicySignature(room, pdu, (await unstable.json()) as JsonObject);

      const legacy = await peer.call(server.url, "POST", check(peer.eventId(room, pdu)), pdu);
      assert.deepEqual([legacy.status, await legacy.json()], [200, { recommendation: "ok" }]);
    });
  }

  it("should refuse a spammy event on all three endpoints, with harms on the stable path", async () => {
    const room = rooms["11"] as PeerRoom;
    const pdu = peer.event(room, { content: { msgtype: "m.text", body: "this is spammy spam stuff" } });
    const stable = await peer.call(server.url, "POST", STABLE, pdu);
    assert.equal(stable.status, 400);
    const body = (await stable.json()) as Record<string, unknown>;
    assert.equal(body["errcode"], "M_FORBIDDEN");
    assert.ok((body["harms"] as string[]).includes("org.matrix.msc4456.spam"));
    assert.deepEqual(body["harms"], body["org.matrix.msc4387.harms"]);

    const unstable = await peer.call(server.url, "POST", UNSTABLE, pdu);
    assert.deepEqual([unstable.status, await unstable.json()], [200, {}]);
    const legacy = await peer.call(server.url, "POST", check(peer.eventId(room, pdu)), pdu);
    assert.deepEqual([legacy.status, await legacy.json()], [200, { recommendation: "spam" }]);
  });

  it("should refuse an event whose content was changed after signing", async () => {
    const room = rooms["11"] as PeerRoom;
    const pdu = peer.event(room, { content: { msgtype: "m.text", body: "innocent" } });
    const tampered = { ...pdu, content: { msgtype: "m.text", body: "innocent, then edited" } };
    const stable = await peer.call(server.url, "POST", STABLE, tampered);
    assert.equal(stable.status, 400);
    assert.equal(((await stable.json()) as { errcode: string }).errcode, "M_FORBIDDEN");
    const unstable = await peer.call(server.url, "POST", UNSTABLE, tampered);
    assert.deepEqual(await unstable.json(), {});
  });

  it("should refuse an event signed by a key the sender's server does not publish", async () => {
    const room = rooms["10"] as PeerRoom;
    const other = await Peer.start("hs1.test");
    try {
      const pdu = other.event(room, { sender: peer.user("frank"), content: { msgtype: "m.text", body: "forged" } });
      const stable = await peer.call(server.url, "POST", STABLE, pdu);
      assert.equal(stable.status, 400);
      assert.equal(((await stable.json()) as { errcode: string }).errcode, "M_FORBIDDEN");
    } finally {
      await other.close();
    }
  });

  it("should answer an unknown room per endpoint", async () => {
    const room = peer.createRoom("11");
    const pdu = peer.event(room, { content: { msgtype: "m.text", body: "hi" } });
    const stable = await peer.call(server.url, "POST", STABLE, pdu);
    assert.equal(stable.status, 404);
    assert.equal(((await stable.json()) as { errcode: string }).errcode, "M_NOT_FOUND");
    assert.deepEqual(await (await peer.call(server.url, "POST", UNSTABLE, pdu)).json(), {});
    const legacy = await peer.call(server.url, "POST", check("$x"), pdu);
    assert.deepEqual(await legacy.json(), { recommendation: "ok" });
  });

  it("should answer a bad X-Matrix signature with 401 M_UNAUTHORIZED", async () => {
    const room = rooms["11"] as PeerRoom;
    const pdu = peer.event(room, { content: { msgtype: "m.text", body: "hi" } });
    const forger = await Peer.start("hs1.test");
    try {
      const res = await peer.call(server.url, "POST", STABLE, pdu, { key: forger.key });
      assert.equal(res.status, 401);
      assert.equal(((await res.json()) as { errcode: string }).errcode, "M_UNAUTHORIZED");
    } finally {
      await forger.close();
    }
  });

  it("should answer a request addressed to another server with 401", async () => {
    const room = rooms["11"] as PeerRoom;
    const pdu = peer.event(room, { content: { msgtype: "m.text", body: "hi" } });
    const res = await peer.call(server.url, "POST", STABLE, pdu, { destination: "someone-else.test" });
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { errcode: string }).errcode, "M_UNAUTHORIZED");
  });

  it("should answer malformed bodies with M_NOT_JSON and M_BAD_JSON before authentication", async () => {
    const notJson = await fetch(`${server.url}${STABLE}`, { method: "POST", body: "{nope" });
    assert.deepEqual([notJson.status, ((await notJson.json()) as { errcode: string }).errcode], [400, "M_NOT_JSON"]);
    const float = await fetch(`${server.url}${STABLE}`, { method: "POST", body: '{"depth": 1.5}' });
    assert.deepEqual([float.status, ((await float.json()) as { errcode: string }).errcode], [400, "M_BAD_JSON"]);
    const dup = await fetch(`${server.url}${STABLE}`, { method: "POST", body: '{"a": 1, "a": 2}' });
    assert.deepEqual([dup.status, ((await dup.json()) as { errcode: string }).errcode], [400, "M_BAD_JSON"]);
  });

  it("should answer a PDU that does not parse for the room version with 400 M_BAD_JSON", async () => {
    const room = rooms["11"] as PeerRoom;
    const pdu = peer.event(room, { content: { msgtype: "m.text", body: "hi" } });
    const broken: JsonObject = { ...pdu };
    delete broken["prev_events"];
    const res = await peer.call(server.url, "POST", STABLE, broken);
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { errcode: string }).errcode, "M_BAD_JSON");
  });

  it("should refuse a body over 1 MiB with 413 M_TOO_LARGE", async () => {
    const res = await fetch(`${server.url}${STABLE}`, { method: "POST", body: "x".repeat(1024 * 1024 + 1) });
    assert.equal(res.status, 413);
    assert.equal(((await res.json()) as { errcode: string }).errcode, "M_TOO_LARGE");
  });

  it("should answer a wrong method with 405 before anything else", async () => {
    const res = await fetch(`${server.url}${STABLE}`);
    assert.equal(res.status, 405);
    assert.equal(((await res.json()) as { errcode: string }).errcode, "M_UNRECOGNIZED");
  });

  it("should answer a transaction mixing good and bad PDUs at once, and check them in the background", async () => {
    const room = rooms["11"] as PeerRoom;
    const good = peer.event(room, { sender: peer.user("carol"), content: { msgtype: "m.text", body: "hi all" } });
    const spam = peer.event(room, { sender: peer.user("dave"), content: { msgtype: "m.text", body: "spammy spam" } });
    const forger = await Peer.start("hs1.test");
    const forged = forger.event(room, { sender: peer.user("erin"), content: { msgtype: "m.text", body: "forged" } });
    await forger.close();
    const unknownRoom = peer.event(peer.createRoom("11"), { content: { msgtype: "m.text", body: "elsewhere" } });
    const txn = {
      origin: peer.serverName,
      origin_server_ts: Date.now(),
      pdus: [good, spam, forged, unknownRoom, 42],
      edus: [{ edu_type: "m.typing", content: {} }],
    };
    const path = `/_matrix/federation/v1/send/txn-${Date.now()}`;
    const res = await peer.call(server.url, "PUT", path, txn);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { pdus: Record<string, { error?: string }> };
    assert.deepEqual(body.pdus[peer.eventId(room, good)], {});
    assert.deepEqual(body.pdus[peer.eventId(room, spam)], {});
    assert.equal(typeof body.pdus[peer.eventId(room, forged)]?.error, "string", JSON.stringify(body));
    assert.equal(body.pdus[peer.eventId(room, unknownRoom)], undefined);

    // The same transaction ID again is answered with the first answer.
    const again = await peer.call(server.url, "PUT", path, txn);
    assert.deepEqual(await again.json(), body);

    // The spam PDU was checked in the background: its verdict is stored and its sender hellbanned.
    const spamId = peer.eventId(room, spam);
    const deadline = Date.now() + 5000;
    let stored: readonly unknown[] = [];
    while (Date.now() < deadline && stored.length === 0) {
      stored = await database.sql`SELECT event_id FROM events WHERE event_id = ${spamId}`;
      if (stored.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(stored.length, 1);
    const next = peer.event(room, { sender: peer.user("dave"), content: { msgtype: "m.text", body: "hello?" } });
    assert.equal((await peer.call(server.url, "POST", STABLE, next)).status, 400);
  });

  it("should keep verdicts and hellbans across a restart", async () => {
    const room = rooms["12"] as PeerRoom;
    const spam = peer.event(room, {
      sender: peer.user("mallory"),
      content: { msgtype: "m.text", body: "buy now, spammy spam" },
    });
    const first = await peer.call(server.url, "POST", STABLE, spam);
    assert.equal(first.status, 400);
    await server.stop();
    server = await startServer({ cwd: workdir, env: env() });
    const stored = await database.sql`SELECT event_id FROM events WHERE event_id = ${peer.eventId(room, spam)}`;
    assert.equal(stored.length, 1);
    const again = await peer.call(server.url, "POST", STABLE, spam);
    assert.equal(again.status, 400);
    // The spam hellbanned its sender; the ban is a row, so it outlives the process.
    const fromSpammer = peer.event(room, {
      sender: peer.user("mallory"),
      content: { msgtype: "m.text", body: "innocent now" },
    });
    const banned = await peer.call(server.url, "POST", STABLE, fromSpammer);
    assert.equal(banned.status, 400);
    assert.ok(((await banned.json()) as { harms: string[] }).harms.includes("org.matrix.msc4456.spam.flooding"));
    const clean = peer.event(room, { sender: peer.user("bob"), content: { msgtype: "m.text", body: "after restart" } });
    const signed = await peer.call(server.url, "POST", STABLE, clean);
    assert.equal(signed.status, 200);
    assertPolicySignature(room, clean, (await signed.json()) as JsonObject);
  });
});
