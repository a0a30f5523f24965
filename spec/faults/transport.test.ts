/**
 * Hostile clients at the transport level, and the process's own lifecycle: slowloris-style slow headers and bodies
 * are cut off by deadlines while everyone else is served; a flood is answered 429 only past the admission limit;
 * /health and /ready say what they should; SIGTERM drains in-flight checks and stores their verdicts before exit.
 */
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { clusterUnavailable } from "../support/pg-cluster.js";
import type { PeerRoom } from "../support/peer.js";
import type { ServerProcess } from "../support/server-process.js";
import { createCommunity, createWorld, joinNewRoom, sleep, STABLE, timedSign, type FaultWorld } from "./harness.js";

/** Opens a raw connection to `url`'s host and port. */
function rawSocket(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.once("error", reject);
  });
}

/** Resolves with what the server sent and how long until it closed the connection (or `limitMs` passed). */
function untilClosed(socket: Socket, limitMs: number): Promise<{ ms: number; received: string; closed: boolean }> {
  const started = Date.now();
  let received = "";
  socket.on("data", (chunk: Buffer) => (received += chunk.toString("latin1")));
  socket.on("error", () => undefined);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ ms: Date.now() - started, received, closed: false }), limitMs);
    socket.once("close", () => {
      clearTimeout(timer);
      resolve({ ms: Date.now() - started, received, closed: true });
    });
  });
}

