import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as ed from "@noble/ed25519";
import fc from "fast-check";
import {
  decodeBase64,
  encodeBase64,
  encodeBase64Url,
  encodeCanonicalJson,
  generateSigningKey,
  parseStrictJson,
  signatureOf,
  signedBytes,
  signingKeyFromSeed,
  signJson,
  verifyJsonSignature,
  verifyJsonSignatureAsync,
  verifyKeyFromBase64,
  verifyKeyFromBytes,
  verifyKeyOf,
  type JsonObject,
} from "../../../src/matrix/index.js";
import { jsonObjectArbitrary } from "./json-arbitrary.js";

const key = generateSigningKey("test");
const verifyKey = verifyKeyOf(key);

describe("base64", () => {
  test("decodes both alphabets, padded or not, to the same bytes", () => {
    const bytes = Uint8Array.from([0xfb, 0xff, 0xfe, 0x01]);
    for (const form of ["+//+AQ", "+//+AQ==", "-__-AQ", "-__-AQ=="]) {
      const decoded = decodeBase64(form);
      assert.ok(decoded.ok, form);
      assert.deepEqual(new Uint8Array(decoded.value), bytes);
    }
    assert.equal(encodeBase64(bytes), "+//+AQ");
    assert.equal(encodeBase64Url(bytes), "-__-AQ");
  });

  const garbage: Array<[string, RegExp]> = [
    ["+/-_", /mixes/],
    ["ab cdx", /outside both alphabets/],
    ["abc*", /outside both alphabets/],
    ["a", /impossible/],
    ["ab=c", /wrong place/],
    ["ab===", /wrong place/],
    ["abc==", /multiple of 4/],
  ];
  for (const [input, message] of garbage) {
    test(`rejects ${JSON.stringify(input)}`, () => {
      const result = decodeBase64(input);
      assert.equal(result.ok, false);
      if (!result.ok) assert.match(result.error, message);
    });
  }

  test("property: encode then decode is the identity in both alphabets", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        for (const encoded of [encodeBase64(bytes), encodeBase64Url(bytes)]) {
          assert.doesNotMatch(encoded, /=/);
          const decoded = decodeBase64(encoded);
          assert.ok(decoded.ok);
          assert.deepEqual(new Uint8Array(decoded.value), bytes);
        }
      }),
    );
  });
});

describe("keys", () => {
  test("generated keys have a valid key ID and a public key matching noble's derivation", () => {
    const generated = generateSigningKey();
    assert.match(generated.keyId, /^ed25519:a_[A-Za-z0-9]{4}$/);
    assert.deepEqual(generated.publicKey, ed.getPublicKey(generated.seed));
    assert.equal(generated.publicKeyBase64, encodeBase64(generated.publicKey));
  });

  test("signingKeyFromSeed refuses wrong seed lengths and bad key IDs (caller bugs)", () => {
    assert.throws(() => signingKeyFromSeed("ed25519:x", new Uint8Array(31)), /32 bytes, got 31/);
    assert.throws(() => signingKeyFromSeed("curve25519:x", new Uint8Array(32)), /key ID/);
    assert.throws(() => signingKeyFromSeed("ed25519:a b", new Uint8Array(32)), /key ID/);
  });

  test("small-order public keys are refused, so the identity-key forgery cannot be used", () => {
    const identity = new Uint8Array(32);
    identity[0] = 1;
    const result = verifyKeyFromBytes(identity);
    assert.equal(result.ok, false);
    if (!result.ok) assert.match(result.error, /small order/);
    const viaBase64 = verifyKeyFromBase64(encodeBase64(identity));
    assert.equal(viaBase64.ok, false);
  });

  test("bad public keys are errors naming the problem", () => {
    const short = verifyKeyFromBase64("AAAA");
    assert.equal(short.ok, false);
    if (!short.ok) assert.match(short.error, /32 bytes, got 3/);
    const garbage = verifyKeyFromBase64("not base64!");
    assert.equal(garbage.ok, false);
    if (!garbage.ok) assert.match(garbage.error, /ed25519 public key: base64/);
    const urlSafe = verifyKeyFromBase64(encodeBase64Url(key.publicKey));
    assert.ok(urlSafe.ok);
  });
});

