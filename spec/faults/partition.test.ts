/**
 * Network faults between the server and PostgreSQL, through a breakable loopback proxy:
 * - the read replica (PS_DATABASE_READ) partitioned or refusing: reads fall back to the primary, nothing hangs;
 * - the primary partitioned (connections accepted, never answered) under load: checks for loaded rooms keep being
 *   answered within 5 s, nobody is hellbanned, and the verdicts are stored once the link heals.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { clusterUnavailable } from "../support/pg-cluster.js";
import {
  admin,
  createCommunity,
  createWorld,
  joinNewRoom,
  sleep,
  timedSign,
  within,
  type FaultWorld,
  type TimedAnswer,
} from "./harness.js";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy.js";

describe("database network partitions", { skip: clusterUnavailable() }, () => {
  let world: FaultWorld;
  const proxies: TcpProxy[] = [];
  const proxy = async (): Promise<TcpProxy> => {
    const started = await startTcpProxy(world.cluster.port);
    proxies.push(started);
    return started;
  };

  before(async () => {
    world = await createWorld();
  });
  after(async () => {
    await world?.close();
    await Promise.all(proxies.map((p) => p.close()));
  });

  it("should read from the primary while the replica is partitioned or refusing", async () => {
    const replica = await proxy();
    const server = await world.start({ PS_DATABASE_READ: replica.via(world.databaseUrl) });
    const communityId = await createCommunity(server, "replica");
    const room = await joinNewRoom(world, server, communityId);

    for (const mode of ["blackhole", "refuse"] as const) {
      replica.setMode(mode);
      const answers: TimedAnswer[] = [];
      for (let i = 0; i < 6; i++) {
        const known = world.peer.event(room, { content: { msgtype: "m.text", body: `${mode} ${i}` } });
        answers.push(await timedSign(world, server, known));
        // An unknown room is a replica read (rooms lookup) each time.
        const unknown = world.peer.event(world.peer.createRoom("11"), { content: { msgtype: "m.text", body: "?" } });
        const unknownAnswer = await timedSign(world, server, unknown);
        assert.equal(unknownAnswer.status, 404, `${mode}: ${unknownAnswer.body}`);
        answers.push({ ...unknownAnswer, status: 200 });
        const started = Date.now();
        const community = await admin(server, "GET", `/api/v1/communities/${communityId}`);
        assert.equal(community.status, 200, `${mode}: ${await community.text()}`);
        answers.push({ status: 200, ms: Date.now() - started, at: started, body: "" });
      }
      assert.deepEqual(answers.filter((a) => a.status !== 200).map((a) => a.body), [], mode);
      const slowest = Math.max(...answers.map((a) => a.ms));
      assert.ok(slowest < 5_000, `${mode}: a request took ${slowest} ms`);
    }
    replica.setMode("pass");
    await server.stop();
  });

  it("should keep answering loaded rooms through a 3 s partition of the primary and store verdicts after it", async () => {
    const primary = await proxy();
    const server = await world.start({ PS_DATABASE: primary.via(world.databaseUrl) });
    const room = await joinNewRoom(world, server, await createCommunity(server, "partition"));

    const answers: (TimedAnswer & { eventId: string })[] = [];
    let running = true;
    let sequence = 0;
    const client = async (n: number): Promise<void> => {
      while (running) {
        const pdu = world.peer.event(room, {
          sender: world.peer.user(`p${n}`),
          content: { msgtype: "m.text", body: `partition ${sequence++}` },
        });
        const answer = await timedSign(world, server, pdu);
        answers.push({ ...answer, eventId: world.peer.eventId(room, pdu) });
        if (answer.status !== 200) await sleep(20);
      }
    };
    const clients = [0, 1, 2].map(client);
    await sleep(800);
    const cut = Date.now();
    primary.setMode("blackhole");
    // What truly needs the database is answered 503 M_UNAVAILABLE within 5 s, not held until TCP gives up.
    const needsDatabase = async (label: string, call: () => Promise<Response>): Promise<void> => {
      const started = Date.now();
      const res = await call();
      const body = (await res.json()) as { errcode?: string };
      assert.deepEqual([res.status, body.errcode], [503, "M_UNAVAILABLE"], label);
      assert.ok(Date.now() - started < 5_000, `${label} took ${Date.now() - started} ms`);
    };
    const unknownRoom = world.peer.createRoom("11");
    await Promise.all([
      needsDatabase("a room never seen", () =>
        world.peer.call(server.url, "POST", "/_matrix/policy/v1/sign", world.peer.event(unknownRoom, { content: { body: "?" } })),
      ),
      needsDatabase("the admin API", () => admin(server, "GET", "/api/v1/communities/default")),
    ]);
    const spent = Date.now() - cut;
    await sleep(Math.max(0, 3_000 - spent));
    primary.setMode("pass");
    const healed = Date.now();
    await sleep(5_500);
    running = false;
    await Promise.all(clients);

    const slowest = Math.max(...answers.map((a) => a.ms));
    assert.ok(slowest < 5_000, `a request took ${slowest} ms`);
    assert.deepEqual(
      answers.filter((a) => a.status !== 200 && a.status !== 503).map((a) => `${a.status} ${a.body}`),
      [],
    );
    const during = answers.filter((a) => a.at > cut && a.at < healed);
    assert.ok(during.filter((a) => a.status === 200).length / Math.max(1, during.length) > 0.9, "served from memory");
    const late = answers.filter((a) => a.at > healed + 5_000);
    assert.ok(late.length > 0 && late.every((a) => a.status === 200), "whole again within 5 s");
    assert.equal(server.child.exitCode, null);

    const signed = answers.filter((a) => a.status === 200).map((a) => a.eventId);
    const stored = await within(15_000, async () => {
      const rows = await world.sql<{ n: string }[]>`SELECT count(*) AS n FROM events WHERE event_id IN ${world.sql(signed)}`;
      return Number(rows[0]?.n) === signed.length;
    });
    assert.notEqual(stored, undefined, "every acknowledged verdict is stored after the partition");
    assert.equal((await world.sql`SELECT 1 FROM hellbans`).length, 0, "a partition never hellbans anyone");
    await server.stop();
  });
});
