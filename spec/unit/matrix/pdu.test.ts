import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import {
  generateSigningKey,
  getRoomVersion,
  hashAndSignEvent,
  isValidServerName,
  parsePdu,
  parseUserId,
  redactEvent,
  ROOM_VERSIONS,
  serverNameOf,
  signEventAsPolicyServer,
  signatureOf,
  signedBytes,
  verifyJsonSignature,
  verifyKeyOf,
  verifyPduSignatures,
  type JsonObject,
  type KeyLookup,
  type RoomVersion,
} from "../../../src/matrix/index.js";
import { filterEventSourceOf, toFilterEvent } from "../../../src/filters/event-view.js";
import { eventJsonLength } from "../../../src/filters/length-filter.js";
import { computeEventId } from "../../../src/matrix/event-hashes.js";
import { jsonObjectArbitrary } from "./json-arbitrary.js";

const hsKey = generateSigningKey("hs");
const psKey = generateSigningKey("policy_server");

function rv(id: string): RoomVersion {
  const r = getRoomVersion(id);
  assert.ok(r.ok);
  return r.value;
}

function message(version: string, overrides: JsonObject = {}): JsonObject {
  const base: JsonObject = {
    type: "m.room.message",
    room_id: version === "12" ? "!abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ" : "!room:hs.test",
    sender: "@alice:hs.test",
    content: { msgtype: "m.text", body: "hello" },
    origin_server_ts: 1_700_000_000_000,
    depth: 5,
    prev_events: rv(version).eventFormat === "v1" ? [["$prev:hs.test", { sha256: "x" }]] : ["$prev"],
    auth_events: [],
    unsigned: { age: 10 },
    ...(rv(version).eventFormat === "v1" ? { event_id: "$ev1:hs.test" } : {}),
    ...overrides,
  };
  return hashAndSignEvent(base, rv(version), "hs.test", hsKey);
}

const lookup: KeyLookup = async (server, keyId) =>
  server === "hs.test" && keyId === hsKey.keyId ? verifyKeyOf(hsKey) : undefined;

