// fast-check generators for Matrix JSON, shared by the property tests of this folder.
import fc from "fast-check";
import type { JsonObject, JsonValue } from "../../../src/matrix/index.js";

/** JSON of safe integers, strings from `str`, booleans and nulls, with object keys from `key`. */
export function jsonArbitrary(key: fc.Arbitrary<string>, str: fc.Arbitrary<string>): fc.Arbitrary<JsonValue> {
  return fc.letrec<{ value: JsonValue }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.constant(null),
      fc.boolean(),
      fc.maxSafeInteger(),
      str,
      fc.array(tie("value"), { maxLength: 4 }),
      fc.dictionary(key, tie("value"), { maxKeys: 5, noNullPrototype: true }),
    ),
  })).value;
}

/** Printable ASCII. */
export const asciiString = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 6 });
/** Any well-formed Unicode, astral code points included. */
export const unicodeString = fc.string({ unit: "binary", maxLength: 8 });
/** Keys mixing ASCII, U+E000–U+FFFF and astral characters, where UTF-16 and code point order disagree. */
export const trickyKey = fc.oneof(
  unicodeString,
  fc.constantFrom("\uE000", "\uFFFF", "\u{10000}", "\u{1F600}", "é", "日本", "__proto__", "signatures", "unsigned"),
);

/** A JSON object with tricky keys and non-ASCII strings, the shape Matrix signs. */
export const jsonObjectArbitrary: fc.Arbitrary<JsonObject> = fc.dictionary(trickyKey, jsonArbitrary(trickyKey, unicodeString), {
  maxKeys: 6,
  noNullPrototype: true,
}).map((o) => {
  // `signatures` and `unsigned` are stripped before signing; keep them out so round trips compare simply.
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(o)) if (k !== "signatures" && k !== "unsigned") Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
});
