/**
 * Database outage (decisions §5.4): the private cluster is stopped for 3 s under a steady load of sign requests for
 * a room already loaded, then started again. Nothing may hang past 5 s, the process stays up, nobody is hellbanned
 * because of the outage, service is whole again within 5 s, and no verdict acknowledged before the outage is lost.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ServerProcess } from "../support/server-process.js";
import type { PeerRoom } from "../support/peer.js";
import { clusterUnavailable } from "../support/pg-cluster.js";
import {
  createCommunity,
  createWorld,
  joinNewRoom,
  metric,
  sleep,
  timedSign,
  within,
  type FaultWorld,
  type TimedAnswer,
} from "./harness.js";

describe("database outage under load", { skip: clusterUnavailable() }, () => {
  let world: FaultWorld;
  let server: ServerProcess;
  let room: PeerRoom;

  before(async () => {
    world = await createWorld();
    server = await world.start();
    const communityId = await createCommunity(server, "outage");
    room = await joinNewRoom(world, server, communityId);
  });
  after(async () => {
    await world?.close();
  });

  it("should keep answering from memory, queue verdict writes, and recover within 5 s", async () => {
    const answers: (TimedAnswer & { eventId: string })[] = [];
    let sequence = 0;
    let running = true;
    // Four clients, each sending a fresh clean event as soon as the previous one is answered.
    const client = async (n: number): Promise<void> => {
      while (running) {
        const sender = world.peer.user(`user${n}`);
        const pdu = world.peer.event(room, { sender, content: { msgtype: "m.text", body: `hello ${sequence++}` } });
        const answer = await timedSign(world, server, pdu);
        answers.push({ ...answer, eventId: world.peer.eventId(room, pdu) });
        if (answer.status !== 200) await sleep(20);
      }
    };
    const clients = [0, 1, 2, 3].map(client);

    await sleep(1_000);
    const outageStart = Date.now();
    const acknowledgedBefore = answers.filter((a) => a.status === 200).map((a) => a.eventId);
    await world.cluster.stop("immediate");
    await sleep(500);
    const readyDuring = await fetch(`${server.opsUrl}/ready`);
    assert.equal(readyDuring.status, 503, "readiness must report the database as down");
    await sleep(2_500);
    await world.cluster.start();
    const outageEnd = Date.now();
    await sleep(6_000);
    running = false;
    await Promise.all(clients);

    if (process.env["FAULTS_DEBUG"]) (await import("node:fs")).writeFileSync("/tmp/outage.log", answers.map((a) => `${a.at - outageStart} ${a.status} ${a.ms} ${a.body.slice(0, 80)}`).join("\n") + "\n" + server.logs.join("\n"));
    assert.ok(answers.length > 50, `only ${answers.length} requests were made`);
    const slowest = Math.max(...answers.map((a) => a.ms));
    assert.ok(slowest < 5_000, `a request took ${slowest} ms`);
    const bad = answers.filter((a) => a.status !== 200 && a.status !== 503);
    assert.deepEqual(
      bad.map((a) => `${a.status} ${a.body}`),
      [],
      "only 200, or 503 M_UNAVAILABLE for what truly needs the database",
    );
    for (const a of answers.filter((x) => x.status === 503)) {
      assert.equal((JSON.parse(a.body) as { errcode: string }).errcode, "M_UNAVAILABLE");
    }
    // Rooms, config and room state were loaded before the outage, so checks keep running from memory.
    const during = answers.filter((a) => a.at > outageStart + 200 && a.at < outageEnd - 200);
    assert.ok(during.length > 0, "requests were made during the outage");
    const servedDuring = during.filter((a) => a.status === 200).length;
    assert.ok(servedDuring / during.length > 0.9, `${servedDuring}/${during.length} served during the outage`);
    // Whole again within 5 s of the database's return.
    const late = answers.filter((a) => a.at > outageEnd + 5_000);
    assert.ok(late.length > 0);
    assert.deepEqual(
      late.filter((a) => a.status !== 200).map((a) => a.status),
      [],
    );
    assert.equal(server.child.exitCode, null, "the process stays up");

    // Nothing acknowledged before the outage is lost, and verdicts made during it are written once it is back.
    const stored = await world.sql<{ event_id: string }[]>`SELECT event_id FROM events`;
    const storedIds = new Set(stored.map((r) => r.event_id));
    assert.deepEqual(
      acknowledgedBefore.filter((id) => !storedIds.has(id)),
      [],
    );
    const signedDuring = during.filter((a) => a.status === 200).map((a) => a.eventId);
    const caughtUp = await within(10_000, async () => {
      const rows = await world.sql<{ n: string }[]>`SELECT count(*) AS n FROM events WHERE event_id IN ${world.sql(signedDuring)}`;
      return Number(rows[0]?.n) === signedDuring.length;
    });
    assert.notEqual(caughtUp, undefined, "verdicts checked during the outage are written when the database returns");
    assert.equal(await metric(server, "policyserv_unwritten_verdicts"), 0);

    const hellbans = await world.sql`SELECT user_id FROM hellbans`;
    assert.equal(hellbans.length, 0, "an outage never hellbans anyone");
    assert.equal((await fetch(`${server.opsUrl}/ready`)).status, 200);
  });

  it("should queue a hellban decided during an outage and write it when the database returns", async () => {
    await world.cluster.stop("immediate");
    try {
      const spammer = world.peer.user("outage-spammer");
      const spam = world.peer.event(room, { sender: spammer, content: { msgtype: "m.text", body: "spammy spam" } });
      const refused = await timedSign(world, server, spam);
      assert.equal(refused.status, 400, refused.body);
      // The ban holds in memory at once, while its row waits for the database.
      const next = world.peer.event(room, { sender: spammer, content: { msgtype: "m.text", body: "innocent" } });
      assert.equal((await timedSign(world, server, next)).status, 400);
      assert.equal(await metric(server, "policyserv_hellban_writes_pending"), 1);
    } finally {
      await world.cluster.start();
    }
    const written = await within(10_000, async () => {
      const rows = await world.sql`SELECT user_id FROM hellbans WHERE user_id = ${world.peer.user("outage-spammer")}`;
      return rows.length === 1;
    });
    assert.notEqual(written, undefined, "the queued hellban is written when the database returns");
    assert.equal(await metric(server, "policyserv_hellban_writes_pending"), 0);
    const all = await world.sql<{ user_id: string }[]>`SELECT user_id FROM hellbans`;
    assert.deepEqual(all.map((r) => r.user_id), [world.peer.user("outage-spammer")], "only the spammer is banned");
  });

  it("should answer what truly needs the database with 503 M_UNAVAILABLE within 5 s", async () => {
    await world.cluster.stop("fast");
    try {
      const unknown = world.peer.createRoom("11");
      const pdu = world.peer.event(unknown, { content: { msgtype: "m.text", body: "unknown room" } });
      const answer = await timedSign(world, server, pdu);
      // A transport failure names what the server was doing (it failed once under a loaded full-suite run).
      const context =
        answer.status === 0
          ? `${answer.body} after ${answer.ms} ms; server exit code ${server.child.exitCode}; last log lines:\n${server.logs.slice(-30).join("\n")}`
          : answer.body;
      assert.equal(answer.status, 503, context);
      assert.equal((JSON.parse(answer.body) as { errcode: string }).errcode, "M_UNAVAILABLE");
      assert.ok(answer.ms < 5_000, `took ${answer.ms} ms`);
    } finally {
      await world.cluster.start();
    }
  });
});
