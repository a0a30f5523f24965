import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cleanList, goTrimSpace, removeAsciiSpace, utf8Length } from "../../../src/filters/text-rules.js";

describe("character rules (filters.md §8 item 6)", () => {
  it("measures UTF-8 bytes, not UTF-16 units", () => {
    assert.equal(utf8Length("abc"), 3);
    assert.equal(utf8Length("é"), 2);
    assert.equal(utf8Length("€"), 3);
    assert.equal(utf8Length("🙂"), 4);
  });
  it("Go RE2 \\s is tab, LF, FF, CR and space only", () => {
    assert.equal(removeAsciiSpace("a\tb\nc\fd\re f"), "abcdef");
    assert.equal(removeAsciiSpace("a\vb\u00a0c\u2003d"), "a\vb\u00a0c\u2003d");
  });
  it("Go TrimSpace trims U+0085 and Unicode spaces but not U+FEFF (unlike JS trim)", () => {
    assert.equal(goTrimSpace("\u0085 x \u3000"), "x");
    assert.equal(goTrimSpace("\ufeffx\ufeff"), "\ufeffx\ufeff");
    assert.equal(goTrimSpace("\v\u00a0\u2028x\u205f"), "x");
    assert.equal(goTrimSpace("   "), "");
  });
  it("cleans configured lists: trims items and drops empty ones (decisions §3.1)", () => {
    assert.deepEqual(cleanList(["a", " b ", "", "  ", "c,"]), ["a", "b", "c,"]);
    assert.deepEqual(cleanList([]), []);
  });
});
