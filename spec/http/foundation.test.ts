import assert from "node:assert/strict";
import { request } from "node:http";
import { describe, it, after, before } from "node:test";
import { Router } from "@koa/router";
import { pino } from "pino";
import { createHttpApp } from "../../src/http/app.js";
import { MatrixError } from "../../src/http/matrix-error.js";
import { readRawBody } from "../../src/http/raw-body.js";
import { parseBindAddress } from "../../src/http/listen.js";
import { createHttpMetrics, createRegistry } from "../../src/observability/metrics.js";
import { serve } from "../support/http.js";

function testApp() {
  const router = new Router();
  router.get("/ok", (ctx) => {
    ctx.body = { fine: true };
  });
  router.get("/matrix-error", () => {
    throw new MatrixError("M_FORBIDDEN", "nope", { extra: { "org.matrix.msc4387.harms": ["x"], errcode: "spoof" } });
  });
  router.get("/bug", () => {
    throw new Error("secret internals");
  });
  router.post("/echo", async (ctx) => {
    const body = await readRawBody(ctx.req, { limit: 16, timeoutMs: 300 });
    ctx.body = { length: body.length };
  });
  const registry = createRegistry();
  const app = createHttpApp({ logger: pino({ level: "silent" }), metrics: createHttpMetrics(registry), routers: [router] });
  return { app, registry };
}

describe("HTTP foundation", () => {
  let server: { url: string; close: () => Promise<void> };
  let registry: ReturnType<typeof testApp>["registry"];
  before(async () => {
    const built = testApp();
    registry = built.registry;
    server = await serve(built.app);
  });
  after(() => server.close());

  it("should answer a matched route", async () => {
    const res = await fetch(`${server.url}/ok`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { fine: true });
  });

  it("should answer unknown paths with 404 M_UNRECOGNIZED", async () => {
    const res = await fetch(`${server.url}/nowhere`);
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { errcode: string }).errcode, "M_UNRECOGNIZED");
  });

  it("should answer a known path with the wrong method with 405 M_UNRECOGNIZED", async () => {
    const res = await fetch(`${server.url}/ok`, { method: "DELETE" });
    assert.equal(res.status, 405);
    assert.equal(((await res.json()) as { errcode: string }).errcode, "M_UNRECOGNIZED");
  });

  it("should turn a MatrixError into its body without letting extra fields overwrite errcode", async () => {
    const res = await fetch(`${server.url}/matrix-error`);
    assert.equal(res.status, 403);
    assert.deepEqual(await res.json(), { errcode: "M_FORBIDDEN", error: "nope", "org.matrix.msc4387.harms": ["x"] });
  });

  it("should hide a bug's message behind 500 M_UNKNOWN", async () => {
    const res = await fetch(`${server.url}/bug`);
    assert.equal(res.status, 500);
    const body = (await res.json()) as { errcode: string; error: string };
    assert.equal(body.errcode, "M_UNKNOWN");
    assert.doesNotMatch(body.error, /secret/);
  });

  it("should refuse a body over the limit with 413 M_TOO_LARGE", async () => {
    const res = await fetch(`${server.url}/echo`, { method: "POST", body: "x".repeat(17) });
    assert.equal(res.status, 413);
    assert.equal(((await res.json()) as { errcode: string }).errcode, "M_TOO_LARGE");
  });

  it("should accept a body at the limit", async () => {
    const res = await fetch(`${server.url}/echo`, { method: "POST", body: "x".repeat(16) });
    assert.deepEqual(await res.json(), { length: 16 });
  });

  it("should give up on a body that trickles in too slowly", async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${server.url}/echo`, { method: "POST", headers: { "content-length": "10" } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.write("x"); // then never finish
    });
    assert.equal(status, 408);
  });

  it("should count requests by route template, not by concrete path", async () => {
    await fetch(`${server.url}/ok`);
    const text = await registry.metrics();
    assert.match(text, /policyserv_http_requests_total\{route="\/ok",method="GET",status="200"\}/);
    assert.match(text, /route="unmatched"/);
  });
});

describe("parseBindAddress", () => {
  const cases: [string, { host: string; port: number } | null][] = [
    ["0.0.0.0:8080", { host: "0.0.0.0", port: 8080 }],
    ["127.0.0.1:0", { host: "127.0.0.1", port: 0 }],
    ["[::1]:8081", { host: "::1", port: 8081 }],
    [":8082", { host: "0.0.0.0", port: 8082 }],
    ["localhost", null],
    ["host:99999", null],
  ];
  for (const [input, expected] of cases) {
    it(`should parse ${JSON.stringify(input)}`, () => {
      const result = parseBindAddress(input);
      if (expected === null) assert.equal(result.ok, false);
      else assert.deepEqual(result, { ok: true, value: expected });
    });
  }
});
