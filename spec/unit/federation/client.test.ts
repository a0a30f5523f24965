import assert from "node:assert/strict";
import { describe, it, type TestContext } from "node:test";
import {
  FederationClient,
  createDiscovery,
  createSafeFetch,
  defaultNetworkPolicy,
  escapePathSegment,
  queryString,
  staticResolver,
  type Discovery,
} from "../../../src/federation/index.js";
import { generateSigningKey, verifyKeyOf, verifyXMatrix, type JsonObject, type JsonValue } from "../../../src/matrix/index.js";
import { FakeHomeserver, type RecordedRequest } from "../../support/fake-homeserver.js";

const OUR_NAME = "ps.test";
const OUR_KEY = generateSigningKey("client1");

interface Setup {
  readonly remote: FakeHomeserver;
  readonly client: FederationClient;
}

async function setup(t: TestContext): Promise<Setup> {
  const remote = await FakeHomeserver.start({ serverName: "remote.test" });
  t.after(() => remote.close());
  const fetch = createSafeFetch({ policy: defaultNetworkPolicy(), resolver: staticResolver({}) });
  const discovery = createDiscovery({ fetch, resolver: staticResolver({}), overrides: new Map([["remote.test", remote.url]]) });
  const client = new FederationClient({ serverName: OUR_NAME, signingKey: OUR_KEY, discovery, fetch, now: () => 1234 });
  return { remote, client };
}

/** Checks the request carries a valid X-Matrix signature from us for remote.test, as the remote would. */
async function assertSignedByUs(req: RecordedRequest): Promise<void> {
  const ours = verifyKeyOf(OUR_KEY);
  const verified = await verifyXMatrix({
    method: req.method,
    uri: req.path,
    authorization: req.headers.authorization,
    content: req.json as JsonValue | undefined,
    serverName: "remote.test",
    getKey: (server, keyId) => Promise.resolve(server === OUR_NAME && keyId === OUR_KEY.keyId ? ours : undefined),
  });
  assert.ok(verified.ok, JSON.stringify(verified));
  assert.equal(verified.value.origin, OUR_NAME);
}

const joinTemplate: JsonObject = { type: "m.room.member", room_id: "!r:remote.test", content: { membership: "join" }, prev_events: [], auth_events: [], depth: 3 };
const joinEvent: JsonObject = { ...joinTemplate, sender: "@policyserv:ps.test", state_key: "@policyserv:ps.test", origin_server_ts: 1 };

describe("path escaping", () => {
  it("escapes like Go's PathEscape", () => {
    assert.equal(escapePathSegment("!room:example.org"), "%21room:example.org");
    assert.equal(escapePathSegment("$ev/ent+=@x"), "$ev%2Fent+=@x");
    assert.equal(escapePathSegment("a b?#é"), "a%20b%3F%23%C3%A9");
  });
  it("builds repeated query parameters", () => {
    assert.equal(queryString([["ver", "1"], ["ver", "10"], ["event_id", "$a!b"]]), "?ver=1&ver=10&event_id=%24a%21b");
    assert.equal(queryString([]), "");
  });
});

