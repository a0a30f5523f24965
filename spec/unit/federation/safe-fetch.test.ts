import assert from "node:assert/strict";
import { describe, it, type TestContext } from "node:test";
import {
  ALLOW_ALL_NETWORKS,
  createNetworkPolicy,
  createSafeFetch,
  defaultNetworkPolicy,
  parseCidrList,
  staticResolver,
  type NetworkPolicy,
} from "../../../src/federation/index.js";
import { DESTROY, FakeHomeserver, HANG } from "../../support/fake-homeserver.js";

async function fake(t: TestContext): Promise<FakeHomeserver> {
  const server = await FakeHomeserver.start();
  t.after(() => server.close());
  return server;
}

function denyOnly(csv: string): NetworkPolicy {
  const denied = parseCidrList(csv);
  const allowed = parseCidrList("0.0.0.0/0,::/0");
  assert.ok(denied.ok && allowed.ok);
  return createNetworkPolicy(allowed.value, denied.value);
}

const noDns = staticResolver({});

describe("safe fetch", () => {
  it("returns status, lower-case headers and the whole body, and sends our headers and body", async (t) => {
    const server = await fake(t);
    server.route("POST", "/echo", (req) => ({ status: 201, headers: { "X-Thing": "yes" }, body: { got: req.json as string, host: req.headers.host ?? "" } }));
    const fetch = createSafeFetch({ policy: ALLOW_ALL_NETWORKS, resolver: noDns });
    const res = await fetch({ url: `${server.url}/echo`, method: "POST", headers: { Host: "hs.test" }, body: JSON.stringify("hello") });
    assert.ok(res.ok, JSON.stringify(res));
    assert.equal(res.value.status, 201);
    assert.equal(res.value.headers["x-thing"], "yes");
    assert.deepEqual(JSON.parse(res.value.body.toString()), { got: "hello", host: "hs.test" });
  });

  it("refuses a denied IP literal before connecting", async (t) => {
    const server = await fake(t);
    const fetch = createSafeFetch({ policy: defaultNetworkPolicy(), resolver: noDns });
    const res = await fetch({ url: `${server.url}/anything` });
    assert.equal(res.ok, false);
    if (!res.ok) {
      assert.equal(res.error.kind, "denied_address");
      assert.match(res.error.message, /127\.0\.0\.1 is in a denied network/);
    }
    assert.equal(server.requests.length, 0);
  });

  it("refuses a name whose every address is denied, judged at connect time", async (t) => {
    const server = await fake(t);
    const resolver = staticResolver({ hosts: { "rebind.test": ["127.0.0.1"] } });
    const fetch = createSafeFetch({ policy: defaultNetworkPolicy(), resolver });
    const res = await fetch({ url: `http://rebind.test:${server.port}/x` });
    assert.equal(res.ok, false);
    if (!res.ok) assert.equal(res.error.kind, "denied_address");
    assert.equal(server.requests.length, 0);
  });

  it("skips denied addresses of a name, connects to an allowed one and re-checks the connected peer", async (t) => {
    const server = await fake(t);
    server.route("GET", "/ok", () => ({ body: { fine: true } }));
    const base = denyOnly("10.0.0.0/8");
    const checked: string[] = [];
    const spy: NetworkPolicy = { check: (a) => (checked.push(a), base.check(a)) };
    const resolver = staticResolver({ hosts: { "mixed.test": ["10.0.0.1", "127.0.0.1"] } });
    const fetch = createSafeFetch({ policy: spy, resolver, limits: { connectTimeoutMs: 2000 } });
    const res = await fetch({ url: `http://mixed.test:${server.port}/ok` });
    assert.ok(res.ok, JSON.stringify(res));
    assert.equal(res.value.status, 200);
    assert.deepEqual(checked.slice(0, 2), ["10.0.0.1", "127.0.0.1"]);
    assert.equal(checked.at(-1), "127.0.0.1", "the connected socket's address is checked too");
  });

  it("lets an exempt (overridden) origin through a policy that denies it", async (t) => {
    const server = await fake(t);
    server.route("GET", "/ok", () => ({ body: {} }));
    const fetch = createSafeFetch({ policy: defaultNetworkPolicy(), resolver: noDns });
    const res = await fetch({ url: `${server.url}/ok`, bypassNetworkPolicy: true });
    assert.ok(res.ok);
    assert.equal(res.value.status, 200);
  });

  it("aborts a response over the size limit, declared or streamed", async (t) => {
    const server = await fake(t);
    server.route("GET", "/declared", () => ({ body: Buffer.alloc(5000, 97) }));
    server.route("GET", "/streamed", () => ({ headers: { "transfer-encoding": "chunked" }, body: Buffer.alloc(5000, 97) }));
    const fetch = createSafeFetch({ policy: ALLOW_ALL_NETWORKS, resolver: noDns, limits: { maxBodyBytes: 1000 } });
    for (const path of ["/declared", "/streamed"]) {
      const res = await fetch({ url: `${server.url}${path}` });
      assert.equal(res.ok, false, path);
      if (!res.ok) {
        assert.equal(res.error.kind, "too_large");
        assert.match(res.error.message, /exceeds 1000 bytes/);
      }
    }
    const small = await fetch({ url: `${server.url}/declared`, maxBodyBytes: 5000 });
    assert.ok(small.ok);
    assert.equal(small.value.body.length, 5000);
  });

  it("times out a server that never answers, within the bound", async (t) => {
    const server = await fake(t);
    server.route("GET", "/hang", () => HANG);
    const fetch = createSafeFetch({ policy: ALLOW_ALL_NETWORKS, resolver: noDns });
    const started = Date.now();
    const res = await fetch({ url: `${server.url}/hang`, timeoutMs: 200 });
    const elapsed = Date.now() - started;
    assert.equal(res.ok, false);
    if (!res.ok) assert.equal(res.error.kind, "timeout");
    assert.ok(elapsed < 2000, `took ${elapsed} ms`);
  });

  it("reports a dropped connection, a refused port and an unknown name as distinct errors", async (t) => {
    const server = await fake(t);
    server.route("GET", "/drop", () => DESTROY);
    const fetch = createSafeFetch({ policy: ALLOW_ALL_NETWORKS, resolver: noDns });
    const dropped = await fetch({ url: `${server.url}/drop` });
    assert.ok(!dropped.ok && dropped.error.kind === "network");
    const closed = await FakeHomeserver.start();
    const port = closed.port;
    await closed.close();
    const refused = await fetch({ url: `http://127.0.0.1:${port}/` });
    assert.ok(!refused.ok && refused.error.kind === "network" && refused.error.code === "ECONNREFUSED", JSON.stringify(refused));
    const unknown = await fetch({ url: "http://nowhere.test/" });
    assert.ok(!unknown.ok && unknown.error.kind === "dns", JSON.stringify(unknown));
    const badScheme = await fetch({ url: "ftp://example.org/" });
    assert.ok(!badScheme.ok && badScheme.error.kind === "invalid_url");
  });

  it("returns a redirect as is unless asked, then follows it and re-checks every hop", async (t) => {
    const server = await fake(t);
    server.route("GET", "/from", () => ({ status: 302, headers: { location: "/to" } }));
    server.route("GET", "/to", () => ({ body: { arrived: true } }));
    server.route("GET", "/loop", () => ({ status: 301, headers: { location: "/loop" } }));
    server.route("GET", "/private", () => ({ status: 307, headers: { location: `http://127.0.0.2:${server.port}/to` } }));
    const fetch = createSafeFetch({ policy: denyOnly("127.0.0.2/32"), resolver: noDns });

    const unfollowed = await fetch({ url: `${server.url}/from` });
    assert.ok(unfollowed.ok);
    assert.equal(unfollowed.value.status, 302);

    const followed = await fetch({ url: `${server.url}/from`, maxRedirects: 3 });
    assert.ok(followed.ok);
    assert.equal(followed.value.status, 200);
    assert.equal(followed.value.url, `${server.url}/to`);

    const loop = await fetch({ url: `${server.url}/loop`, maxRedirects: 3 });
    assert.ok(!loop.ok && loop.error.kind === "too_many_redirects");

    const denied = await fetch({ url: `${server.url}/private`, maxRedirects: 3 });
    assert.ok(!denied.ok && denied.error.kind === "denied_address", JSON.stringify(denied));
  });

  it("does not carry an exemption or credentials to another origin on redirect", async (t) => {
    const target = await fake(t);
    target.route("GET", "/to", (req) => ({ body: { auth: req.headers.authorization ?? null } }));
    const origin = await fake(t);
    origin.route("GET", "/from", () => ({ status: 302, headers: { location: `${target.url}/to` } }));
    const strict = createSafeFetch({ policy: defaultNetworkPolicy(), resolver: noDns });
    const denied = await strict({ url: `${origin.url}/from`, maxRedirects: 2, bypassNetworkPolicy: true });
    assert.ok(!denied.ok && denied.error.kind === "denied_address");

    const open = createSafeFetch({ policy: ALLOW_ALL_NETWORKS, resolver: noDns });
    const res = await open({ url: `${origin.url}/from`, maxRedirects: 2, headers: { Authorization: "secret" } });
    assert.ok(res.ok);
    assert.deepEqual(JSON.parse(res.value.body.toString()), { auth: null });
  });

  it("stops when the caller aborts", async (t) => {
    const server = await fake(t);
    server.route("GET", "/hang", () => HANG);
    const fetch = createSafeFetch({ policy: ALLOW_ALL_NETWORKS, resolver: noDns });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const res = await fetch({ url: `${server.url}/hang`, signal: controller.signal });
    assert.ok(!res.ok && res.error.kind === "aborted");
  });
});
