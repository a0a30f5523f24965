import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileGlob, matchGlob, matchesAnyGlob } from "../../../src/filters/glob.js";

describe("glob: * is the only wildcard, anchored, case-sensitive", () => {
  const cases: [pattern: string, subject: string, expected: boolean][] = [
    ["", "", true],
    ["", "a", false],
    ["*", "", true],
    ["*", "anything at all", true],
    ["abc", "abc", true],
    ["abc", "abcd", false],
    ["abc", "ABC", false],
    ["@*:example.org", "@alice:example.org", true],
    ["@*:example.org", "@alice:example.org.evil", false],
    ["*.example.org", "matrix.example.org", true],
    ["*.example.org", "example.org", false],
    ["@spam*", "@spammer:x", true],
    ["a*b*c", "abc", true],
    ["a*b*c", "aXbYc", true],
    ["a*b*c", "acb", false],
    ["a**b", "ab", true],
    ["*ab*ab*", "abab", true],
    ["*ab*ab*", "aba", false],
    ["?", "a", false],
    ["?", "?", true],
    ["[ab]", "a", false],
    ["[ab]", "[ab]", true],
    ["a\\*", "a\\xyz", true],
    ["https://*.org/*", "https://matrix.org/x", true],
    ["ñ*", "ñandú", true],
    ["*🙂", "hi🙂", true],
    // Middle parts must not overlap the fixed prefix or suffix.
    ["ab*ba", "aba", false],
    ["a*a", "a", false],
    ["aa*aa", "aaa", false],
  ];
  for (const [pattern, subject, expected] of cases) {
    it(`${JSON.stringify(pattern)} vs ${JSON.stringify(subject)} → ${expected}`, () => {
      assert.equal(matchGlob(pattern, subject), expected);
    });
  }
});

describe("glob: none of go-glob's false positives (filters.md §5.5/§8.8, fixed on purpose)", () => {
  // go-glob treated a 1-character last part as matched once the subject was consumed, and crashed on longer ones.
  const cases: [string, string][] = [
    ["*a*a", "a"],
    ["@a*b", "@a"],
    ["a*bc", "a"],
    ["*x*y", "x"],
    ["a*b*c", "ab"],
  ];
  for (const [pattern, subject] of cases) {
    it(`${JSON.stringify(pattern)} does not match ${JSON.stringify(subject)} (and does not throw)`, () => {
      assert.equal(matchGlob(pattern, subject), false);
    });
  }
});

describe("glob: no backtracking blow-up", () => {
  it("answers *a*a*a...*b against a long run of a's (a backtracking matcher would never finish)", () => {
    const pattern = "*a".repeat(40) + "*b";
    const subject = "a".repeat(5000);
    assert.equal(matchGlob(pattern, subject), false);
    assert.equal(matchGlob(pattern, subject + "b"), true);
  });
});

describe("matchesAnyGlob", () => {
  it("is false for an empty list and true when any pattern matches", () => {
    assert.equal(matchesAnyGlob([], "x"), false);
    assert.equal(matchesAnyGlob(["y", "x*"], "xz"), true);
  });
  it("compiled matchers agree with one-off matching", () => {
    const m = compileGlob("*b*");
    assert.equal(m("abc"), true);
    assert.equal(m("ac"), false);
  });
});
