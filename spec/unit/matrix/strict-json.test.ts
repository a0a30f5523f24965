import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { encodeCanonicalJson, parseStrictJson } from "../../../src/matrix/index.js";

describe("parseStrictJson rejections", () => {
  const notJson: Array<[string, string | Uint8Array, RegExp]> = [
    ["empty body", "", /not valid JSON/],
    ["truncated object", '{"a":1', /not valid JSON/],
    ["trailing comma", '{"a":1,}', /not valid JSON/],
    ["single quotes", "{'a':1}", /not valid JSON/],
    ["NaN literal", '{"a":NaN}', /not valid JSON/],
    ["invalid UTF-8 bytes", Uint8Array.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), /UTF-8/],
    ["UTF-8 encoded surrogate", Uint8Array.from([0x22, 0xed, 0xa0, 0x80, 0x22]), /UTF-8/],
    ["float that is also invalid JSON", '{"a":1.5,', /not valid JSON/],
    ["raw lone surrogate in a JS string", '"\ud800"', /lone UTF-16 surrogate/],
  ];
  for (const [label, body, message] of notJson) {
    test(`M_NOT_JSON: ${label}`, () => {
      const result = parseStrictJson(body);
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.equal(result.error.errcode, "M_NOT_JSON");
      assert.match(result.error.message, message);
    });
  }

  const badJson: Array<[string, string, RegExp]> = [
    ["float", '{"content":{"n":1.5}}', /number 1\.5 is not an integer.* at \/content\/n$/],
    ["float with zero fraction", '{"a":1.0}', /1\.0 is not an integer.* at \/a$/],
    ["exponent", '{"a":[1,2,1e5]}', /1e5 is not an integer.* at \/a\/2$/],
    ["upper-case exponent", '{"a":1E2}', /1E2.* at \/a$/],
    ["negative zero", '{"x":{"y":-0}}', /-0 is not canonical.* at \/x\/y$/],
    ["2^53", '{"a":9007199254740992}', /9007199254740992 is outside/],
    ["-2^53", '{"a":-9007199254740992}', /outside/],
    ["huge integer", '{"a":123456789012345678901234567890}', /outside/],
    ["duplicate key", '{"a":1,"b":{"c":1,"c":2}}', /duplicate key "c" at \/b$/],
    ["duplicate key at the top level", '{"a":1,"a":1}', /duplicate key "a" at the top level/],
    ["duplicate __proto__", '{"__proto__":1,"__proto__":2}', /duplicate key "__proto__"/],
    ["escaped lone high surrogate", '{"a":"x\\ud800y"}', /lone surrogate at \/a$/],
    ["escaped lone low surrogate in a key", '{"\\udc00":1}', /lone surrogate at the top level/],
    ["key path with a slash is escaped", '{"a/b":{"~":1.5}}', /at \/a~1b\/~0$/],
  ];
  for (const [label, body, message] of badJson) {
    test(`M_BAD_JSON: ${label}`, () => {
      const result = parseStrictJson(body);
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.equal(result.error.errcode, "M_BAD_JSON");
      assert.match(result.error.message, message);
    });
  }

  test("M_BAD_JSON: nesting deeper than the limit, with the default and a custom limit", () => {
    const deep = (n: number): string => "[".repeat(n) + "]".repeat(n);
    assert.equal(parseStrictJson(deep(64)).ok, true);
    const tooDeep = parseStrictJson(deep(65));
    assert.equal(tooDeep.ok, false);
    if (!tooDeep.ok) assert.match(tooDeep.error.message, /deeper than 64 levels/);
    const custom = parseStrictJson('{"a":{"b":{}}}', { maxDepth: 2 });
    assert.equal(custom.ok, false);
    if (!custom.ok) assert.match(custom.error.message, /deeper than 2 levels at \/a\/b$/);
    const huge = parseStrictJson(deep(100_000));
    assert.equal(huge.ok, false);
    if (!huge.ok) assert.equal(huge.error.errcode, "M_BAD_JSON");
  });
});

describe("parseStrictJson acceptance", () => {
  test("accepts safe integers at both bounds and 16-digit numbers below the bound", () => {
    const result = parseStrictJson('{"max":9007199254740991,"min":-9007199254740991,"n":1000000000000000}');
    assert.deepEqual(result, { ok: true, value: { max: 9007199254740991, min: -9007199254740991, n: 1e15 } });
  });

  test("accepts bytes, escaped surrogate pairs and escaped quotes that look like keys", () => {
    const body = new TextEncoder().encode('{"a":"\\ud83d\\ude00","b":"x\\":1,\\"y","c":"\\\\ud800"}');
    const result = parseStrictJson(body);
    assert.deepEqual(result, { ok: true, value: { a: "😀", b: 'x":1,"y', c: "\\ud800" } });
  });

  test("a __proto__ key stays an ordinary own key and round-trips through canonical JSON", () => {
    const result = parseStrictJson('{"__proto__":{"polluted":true},"a":1}');
    assert.ok(result.ok);
    const value = result.value as Record<string, unknown>;
    assert.ok(Object.hasOwn(value, "__proto__"));
    assert.equal(({} as Record<string, unknown>)["polluted"], undefined);
    assert.equal(encodeCanonicalJson(result.value), '{"__proto__":{"polluted":true},"a":1}');
  });

  test("property: any JSON of strings, safe integers, booleans and nulls parses to what JSON.parse gives", () => {
    const value = fc.jsonValue({ maxDepth: 5 }).map((v) => JSON.parse(JSON.stringify(v), (_k, x: unknown) =>
      typeof x === "number" && !Number.isSafeInteger(x) ? Math.trunc(x) % 1000 : x,
    ) as unknown);
    fc.assert(
      fc.property(value, (v) => {
        const text = JSON.stringify(v);
        const result = parseStrictJson(text);
        assert.ok(result.ok, result.ok ? "" : result.error.message);
        assert.deepEqual(result.value, JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });
});