describe("FederationClient", () => {
  it("make_join: signed GET with every offered version, typed result", async (t) => {
    const { remote, client } = await setup(t);
    remote.route("GET", "/_matrix/federation/v1/make_join/:room/:user", (_req, params) => {
      assert.deepEqual(params, { room: "!r:remote.test", user: "@policyserv:ps.test" });
      return { body: { event: joinTemplate, room_version: "10" } };
    });
    const res = await client.makeJoin("remote.test", "!r:remote.test", "@policyserv:ps.test", ["1", "10", "11"]);
    assert.ok(res.ok, JSON.stringify(res));
    assert.equal(res.value.roomVersion, "10");
    assert.deepEqual(res.value.event, joinTemplate);
    const req = remote.requests[0];
    assert.ok(req);
    assert.equal(req.path, "/_matrix/federation/v1/make_join/%21r:remote.test/@policyserv:ps.test?ver=1&ver=10&ver=11");
    assert.deepEqual(req.query.getAll("ver"), ["1", "10", "11"]);
    await assertSignedByUs(req);
  });

  it("make_join: refuses a response without an event object", async (t) => {
    const { remote, client } = await setup(t);
    remote.route("GET", "/_matrix/federation/v1/make_join/:room/:user", () => ({ body: { room_version: "10" } }));
    const res = await client.makeJoin("remote.test", "!r:remote.test", "@policyserv:ps.test", ["10"]);
    assert.ok(!res.ok && res.error.kind === "bad_response");
  });

  it("send_join: v2 when the remote has it", async (t) => {
    const { remote, client } = await setup(t);
    remote.route("PUT", "/_matrix/federation/v2/send_join/:room/:event", (req) => ({
      body: { origin: "remote.test", state: [{ type: "s" }], auth_chain: [{ type: "a" }], event: req.json as JsonObject },
    }));
    const res = await client.sendJoin("remote.test", "!r:remote.test", "$join", joinEvent);
    assert.ok(res.ok, JSON.stringify(res));
    assert.equal(res.value.apiVersion, "v2");
    assert.deepEqual(res.value.state, [{ type: "s" }]);
    assert.deepEqual(res.value.authChain, [{ type: "a" }]);
    assert.deepEqual(res.value.event, joinEvent);
    const req = remote.requests[0];
    assert.ok(req);
    assert.equal(req.headers["content-type"], "application/json");
    await assertSignedByUs(req);
  });

  it("send_join: falls back to v1 when v2 is unrecognised, and unwraps [200, {...}]", async (t) => {
    const { remote, client } = await setup(t);
    // No v2 route: the fake answers 404 M_UNRECOGNIZED, as Synapse does for unknown endpoints.
    remote.route("PUT", "/_matrix/federation/v1/send_join/:room/:event", () => ({ body: [200, { origin: "remote.test", state: [], auth_chain: [] }] }));
    const res = await client.sendJoin("remote.test", "!r:remote.test", "$join", joinEvent);
    assert.ok(res.ok, JSON.stringify(res));
    assert.equal(res.value.apiVersion, "v1");
    assert.deepEqual(remote.requests.map((r) => r.pathname), [
      "/_matrix/federation/v2/send_join/%21r:remote.test/$join",
      "/_matrix/federation/v1/send_join/%21r:remote.test/$join",
    ]);
    for (const req of remote.requests) await assertSignedByUs(req);
  });

  it("send_join: also falls back on a bare 404, but not on 404 M_NOT_FOUND", async (t) => {
    const { remote, client } = await setup(t);
    remote.route("PUT", "/_matrix/federation/v2/send_join/:room/:event", () => ({ status: 404, body: "Not found" }));
    remote.route("PUT", "/_matrix/federation/v1/send_join/:room/:event", () => ({ body: [200, { state: [], auth_chain: [] }] }));
    const bare = await client.sendJoin("remote.test", "!r:remote.test", "$join", joinEvent);
    assert.ok(bare.ok && bare.value.apiVersion === "v1");

    remote.route("PUT", "/_matrix/federation/v2/send_join/:room/:event", () => ({ status: 404, body: { errcode: "M_NOT_FOUND", error: "Unknown room" } }));
    const before = remote.requests.length;
    const missing = await client.sendJoin("remote.test", "!r:remote.test", "$join", joinEvent);
    assert.ok(!missing.ok);
    assert.deepEqual(
      missing.error.kind === "http" ? [missing.error.status, missing.error.errcode, missing.error.error] : missing.error,
      [404, "M_NOT_FOUND", "Unknown room"],
    );
    assert.equal(remote.requests.length - before, 1, "no v1 retry");
  });

  it("send_join: refuses a malformed v1 envelope", async (t) => {
    const { remote, client } = await setup(t);
    remote.route("PUT", "/_matrix/federation/v1/send_join/:room/:event", () => ({ body: { state: [], auth_chain: [] } }));
    const res = await client.sendJoin("remote.test", "!r:remote.test", "$join", joinEvent);
    assert.ok(!res.ok && res.error.kind === "bad_response" && /\[200/.test(res.error.message));
  });

  it("state, state_ids and event: escaped query, validated shapes", async (t) => {
    const { remote, client } = await setup(t);
    remote.route("GET", "/_matrix/federation/v1/state/:room", () => ({ body: { pdus: [{ a: 1 }], auth_chain: [] } }));
    remote.route("GET", "/_matrix/federation/v1/state_ids/:room", () => ({ body: { pdu_ids: ["$a"], auth_chain_ids: ["$b"] } }));
    remote.route("GET", "/_matrix/federation/v1/event/:id", (_r, p) =>
      p["id"] === "$one" ? { body: { origin: "remote.test", origin_server_ts: 5, pdus: [{ x: 1 }] } } : { body: { pdus: [{}, {}] } },
    );
    const state = await client.getState("remote.test", "!r:remote.test", "$ev");
    assert.deepEqual(state, { ok: true, value: { pdus: [{ a: 1 }], authChain: [] } });
    assert.equal(remote.requests[0]?.path, "/_matrix/federation/v1/state/%21r:remote.test?event_id=%24ev");
    const ids = await client.getStateIds("remote.test", "!r:remote.test", "$ev");
    assert.deepEqual(ids, { ok: true, value: { pduIds: ["$a"], authChainIds: ["$b"] } });
    const one = await client.getEvent("remote.test", "$one");
    assert.deepEqual(one, { ok: true, value: { origin: "remote.test", originServerTs: 5, pdu: { x: 1 } } });
    const two = await client.getEvent("remote.test", "$two");
    assert.ok(!two.ok && two.error.kind === "bad_response" && /exactly one PDU/.test(two.error.message));
    for (const req of remote.requests) await assertSignedByUs(req);

    remote.route("GET", "/_matrix/federation/v1/state_ids/:room", () => ({ body: { pdu_ids: [1], auth_chain_ids: [] } }));
    const bad = await client.getStateIds("remote.test", "!r:remote.test", "$ev");
    assert.ok(!bad.ok && bad.error.kind === "bad_response");
  });

  it("sendTransaction: origin, timestamp and EDUs in a signed PUT", async (t) => {
    const { remote, client } = await setup(t);
    remote.route("PUT", "/_matrix/federation/v1/send/:txn", () => ({ body: { pdus: {} } }));
    const edu = { edu_type: "m.direct_to_device", content: {} };
    const res = await client.sendTransaction("remote.test", "txn1", { edus: [edu] });
    assert.deepEqual(res, { ok: true, value: { pdus: {} } });
    const req = remote.requests[0];
    assert.ok(req);
    assert.deepEqual(req.json, { origin: OUR_NAME, origin_server_ts: 1234, pdus: [], edus: [edu] });
    await assertSignedByUs(req);
  });

  it("keeps the peer's Matrix error on non-2xx answers", async (t) => {
    const { remote, client } = await setup(t);
    remote.route("GET", "/_matrix/federation/v1/event/:id", () => ({ status: 403, body: { errcode: "M_FORBIDDEN", error: "no" } }));
    const res = await client.getEvent("remote.test", "$x");
    assert.ok(!res.ok && res.error.kind === "http");
    assert.equal(res.error.status, 403);
    assert.equal(res.error.errcode, "M_FORBIDDEN");
    assert.match(res.error.message, /HTTP 403 M_FORBIDDEN: no/);
  });

  it("parses responses strictly (floats are refused)", async (t) => {
    const { remote, client } = await setup(t);
    remote.route("GET", "/_matrix/federation/v1/version", () => ({ body: '{"server":{"name":"x","version":1.5}}' }));
    const res = await client.getVersion("remote.test");
    assert.ok(!res.ok && res.error.kind === "bad_response", JSON.stringify(res));
  });

  it("key endpoints are unauthenticated", async (t) => {
    const { remote, client } = await setup(t);
    remote.route("GET", "/_matrix/key/v2/server", () => ({ body: { server_name: "remote.test" } }));
    remote.route("POST", "/_matrix/key/v2/query", () => ({ body: { server_keys: [{ a: 1 }, "junk"] } }));
    const keys = await client.getServerKeys("remote.test");
    assert.deepEqual(keys, { ok: true, value: { server_name: "remote.test" } });
    const query = await client.queryKeysFromNotary("remote.test", "other.test", ["ed25519:a"], 99);
    assert.deepEqual(query, { ok: true, value: [{ a: 1 }] });
    assert.deepEqual(remote.requests[1]?.json, { server_keys: { "other.test": { "ed25519:a": { minimum_valid_until_ts: 99 } } } });
    assert.ok(remote.requests.every((r) => r.headers.authorization === undefined));
  });

  it("refuses a destination on a denied network when it is not overridden", async (t) => {
    const remote = await FakeHomeserver.start();
    t.after(() => remote.close());
    const resolver = staticResolver({ hosts: { "remote.test": ["127.0.0.1"] } });
    const fetch = createSafeFetch({ policy: defaultNetworkPolicy(), resolver });
    const client = new FederationClient({ serverName: OUR_NAME, signingKey: OUR_KEY, discovery: createDiscovery({ fetch, resolver }), fetch });
    const res = await client.getVersion(`remote.test:${remote.port}`);
    assert.ok(!res.ok && res.error.kind === "fetch");
    assert.equal(res.error.cause.kind, "denied_address");
    assert.equal(remote.requests.length, 0);
  });

  it("tries the next endpoint when one cannot be reached, and forgets the resolution when all fail", async (t) => {
    const { remote } = await setup(t);
    remote.route("GET", "/_matrix/federation/v1/version", () => ({ body: { server: { name: "fake", version: "1" } } }));
    const dead = await FakeHomeserver.start();
    const deadUrl = dead.url;
    await dead.close();
    let forgotten = 0;
    let endpoints = [deadUrl, remote.url];
    const discovery: Discovery = {
      resolve: () => Promise.resolve({ ok: true, value: endpoints.map((baseUrl) => ({ baseUrl, hostHeader: "remote.test", tlsServername: undefined, fromOverride: true })) }),
      forget: () => void forgotten++,
    };
    const fetch = createSafeFetch({ policy: defaultNetworkPolicy(), resolver: staticResolver({}) });
    const client = new FederationClient({ serverName: OUR_NAME, signingKey: OUR_KEY, discovery, fetch });
    const res = await client.getVersion("remote.test");
    assert.deepEqual(res, { ok: true, value: { name: "fake", version: "1" } });
    assert.equal(remote.requests[0]?.headers.host, "remote.test");
    endpoints = [deadUrl];
    const failed = await client.getVersion("remote.test");
    assert.ok(!failed.ok && failed.error.kind === "fetch");
    assert.equal(forgotten, 1);
  });
});
