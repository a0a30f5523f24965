import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { contentInfo } from "../../src/harms/content-info.js";
import { createHttpApp } from "../../src/http/app.js";
import { policyRouter } from "../../src/http/routes/policy.js";
import { generateSigningKey, signXMatrixHeader, type JsonObject, type SigningKey } from "../../src/matrix/index.js";
import { createHttpMetrics, createRegistry } from "../../src/observability/metrics.js";
import type { CheckOutcome, EventChecker, RoomLookup, RoomRecord } from "../../src/policy/ports.js";
import { startEarlyVerification } from "../../src/policy/service.js";
import { ok } from "../../src/result.js";
import { silent } from "../support/fake-resident-server.js";
import { serve } from "../support/http.js";
import { keysOf, TestRoom } from "../support/room-events.js";

const OUR_NAME = "ps.test";
const REMOTE = "remote.test";
const OTHER = "other.test";
const REMOTE_KEY = generateSigningKey("remote1");
const OTHER_KEY = generateSigningKey("other1");
const FORGER_KEY = generateSigningKey("remote1");
const EVENT_KEY = generateSigningKey("policy_server");
const STABLE = "/_matrix/policy/v1/sign";

class CountingChecker implements EventChecker {
  readonly checked: string[] = [];
  readonly prefetched: string[] = [];
  prefetchVerdict(eventId: string): void {
    this.prefetched.push(eventId);
  }
  async checkEvent(request: Parameters<EventChecker["checkEvent"]>[0]): Promise<CheckOutcome> {
    this.checked.push(request.event.eventId);
    return { type: "verdict", verdict: { info: contentInfo("Neutral"), spam: false, score: 0.5, trace: [], effects: [] }, cached: false };
  }
}

/** A room directory with a cache the test controls: `cached` rooms answer peekRoom, every room answers getRoom. */
function directory(rooms: ReadonlyMap<string, RoomRecord>, cached: ReadonlySet<string>): RoomLookup & { reads: number } {
  const lookup = {
    reads: 0,
    getRoom: async (roomId: string) => {
      lookup.reads++;
      return ok(rooms.get(roomId));
    },
    peekRoom: (roomId: string) => (cached.has(roomId) ? rooms.get(roomId) : undefined),
  };
  return lookup;
}

describe("sign requests: the event's verification overlaps the request's authentication", () => {
  const room = new TestRoom("10", REMOTE, REMOTE_KEY);
  const uncachedRoom = new TestRoom("10", REMOTE, REMOTE_KEY);
  const rooms = new Map<string, RoomRecord>([
    [room.roomId, { roomId: room.roomId, roomVersion: "10", communityId: "c1" }],
    [uncachedRoom.roomId, { roomId: uncachedRoom.roomId, roomVersion: "10", communityId: "c1" }],
  ]);
  const getKey = keysOf({ [REMOTE]: REMOTE_KEY, [OTHER]: OTHER_KEY });
  let checker: CountingChecker;
  let lookup: ReturnType<typeof directory>;
  let server: { url: string; close: () => Promise<void> } | undefined;

  before(async () => {
    lookup = directory(rooms, new Set([room.roomId]));
    checker = new CountingChecker();
    const router = policyRouter({ serverName: OUR_NAME, eventKey: EVENT_KEY, rooms: lookup, getKey, checker });
    server = await serve(createHttpApp({ logger: silent, metrics: createHttpMetrics(createRegistry()), routers: [router] }));
  });
  beforeEach(() => {
    checker.checked.length = 0;
    checker.prefetched.length = 0;
    lookup.reads = 0;
  });
  after(() => server?.close());

  async function sign(pdu: JsonObject, key: SigningKey = REMOTE_KEY, origin = REMOTE): Promise<{ status: number; body: JsonObject }> {
    const authorization = signXMatrixHeader({ method: "POST", uri: STABLE, origin, destination: OUR_NAME, content: pdu, key });
    const res = await fetch(`${server?.url}${STABLE}`, { method: "POST", headers: { authorization }, body: JSON.stringify(pdu) });
    return { status: res.status, body: (await res.json()) as JsonObject };
  }

  const message = (target: TestRoom, sender = `@alice:${REMOTE}`, signer = { server: REMOTE, key: REMOTE_KEY }) =>
    target.event({ type: "m.room.message", sender, content: { msgtype: "m.text", body: "hello" } }, signer);

  it("refuses a forged request with 401 and never checks its event, though its verification started early", async () => {
    const pdu = message(room);
    const res = await sign(pdu, FORGER_KEY);
    assert.equal(res.status, 401);
    assert.equal(res.body["errcode"], "M_UNAUTHORIZED");
    assert.equal(checker.prefetched.length, 1, "the event was verified (and its verdict looked up) beside the header");
    assert.deepEqual(checker.checked, [], "no filter ran for an unauthenticated request");
  });

  it("signs a genuine request whose event was verified early", async () => {
    const res = await sign(message(room));
    assert.equal(res.status, 200);
    assert.ok(typeof (res.body[OUR_NAME] as JsonObject | undefined)?.["ed25519:policy_server"] === "string");
    assert.equal(checker.checked.length, 1);
  });

  it("verifies after authentication when the room is not in memory or the sender is another server's", async () => {
    const unknown = await sign(message(uncachedRoom));
    assert.equal(unknown.status, 200);
    const relayed = await sign(message(room, `@bob:${OTHER}`, { server: OTHER, key: OTHER_KEY }));
    assert.equal(relayed.status, 200);
    assert.equal(checker.checked.length, 2);
    // A forged request for a room not in memory reads nothing: authentication fails first.
    const readsBefore = lookup.reads;
    const forged = await sign(message(uncachedRoom), FORGER_KEY);
    assert.equal(forged.status, 401);
    assert.equal(lookup.reads, readsBefore);
  });
});

describe("startEarlyVerification eligibility", () => {
  const room = new TestRoom("10", REMOTE, REMOTE_KEY);
  const record: RoomRecord = { roomId: room.roomId, roomVersion: "10", communityId: "c1" };
  const deps = {
    rooms: directory(new Map([[room.roomId, record]]), new Set([room.roomId])),
    getKey: keysOf({ [REMOTE]: REMOTE_KEY }),
    checker: new CountingChecker(),
  };
  const pdu = room.event({ type: "m.room.message", sender: `@a:${REMOTE}`, content: { body: "x" } });

  it("starts for a cached room and the claimed origin's own sender, and its result is the event's verification", async () => {
    const started = startEarlyVerification(pdu, REMOTE, deps);
    assert.ok(started !== undefined);
    assert.equal((await started).kind, "ok");
  });

  it("does not start without a claimed origin, for another server's sender, an uncached room or a malformed body", () => {
    assert.equal(startEarlyVerification(pdu, undefined, deps), undefined);
    assert.equal(startEarlyVerification(pdu, OTHER, deps), undefined);
    assert.equal(startEarlyVerification({ ...pdu, room_id: "!elsewhere:x" }, REMOTE, deps), undefined);
    assert.equal(startEarlyVerification({ ...pdu, sender: 7 }, REMOTE, deps), undefined);
    assert.equal(startEarlyVerification({ ...pdu, sender: "not a user id" }, REMOTE, deps), undefined);
    assert.equal(startEarlyVerification([pdu], REMOTE, deps), undefined);
    const noPeek = { ...deps, rooms: { getRoom: deps.rooms.getRoom } };
    assert.equal(startEarlyVerification(pdu, REMOTE, noPeek), undefined);
  });
});
