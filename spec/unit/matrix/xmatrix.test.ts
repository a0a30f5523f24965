import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  generateSigningKey,
  parseXMatrixHeaders,
  signXMatrixHeader,
  verifyKeyOf,
  verifyXMatrix,
  type KeyLookup,
  type XMatrixRequest,
} from "../../../src/matrix/index.js";

const originKey = generateSigningKey("origin");
const lookup: KeyLookup = async (server, keyId) =>
  server === "hs.test" && keyId === originKey.keyId ? verifyKeyOf(originKey) : undefined;
const body = { pdu: { type: "m.room.message", body: "héllo 😀" } };

function signedRequest(overrides: Partial<XMatrixRequest> = {}): XMatrixRequest {
  const authorization = signXMatrixHeader({
    method: "POST",
    uri: "/_matrix/policy/v1/sign?x=%21a",
    origin: "hs.test",
    destination: "ps.test",
    content: body,
    key: originKey,
  });
  return {
    method: "POST",
    uri: "/_matrix/policy/v1/sign?x=%21a",
    authorization,
    content: body,
    serverName: "ps.test",
    getKey: lookup,
    ...overrides,
  };
}

describe("parseXMatrixHeaders", () => {
  test("ignores other schemes, accepts bare tokens and several headers from one origin", () => {
    const parsed = parseXMatrixHeaders([
      "Bearer abc",
      'X-Matrix origin=hs.test,key="ed25519:a",sig="s1"',
      'x-matrix origin="hs.test", destination="ps.test", key=ed25519:b, sig=s2',
    ]);
    assert.deepEqual(parsed, {
      ok: true,
      value: { origin: "hs.test", destination: "ps.test", signatures: [{ keyId: "ed25519:a", sig: "s1" }, { keyId: "ed25519:b", sig: "s2" }] },
    });
  });

  test("a quoted value may contain commas and escaped quotes", () => {
    const parsed = parseXMatrixHeaders('X-Matrix origin="a.test",key="ed25519:1",sig="x,\\"y"');
    assert.ok(parsed.ok);
    assert.equal(parsed.value.signatures[0]?.sig, 'x,"y');
  });

  const failures: Array<[string, string | string[] | undefined, string, RegExp]> = [
    ["no header", undefined, "missing", /Missing "Authorization: X-Matrix/],
    ["only another scheme", "Bearer x", "missing", /Missing/],
    ["missing sig", 'X-Matrix origin="a.test",key="ed25519:1"', "malformed", /origin, key and sig/],
    ["unterminated quote", 'X-Matrix origin="a.test,key="ed25519:1",sig="x', "malformed", /malformed/],
    ["no parameters", "X-Matrix", "malformed", /malformed/],
    ["different origins", ['X-Matrix origin=a.test,key=ed25519:1,sig=x', 'X-Matrix origin=b.test,key=ed25519:1,sig=x'], "malformed", /different origins/],
  ];
  for (const [label, headers, reason, message] of failures) {
    test(`refuses: ${label}`, () => {
      const parsed = parseXMatrixHeaders(headers);
      assert.equal(parsed.ok, false);
      if (parsed.ok) return;
      assert.equal(parsed.error.reason, reason);
      assert.match(parsed.error.message, message);
    });
  }
});

describe("verifyXMatrix", () => {
  test("a correctly signed request authenticates its origin", async () => {
    assert.deepEqual(await verifyXMatrix(signedRequest()), { ok: true, value: { origin: "hs.test" } });
  });

  test("a request without destination is checked against our own name", async () => {
    const authorization = signXMatrixHeader({ method: "GET", uri: "/x", origin: "hs.test", destination: "ps.test", key: originKey })
      .replace(/destination="ps\.test",/, "");
    const result = await verifyXMatrix(signedRequest({ method: "GET", uri: "/x", authorization, content: undefined }));
    assert.ok(result.ok);
  });

  const cases: Array<[string, Partial<XMatrixRequest>, string]> = [
    ["wrong destination", { serverName: "other.test" }, "wrong_destination"],
    ["changed body", { content: { pdu: { type: "m.room.message", body: "spam" } } }, "bad_signature"],
    ["body dropped", { content: undefined }, "bad_signature"],
    ["changed method", { method: "PUT" }, "bad_signature"],
    ["changed uri", { uri: "/_matrix/policy/v1/sign?x=!a" }, "bad_signature"],
    ["unknown key", { getKey: async () => undefined }, "unknown_key"],
    ["invalid origin", { authorization: 'X-Matrix origin="bad_origin",key="ed25519:1",sig="x"' }, "bad_origin"],
    ["non-ed25519 key", { authorization: 'X-Matrix origin="hs.test",key="rsa:1",sig="x"' }, "unknown_key"],
    ["undecodable sig", { authorization: 'X-Matrix origin="hs.test",destination="ps.test",key="ed25519:origin",sig="!!"' }, "unknown_key"],
  ];
  for (const [label, overrides, reason] of cases) {
    test(`refuses: ${label}`, async () => {
      const result = await verifyXMatrix(signedRequest(overrides));
      assert.equal(result.ok, false);
      if (!result.ok) assert.equal(result.error.reason, reason);
    });
  }

  test("one valid signature among several suffices", async () => {
    const good = signedRequest().authorization as string;
    const bad = 'X-Matrix origin="hs.test",destination="ps.test",key="ed25519:origin",sig="' + "A".repeat(86) + '"';
    assert.ok((await verifyXMatrix(signedRequest({ authorization: [bad, good] }))).ok);
  });
});