describe("room versions", () => {
  test("the table covers 1–12 with the per-version rules of federation.md §5.1", () => {
    assert.deepEqual(Object.keys(ROOM_VERSIONS), ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"]);
    assert.equal(rv("2").eventIdFormat, "origin");
    assert.equal(rv("3").eventIdFormat, "reference-hash-base64");
    assert.equal(rv("4").eventIdFormat, "reference-hash-base64url");
    assert.deepEqual(["1", "6", "8", "9", "11"].map((v) => rv(v).redaction), ["R1", "R2", "R3", "R4", "R5"]);
    assert.equal(rv("5").enforceCanonicalJson, false);
    assert.equal(rv("6").enforceCanonicalJson, true);
    assert.equal(rv("11").roomIdFromCreateEvent, false);
    assert.equal(rv("12").roomIdFromCreateEvent && rv("12").privilegedCreators, true);
    const unknown = getRoomVersion("org.matrix.msc4014");
    assert.equal(unknown.ok, false);
    if (!unknown.ok) assert.match(unknown.error, /unsupported room version "org\.matrix\.msc4014"/);
    assert.equal(getRoomVersion("toString").ok, false);
  });
});

describe("ids", () => {
  test("user IDs: historical localparts accepted, non-ASCII, spaces, empty and bad servers refused", () => {
    assert.deepEqual(parseUserId("@alice:example.org:8448"), { ok: true, value: { localpart: "alice", serverName: "example.org:8448" } });
    assert.ok(parseUserId("@Alice!#~:example.org").ok, "historical grammar");
    assert.ok(parseUserId("@a:[::1]:80").ok);
    for (const bad of ["alice:example.org", "@alice", "@:example.org", "@al ice:example.org", "@élise:example.org",
      "@alice:exa_mple.org", "@alice:example.org:99999", `@${"a".repeat(250)}:example.org`]) {
      const result = parseUserId(bad);
      assert.equal(result.ok, false, bad);
    }
  });

  test("server names: DNS names, IPv4, bracketed IPv6, optional port", () => {
    for (const good of ["example.org", "1.2.3.4", "1.2.3.4:8448", "[::1]", "[2001:db8::1]:443", "localhost"]) {
      assert.ok(isValidServerName(good), good);
    }
    for (const bad of ["", "exa_mple.org", "example.org:", "example.org:0", "[::1", "[nothost]", "::1", "a b", "é.org"]) {
      assert.equal(isValidServerName(bad), false, bad);
    }
    assert.equal(serverNameOf("$abc:hs.test"), "hs.test");
    assert.equal(serverNameOf("$b3tOUX8xQBm1sCO5nM3_29t9zsIqsOly2d6sLXXi2Ps"), undefined);
  });
});

describe("redaction", () => {
  test("property: redaction is idempotent in every room version and never keeps unsigned", () => {
    const event = fc.record({
      type: fc.constantFrom("m.room.member", "m.room.create", "m.room.power_levels", "m.room.join_rules", "m.room.message", "m.room.redaction", "m.room.aliases"),
      content: jsonObjectArbitrary,
      extra: jsonObjectArbitrary,
      version: fc.constantFrom(...Object.keys(ROOM_VERSIONS)),
    });
    fc.assert(
      fc.property(event, ({ type, content, extra, version }) => {
        const input: JsonObject = { ...extra, type, content, unsigned: { age: 1 } };
        const once = redactEvent(input, rv(version));
        assert.deepEqual(redactEvent(once, rv(version)), once);
        assert.equal(Object.hasOwn(once, "unsigned"), false);
        assert.ok(typeof once["content"] === "object");
      }),
      { numRuns: 300 },
    );
  });
});

describe("parsePdu", () => {
  for (const version of Object.keys(ROOM_VERSIONS)) {
    test(`v${version}: a well-formed signed event parses, verifies and gets a policy-server signature`, async () => {
      const event = message(version);
      const pdu = parsePdu(event, version);
      assert.ok(pdu.ok, pdu.ok ? "" : pdu.error.message);
      assert.equal(pdu.value.contentHashValid, true);
      assert.equal(pdu.value.sender, "@alice:hs.test");
      assert.equal(pdu.value.stateKey, undefined);
      assert.equal(Object.hasOwn(pdu.value.json, "unsigned"), false);
      if (rv(version).eventFormat === "v1") assert.equal(pdu.value.eventId, "$ev1:hs.test");
      else assert.match(pdu.value.eventId, version === "3" ? /^\$[A-Za-z0-9+/]{43}$/ : /^\$[A-Za-z0-9_-]{43}$/);
      assert.deepEqual(await verifyPduSignatures(pdu.value, lookup), { ok: true, value: undefined });
      // The bytes computed once at parse time are the ones every signature covers, and (v3+) the event ID's input.
      assert.deepEqual(pdu.value.signedBytes, signedBytes(redactEvent(pdu.value.json, rv(version))));
      assert.deepEqual(computeEventId(pdu.value.json, rv(version)), { ok: true, value: pdu.value.eventId });
      // The filter view reuses what parsing measured, and the length filter sees the same length either way.
      const source = filterEventSourceOf(pdu.value);
      assert.equal(source.signedBytes, pdu.value.signedBytes);
      const reused = eventJsonLength(toFilterEvent(source));
      const { jsonLength: _dropped, ...unmeasured } = source;
      const measured = eventJsonLength(toFilterEvent(unmeasured));
      assert.equal(reused, measured);
      assert.equal(source.jsonLength === undefined, rv(version).eventFormat === "v1");

      const sigs = await signEventAsPolicyServer(pdu.value, "ps.test", psKey);
      // The thread-pool signature equals the synchronous one over the redacted event (Ed25519 is deterministic).
      assert.deepEqual(sigs, { "ps.test": { [psKey.keyId]: signatureOf(redactEvent(pdu.value.json, rv(version)), psKey) } });
      const merged = redactEvent({ ...pdu.value.json, signatures: sigs }, rv(version));
      assert.ok(verifyJsonSignature(merged, "ps.test", psKey.keyId, verifyKeyOf(psKey)));
    });
  }

  test("a v3+ event_id sent by the origin is ignored, not trusted", () => {
    const event = { ...message("10"), event_id: "$forged:evil.test" };
    const pdu = parsePdu(event, "10");
    assert.ok(pdu.ok);
    assert.notEqual(pdu.value.eventId, "$forged:evil.test");
    assert.equal(Object.hasOwn(pdu.value.json, "event_id"), false);
  });

  test("a tampered body keeps its shape but reports a content-hash mismatch", () => {
    const event = message("11");
    const tampered = { ...event, content: { msgtype: "m.text", body: "spam" } };
    const pdu = parsePdu(tampered, "11");
    assert.ok(pdu.ok);
    assert.equal(pdu.value.contentHashValid, false);
  });

  test("a v12 create event has no room_id and defines the room ID from its hash", () => {
    const create = hashAndSignEvent(
      { type: "m.room.create", state_key: "", sender: "@alice:hs.test", content: { room_version: "12" },
        origin_server_ts: 1, depth: 1, prev_events: [], auth_events: [] },
      rv("12"), "hs.test", hsKey,
    );
    const pdu = parsePdu(create, "12");
    assert.ok(pdu.ok, pdu.ok ? "" : pdu.error.message);
    assert.equal(pdu.value.roomId, "!" + pdu.value.eventId.slice(1));
    const withRoom = parsePdu({ ...create, room_id: "!x:hs.test" }, "12");
    assert.equal(withRoom.ok, false);
  });

  const invalid: Array<[string, string, (e: JsonObject) => JsonValueLike, RegExp]> = [
    ["not an object", "10", () => [1, 2], /must be a JSON object/],
    ["underscore key", "10", (e) => ({ ...e, _internal: 1 }), /starting with '_'/],
    ["missing type", "10", (e) => omit(e, "type"), /'type' must be a string/],
    ["numeric state_key", "10", (e) => ({ ...e, state_key: 5 }), /'state_key' must be a string/],
    ["sender without colon", "10", (e) => ({ ...e, sender: "@alice" }), /'sender' must look like/],
    ["room_id without !", "10", (e) => ({ ...e, room_id: "room:hs.test" }), /'room_id' must be a string starting with '!'/],
    ["room_id without server in v11", "11", (e) => ({ ...e, room_id: "!abc" }), /must contain ':'/],
    ["string origin_server_ts", "10", (e) => ({ ...e, origin_server_ts: "1" }), /'origin_server_ts' must be an integer/],
    ["float depth", "10", (e) => ({ ...e, depth: 1.5 }), /not an integer/],
    ["-0 in v6+", "6", (e) => ({ ...e, content: { n: -0 } }), /-0, which room versions 6\+ forbid/],
    ["content array", "10", (e) => ({ ...e, content: [] }), /'content' must be an object/],
    ["v1-style refs in v3+", "10", (e) => ({ ...e, prev_events: [["$a:b", {}]] }), /prev_events\[0\] must be an event ID string/],
    ["v3-style refs in v1", "1", (e) => ({ ...e, prev_events: ["$a"] }), /prev_events\[0\] must be an \[event_id/],
    ["missing auth_events", "10", (e) => omit(e, "auth_events"), /auth_events must be an array/],
    ["missing hashes", "10", (e) => omit(e, "hashes"), /'hashes' must be an object/],
    ["non-string signature", "10", (e) => ({ ...e, signatures: { "hs.test": { "ed25519:x": 1 } } }), /map key IDs to strings/],
    ["v1 without event_id", "1", (e) => omit(e, "event_id"), /'event_id' must be \$opaque:server/],
    ["oversized", "10", (e) => ({ ...e, content: { body: "x".repeat(70000) } }), /larger than 65536 bytes/],
    ["type too long", "10", (e) => ({ ...e, type: "t".repeat(256) }), /longer than 255 bytes/],
    ["unknown room version", "99", (e) => e, /unsupported room version "99"/],
  ];
  for (const [label, version, mutate, expected] of invalid) {
    test(`M_BAD_JSON: ${label}`, () => {
      const result = parsePdu(mutate(message(version === "99" ? "10" : version)) as JsonObject, version);
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.equal(result.error.errcode, "M_BAD_JSON");
      assert.match(result.error.message, expected);
    });
  }
});

type JsonValueLike = JsonObject | number[];
function omit(e: JsonObject, key: string): JsonObject {
  const copy = { ...e };
  delete copy[key];
  return copy;
}

describe("verifyPduSignatures", () => {
  test("an invalid sender is refused before any key lookup or crypto", async () => {
    let lookups = 0;
    const event = message("10", { sender: "@bad user:hs.test" });
    const pdu = parsePdu(event, "10");
    assert.ok(pdu.ok);
    const result = await verifyPduSignatures(pdu.value, async () => {
      lookups++;
      return undefined;
    });
    assert.equal(result.ok, false);
    if (!result.ok) assert.equal(result.error.reason, "invalid_sender");
    assert.equal(lookups, 0);
  });

  test("an event signed only by another server is missing the sender's signature", async () => {
    const event = message("10", { sender: "@mallory:other.test" });
    const pdu = parsePdu(event, "10");
    assert.ok(pdu.ok);
    const result = await verifyPduSignatures(pdu.value, lookup);
    assert.deepEqual(result.ok ? undefined : [result.error.reason, "serverName" in result.error ? result.error.serverName : ""], ["missing_signature", "other.test"]);
  });

  test("an unknown key and a wrong key are told apart", async () => {
    const pdu = parsePdu(message("10"), "10");
    assert.ok(pdu.ok);
    const none = await verifyPduSignatures(pdu.value, async () => undefined);
    assert.equal(none.ok ? "ok" : none.error.reason, "unknown_key");
    const wrong = await verifyPduSignatures(pdu.value, async () => verifyKeyOf(generateSigningKey()));
    assert.equal(wrong.ok ? "ok" : wrong.error.reason, "bad_signature");
  });

  test("the signature covers the redacted event: redacted content still verifies, a changed type does not", async () => {
    const event = message("10");
    const redactedContent = parsePdu({ ...event, content: {} }, "10");
    assert.ok(redactedContent.ok);
    assert.equal(redactedContent.value.contentHashValid, false);
    assert.ok((await verifyPduSignatures(redactedContent.value, lookup)).ok);
    const changedType = parsePdu({ ...event, type: "m.room.other" }, "10");
    assert.ok(changedType.ok);
    assert.equal((await verifyPduSignatures(changedType.value, lookup)).ok, false);
  });

  test("v1: the event ID's server must also sign; v8+: the restricted-join authoriser must sign", async () => {
    const v1 = parsePdu(message("1", { event_id: "$ev:elsewhere.test" }), "1");
    assert.ok(v1.ok);
    const r1 = await verifyPduSignatures(v1.value, lookup);
    assert.equal(r1.ok ? "" : "serverName" in r1.error ? r1.error.serverName : "", "elsewhere.test");
    const join = parsePdu(
      message("9", { type: "m.room.member", state_key: "@alice:hs.test",
        content: { membership: "join", join_authorised_via_users_server: "@bob:auth.test" } }),
      "9",
    );
    assert.ok(join.ok);
    const r2 = await verifyPduSignatures(join.value, lookup);
    assert.equal(r2.ok ? "" : "serverName" in r2.error ? r2.error.serverName : "", "auth.test");
  });
});
