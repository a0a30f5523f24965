import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createHttpApp } from "../../src/http/app.js";
import { devicesRouter } from "../../src/http/routes/devices.js";
import { generateSigningKey, signXMatrixHeader } from "../../src/matrix/index.js";
import { createHttpMetrics, createRegistry } from "../../src/observability/metrics.js";
import { silent } from "../support/fake-resident-server.js";
import { serve } from "../support/http.js";
import { keysOf } from "../support/room-events.js";

const OUR_NAME = "ps.test";
const REMOTE_KEY = generateSigningKey("remote1");

describe("GET /_matrix/federation/v1/user/devices/{userId}", () => {
  let server: { url: string; close: () => Promise<void> };
  before(async () => {
    const router = devicesRouter({ serverName: OUR_NAME, getKey: keysOf({ "remote.test": REMOTE_KEY }) });
    server = await serve(createHttpApp({ logger: silent, metrics: createHttpMetrics(createRegistry()), routers: [router] }));
  });
  after(() => server.close());

  async function get(encodedUserId: string, sign = true) {
    const uri = `/_matrix/federation/v1/user/devices/${encodedUserId}`;
    const headers: Record<string, string> = {};
    if (sign) headers["Authorization"] = signXMatrixHeader({ method: "GET", uri, origin: "remote.test", destination: OUR_NAME, key: REMOTE_KEY });
    const res = await fetch(`${server.url}${uri}`, { headers });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it("answers no devices for our policy server user", async () => {
    const res = await get(encodeURIComponent("@policyserv:ps.test"));
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { user_id: "@policyserv:ps.test", stream_id: 1, devices: [], master_key: null, self_signing_key: null });
  });

  it("answers the same for any local user, existing or not (historical localparts too)", async () => {
    const res = await get(encodeURIComponent("@Someone.Else!:ps.test"));
    assert.equal(res.status, 200);
    assert.equal(res.body["user_id"], "@Someone.Else!:ps.test");
  });

  it("answers 404 M_NOT_FOUND for a user on another server", async () => {
    const res = await get(encodeURIComponent("@alice:remote.test"));
    assert.deepEqual([res.status, res.body["errcode"], res.body["error"]], [404, "M_NOT_FOUND", "Unknown user ID"]);
  });

  it("answers 400 M_INVALID_PARAM for something that is not a user ID", async () => {
    const res = await get(encodeURIComponent("not-a-user"));
    assert.equal(res.status, 400);
    assert.equal(res.body["errcode"], "M_INVALID_PARAM");
    assert.match(String(res.body["error"]), /Unable to parse user ID/);
  });

  it("requires X-Matrix", async () => {
    const res = await get(encodeURIComponent("@policyserv:ps.test"), false);
    assert.equal(res.status, 401);
    assert.equal(res.body["errcode"], "M_UNAUTHORIZED");
  });

  it("answers 405 for another method", async () => {
    const res = await fetch(`${server.url}/_matrix/federation/v1/user/devices/${encodeURIComponent("@a:ps.test")}`, { method: "POST" });
    assert.equal(res.status, 405);
  });
});
