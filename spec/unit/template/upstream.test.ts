/**
 * The behaviour filters.md §3 records from running upstream's keyword-template test with Go: a template exercising
 * comments, `:=` re-declaration, range with variables, pipes, `if` and every custom function. The template below is
 * our own, written to the same shape.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { keywordTemplateData, templateOutputHarms } from "../../../src/filters/keyword-template-data.js";
import { compiled } from "./helpers.js";

const TEMPLATE = `
  {{/* Every custom function must exist; the results are thrown away. */}}
  {{ $scratch := .BodyRaw | ToUpper }}
  {{ $scratch := .BodyRaw | ToLower }}
  {{ $scratch := .BodyRaw | RemovePunctuation }}
  {{ $flag := StringContains "abc" "zz" }}
  {{ $flag := StrSliceContains .BodyWords "zz" }}
  {{ $list := StrSlice "p" "q" }}

  {{/*
     Word check: punctuation stripped, case folded.
  */}}
  {{ $terms := StrSlice "bad1" "bad2" "bad3" }}
  {{ range $word := .BodyWords }}
    {{ $word := $word | RemovePunctuation | ToLower }}
    {{ if StrSliceContains $terms $word }}
      org.matrix.msc4387.spam
    {{ end }}
  {{ end }}

  {{/* Raw check, upper-cased. */}}
  {{ $shout := .BodyRaw | ToUpper }}
  {{ $terms := StrSlice "BAD1" "BAD2" "BAD3" }}
  {{ range $term := $terms }}
    {{ if StringContains $shout $term }}
      org.matrix.msc4387.spam.flooding
    {{ end }}
  {{ end }}
`;

/** Event mode: body + " " + formatted_body, missing parts as empty strings. */
function bodyRaw(body: string, formatted = ""): string {
  return `${body} ${formatted}`;
}

function tokens(raw: string): string[] {
  const r = compiled(TEMPLATE, "example").render(keywordTemplateData(raw));
  if (!r.ok) assert.fail(r.error);
  return templateOutputHarms(r.value);
}

describe("upstream keyword template behaviour (filters.md §3)", () => {
  it("flags a bad word with punctuation attached, from both branches", () => {
    assert.deepEqual(tokens(bodyRaw("this has a bad word, bad2, in it")), ["org.matrix.msc4387.spam", "org.matrix.msc4387.spam.flooding"]);
  });

  it("is case-insensitive", () => {
    assert.deepEqual(tokens(bodyRaw("LET'S TEST CASE SENSITIVITY TOO: BAD3")), ["org.matrix.msc4387.spam", "org.matrix.msc4387.spam.flooding"]);
  });

  it("sees the formatted body, with HTML tags glued to words", () => {
    const raw = bodyRaw("the body is fine, but...", "... the HTML is not <b>and contains bad1 in it</b>");
    assert.deepEqual(keywordTemplateData(raw).BodyWords.slice(-4), ["contains", "bad1", "in", "it</b>"]);
    assert.deepEqual(tokens(raw), ["org.matrix.msc4387.spam", "org.matrix.msc4387.spam.flooding"]);
  });

  it("produces nothing for a clean message", () => {
    assert.deepEqual(tokens(bodyRaw("this is not spam")), []);
  });

  it("emits a word-branch token per matching word, but the raw branch once", () => {
    assert.deepEqual(tokens(bodyRaw("bad1 bad1 bad1")), [
      "org.matrix.msc4387.spam",
      "org.matrix.msc4387.spam",
      "org.matrix.msc4387.spam",
      "org.matrix.msc4387.spam.flooding",
    ]);
  });

  it("implements the shared KeywordTemplate contract", () => {
    const t = compiled(TEMPLATE, "example");
    assert.equal(t.name, "example");
    const bad = t.render({ BodyRaw: 1 });
    assert.equal(bad.ok, false);
  });
});
