import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { contentInfo } from "../../src/harms/content-info.js";
import { createHttpApp } from "../../src/http/app.js";
import { createTransactionMetrics, transactionsRouter } from "../../src/http/routes/transactions.js";
import { generateSigningKey, parsePdu, signXMatrixHeader, type JsonObject, type JsonValue } from "../../src/matrix/index.js";
import { createHttpMetrics, createRegistry } from "../../src/observability/metrics.js";
import type { Verdict } from "../../src/pipeline/types.js";
import type { CheckOutcome, EventChecker, RoomRecord } from "../../src/policy/ports.js";
import { ok, type Result } from "../../src/result.js";
import { createBackgroundWork, type LearningTrigger, type ProhibitedEvent } from "../../src/rooms/index.js";
import type { StorageError } from "../../src/storage/storage-error.js";
import { silent } from "../support/fake-resident-server.js";
import { serve } from "../support/http.js";
import { keysOf, TestRoom } from "../support/room-events.js";

const OUR_NAME = "ps.test";
const REMOTE = "remote.test";
const REMOTE_KEY = generateSigningKey("remote1");
const OTHER_KEY = generateSigningKey("other1");

function verdict(spam: boolean): Verdict {
  return { info: contentInfo(spam ? "Prohibited" : "Neutral"), spam, score: spam ? 1 : 0.5, trace: [], effects: [] };
}

/** A checker whose answers the test releases, to prove the response does not wait for filtering. */
class GatedChecker implements EventChecker {
  readonly seen: string[] = [];
  gate: Promise<void> = Promise.resolve();
  async checkEvent(request: Parameters<EventChecker["checkEvent"]>[0]): Promise<CheckOutcome> {
    this.seen.push(request.event.eventId);
    await this.gate;
    const body = request.event.content["body"];
    return { type: "verdict", verdict: verdict(body === "spam"), cached: false };
  }
}

class MemoryTransactions {
  readonly rows = new Map<string, unknown>();
  saves = 0;
  async get(origin: string, txnId: string): Promise<Result<unknown, StorageError>> {
    return ok(this.rows.get(`${origin}|${txnId}`) ?? null);
  }
  async save(origin: string, txnId: string, response: unknown): Promise<Result<unknown, StorageError>> {
    this.saves++;
    const key = `${origin}|${txnId}`;
    if (!this.rows.has(key)) this.rows.set(key, response);
    return ok(this.rows.get(key));
  }
}