describe("JSON signing", () => {
  test("property: sign → verify round-trips on random JSON with non-ASCII and astral keys (sync and async)", async () => {
    await fc.assert(
      fc.asyncProperty(jsonObjectArbitrary, async (obj) => {
        const signed = signJson(obj, "example.org", key);
        assert.ok(verifyJsonSignature(signed, "example.org", key.keyId, verifyKey));
        assert.ok(await verifyJsonSignatureAsync(signed, "example.org", key.keyId, verifyKey));
        assert.equal(signed.signatures["example.org"]?.[key.keyId], signatureOf(obj, key));
      }),
      { numRuns: 150 },
    );
  });

  test("property: changing one byte of the signed bytes breaks verification", () => {
    fc.assert(
      fc.property(jsonObjectArbitrary, fc.nat(), fc.integer({ min: 1, max: 255 }), (obj, at, flip) => {
        const signed = signJson(obj, "example.org", key);
        const bytes = signedBytes(signed);
        const index = at % bytes.length;
        const tampered = Buffer.from(bytes);
        tampered[index] = (tampered[index] as number) ^ flip;
        // Tampered bytes that are no longer strict JSON could never be verified at all.
        const parsed = parseStrictJson(tampered);
        if (!parsed.ok) return;
        const reparsed = parsed.value;
        if (typeof reparsed !== "object" || reparsed === null || Array.isArray(reparsed)) return;
        const candidate = { ...(reparsed as JsonObject), signatures: signed.signatures };
        if (encodeCanonicalJson(candidate as JsonObject) === encodeCanonicalJson(signed)) return;
        assert.equal(verifyJsonSignature(candidate, "example.org", key.keyId, verifyKey), false);
      }),
      { numRuns: 300 },
    );
  });

  test("property: a flipped bit in the signature breaks verification", async () => {
    await fc.assert(
      fc.asyncProperty(jsonObjectArbitrary, fc.nat(63), fc.nat(7), async (obj, byte, bit) => {
        const signed = signJson(obj, "example.org", key);
        const sig = decodeBase64(signed.signatures["example.org"]?.[key.keyId] ?? "");
        assert.ok(sig.ok);
        const bad = Buffer.from(sig.value);
        bad[byte] = (bad[byte] as number) ^ (1 << bit);
        const tampered = { ...signed, signatures: { "example.org": { [key.keyId]: encodeBase64(bad) } } };
        assert.equal(verifyJsonSignature(tampered, "example.org", key.keyId, verifyKey), false);
        assert.equal(await verifyJsonSignatureAsync(tampered, "example.org", key.keyId, verifyKey), false);
      }),
      { numRuns: 100 },
    );
  });

  test("signJson keeps existing signatures and unsigned, and does not modify its input", () => {
    const input = { a: 1, unsigned: { age: 5 }, signatures: { "other.org": { "ed25519:x": "sig" } } };
    const before = structuredClone(input);
    const signed = signJson(input, "example.org", key);
    assert.deepEqual(input, before);
    assert.deepEqual(signed.unsigned, { age: 5 });
    assert.equal(signed.signatures["other.org"]?.["ed25519:x"], "sig");
    assert.ok(verifyJsonSignature(signed, "example.org", key.keyId, verifyKey));
    const twice = signJson(signed, "example.org", generateSigningKey("second"));
    assert.equal(Object.keys(twice.signatures["example.org"] ?? {}).length, 2);
  });

  test("signatures verify in either alphabet, padded or not; wrong server, key ID or key do not", () => {
    const signed = signJson({ x: "y" }, "example.org", key);
    const sig = signed.signatures["example.org"]?.[key.keyId] ?? "";
    const bytes = decodeBase64(sig);
    assert.ok(bytes.ok);
    for (const form of [encodeBase64Url(bytes.value), bytes.value.toString("base64")]) {
      const variant = { ...signed, signatures: { "example.org": { [key.keyId]: form } } };
      assert.ok(verifyJsonSignature(variant, "example.org", key.keyId, verifyKey), form);
    }
    assert.equal(verifyJsonSignature(signed, "other.org", key.keyId, verifyKey), false);
    assert.equal(verifyJsonSignature(signed, "example.org", "ed25519:nope", verifyKey), false);
    assert.equal(verifyJsonSignature(signed, "example.org", key.keyId, verifyKeyOf(generateSigningKey())), false);
  });

  test("a __proto__ key is signed as an ordinary key", () => {
    const obj = JSON.parse('{"__proto__":{"a":1},"b":2}') as JsonObject;
    const signed = signJson(obj, "example.org", key);
    assert.ok(Object.hasOwn(signed, "__proto__"));
    assert.ok(verifyJsonSignature(signed, "example.org", key.keyId, verifyKey));
    const without = JSON.parse('{"b":2}') as JsonObject;
    const moved = { ...without, signatures: signed.signatures };
    assert.equal(verifyJsonSignature(moved, "example.org", key.keyId, verifyKey), false);
  });
});
