import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { keywordFilter } from "../../../src/filters/keyword-filter.js";
import { config, event, input, INSTANCE, message, summary } from "./helpers.js";

const SPAM = "Prohibited org.matrix.msc4456.spam";

describe("keyword filter (decoded content strings, case-sensitive)", () => {
  const cfg = config({ keyword_filter_keywords: ["buy now", "he said \"hi\"", "line\nbreak"] });
  const cases: [content: Record<string, unknown>, expected: string][] = [
    [{ body: "please buy now!" }, SPAM],
    [{ body: "please BUY NOW!" }, "Neutral"],
    [{ body: "x", formatted_body: "<b>buy now</b>" }, SPAM],
    [{ body: "x", nested: { deep: ["buy now"] } }, SPAM],
    // Decoded values: a quote and a newline in the text match the decoded keyword, not JSON escapes.
    [{ body: "he said \"hi\"" }, SPAM],
    [{ body: "a line\nbreak here" }, SPAM],
    // Key names are not searched (upstream searched raw JSON, so key names matched: deviation on purpose).
    [{ "buy now": "x" }, "Neutral"],
    [{ body: 12 }, "Neutral"],
  ];
  for (const [content, expected] of cases) {
    it(`${JSON.stringify(content)} → ${expected}`, () => {
      assert.equal(summary(keywordFilter.check(input(message(content), { config: cfg }), {})), expected);
    });
  }
  it("does not match JSON escape text (upstream matched \\n as two characters: deviation on purpose)", () => {
    const c = config({ keyword_filter_keywords: ["\\n"] });
    assert.equal(summary(keywordFilter.check(input(message({ body: "a\nb" }), { config: c }), {})), "Neutral");
  });
  it("applies to every event type", () => {
    const e = event({ type: "m.room.topic", state_key: "", content: { topic: "spammy spam" } });
    assert.equal(summary(keywordFilter.check(input(e), {})), SPAM);
  });
  it("empty keywords never flag (upstream's trailing comma flagged every event: fixed)", () => {
    const c = config({ keyword_filter_keywords: ["", "  "] });
    assert.equal(keywordFilter.enabled(c, INSTANCE), false);
    const c2 = config({ keyword_filter_keywords: ["nomatch", ""] });
    assert.equal(summary(keywordFilter.check(input(message({ body: "anything" }), { config: c2 }), {})), "Neutral");
  });
  it("trims configured keywords", () => {
    const c = config({ keyword_filter_keywords: [" spam "] });
    assert.equal(summary(keywordFilter.check(input(message({ body: "xspamx" }), { config: c }), {})), SPAM);
  });
  it("full-event mode searches sender and type too, but not content-only mode", () => {
    const c = config({ keyword_filter_keywords: ["evil.example"] });
    const e = event({ sender: "@bob:evil.example" });
    assert.equal(summary(keywordFilter.check(input(e, { config: c }), {})), "Neutral");
    const full = { ...c, keyword_filter_use_full_event: true };
    assert.equal(summary(keywordFilter.check(input(e, { config: full }), {})), SPAM);
  });
  it("text mode searches the raw text", () => {
    assert.equal(summary(keywordFilter.checkText?.("this is spammy spam", config()) ?? assert.fail()), SPAM);
    assert.equal(summary(keywordFilter.checkText?.("this is fine", config()) ?? assert.fail()), "Neutral");
  });
});