describe("PUT /_matrix/federation/v1/send/{txnId}", () => {
  const room = new TestRoom("10", REMOTE, REMOTE_KEY);
  const rooms = new Map<string, RoomRecord>([[room.roomId, { roomId: room.roomId, roomVersion: "10", communityId: "c1" }]]);
  let server: { url: string; close: () => Promise<void> };
  let checker: GatedChecker;
  let transactions: MemoryTransactions;
  let background: ReturnType<typeof createBackgroundWork>;
  let prohibited: ProhibitedEvent[];
  let learningTriggers: LearningTrigger[];
  let registry: ReturnType<typeof createRegistry>;
  let closeServer: (() => Promise<void>) | undefined;

  async function start(maxQueued = 100): Promise<void> {
    await closeServer?.();
    checker = new GatedChecker();
    transactions = new MemoryTransactions();
    prohibited = [];
    learningTriggers = [];
    registry = createRegistry();
    background = createBackgroundWork({ concurrency: 1, maxQueued, onError: () => undefined });
    const router = transactionsRouter({
      serverName: OUR_NAME,
      getKey: keysOf({ [REMOTE]: REMOTE_KEY, "other.test": OTHER_KEY }),
      rooms: { getRoom: async (id) => ok(rooms.get(id)) },
      checker,
      transactions,
      background,
      logger: silent,
      learner: {
        considerEvent: async (trigger) => {
          learningTriggers.push(trigger);
          return ok(false);
        },
      },
      onProhibited: (event) => void prohibited.push(event),
      metrics: createTransactionMetrics(registry),
    });
    server = await serve(createHttpApp({ logger: silent, metrics: createHttpMetrics(registry), routers: [router] }));
    closeServer = () => server.close();
  }

  before(() => start());
  beforeEach(() => start());
  after(() => closeServer?.());

  async function send(txnId: string, body: JsonValue | string, options: { sign?: boolean; origin?: string; destination?: string; key?: typeof REMOTE_KEY } = {}) {
    const uri = `/_matrix/federation/v1/send/${txnId}`;
    const headers: Record<string, string> = {};
    if (options.sign !== false) {
      headers["Authorization"] = signXMatrixHeader({
        method: "PUT",
        uri,
        origin: options.origin ?? REMOTE,
        destination: options.destination ?? OUR_NAME,
        ...(typeof body === "string" ? {} : { content: body }),
        key: options.key ?? REMOTE_KEY,
      });
    }
    const res = await fetch(`${server.url}${uri}`, { method: "PUT", headers, body: typeof body === "string" ? body : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as JsonObject };
  }

  const message = (text: string, sender = `@alice:${REMOTE}`) => room.event({ type: "m.room.message", sender, content: { msgtype: "m.text", body: text } });
  const idOf = (event: JsonObject) => {
    const parsed = parsePdu(event, "10");
    assert.ok(parsed.ok);
    return parsed.value.eventId;
  };

  it("answers at once with {} for good and spam PDUs, errors for bad signatures, nothing for other rooms", async () => {
    let release!: () => void;
    checker.gate = new Promise((resolve) => (release = resolve));
    const good = message("hello");
    const spam = message("spam");
    const forged = room.event({ type: "m.room.message", sender: `@eve:${REMOTE}`, content: { body: "x" } }, { server: REMOTE, key: OTHER_KEY });
    const otherRoom = new TestRoom("10", REMOTE, REMOTE_KEY).event({ type: "m.room.message", sender: `@a:${REMOTE}`, content: { body: "x" } });
    const tampered = { ...message("original"), content: { msgtype: "m.text", body: "changed" } };
    const res = await send("t1", {
      origin: REMOTE,
      origin_server_ts: 1,
      pdus: [good, spam, forged, otherRoom, tampered, "not an object", { room_id: 5 }],
      edus: [{ edu_type: "m.typing", content: {} }, "junk", { edu_type: 7 }],
    });
    assert.equal(res.status, 200);
    const pdus = res.body["pdus"] as JsonObject;
    assert.deepEqual(pdus[idOf(good)], {});
    assert.deepEqual(pdus[idOf(spam)], {});
    assert.deepEqual(pdus[idOf(tampered)], {}, "a content-hash mismatch is processed as redacted");
    assert.match(String((pdus[idOf(forged)] as JsonObject)["error"]), /signature/);
    assert.equal(Object.keys(pdus).length, 4);
    assert.equal(prohibited.length, 0, "filtering has not finished when the answer went out");

    release();
    await background.idle();
    assert.deepEqual(checker.seen.sort(), [idOf(good), idOf(spam)].sort());
    assert.deepEqual(prohibited.map((p) => p.pdu.eventId), [idOf(spam)]);
    assert.equal(prohibited[0]?.origin, REMOTE);
    assert.deepEqual(learningTriggers.map((t) => [t.pdu.eventId, t.verdict.spam]).sort(), [[idOf(good), false], [idOf(spam), true]].sort());
    const metrics = await registry.metrics();
    assert.match(metrics, /policyserv_federation_transaction_pdus_total\{outcome="queued"\} 2/);
    assert.match(metrics, /outcome="malformed"\} 2/);
    assert.match(metrics, /outcome="unknown_room"\} 1/);
  });

  it("keys an error entry for a PDU that does not parse for the room version", async () => {
    const bad = { ...message("x"), depth: "deep" };
    const res = await send("t-invalid", { origin: REMOTE, origin_server_ts: 1, pdus: [bad] });
    const pdus = res.body["pdus"] as JsonObject;
    const entries = Object.values(pdus) as JsonObject[];
    assert.equal(entries.length, 1);
    assert.match(String(entries[0]?.["error"]), /depth/);
  });

  it("answers a retried transaction with the first answer without processing it again", async () => {
    const body = { origin: REMOTE, origin_server_ts: 1, pdus: [message("once")] };
    const first = await send("dup", body);
    const second = await send("dup", body);
    assert.deepEqual(second, first);
    await background.idle();
    assert.equal(checker.seen.length, 1);
    assert.equal(transactions.saves, 1);
    // Concurrent retries share the attempt under way.
    const [a, b] = await Promise.all([send("dup2", body), send("dup2", body)]);
    assert.deepEqual(a, b);
    await background.idle();
    assert.equal(transactions.saves, 2);
  });

  it("answers from the database after a restart (the in-memory answers are gone)", async () => {
    const stored = { pdus: { "$earlier": {} } };
    transactions.rows.set(`${REMOTE}|old`, stored);
    const res = await send("old", { origin: REMOTE, origin_server_ts: 1, pdus: [message("late")] });
    assert.deepEqual(res.body, stored);
    await background.idle();
    assert.equal(checker.seen.length, 0);
  });

  it("keeps the same txnId from different origins apart", async () => {
    const fromOther = room.event({ type: "m.room.message", sender: "@b:other.test", content: { body: "b" } }, { server: "other.test", key: OTHER_KEY });
    const fromRemote = message("a");
    const a = await send("same", { origin: REMOTE, origin_server_ts: 1, pdus: [fromRemote] });
    const b = await send("same", { origin: "other.test", origin_server_ts: 1, pdus: [fromOther] }, { origin: "other.test", key: OTHER_KEY });
    assert.deepEqual(a.body, { pdus: { [idOf(fromRemote)]: {} } });
    assert.deepEqual(b.body, { pdus: { [idOf(fromOther)]: {} } });
    await background.idle();
    assert.equal(checker.seen.length, 2);
    assert.equal(transactions.rows.size, 2);
  });

  it("answers PDUs past the background limit but drops their filtering, counting them", async () => {
    await start(0);
    let release!: () => void;
    checker.gate = new Promise((resolve) => (release = resolve));
    const events = [message("1"), message("2"), message("3")];
    const res = await send("flood", { origin: REMOTE, origin_server_ts: 1, pdus: events });
    assert.equal(Object.keys(res.body["pdus"] as JsonObject).length, 3);
    release();
    await background.idle();
    assert.equal(checker.seen.length, 1);
    assert.match(await registry.metrics(), /outcome="dropped_overload"\} 2/);
  });

  const refusals: [string, () => Promise<{ status: number; body: JsonObject }>, number, string][] = [
    ["no X-Matrix header", () => send("u1", { pdus: [] }, { sign: false }), 401, "M_UNAUTHORIZED"],
    ["a header for another destination", () => send("u2", { pdus: [] }, { destination: "elsewhere.test" }), 401, "M_UNAUTHORIZED"],
    ["a header claiming another origin", () => send("u3", { pdus: [] }, { origin: "other.test" }), 401, "M_UNAUTHORIZED"],
    ["a body that is not JSON", () => send("u4", "{nope", { sign: false }), 400, "M_NOT_JSON"],
    ["a float in the body", () => send("u5", '{"pdus": [], "origin_server_ts": 1.5}', { sign: false }), 400, "M_BAD_JSON"],
    ["a JSON array body", () => send("u6", []), 400, "M_BAD_JSON"],
    ["pdus that are not an array", () => send("u7", { pdus: {} }), 400, "M_BAD_JSON"],
    ["edus that are not an array", () => send("u8", { edus: "x" }), 400, "M_BAD_JSON"],
    ["an origin that is not a string", () => send("u9", { origin: 5 }), 400, "M_BAD_JSON"],
  ];
  for (const [name, call, status, errcode] of refusals) {
    it(`refuses ${name} with ${status} ${errcode}`, async () => {
      const res = await call();
      assert.equal(res.status, status);
      assert.equal(res.body["errcode"], errcode);
    });
  }

  it("accepts an empty transaction and one without pdus", async () => {
    assert.deepEqual((await send("e1", {})).body, { pdus: {} });
    assert.deepEqual((await send("e2", { origin: REMOTE, origin_server_ts: 1, edus: [] })).body, { pdus: {} });
  });

  it("refuses a body over 8 MiB with 413 M_TOO_LARGE before authenticating", async () => {
    const huge = JSON.stringify({ pdus: [], padding: "x".repeat(8 * 1024 * 1024) });
    const res = await fetch(`${server.url}/_matrix/federation/v1/send/big`, { method: "PUT", body: huge });
    assert.equal(res.status, 413);
    assert.equal(((await res.json()) as JsonObject)["errcode"], "M_TOO_LARGE");
  });

  it("answers 405 for another method on the path", async () => {
    const res = await fetch(`${server.url}/_matrix/federation/v1/send/x`, { method: "POST", body: "{}" });
    assert.equal(res.status, 405);
  });
});
