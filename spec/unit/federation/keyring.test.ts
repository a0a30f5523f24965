import assert from "node:assert/strict";
import { describe, it, type TestContext } from "node:test";
import {
  COMPROMISED_PUBLIC_KEY,
  FederationClient,
  Keyring,
  MemoryKeyStore,
  createDiscovery,
  createSafeFetch,
  defaultNetworkPolicy,
  notaryFromConfig,
  staticResolver,
  type KeySource,
  type KeyStore,
} from "../../../src/federation/index.js";
import { encodeBase64, generateSigningKey, signJson, signingKeyFromSeed, type JsonObject } from "../../../src/matrix/index.js";
import { FakeHomeserver, HANG, serverKeysObject } from "../../support/fake-homeserver.js";

const OUR_KEY = generateSigningKey("ours");
const NOTARY_KEY = generateSigningKey("notary");

interface World {
  readonly notary: FakeHomeserver;
  readonly origin: FakeHomeserver;
  readonly origin2: FakeHomeserver;
  readonly store: MemoryKeyStore;
  keyring(options?: { sources?: readonly KeySource[]; store?: KeyStore; now?: () => number; fetchTimeoutMs?: number }): Keyring;
}

async function world(t: TestContext, notaryKey = NOTARY_KEY): Promise<World> {
  const notary = await FakeHomeserver.start({ serverName: "notary.test", signingKey: notaryKey });
  const origin = await FakeHomeserver.start({ serverName: "origin.test", signingKey: generateSigningKey("o1") });
  const origin2 = await FakeHomeserver.start({ serverName: "origin2.test", signingKey: generateSigningKey("o2") });
  t.after(() => Promise.all([notary.close(), origin.close(), origin2.close()]));
  const overrides = new Map([
    ["notary.test", notary.url],
    ["origin.test", origin.url],
    ["origin2.test", origin2.url],
  ]);
  const fetch = createSafeFetch({ policy: defaultNetworkPolicy(), resolver: staticResolver({}) });
  const client = new FederationClient({
    serverName: "ps.test",
    signingKey: OUR_KEY,
    discovery: createDiscovery({ fetch, resolver: staticResolver({}), overrides }),
    fetch,
  });
  const pinned = notaryFromConfig("notary.test", NOTARY_KEY.keyId, NOTARY_KEY.publicKeyBase64);
  assert.ok(pinned.ok);
  const store = new MemoryKeyStore();
  return {
    notary,
    origin,
    origin2,
    store,
    keyring: (o = {}) =>
      new Keyring({
        serverName: "ps.test",
        ownKeys: [OUR_KEY],
        client,
        store: o.store ?? store,
        notary: pinned.value,
        ...(o.sources ? { sources: o.sources } : {}),
        ...(o.now ? { now: o.now } : {}),
        fetchTimeoutMs: o.fetchTimeoutMs ?? 2000,
      }),
  };
}

function originKeys(w: World, options: Parameters<typeof serverKeysObject>[2] = {}): JsonObject {
  const key = w.origin.signingKey;
  assert.ok(key);
  return serverKeysObject("origin.test", key, options);
}

