import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { adminAuth, bearerToken, constantTimeEquals } from "../../src/http/admin-auth.js";
import { API_KEY, startHarness, type Harness } from "./admin-harness.js";

/** Every admin endpoint with its one real method. */
const ENDPOINTS: readonly [string, string][] = [
  ["POST", "/api/v1/set_room_moderator"],
  ["GET", "/api/v1/rooms"],
  ["GET", "/api/v1/rooms/!a:example.org"],
  ["POST", "/api/v1/rooms/!a:example.org/join"],
  ["POST", "/api/v1/communities/new"],
  ["GET", "/api/v1/communities/default"],
  ["PATCH", "/api/v1/communities/default"],
  ["POST", "/api/v1/communities/default/config"],
  ["POST", "/api/v1/communities/default/rotate_access_token"],
  ["POST", "/api/v1/communities/default/check"],
  ["GET", "/api/v1/instance/community_config"],
  ["POST", "/api/v1/sources/muninn/set_member_directory_event"],
  ["GET", "/api/v1/keyword_templates/t"],
  ["POST", "/api/v1/keyword_templates/t"],
];

const WRONG_METHOD: Readonly<Record<string, string>> = { GET: "DELETE", POST: "PUT", PATCH: "POST" };

describe("admin API authentication", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  for (const [method, path] of ENDPOINTS) {
    it(`${method} ${path}: 401 M_UNAUTHORIZED without a token, with a wrong one, and with the wrong scheme`, async () => {
      for (const auth of [null, "Bearer nope", `bearer ${API_KEY}`, `Bearer  ${API_KEY}`, API_KEY, `Bearer ${API_KEY}x`]) {
        const res = await h.call(path, { method, auth, body: method === "GET" ? undefined : "{}" });
        assert.equal(res.status, 401, `auth ${JSON.stringify(auth)}`);
        assert.deepEqual(res.json, { errcode: "M_UNAUTHORIZED", error: "Not allowed" });
      }
    });

    it(`${method} ${path}: 405 for the wrong method even without a token`, async () => {
      const wrong = WRONG_METHOD[method] ?? "DELETE";
      for (const auth of [null, undefined]) {
        const res = await h.call(path, { method: wrong, auth });
        assert.equal(res.status, 405);
        assert.equal(res.json.errcode, "M_UNRECOGNIZED");
      }
    });
  }

  it("answers HEAD and OPTIONS with 405 before auth, as upstream compares methods exactly", async () => {
    for (const method of ["HEAD", "OPTIONS"]) {
      const res = await h.call("/api/v1/rooms", { method, auth: null });
      assert.equal(res.status, 405, method);
    }
  });

  it("treats communities/new as a literal: GET and PATCH of it are 405 even without a token", async () => {
    for (const method of ["GET", "PATCH"]) {
      const res = await h.call("/api/v1/communities/new", { method, auth: null });
      assert.equal(res.status, 405, method);
    }
  });

  it("answers 404 M_UNRECOGNIZED for a trailing slash and unknown sub-paths", async () => {
    for (const path of ["/api/v1/rooms/", "/api/v1/rooms/!a:b/foo", "/api/v1/nothing"]) {
      const res = await h.call(path);
      assert.equal(res.status, 404, path);
      assert.equal(res.json.errcode, "M_UNRECOGNIZED");
    }
  });

  it("accepts the exact key, spaces included, and ignores the query string", async () => {
    const res = await h.call("/api/v1/rooms?access_token=wrong");
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, []);
  });
});

describe("admin API disabled (PS_API_KEY unset)", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ env: { PS_API_KEY: "" } });
  });
  after(() => h.close());

  it("answers every admin path with 404 M_UNRECOGNIZED, with or without a token, whatever the method", async () => {
    for (const [method, path] of ENDPOINTS) {
      for (const auth of [null, "Bearer ", `Bearer ${API_KEY}`]) {
        const res = await h.call(path, { method, auth, body: method === "GET" ? undefined : "{}" });
        assert.equal(res.status, 404, `${method} ${path}`);
        assert.equal(res.json.errcode, "M_UNRECOGNIZED");
      }
    }
  });

  it("still serves the server-centric API (token auth, not the admin key)", async () => {
    const res = await h.call("/_policyserv/v1/check/text", { method: "POST", auth: null, body: "hi" });
    assert.equal(res.status, 401);
  });
});

describe("auth helpers", () => {
  it("compares equal strings as equal and everything else as different", () => {
    assert.equal(constantTimeEquals("Bearer a", "Bearer a"), true);
    assert.equal(constantTimeEquals("Bearer a", "Bearer b"), false);
    assert.equal(constantTimeEquals("Bearer a", "Bearer aa"), false);
    assert.equal(constantTimeEquals("", ""), true);
  });

  it("extracts a bearer token only with the exact scheme and a non-empty token", () => {
    assert.equal(bearerToken("Bearer pst_X"), "pst_X");
    assert.equal(bearerToken("Bearer  x"), " x");
    assert.equal(bearerToken("bearer x"), undefined);
    assert.equal(bearerToken("Basic x"), undefined);
    assert.equal(bearerToken("Bearer "), undefined);
    assert.equal(bearerToken("XXXXXXXpst_X"), undefined);
    assert.equal(bearerToken(undefined), undefined);
  });

  it("never authenticates with an empty key", async () => {
    const middleware = adminAuth("");
    const ctx = { get: () => "Bearer " } as never;
    await assert.rejects(Promise.resolve(middleware(ctx, async () => undefined)), /Not allowed/);
  });
});
