import assert from "node:assert/strict";
import { describe, it, type TestContext } from "node:test";
import {
  DEFAULT_WELL_KNOWN_CACHE,
  cacheLifetime,
  createDiscovery,
  createNetworkPolicy,
  createSafeFetch,
  parseCidrList,
  parseHostOverrides,
  staticResolver,
  type HostResolver,
  type SafeFetch,
  type SrvRecord,
} from "../../../src/federation/index.js";
import { FakeHomeserver } from "../../support/fake-homeserver.js";

/** Real safe fetch that sends `https://<host>/...` to a local fake, so the well-known logic runs over real HTTP. */
function routedFetch(routes: Record<string, FakeHomeserver>, counter?: { n: number }): SafeFetch {
  const denied = parseCidrList("127.0.0.2/32");
  const allowed = parseCidrList("0.0.0.0/0");
  assert.ok(denied.ok && allowed.ok);
  const real = createSafeFetch({ policy: createNetworkPolicy(allowed.value, denied.value), resolver: staticResolver({}) });
  return (request) => {
    if (counter) counter.n++;
    const url = new URL(request.url);
    const target = routes[url.host];
    if (target === undefined) {
      return Promise.resolve({ ok: false, error: { kind: "dns", host: url.hostname, message: `no route for ${url.host}` } });
    }
    return real({ ...request, url: `${target.url}${url.pathname}${url.search}` });
  };
}

async function wellKnownServer(t: TestContext): Promise<FakeHomeserver> {
  const server = await FakeHomeserver.start();
  t.after(() => server.close());
  return server;
}

function srvResolver(srv: Record<string, SrvRecord[]>, failWith?: Record<string, string>): HostResolver & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    lookup: () => Promise.reject(new Error("no lookups expected")),
    resolveSrv(name) {
      asked.push(name);
      const code = failWith?.[name];
      if (code !== undefined) return Promise.reject(Object.assign(new Error(code), { code }));
      const records = srv[name];
      if (records === undefined) return Promise.reject(Object.assign(new Error("ENOTFOUND"), { code: "ENOTFOUND" }));
      return Promise.resolve(records);
    },
  };
}

const record = (name: string, port: number, priority = 10): SrvRecord => ({ name, port, priority, weight: 5 });

describe("parseHostOverrides", () => {
  it("parses server_name=base_url items", () => {
    const parsed = parseHostOverrides(" hs1.test=http://127.0.0.1:18448 , hs2.test:8448=https://hs2.internal/ ,");
    assert.ok(parsed.ok);
    assert.deepEqual([...parsed.value], [
      ["hs1.test", "http://127.0.0.1:18448"],
      ["hs2.test:8448", "https://hs2.internal"],
    ]);
  });

  for (const [input, fragment] of [
    ["hs1.test", "server_name=base_url"],
    ["=http://x", "server_name=base_url"],
    ["hs1.test=ftp://x", "http or https"],
    ["hs1.test=http://x/path", "scheme://host[:port] only"],
    ["hs1.test=not a url", "not a URL"],
    ["bad name!=http://x", "not a valid server name"],
    ["a.test=http://x,a.test=http://y", "overridden twice"],
  ] as const) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      const parsed = parseHostOverrides(input);
      assert.equal(parsed.ok, false);
      if (!parsed.ok) assert.ok(parsed.error.includes(fragment), parsed.error);
    });
  }
});

