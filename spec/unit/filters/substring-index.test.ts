import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { buildSubstringIndex } from "../../../src/filters/substring-index.js";

function found(patterns: string[], text: string): number[] {
  const out = new Set<number>();
  buildSubstringIndex(patterns).collect(text, out);
  return [...out].sort((a, b) => a - b);
}

function expected(patterns: string[], text: string): number[] {
  return patterns.flatMap((p, i) => (p !== "" && text.includes(p) ? [i] : []));
}

describe("substring index", () => {
  it("should find overlapping and nested patterns", () => {
    const patterns = ["he", "she", "his", "hers", "Mention1", "Mention10", "@a:b"];
    assert.deepEqual(found(patterns, "ushers say Mention10 to @a:b"), [0, 1, 3, 4, 5, 6]);
  });

  it("should never match the empty pattern", () => {
    assert.deepEqual(found(["", "x"], "xyz"), [1]);
  });

  it("should be case-sensitive and match astral characters exactly", () => {
    assert.deepEqual(found(["Alice", "😀bob"], "alice 😀bob"), [1]);
  });

  it("should agree with String.prototype.includes on random inputs", () => {
    const small = fc.string({ unit: fc.constantFrom("a", "b", "c", "@", ":", "é", "😀"), maxLength: 6 });
    fc.assert(
      fc.property(
        fc.array(small, { maxLength: 12 }),
        fc.string({ unit: fc.constantFrom("a", "b", "c", "@", ":", "é", "😀", " "), maxLength: 40 }),
        (patterns, text) => {
          assert.deepEqual(found(patterns, text), expected(patterns, text));
        },
      ),
      { numRuns: 500, seed: 4284 },
    );
  });
});
