import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { keywordTemplateData, messageBodyRaw, templateOutputHarms } from "../../../src/filters/keyword-template-data.js";
import { keywordTemplateFilter } from "../../../src/filters/keyword-template-filter.js";
import type { KeywordTemplate } from "../../../src/filters/types.js";
import { err, ok } from "../../../src/result.js";
import { config, event, input, INSTANCE, message, summary } from "./helpers.js";

/** A stand-in for a compiled Go template: a plain function over the data record. */
function fakeTemplate(name: string, render: (data: { BodyRaw: string; BodyWords: readonly string[] }) => string): KeywordTemplate {
  return { name, render: (data) => ok(render(data as { BodyRaw: string; BodyWords: readonly string[] })) };
}

const wordTemplate = fakeTemplate("words", ({ BodyWords }) =>
  BodyWords.filter((w) => w === "bad1" || w === "bad2").map(() => " org.example.keyword.spam \n").join(""),
);
const echoTemplate = fakeTemplate("echo", ({ BodyRaw }) => BodyRaw);

describe("keyword template data (filters.md §3)", () => {
  it("BodyRaw is body + space + formatted_body", () => {
    assert.equal(messageBodyRaw("a", "<b>c</b>"), "a <b>c</b>");
    assert.equal(messageBodyRaw("a", ""), "a ");
  });
  it("BodyWords splits on every single Go \\s character", () => {
    assert.deepEqual(keywordTemplateData("a  b\tc ").BodyWords, ["a", "", "b", "c", ""]);
    assert.deepEqual(keywordTemplateData("").BodyWords, [""]);
    assert.deepEqual(keywordTemplateData("a\u00a0b\vc").BodyWords, ["a\u00a0b\vc"]);
  });
  it("output tokens: split on Go \\s, trimmed of Unicode space, empty dropped, duplicates kept", () => {
    assert.deepEqual(templateOutputHarms("\n  x.spam \u00a0\n\ny.flood  x.spam\n"), ["x.spam", "y.flood", "x.spam"]);
    assert.deepEqual(templateOutputHarms("  \n\t"), []);
  });
});

describe("keyword template filter", () => {
  const templates = new Map([
    ["words", wordTemplate],
    ["echo", echoTemplate],
  ]);
  const cfg = config({ keyword_template_filter_template_names: ["words"] });
  const cases: [content: Record<string, unknown>, expected: string][] = [
    [{ body: "this has a bad1 word" }, "Prohibited org.example.keyword.spam"],
    [{ body: "this is not spam" }, "Neutral"],
    [{ body: "x", formatted_body: "bad2" }, "Prohibited org.example.keyword.spam"],
    [{ body: 7, formatted_body: ["bad1"] }, "Neutral"],
  ];
  for (const [content, expected] of cases) {
    it(`${JSON.stringify(content)} → ${expected}`, () => {
      assert.equal(summary(keywordTemplateFilter.check(input(message(content), { config: cfg, keywordTemplates: templates }), {})), expected);
    });
  }
  it("tokens become harms verbatim, sorted and de-duplicated", () => {
    const c = config({ keyword_template_filter_template_names: ["echo"] });
    const e = message({ body: "z.harm a.harm z.harm" });
    assert.equal(summary(keywordTemplateFilter.check(input(e, { config: c, keywordTemplates: templates }), {})), "Prohibited a.harm z.harm");
  });
  it("only checks m.room.message events", () => {
    const e = event({ type: "m.room.topic", state_key: "", content: { body: "bad1" } });
    assert.equal(summary(keywordTemplateFilter.check(input(e, { config: cfg, keywordTemplates: templates }), {})), "Neutral");
  });
  it("skips names the instance has no template for", () => {
    const c = config({ keyword_template_filter_template_names: ["missing", "words"] });
    assert.equal(summary(keywordTemplateFilter.check(input(message({ body: "bad1" }), { config: c, keywordTemplates: templates }), {})), "Prohibited org.example.keyword.spam");
  });
  it("a render error is a failure value naming the template", () => {
    const broken: KeywordTemplate = { name: "broken", render: () => err("unknown field .Nope") };
    const c = config({ keyword_template_filter_template_names: ["broken"] });
    const outcome = keywordTemplateFilter.check(input(message({ body: "x" }), { config: c, keywordTemplates: new Map([["broken", broken]]) }), {});
    assert.ok(!(outcome instanceof Promise) && !outcome.ok);
    assert.match(outcome.error.message, /template "broken": unknown field \.Nope/);
    assert.equal(outcome.error.filter, "keyword_template_filter");
  });
  it("full-event mode gives the decoded strings of the whole event", () => {
    const c = config({ keyword_template_filter_template_names: ["echo"], keyword_template_filter_use_full_event: true });
    const e = message({ body: "hello" });
    const info = summary(keywordTemplateFilter.check(input(e, { config: c, keywordTemplates: templates }), {}));
    assert.match(info, /@alice:example\.org/);
    assert.match(info, /m\.room\.message/);
  });
  it("text mode renders over the raw text with the given templates", () => {
    assert.equal(summary(keywordTemplateFilter.checkText?.("a bad1", cfg, { keywordTemplates: templates }) ?? assert.fail()), "Prohibited org.example.keyword.spam");
    assert.equal(summary(keywordTemplateFilter.checkText?.("a bad1", cfg) ?? assert.fail()), "Neutral");
  });
  it("is enabled only with a non-empty name list", () => {
    assert.equal(keywordTemplateFilter.enabled(config(), INSTANCE), false);
    assert.equal(keywordTemplateFilter.enabled(cfg, INSTANCE), true);
  });
});

describe("keyword template filter with the real Go-template interpreter", () => {
  it("renders a README-style template over body + formatted_body", async () => {
    const { compileTemplate } = await import("../../../src/filters/template/index.js");
    const compiled = compileTemplate(
      "bad",
      `{{/* words */}}{{ $bad := StrSlice "bad1" "bad2" }}{{ range $w := .BodyWords }}{{ if StrSliceContains $bad ($w | ToLower) }}org.example.spam
{{ end }}{{ end }}`,
    );
    assert.ok(compiled.ok);
    const templates = new Map([["bad", compiled.value]]);
    const cfg = config({ keyword_template_filter_template_names: ["bad"] });
    const check = (content: Record<string, unknown>) =>
      summary(keywordTemplateFilter.check(input(message(content), { config: cfg, keywordTemplates: templates }), {}));
    assert.equal(check({ body: "LET'S TEST BAD1 TOO" }), "Prohibited org.example.spam");
    assert.equal(check({ body: "x", formatted_body: "bad2" }), "Prohibited org.example.spam");
    assert.equal(check({ body: "this is not spam" }), "Neutral");
  });
});