describe("server discovery", () => {
  it("uses an override without any discovery and marks it exempt", async () => {
    const counter = { n: 0 };
    const discovery = createDiscovery({
      fetch: routedFetch({}, counter),
      resolver: srvResolver({}),
      overrides: new Map([["hs1.test", "http://127.0.0.1:18448"]]),
    });
    const res = await discovery.resolve("hs1.test");
    assert.deepEqual(res, {
      ok: true,
      value: [{ baseUrl: "http://127.0.0.1:18448", hostHeader: "127.0.0.1:18448", tlsServername: undefined, fromOverride: true }],
    });
    assert.equal(counter.n, 0);
  });

  it("connects to IP literals directly, with the default or given port", async () => {
    const resolver = srvResolver({});
    const discovery = createDiscovery({ fetch: routedFetch({}), resolver });
    const v4 = await discovery.resolve("192.0.2.7");
    assert.ok(v4.ok);
    assert.deepEqual(v4.value[0], { baseUrl: "https://192.0.2.7:8448", hostHeader: "192.0.2.7", tlsServername: undefined, fromOverride: false });
    const v6 = await discovery.resolve("[2001:db8::1]:8000");
    assert.ok(v6.ok);
    assert.equal(v6.value[0]?.baseUrl, "https://[2001:db8::1]:8000");
    assert.equal(v6.value[0]?.hostHeader, "[2001:db8::1]:8000");
    assert.deepEqual(resolver.asked, []);
  });

  it("uses an explicit port as is: Host is the server name, SNI the host", async () => {
    const counter = { n: 0 };
    const discovery = createDiscovery({ fetch: routedFetch({}, counter), resolver: srvResolver({}) });
    const res = await discovery.resolve("hs.example:1234");
    assert.ok(res.ok);
    assert.deepEqual(res.value, [{ baseUrl: "https://hs.example:1234", hostHeader: "hs.example:1234", tlsServername: "hs.example", fromOverride: false }]);
    assert.equal(counter.n, 0, "no well-known for a name with a port");
  });

  it("follows a well-known delegation to a host with a port", async (t) => {
    const wk = await wellKnownServer(t);
    wk.route("GET", "/.well-known/matrix/server", () => ({ body: { "m.server": "delegated.example:443" } }));
    const discovery = createDiscovery({ fetch: routedFetch({ "hs.example": wk }), resolver: srvResolver({}) });
    const res = await discovery.resolve("hs.example");
    assert.ok(res.ok);
    assert.deepEqual(res.value, [{ baseUrl: "https://delegated.example:443", hostHeader: "delegated.example:443", tlsServername: "delegated.example", fromOverride: false }]);
  });

  it("resolves a delegated name without a port through SRV, then 8448, never a second well-known", async (t) => {
    const wk = await wellKnownServer(t);
    wk.route("GET", "/.well-known/matrix/server", () => ({ body: { "m.server": "delegated.example" } }));
    const resolver = srvResolver({ "_matrix-fed._tcp.delegated.example": [record("fed1.example.", 8449)] });
    const counter = { n: 0 };
    const discovery = createDiscovery({ fetch: routedFetch({ "hs.example": wk }, counter), resolver });
    const res = await discovery.resolve("hs.example");
    assert.ok(res.ok);
    assert.deepEqual(res.value, [{ baseUrl: "https://fed1.example:8449", hostHeader: "delegated.example", tlsServername: "delegated.example", fromOverride: false }]);
    assert.equal(counter.n, 1);

    const wk2 = await wellKnownServer(t);
    wk2.route("GET", "/.well-known/matrix/server", () => ({ body: { "m.server": "plain.example" } }));
    const d2 = createDiscovery({ fetch: routedFetch({ "other.example": wk2 }), resolver: srvResolver({}) });
    const res2 = await d2.resolve("other.example");
    assert.ok(res2.ok);
    assert.equal(res2.value[0]?.baseUrl, "https://plain.example:8448");
    assert.equal(res2.value[0]?.hostHeader, "plain.example");
  });

  it("follows well-known redirects", async (t) => {
    const wk = await wellKnownServer(t);
    wk.route("GET", "/.well-known/matrix/server", () => ({ status: 301, headers: { location: "/moved" } }));
    wk.route("GET", "/moved", () => ({ status: 302, headers: { location: "/moved-again" } }));
    wk.route("GET", "/moved-again", () => ({ body: { "m.server": "target.example:8443" } }));
    const discovery = createDiscovery({ fetch: routedFetch({ "hs.example": wk }), resolver: srvResolver({}) });
    const res = await discovery.resolve("hs.example");
    assert.ok(res.ok);
    assert.equal(res.value[0]?.baseUrl, "https://target.example:8443");
    assert.equal(wk.requests.length, 3);
  });

  it("ignores a well-known redirected to a denied address and falls back to SRV", async (t) => {
    const wk = await wellKnownServer(t);
    wk.route("GET", "/.well-known/matrix/server", () => ({ status: 302, headers: { location: `http://127.0.0.2:${wk.port}/x` } }));
    const resolver = srvResolver({ "_matrix-fed._tcp.hs.example": [record("srv.example", 8888)] });
    const discovery = createDiscovery({ fetch: routedFetch({ "hs.example": wk }), resolver });
    const res = await discovery.resolve("hs.example");
    assert.ok(res.ok);
    assert.deepEqual(res.value, [{ baseUrl: "https://srv.example:8888", hostHeader: "hs.example", tlsServername: "hs.example", fromOverride: false }]);
  });

  for (const [label, answer] of [
    ["a 404", { status: 404, body: "nope" }],
    ["non-JSON", { body: "<html>" }],
    ["an empty m.server", { body: { "m.server": "" } }],
    ["a non-string m.server", { body: { "m.server": 42 } }],
    ["an invalid m.server", { body: { "m.server": "bad host!" } }],
  ] as const) {
    it(`treats ${label} well-known as absent`, async (t) => {
      const wk = await wellKnownServer(t);
      wk.route("GET", "/.well-known/matrix/server", () => answer);
      const discovery = createDiscovery({ fetch: routedFetch({ "hs.example": wk }), resolver: srvResolver({}) });
      const res = await discovery.resolve("hs.example");
      assert.ok(res.ok);
      assert.deepEqual(res.value, [{ baseUrl: "https://hs.example:8448", hostHeader: "hs.example", tlsServername: "hs.example", fromOverride: false }]);
    });
  }

  it("orders SRV answers by priority and strips trailing dots", async () => {
    const resolver = srvResolver({
      "_matrix-fed._tcp.hs.example": [record("b.example.", 2, 20), record("a.example.", 1, 10)],
    });
    const discovery = createDiscovery({ fetch: routedFetch({}), resolver });
    const res = await discovery.resolve("hs.example");
    assert.ok(res.ok);
    assert.deepEqual(res.value.map((e) => e.baseUrl), ["https://a.example:1", "https://b.example:2"]);
    assert.ok(res.value.every((e) => e.hostHeader === "hs.example" && e.tlsServername === "hs.example"));
  });

  it("falls back to the legacy _matrix._tcp record only when _matrix-fed._tcp does not exist", async () => {
    const legacy = srvResolver({ "_matrix._tcp.hs.example": [record("legacy.example", 8000)] });
    const d1 = createDiscovery({ fetch: routedFetch({}), resolver: legacy });
    const r1 = await d1.resolve("hs.example");
    assert.ok(r1.ok);
    assert.equal(r1.value[0]?.baseUrl, "https://legacy.example:8000");
    assert.deepEqual(legacy.asked, ["_matrix-fed._tcp.hs.example", "_matrix._tcp.hs.example"]);

    const broken = srvResolver(
      { "_matrix._tcp.hs.example": [record("legacy.example", 8000)] },
      { "_matrix-fed._tcp.hs.example": "ESERVFAIL" },
    );
    const d2 = createDiscovery({ fetch: routedFetch({}), resolver: broken });
    const r2 = await d2.resolve("hs.example");
    assert.ok(r2.ok);
    assert.equal(r2.value[0]?.baseUrl, "https://hs.example:8448");
    assert.deepEqual(broken.asked, ["_matrix-fed._tcp.hs.example"]);
  });

  it("caches a well-known per Cache-Control, and a failure only briefly", async (t) => {
    let now = 1_000_000;
    const wk = await wellKnownServer(t);
    let fail = true;
    wk.route("GET", "/.well-known/matrix/server", () =>
      fail ? { status: 500, body: "oops" } : { headers: { "cache-control": "public, max-age=600" }, body: { "m.server": "d.example:1" } },
    );
    const discovery = createDiscovery({ fetch: routedFetch({ "hs.example": wk }), resolver: srvResolver({}), now: () => now });

    const first = await discovery.resolve("hs.example");
    assert.ok(first.ok);
    assert.equal(first.value[0]?.baseUrl, "https://hs.example:8448");
    fail = false;
    now += DEFAULT_WELL_KNOWN_CACHE.errorMs - 1;
    await discovery.resolve("hs.example");
    assert.equal(wk.requests.length, 1, "the error is still cached");
    now += 2;
    const second = await discovery.resolve("hs.example");
    assert.ok(second.ok);
    assert.equal(second.value[0]?.baseUrl, "https://d.example:1");
    assert.equal(wk.requests.length, 2);

    now += 599_000;
    await discovery.resolve("hs.example");
    assert.equal(wk.requests.length, 2, "max-age=600 still fresh");
    now += 2_000;
    await discovery.resolve("hs.example");
    assert.equal(wk.requests.length, 3, "refetched after max-age");

    discovery.forget("hs.example");
    await discovery.resolve("hs.example");
    assert.equal(wk.requests.length, 4, "forget drops the cached resolution");
  });

  it("shares one look-up between concurrent resolutions of a name", async (t) => {
    const wk = await wellKnownServer(t);
    wk.route("GET", "/.well-known/matrix/server", async () => {
      await new Promise((r) => setTimeout(r, 50));
      return { body: { "m.server": "d.example:1" } };
    });
    const discovery = createDiscovery({ fetch: routedFetch({ "hs.example": wk }), resolver: srvResolver({}) });
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => discovery.resolve("hs.example")));
    assert.ok(results.every((r) => r.ok && r.value[0]?.baseUrl === "https://d.example:1"));
    assert.equal(wk.requests.length, 1);
  });

  it("rejects invalid server names", async () => {
    const discovery = createDiscovery({ fetch: routedFetch({}), resolver: srvResolver({}) });
    for (const name of ["", "bad name", "host:99999", "[::1", "host:"]) {
      const res = await discovery.resolve(name);
      assert.equal(res.ok, false, name);
      if (!res.ok) assert.equal(res.error.kind, "invalid_server_name");
    }
  });
});

describe("cacheLifetime", () => {
  const policy = DEFAULT_WELL_KNOWN_CACHE;
  it("clamps max-age and Expires into the configured bounds", () => {
    assert.equal(cacheLifetime({ "cache-control": "max-age=1" }, policy, 0), policy.minMs);
    assert.equal(cacheLifetime({ "cache-control": "max-age=99999999" }, policy, 0), policy.maxMs);
    assert.equal(cacheLifetime({ "cache-control": "max-age=3600" }, policy, 0), 3600_000);
    assert.equal(cacheLifetime({ "cache-control": "no-store" }, policy, 0), policy.minMs);
    const now = Date.parse("2025-01-01T00:00:00Z");
    assert.equal(cacheLifetime({ expires: "Wed, 01 Jan 2025 02:00:00 GMT" }, policy, now), 2 * 3600_000);
    assert.equal(cacheLifetime({}, policy, 0), policy.defaultMs);
  });
});
