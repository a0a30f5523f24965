import assert from "node:assert/strict";
import https from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { describe, it, type TestContext } from "node:test";
import {
  ALLOW_ALL_NETWORKS,
  FederationClient,
  createDiscovery,
  createSafeFetch,
  defaultNetworkPolicy,
  staticResolver,
} from "../../../src/federation/index.js";
import { generateSigningKey } from "../../../src/matrix/index.js";
import { TEST_CERT, TEST_KEY } from "./tls-fixture.js";

interface Seen {
  readonly host: string | undefined;
  readonly sni: string | false | null;
  readonly path: string | undefined;
}

async function tlsServer(t: TestContext): Promise<{ port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = https.createServer({ cert: TEST_CERT, key: TEST_KEY }, (req, res) => {
    seen.push({ host: req.headers.host, sni: (req.socket as TLSSocket).servername, path: req.url });
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ server: { name: "tls-fake", version: "1" } }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { port: (server.address() as AddressInfo).port, seen };
}

const resolver = staticResolver({ hosts: { "hs.test": ["127.0.0.1"], "srv-target.test": ["127.0.0.1"] } });

describe("TLS", () => {
  it("verifies the certificate against the SNI name, which may differ from the connect host", async (t) => {
    const { port, seen } = await tlsServer(t);
    const fetch = createSafeFetch({ policy: ALLOW_ALL_NETWORKS, resolver, ca: TEST_CERT });
    const ok = await fetch({ url: `https://srv-target.test:${port}/x`, tlsServername: "hs.test", headers: { Host: "hs.test" } });
    assert.ok(ok.ok, JSON.stringify(ok));
    assert.deepEqual(seen[0], { host: "hs.test", sni: "hs.test", path: "/x" });

    const mismatch = await fetch({ url: `https://srv-target.test:${port}/x` });
    assert.ok(!mismatch.ok && mismatch.error.kind === "network", JSON.stringify(mismatch));
    assert.match(mismatch.error.message, /srv-target\.test/);
  });

  it("refuses an untrusted certificate", async (t) => {
    const { port } = await tlsServer(t);
    const fetch = createSafeFetch({ policy: ALLOW_ALL_NETWORKS, resolver });
    const res = await fetch({ url: `https://hs.test:${port}/x` });
    assert.ok(!res.ok && res.error.kind === "network");
  });

  it("runs a signed federation call through discovery over TLS (explicit port: Host = server name, SNI = host)", async (t) => {
    const { port, seen } = await tlsServer(t);
    const fetch = createSafeFetch({ policy: ALLOW_ALL_NETWORKS, resolver, ca: TEST_CERT });
    const client = new FederationClient({
      serverName: "ps.test",
      signingKey: generateSigningKey(),
      discovery: createDiscovery({ fetch, resolver }),
      fetch,
    });
    const res = await client.getVersion(`hs.test:${port}`);
    assert.deepEqual(res, { ok: true, value: { name: "tls-fake", version: "1" } });
    assert.deepEqual(seen[0], { host: `hs.test:${port}`, sni: "hs.test", path: "/_matrix/federation/v1/version" });
  });

  it("applies the network policy to TLS connections too", async (t) => {
    const { port, seen } = await tlsServer(t);
    const fetch = createSafeFetch({ policy: defaultNetworkPolicy(), resolver, ca: TEST_CERT });
    const res = await fetch({ url: `https://hs.test:${port}/x` });
    assert.ok(!res.ok && res.error.kind === "denied_address");
    assert.equal(seen.length, 0);
  });
});