describe("transport faults and lifecycle", { skip: clusterUnavailable() }, () => {
  let world: FaultWorld;
  let server: ServerProcess;
  let room: PeerRoom;

  before(async () => {
    world = await createWorld();
    server = await world.start({ PS_PROCESSING_POOL_SIZE: "1" });
    room = await joinNewRoom(world, server, await createCommunity(server, "transport"));
  });
  after(async () => {
    await world?.close();
  });

  it("should cut off slow headers and slow bodies while serving everyone else", async () => {
    const dripping: Socket[] = [];
    const drip = setInterval(() => {
      for (const socket of dripping) if (!socket.destroyed) socket.write("a");
    }, 500);
    try {
      const open = async (preamble: string) => {
        const socket = await rawSocket(server.url);
        socket.write(preamble);
        dripping.push(socket);
        return untilClosed(socket, 25_000);
      };
      // Slow headers: the header block never ends. Slow body: headers complete, the body drips a byte at a time.
      const slowHeaders = Array.from({ length: 50 }, () => open(`POST ${STABLE} HTTP/1.1\r\nHost: x\r\nX-Slow: `));
      const slowBodies = Array.from({ length: 50 }, () =>
        open(`POST ${STABLE} HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{`),
      );
      await sleep(1_000);
      // Everyone else is served meanwhile.
      for (let i = 0; i < 5; i++) {
        const pdu = world.peer.event(room, { content: { msgtype: "m.text", body: `while dripping ${i}` } });
        const answer = await timedSign(world, server, pdu);
        assert.equal(answer.status, 200, answer.body);
        assert.ok(answer.ms < 2_000, `a normal request took ${answer.ms} ms`);
      }
      for (const outcome of await Promise.all(slowHeaders)) {
        assert.ok(outcome.closed, "a slow-header connection was never closed");
        assert.ok(outcome.ms < 13_000, `a slow-header connection stayed open ${outcome.ms} ms`);
      }
      for (const outcome of await Promise.all(slowBodies)) {
        assert.ok(outcome.closed, "a slow-body connection was never closed");
        assert.ok(outcome.ms < 13_000, `a slow-body connection stayed open ${outcome.ms} ms`);
        assert.match(outcome.received, /^HTTP\/1\.1 408 /, "a slow body is answered 408");
      }
    } finally {
      clearInterval(drip);
      for (const socket of dripping) socket.destroy();
    }
  });

  it("should answer a flood with 429 M_LIMIT_EXCEEDED only past the admission limit", async () => {
    // One processing slot and ten queued checks (PS_PROCESSING_POOL_SIZE=1): a burst must overflow.
    const burst = await Promise.all(
      Array.from({ length: 300 }, (_, i) => {
        const pdu = world.peer.event(room, {
          sender: world.peer.user(`flood${i}`),
          content: { msgtype: "m.text", body: `flood ${i} `.repeat(200) },
        });
        return timedSign(world, server, pdu);
      }),
    );
    const statuses = new Map<number, number>();
    for (const answer of burst) statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    assert.deepEqual([...statuses.keys()].filter((s) => s !== 200 && s !== 429), [], JSON.stringify([...statuses]));
    assert.ok((statuses.get(429) ?? 0) > 0, `the burst overflowed the admission queue: ${JSON.stringify([...statuses])}`);
    for (const answer of burst.filter((a) => a.status === 429)) {
      assert.equal((JSON.parse(answer.body) as { errcode: string }).errcode, "M_LIMIT_EXCEEDED");
    }
    // Within the limit (one at a time) nobody is turned away.
    for (let i = 0; i < 20; i++) {
      const pdu = world.peer.event(room, { sender: world.peer.user(`calm${i}`), content: { msgtype: "m.text", body: "calm" } });
      assert.equal((await timedSign(world, server, pdu)).status, 200);
    }
  });

  it("should answer /ready with 503 while it drains after SIGTERM, and still exit cleanly", async () => {
    const draining = await world.start();
    // A request whose body never finishes keeps the drain going (up to its grace period).
    const held = await rawSocket(draining.url);
    held.on("error", () => undefined);
    held.write(`POST ${STABLE} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"room_id":`);
    await sleep(50);
    const exited = draining.stop();
    let readiness: { status: number; body: { ready: boolean; checks: { name: string; ok: boolean; detail?: string }[] } } | undefined;
    for (let i = 0; i < 100 && readiness?.status !== 503; i++) {
      const res = await fetch(`${draining.opsUrl}/ready`);
      readiness = { status: res.status, body: (await res.json()) as NonNullable<typeof readiness>["body"] };
      if (res.status !== 503) await sleep(20);
    }
    assert.equal(readiness?.status, 503);
    assert.deepEqual(readiness?.body.checks.find((c) => c.name === "accepting"), { name: "accepting", ok: false, detail: "shutting down" });
    assert.equal((await fetch(`${draining.opsUrl}/health`)).status, 200, "the operator listener stays up during the drain");
    held.destroy();
    assert.equal(await exited, 0);
  });

  it("should report liveness and readiness, and drain in-flight checks on SIGTERM", async () => {
    const health = await fetch(`${server.opsUrl}/health`);
    assert.deepEqual([health.status, await health.text()], [200, "OK"]);
    const ready = await fetch(`${server.opsUrl}/ready`);
    assert.equal(ready.status, 200);
    const body = (await ready.json()) as { ready: boolean; checks: { name: string; ok: boolean }[] };
    assert.deepEqual(body.checks.map((c) => [c.name, c.ok]).sort(), [["accepting", true], ["actors", true], ["database", true], ["keys", true]]);

    const drained = await world.start();
    const drainRoom = await joinNewRoom(world, drained, await createCommunity(drained, "drain"));
    const burst = Array.from({ length: 40 }, (_, i) =>
      world.peer.event(drainRoom, { sender: world.peer.user(`drain${i}`), content: { msgtype: "m.text", body: `drain ${i}` } }),
    );
    const answers = burst.map((pdu) => timedSign(world, drained, pdu));
    // Stop once the server is answering the burst (the first answer is in), not after a fixed few milliseconds: on
    // a loaded runner a short sleep can end before any request arrived, leaving nothing in flight to drain.
    await Promise.race([Promise.race(answers), sleep(2_000)]);
    const stopping = Date.now();
    const code = await drained.stop();
    if (process.env["FAULTS_DEBUG"]) (await import("node:fs")).writeFileSync("/tmp/drain.log", drained.logs.join("\n"));
    assert.equal(code, 0, "a clean exit");
    assert.ok(Date.now() - stopping < 10_000, "shutdown is bounded");
    const settled = await Promise.all(answers);
    assert.deepEqual(settled.filter((a) => a.status >= 500).map((a) => a.body), [], "no request in flight failed");
    const signed = burst.filter((_, i) => settled[i]?.status === 200).map((pdu) => world.peer.eventId(drainRoom, pdu));
    assert.ok(signed.length > 0, "some checks were in flight");
    const stored = await world.sql<{ event_id: string }[]>`SELECT event_id FROM events WHERE event_id IN ${world.sql(signed)}`;
    assert.equal(stored.length, signed.length, "every acknowledged verdict was stored before exit");
  });
});
