// Every entry of the shared Matrix test vectors (spec/fixtures/matrix_vectors.json) as its own test case.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import {
  checkContentHash,
  computeContentHash,
  computeEventId,
  computeReferenceHash,
  decodeBase64,
  encodeBase64,
  encodeCanonicalJson,
  getRoomVersion,
  hashAndSignEvent,
  parsePdu,
  parseStrictJson,
  parseXMatrixHeaders,
  redactEvent,
  roomIdFromCreateEvent,
  signatureOf,
  signEventAsPolicyServer,
  signingKeyFromSeed,
  signJson,
  signXMatrixHeader,
  verifyJsonSignature,
  verifyJsonSignatureAsync,
  verifyKeyFromBase64,
  verifyPduSignatures,
  verifyXMatrix,
  type JsonObject,
  type JsonValue,
  type RoomVersion,
  type SigningKey,
  type VerifyKey,
} from "../../../src/matrix/index.js";

interface Vector {
  kind: string;
  room_version?: string;
  input: JsonValue;
  expected: JsonValue;
  source: string;
  verified?: JsonValue;
  notes?: string;
}

const vectors = JSON.parse(
  readFileSync(new URL("../../fixtures/matrix_vectors.json", import.meta.url), "utf8"),
) as Vector[];

function obj(value: JsonValue | undefined): JsonObject {
  assert.ok(typeof value === "object" && value !== null && !Array.isArray(value), "expected a JSON object");
  return value;
}

function str(value: JsonValue | undefined): string {
  assert.equal(typeof value, "string");
  return value as string;
}

function version(id: string | undefined): RoomVersion {
  const result = getRoomVersion(id ?? "1");
  assert.ok(result.ok);
  return result.value;
}

function keyFromSeed(seed: JsonValue | undefined, keyId: string): SigningKey {
  const decoded = decodeBase64(str(seed));
  assert.ok(decoded.ok);
  return signingKeyFromSeed(keyId, decoded.value);
}

function verifyKey(b64: JsonValue | undefined): VerifyKey {
  const result = verifyKeyFromBase64(str(b64));
  assert.ok(result.ok);
  return result.value;
}

const counts = new Map<string, number>();
function name(v: Vector): string {
  const n = (counts.get(v.kind) ?? 0) + 1;
  counts.set(v.kind, n);
  return `${v.kind} #${n}${v.room_version === undefined ? "" : ` (v${v.room_version})`}: ${v.source.slice(0, 80)}`;
}

