import assert from "node:assert/strict";
import { describe, test } from "node:test";
import canonicalize from "canonicalize";
import fc from "fast-check";
import { canonicalJsonBytes, compareCodePoints, encodeCanonicalJson, type JsonValue } from "../../../src/matrix/index.js";
import { asciiString, jsonArbitrary, unicodeString } from "./json-arbitrary.js";

const asciiKey = asciiString;
const anyString = fc.string({ unit: "grapheme", maxLength: 8 });
const fullUnicode = unicodeString;

describe("encodeCanonicalJson", () => {
  test("differential: equals canonicalize (RFC 8785) on ASCII keys, where the two orders agree", () => {
    fc.assert(
      fc.property(jsonArbitrary(asciiKey, anyString), (value) => {
        assert.equal(encodeCanonicalJson(value), canonicalize(value));
      }),
      { numRuns: 500 },
    );
  });

  test("keys are ordered by code point, so an astral key sorts after U+FFFF (unlike UTF-16 order)", () => {
    const value = { "\u{1F600}": 2, "\uE000": 1, "\uFFFF": 3, a: 0 };
    assert.equal(encodeCanonicalJson(value), '{"a":0,"\uE000":1,"\uFFFF":3,"\u{1F600}":2}');
    assert.notEqual(canonicalize(value), encodeCanonicalJson(value));
  });

  test("property: key order equals UTF-8 byte order for arbitrary Unicode keys", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fullUnicode, { maxLength: 8 }), (keys) => {
        const sorted = [...keys].sort(compareCodePoints);
        const byBytes = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
        assert.deepEqual(sorted, byBytes);
      }),
    );
  });

  test("property: output parses back to the same value and is stable under re-encoding", () => {
    fc.assert(
      fc.property(jsonArbitrary(fullUnicode, fullUnicode), (value) => {
        const once = encodeCanonicalJson(value);
        assert.deepEqual(JSON.parse(once), value);
        assert.equal(encodeCanonicalJson(JSON.parse(once) as JsonValue), once);
        assert.doesNotMatch(once, /[\n\r\t]| :|, /u);
      }),
      { numRuns: 300 },
    );
  });

  test("escapes: short forms, lower-case \\u00xx, everything else literal", () => {
    assert.equal(encodeCanonicalJson("\u0000\u001f\b\t\n\f\r\"\\/\u007f\u2028é😀"), '"\\u0000\\u001f\\b\\t\\n\\f\\r\\"\\\\/\u007f\u2028é😀"');
    assert.equal(canonicalJsonBytes({ a: "é" }).toString("hex"), Buffer.from('{"a":"é"}', "utf8").toString("hex"));
  });

  test("-0 is written as 0; integers stay exact up to 2^53-1", () => {
    assert.equal(encodeCanonicalJson([-0, 9007199254740991, -9007199254740991]), "[0,9007199254740991,-9007199254740991]");
  });

  test("programming errors throw: floats, unsafe integers, lone surrogates, undefined members", () => {
    assert.throws(() => encodeCanonicalJson(1.5), /safe integers/);
    assert.throws(() => encodeCanonicalJson(2 ** 53), /safe integers/);
    assert.throws(() => encodeCanonicalJson(Number.NaN), /safe integers/);
    assert.throws(() => encodeCanonicalJson({ "\ud800": 1 }), /lone surrogate/);
    assert.throws(() => encodeCanonicalJson(["a\udc00"]), /lone surrogate/);
    assert.throws(() => encodeCanonicalJson({ a: undefined } as unknown as JsonValue), /undefined at key "a"/);
  });
});