describe("Keyring", () => {
  it("learns a key from the notary, stores it and answers later look-ups from memory", async (t) => {
    const w = await world(t);
    w.notary.serveNotary((server) => (server === "origin.test" ? [originKeys(w)] : []));
    const keyring = w.keyring();
    const key = w.origin.signingKey;
    assert.ok(key);
    const res = await keyring.getVerifyKey("origin.test", key.keyId);
    assert.ok(res.ok, JSON.stringify(res));
    assert.equal(res.value.publicKeyBase64, key.publicKeyBase64);
    assert.deepEqual(w.store.all().map((k) => [k.serverName, k.keyId, k.publicKeyBase64, k.expiredTs]), [
      ["origin.test", key.keyId, key.publicKeyBase64, null],
    ]);
    const again = await keyring.getVerifyKey("origin.test", key.keyId);
    assert.ok(again.ok);
    assert.equal(w.notary.requests.length, 1);
    assert.equal(w.origin.requests.length, 0, "no direct fetch when the notary answered");
    const query = w.notary.requests[0]?.json as JsonObject;
    assert.ok(JSON.stringify(query).includes(`"${key.keyId}":{"minimum_valid_until_ts":`));
  });

  it("refuses a notary answer not signed by the pinned key and falls back to a direct fetch", async (t) => {
    const w = await world(t, generateSigningKey("impostor"));
    w.notary.serveNotary(() => [originKeys(w)]);
    w.origin.serveKeys();
    const key = w.origin.signingKey;
    assert.ok(key);
    const res = await w.keyring().getVerifyKey("origin.test", key.keyId);
    assert.ok(res.ok, JSON.stringify(res));
    assert.equal(w.notary.requests.length, 1);
    assert.equal(w.origin.requestsTo("GET", "/_matrix/key/v2/server").length, 1);

    const notaryOnly = await w.keyring({ sources: ["notary"], store: new MemoryKeyStore() }).getVerifyKey("origin.test", key.keyId);
    assert.ok(!notaryOnly.ok && notaryOnly.error.kind === "not_found", JSON.stringify(notaryOnly));
  });

  it("refuses a notary answer the origin did not sign, even when the notary signed it", async (t) => {
    const w = await world(t);
    const stranger = generateSigningKey("stranger");
    w.notary.serveNotary(() => [originKeys(w, { signers: [stranger] })]);
    const key = w.origin.signingKey;
    assert.ok(key);
    const res = await w.keyring({ sources: ["notary"] }).getVerifyKey("origin.test", key.keyId);
    assert.ok(!res.ok && res.error.kind === "not_found");
    assert.equal(w.store.all().length, 0);
  });

  it("refuses a key response altered after signing", async (t) => {
    const w = await world(t);
    w.origin.serveKeys({ tamper: (obj) => ({ ...obj, valid_until_ts: (obj["valid_until_ts"] as number) + 1 }) });
    const key = w.origin.signingKey;
    assert.ok(key);
    const res = await w.keyring({ sources: ["direct"] }).getVerifyKey("origin.test", key.keyId);
    assert.ok(!res.ok && res.error.kind === "not_found");
  });

  it("honours valid_until_ts: a key expired at the time asked is refused unless the room version ignores it", async (t) => {
    const w = await world(t);
    const expiredAt = Date.now() - 60_000;
    w.origin.serveKeys({ validUntilTs: expiredAt });
    const key = w.origin.signingKey;
    assert.ok(key);
    const keyring = w.keyring({ sources: ["direct"] });
    const now = await keyring.getVerifyKey("origin.test", key.keyId);
    assert.ok(!now.ok && now.error.kind === "expired", JSON.stringify(now));
    const before = await keyring.getVerifyKey("origin.test", key.keyId, expiredAt - 1000);
    assert.ok(before.ok, "valid for an event sent before valid_until_ts");
    const legacy = await keyring.getVerifyKey("origin.test", key.keyId, undefined, { ignoreValidUntil: true });
    assert.ok(legacy.ok, "v1-v4 rooms ignore valid_until_ts");
  });

  it("accepts old_verify_keys only before their expired_ts", async (t) => {
    const w = await world(t);
    const old = generateSigningKey("old");
    const expired = Date.now() - 3600_000;
    w.origin.serveKeys({ oldVerifyKeys: { [old.keyId]: { key: old.publicKeyBase64, expired_ts: expired } } });
    const keyring = w.keyring({ sources: ["direct"] });
    const early = await keyring.getVerifyKey("origin.test", old.keyId, expired - 1);
    assert.ok(early.ok);
    assert.equal(early.value.publicKeyBase64, old.publicKeyBase64);
    const late = await keyring.getVerifyKey("origin.test", old.keyId, expired + 1);
    assert.ok(!late.ok && late.error.kind === "expired");
  });

  it("bounds a key server that never answers, without stalling look-ups for other servers", async (t) => {
    const w = await world(t);
    w.notary.serveNotary((server) => {
      if (server === "origin2.test") {
        const k = w.origin2.signingKey;
        assert.ok(k);
        return [serverKeysObject("origin2.test", k)];
      }
      return [];
    });
    w.notary.route("POST", "/_matrix/key/v2/query", (req) => {
      const wanted = Object.keys(((req.json as JsonObject)["server_keys"] ?? {}) as JsonObject);
      if (wanted.includes("origin.test")) return HANG;
      const k = w.origin2.signingKey;
      assert.ok(k);
      return { body: { server_keys: [signJson(serverKeysObject("origin2.test", k), "notary.test", NOTARY_KEY)] } };
    });
    w.origin.route("GET", "/_matrix/key/v2/server", () => HANG);
    const keyring = w.keyring({ fetchTimeoutMs: 600 });
    const key = w.origin.signingKey;
    const key2 = w.origin2.signingKey;
    assert.ok(key && key2);
    const started = Date.now();
    const slow = keyring.getVerifyKey("origin.test", key.keyId).then((r) => ({ r, ms: Date.now() - started }));
    const fast = keyring.getVerifyKey("origin2.test", key2.keyId).then((r) => ({ r, ms: Date.now() - started }));
    const [s, f] = await Promise.all([slow, fast]);
    assert.ok(f.r.ok);
    assert.ok(f.ms < 500, `other origin took ${f.ms} ms, so it waited on the hanging one`);
    assert.ok(!s.r.ok && s.r.error.kind === "not_found");
    assert.ok(s.ms >= 1150 && s.ms < 4000, `hanging origin took ${s.ms} ms (two bounded fetches)`);
  });

  it("coalesces concurrent look-ups of one server into one request", async (t) => {
    const w = await world(t);
    w.notary.route("POST", "/_matrix/key/v2/query", async () => {
      await new Promise((r) => setTimeout(r, 50));
      return { body: { server_keys: [signJson(originKeys(w), "notary.test", NOTARY_KEY)] } };
    });
    const keyring = w.keyring();
    const key = w.origin.signingKey;
    assert.ok(key);
    const results = await Promise.all(Array.from({ length: 20 }, () => keyring.getVerifyKey("origin.test", key.keyId)));
    assert.ok(results.every((r) => r.ok));
    assert.equal(w.notary.requests.length, 1);
  });

  it("lets a look-up of another key of the same server reuse the fetch under way", async (t) => {
    const w = await world(t);
    const key = w.origin.signingKey;
    assert.ok(key);
    const second = generateSigningKey("o1b");
    w.origin.route("GET", "/_matrix/key/v2/server", async () => {
      await new Promise((r) => setTimeout(r, 50));
      let obj: JsonObject = {
        server_name: "origin.test",
        valid_until_ts: Date.now() + 3600_000,
        verify_keys: { [key.keyId]: { key: key.publicKeyBase64 }, [second.keyId]: { key: second.publicKeyBase64 } },
      };
      obj = signJson(signJson(obj, "origin.test", key), "origin.test", second);
      return { body: obj };
    });
    const keyring = w.keyring({ sources: ["direct"] });
    const [a, b] = await Promise.all([keyring.getVerifyKey("origin.test", key.keyId), keyring.getVerifyKey("origin.test", second.keyId)]);
    assert.ok(a.ok && b.ok);
    assert.equal(b.value.publicKeyBase64, second.publicKeyBase64);
    assert.equal(w.origin.requests.length, 1);
  });

  it("remembers a failure briefly instead of asking again", async (t) => {
    const w = await world(t);
    let now = Date.now();
    const keyring = w.keyring({ sources: ["direct"], now: () => now });
    // No key routes: the origin answers 404 to everything.
    const first = await keyring.getVerifyKey("origin.test", "ed25519:missing");
    assert.ok(!first.ok && first.error.kind === "not_found");
    const second = await keyring.getVerifyKey("origin.test", "ed25519:missing");
    assert.ok(!second.ok);
    assert.equal(w.origin.requests.length, 1);
    now += 31_000;
    await keyring.getVerifyKey("origin.test", "ed25519:missing");
    assert.equal(w.origin.requests.length, 2);
  });

  it("answers our own keys and the pinned notary key locally", async (t) => {
    const w = await world(t);
    const keyring = w.keyring();
    const own = await keyring.getVerifyKey("ps.test", OUR_KEY.keyId);
    assert.ok(own.ok);
    assert.equal(own.value.publicKeyBase64, OUR_KEY.publicKeyBase64);
    const unknownOwn = await keyring.getVerifyKey("ps.test", "ed25519:other");
    assert.ok(!unknownOwn.ok && unknownOwn.error.kind === "not_found");
    const pinned = await keyring.getVerifyKey("notary.test", NOTARY_KEY.keyId);
    assert.ok(pinned.ok);
    assert.equal(pinned.value.publicKeyBase64, NOTARY_KEY.publicKeyBase64);
    assert.equal(w.notary.requests.length + w.origin.requests.length, 0);
  });

  it("uses the key store before the network and survives a failing store", async (t) => {
    const w = await world(t);
    const key = w.origin.signingKey;
    assert.ok(key);
    await w.store.save([{ serverName: "origin.test", keyId: key.keyId, publicKeyBase64: key.publicKeyBase64, validUntilTs: Date.now() + 60_000, expiredTs: null }]);
    const fromStore = await w.keyring().getVerifyKey("origin.test", key.keyId);
    assert.ok(fromStore.ok);
    assert.equal(w.store.loads, 1);
    assert.equal(w.notary.requests.length, 0);

    w.origin.serveKeys();
    const broken: KeyStore = { load: () => Promise.reject(new Error("db down")), save: () => Promise.reject(new Error("db down")) };
    const res = await w.keyring({ sources: ["direct"], store: broken }).getVerifyKey("origin.test", key.keyId);
    assert.ok(res.ok);
  });

  it("drops small-order and compromised keys even when the response is otherwise valid", async (t) => {
    const w = await world(t);
    const key = w.origin.signingKey;
    assert.ok(key);
    const compromised = signingKeyFromSeed("ed25519:bad", Buffer.from("0194fdc2fa2ffcc041d3ff12045b73c86e4ff95ff662a5eee82abdf44a2d0b75", "hex"));
    assert.equal(compromised.publicKeyBase64, COMPROMISED_PUBLIC_KEY);
    const identity = new Uint8Array(32);
    identity[0] = 1;
    w.origin.route("GET", "/_matrix/key/v2/server", () => {
      let obj: JsonObject = {
        server_name: "origin.test",
        valid_until_ts: Date.now() + 3600_000,
        verify_keys: {
          [key.keyId]: { key: key.publicKeyBase64 },
          "ed25519:small": { key: encodeBase64(identity) },
          [compromised.keyId]: { key: compromised.publicKeyBase64 },
        },
        old_verify_keys: { "ed25519:oldsmall": { key: encodeBase64(identity), expired_ts: Date.now() + 1000 } },
      };
      obj = signJson(obj, "origin.test", key);
      obj = signJson(obj, "origin.test", compromised);
      return { body: obj };
    });
    const keyring = w.keyring({ sources: ["direct"] });
    assert.ok((await keyring.getVerifyKey("origin.test", key.keyId)).ok);
    for (const keyId of ["ed25519:small", "ed25519:bad", "ed25519:oldsmall"]) {
      const res = await keyring.getVerifyKey("origin.test", keyId, Date.now() - 1000);
      assert.ok(!res.ok, keyId);
    }
    assert.deepEqual(w.store.all().map((k) => k.keyId), [key.keyId]);
  });

  it("refuses a direct answer that names another server, and non-ed25519 key IDs", async (t) => {
    const w = await world(t);
    const key = w.origin.signingKey;
    assert.ok(key);
    w.origin.route("GET", "/_matrix/key/v2/server", () => ({ body: serverKeysObject("someone-else.test", key) }));
    const res = await w.keyring({ sources: ["direct"] }).getVerifyKey("origin.test", key.keyId);
    assert.ok(!res.ok && res.error.kind === "not_found");
    const bad = await w.keyring().getVerifyKey("origin.test", "curve25519:x");
    assert.ok(!bad.ok && bad.error.kind === "invalid_request");
  });

  it("offers itself as a KeyLookup", async (t) => {
    const w = await world(t);
    const lookup = w.keyring().keyLookup();
    assert.equal((await lookup("ps.test", OUR_KEY.keyId))?.publicKeyBase64, OUR_KEY.publicKeyBase64);
    assert.equal(await lookup("ps.test", "ed25519:nope"), undefined);
  });
});

describe("notaryFromConfig", () => {
  it("validates the key ID and key", () => {
    assert.ok(notaryFromConfig("matrix.org", "ed25519:a_RXGa", "l8Hft5qXKn1vfHrg3p4+W8gELQVo8N13JkluMfmn2sQ").ok);
    const badId = notaryFromConfig("matrix.org", "a_RXGa", "l8Hft5qXKn1vfHrg3p4+W8gELQVo8N13JkluMfmn2sQ");
    assert.ok(!badId.ok && /must start with "ed25519:"/.test(badId.error));
    const badKey = notaryFromConfig("matrix.org", "ed25519:a", "AAAA");
    assert.ok(!badKey.ok && /notary key for matrix.org/.test(badKey.error));
  });
});
