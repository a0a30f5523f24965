import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { canonicalJsonByteLength, encodeCanonicalJson, type JsonValue } from "../../../src/matrix/index.js";
import { jsonArbitrary, trickyKey } from "./json-arbitrary.js";

const bytesOf = (value: JsonValue): number => Buffer.byteLength(encodeCanonicalJson(value), "utf8");
// Every escape class: short escapes, \u00xx controls, quotes, backslashes, astral and BMP characters.
const escapeHeavy = fc.string({
  unit: fc.constantFrom("\u0000", "\u0001", "\u001f", "\b", "\t", "\n", "\f", "\r", '"', "\\", "/", "a", "é", "\uE000", "😀", "\u2028"),
  maxLength: 10,
});

describe("canonicalJsonByteLength", () => {
  test("equals the byte length of the canonical encoding for fixed cases", () => {
    const cases: JsonValue[] = [
      null,
      true,
      false,
      0,
      -1,
      Number.MAX_SAFE_INTEGER,
      -Number.MAX_SAFE_INTEGER,
      "",
      "plain",
      'a "quoted" \\ back\\slash',
      "\u0000\u001f\b\t\n\f\r",
      "日本語 😀 \uE000",
      [],
      {},
      [1, [2, [3, {}]], ""],
      { b: 1, a: [true, null], "😀": { "\uE000": "x" } },
    ];
    for (const value of cases) assert.equal(canonicalJsonByteLength(value), bytesOf(value), JSON.stringify(value));
  });

  test("property: equals the byte length of the canonical encoding", () => {
    fc.assert(
      fc.property(jsonArbitrary(fc.oneof(trickyKey, escapeHeavy), fc.oneof(escapeHeavy, fc.string({ unit: "binary" }))), (value) => {
        assert.equal(canonicalJsonByteLength(value), bytesOf(value));
      }),
      { numRuns: 2000 },
    );
  });

  test("refuses what the encoder refuses", () => {
    for (const bad of [1.5, Number.MAX_SAFE_INTEGER + 1, "\ud800", { k: undefined }] as unknown as JsonValue[]) {
      assert.throws(() => encodeCanonicalJson(bad), TypeError);
      assert.throws(() => canonicalJsonByteLength(bad), TypeError);
    }
  });
});