const checks: Record<string, (v: Vector) => void | Promise<void>> = {
  unpadded_base64(v) {
    assert.equal(encodeBase64(Buffer.from(str(v.input), "utf8")), v.expected);
    const back = decodeBase64(str(v.expected));
    assert.ok(back.ok);
    assert.equal(back.value.toString("utf8"), v.input);
  },

  canonical_json(v) {
    const text = str(v.input);
    // The vectors include `1e10` and `-0`, which canonical JSON renders but strict request parsing refuses.
    assert.equal(encodeCanonicalJson(JSON.parse(text) as JsonValue), v.expected);
    const strict = parseStrictJson(text);
    if (strict.ok) {
      assert.equal(encodeCanonicalJson(strict.value), v.expected);
    } else {
      assert.equal(strict.error.errcode, "M_BAD_JSON");
      assert.match(text, /1e10|-0/);
    }
  },

  canonical_json_valid_v6plus(v) {
    const result = parseStrictJson(str(v.input));
    assert.equal(result.ok, v.expected, result.ok ? "accepted" : result.error.message);
    if (!result.ok) assert.equal(result.error.errcode, "M_BAD_JSON");
  },

  signing_key(v) {
    const input = obj(v.input);
    const key = keyFromSeed(input["seed_unpadded_base64"], str(input["key_id"]));
    assert.equal(key.publicKeyBase64, obj(v.expected)["public_key_unpadded_base64"]);
  },

  sign_json(v) {
    const input = obj(v.input);
    const key = keyFromSeed(input["seed"], str(input["key_id"]));
    assert.deepEqual(signJson(obj(input["json"]), str(input["server_name"]), key), v.expected);
  },

  async verify_json(v) {
    const input = obj(v.input);
    const json = obj(input["json"]);
    const key = verifyKey(input["public_key_unpadded_base64"]);
    const sync = verifyJsonSignature(json, str(input["server_name"]), str(input["key_id"]), key);
    const asyncResult = await verifyJsonSignatureAsync(json, str(input["server_name"]), str(input["key_id"]), key);
    // Documented deviation: the vector marked implementation-dependent uses a padded signature, which
    // gomatrixserverlib rejects and Python signedjson accepts. We accept padding (src/matrix/signing.ts).
    const padded = String(v.verified).startsWith("implementation-dependent");
    const expected = padded ? true : v.expected;
    assert.equal(sync, expected);
    assert.equal(asyncResult, expected);
  },

  sign_event(v) {
    const input = obj(v.input);
    const key = keyFromSeed(input["seed"], str(input["key_id"]));
    const signed = hashAndSignEvent(obj(input["event"]), version(v.room_version), str(input["server_name"]), key);
    assert.deepEqual(signed, v.expected);
  },

  verify_event(v) {
    const input = obj(v.input);
    const event = obj(input["event"]);
    const expected = obj(v.expected);
    const redacted = redactEvent(event, version(v.room_version));
    const key = verifyKey(input["public_key_unpadded_base64"]);
    assert.equal(verifyJsonSignature(redacted, str(input["server_name"]), str(input["key_id"]), key), expected["signature_valid"]);
    if (expected["content_hash_valid"] !== undefined) {
      assert.equal(checkContentHash(event), expected["content_hash_valid"]);
    }
  },

  content_hash(v) {
    const event = obj(v.input);
    assert.equal(computeContentHash(event), v.expected);
    const hashes = event["hashes"];
    if (typeof hashes === "object" && hashes !== null && !Array.isArray(hashes) && "sha256" in hashes) {
      assert.equal(checkContentHash(event), hashes["sha256"] === v.expected);
    }
  },

  event_id(v) {
    const rv = version(v.room_version);
    const id = computeEventId(obj(v.input), rv);
    assert.ok(id.ok);
    assert.equal(id.value, v.expected);
    const pdu = parsePdu(v.input, rv.id);
    assert.ok(pdu.ok, pdu.ok ? "" : pdu.error.message);
    assert.equal(pdu.value.eventId, v.expected);
  },

  reference_hash(v) {
    assert.equal(encodeBase64(computeReferenceHash(obj(v.input), version(v.room_version))), v.expected);
  },

  redaction(v) {
    const rv = version(v.room_version);
    const redacted = redactEvent(obj(v.input), rv);
    assert.deepEqual(redacted, v.expected);
    assert.deepEqual(redactEvent(redacted, rv), redacted, "redaction must be idempotent");
  },

  room_id_v12(v) {
    const rv = version(v.room_version);
    const expected = obj(v.expected);
    assert.equal(roomIdFromCreateEvent(obj(v.input), rv), expected["room_id"]);
    const id = computeEventId(obj(v.input), rv);
    assert.ok(id.ok);
    assert.equal(id.value, expected["event_id"]);
    const pdu = parsePdu(v.input, rv.id);
    assert.ok(pdu.ok, pdu.ok ? "" : pdu.error.message);
    assert.equal(pdu.value.roomId, expected["room_id"]);
    assert.equal(pdu.value.eventId, expected["event_id"]);
  },

  async policy_server_sign(v) {
    const input = obj(v.input);
    const pdu = parsePdu(input["pdu"] ?? null, str(input["room_version"]));
    assert.ok(pdu.ok, pdu.ok ? "" : pdu.error.message);
    assert.equal(pdu.value.contentHashValid, true);
    const domainKey = verifyKey(obj(obj(input["m.room.policy content"])["public_keys"])["ed25519"]);
    const verified = await verifyPduSignatures(pdu.value, async (server, keyId) =>
      server === "domain" && keyId === "ed25519:1" ? domainKey : undefined,
    );
    assert.ok(verified.ok);
    const key = keyFromSeed(input["seed"], "ed25519:policy_server");
    assert.deepEqual(await signEventAsPolicyServer(pdu.value, str(input["policy_server"]), key), v.expected);
  },

  async x_matrix_request(v) {
    const input = obj(v.input);
    const request = obj(input["request_json_to_sign"]);
    const key = keyFromSeed(input["seed"], str(input["key_id"]));
    const expected = obj(v.expected);
    assert.equal(signatureOf(request, key), expected["signature"]);
    const header = signXMatrixHeader({
      method: str(request["method"]),
      uri: str(request["uri"]),
      origin: str(request["origin"]),
      destination: str(request["destination"]),
      content: request["content"],
      key,
    });
    assert.equal(header, expected["authorization_header"]);
    const verified = await verifyXMatrix({
      method: str(request["method"]),
      uri: str(request["uri"]),
      authorization: header,
      content: request["content"],
      serverName: str(request["destination"]),
      getKey: async (server, keyId) => (server === "domain" && keyId === key.keyId ? verifyKey(key.publicKeyBase64) : undefined),
    });
    assert.deepEqual(verified, { ok: true, value: { origin: "domain" } });
  },

  x_matrix_header_parse(v) {
    const parsed = parseXMatrixHeaders(str(v.input));
    assert.ok(parsed.ok, parsed.ok ? "" : parsed.error.message);
    const expected = obj(v.expected);
    assert.equal(parsed.value.origin, expected["origin"]);
    assert.equal(parsed.value.destination ?? null, expected["destination"]);
    assert.deepEqual(parsed.value.signatures, [{ keyId: expected["key"], sig: expected["sig"] }]);
  },
};

describe("shared Matrix test vectors", () => {
  test("the fixture holds all 113 vectors and every kind has a checker", () => {
    assert.equal(vectors.length, 113);
    for (const v of vectors) assert.ok(checks[v.kind] !== undefined, `no checker for kind ${v.kind}`);
  });

  for (const v of vectors) {
    const check = checks[v.kind];
    if (check === undefined) continue;
    test(name(v), async () => {
      await check(v);
    });
  }
});
