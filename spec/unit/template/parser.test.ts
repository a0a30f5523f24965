import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileTemplate, TEMPLATE_FUNCTION_NAMES } from "../../../src/filters/template/index.js";
import { MAX_NESTING, positionOf } from "../../../src/filters/template/parser.js";

function parseError(text: string): { message: string; line: number; column: number } {
  const c = compileTemplate("t", text);
  if (c.ok) assert.fail(`expected a parse error for ${JSON.stringify(text)}`);
  return c.error;
}

describe("template parser", () => {
  it("accepts every construct of filters.md §3", () => {
    const text = `{{/* comment */}}
{{- $a := .BodyRaw | ToUpper -}}
{{ $a := $a | ToLower }}{{ $a = "x" }}
{{ if and (eq $a "x") (not false) }}1{{ else if or 0 1 }}2{{ else }}3{{ end }}
{{ range $i, $w := .BodyWords }}{{ if eq $i 0 }}{{ continue }}{{ end }}{{ break }}{{ else }}none{{ end }}
{{ range $w := StrSlice "a" "b" }}{{ $w }}{{ end }}{{ range .BodyWords }}{{ . }}{{ end }}
{{ with .BodyRaw }}{{ . }}{{ else with 1 }}{{ else }}{{ end }}
{{ define "sub" }}{{ . }}{{ end }}{{ template "sub" .BodyRaw }}{{ block "blk" . }}{{ len .BodyWords }}{{ end }}
{{ printf "%s %d" (index .BodyWords 0) (len (slice .BodyRaw 0 1)) | html | js | urlquery }}
{{ print 1 2.5 'c' true nil | println }}{{ call 1 }}
{{ StrSliceContains .BodyWords "x" }}{{ StringContains .BodyRaw "y" }}{{ RemovePunctuation "z" }}`;
    const c = compileTemplate("all", text);
    assert.ok(c.ok, c.ok ? "" : JSON.stringify(c.error));
    assert.deepEqual(c.value.definedTemplates, ["all", "blk", "sub"]);
  });

  it("lists the Go built-ins and the six custom functions", () => {
    for (const f of ["and", "call", "html", "index", "js", "len", "not", "or", "print", "printf", "println", "slice", "urlquery", "eq", "ne", "lt", "le", "gt", "ge"]) {
      assert.ok(TEMPLATE_FUNCTION_NAMES.includes(f), f);
    }
    for (const f of ["StrSlice", "ToLower", "ToUpper", "RemovePunctuation", "StrSliceContains", "StringContains"]) {
      assert.ok(TEMPLATE_FUNCTION_NAMES.includes(f), f);
    }
    assert.ok(!TEMPLATE_FUNCTION_NAMES.includes("TrimPunctuation"));
  });

  it("rejects the README example as Go does (variable declared without $)", () => {
    const readme = `{{ badWords := StrSlice "one" "two" "three" }}
{{ range $word := .BodyWords }}
  {{ if StrSliceContains $badWords $word }}
    org.matrix.msc4387.spam
  {{ end }}
{{ end }}`;
    assert.deepEqual(parseError(readme), { message: 'function "badWords" not defined', line: 1, column: 4 });
  });

  const cases: [string, string, number, number][] = [
    ["{{ .x", "unclosed action", 1, 6],
    ["ok\n  {{ if }}", "missing value for if", 2, 9],
    ["{{ if 1 }}\nx", "unexpected EOF", 2, 2],
    ["a\nb {{ end }}", "unexpected {{end}}", 2, 6],
    ["{{ if 1 }}{{ else }}{{ else }}{{ end }}", "expected end; found {{else}}", 1, 24],
    ["{{ $x }}", 'undefined variable "$x"', 1, 4],
    ["{{ if 1 }}{{ $y := 1 }}{{ end }}{{ $y }}", 'undefined variable "$y"', 1, 36],
    ["{{ nope 1 }}", 'function "nope" not defined', 1, 4],
    ["{{ TrimPunctuation .BodyRaw }}", 'function "TrimPunctuation" not defined', 1, 4],
    ["{{ break }}", "{{break}} outside {{range}}", 1, 4],
    ["{{ range . }}{{ else }}{{ continue }}{{ end }}", "{{continue}} outside {{range}}", 1, 27],
    ["{{ define \"a\" }}{{ break }}{{ end }}", "{{break}} outside {{range}}", 1, 20],
    ['{{ .x | "s" }}', "non executable command in pipeline stage 2", 1, 9],
    ["{{ range $a, $b, $c := . }}{{ end }}", "too many declarations in range", 1, 16],
    ["{{ $a, $b := 1 }}", "too many declarations in command", 1, 6],
    ["{{ 1.x }}", 'bad number syntax: "1.x"', 1, 4],
    ['{{ "\\q" }}', 'invalid string literal "\\q": unknown escape sequence \\q', 1, 4],
    ["{{ 09 }}", 'integer overflow: "09"', 1, 4],
    ["{{ 1+2i }}", "complex number constants are not supported: 1+2i", 1, 4],
    ["{{ 9007199254740993 }}", "integer constant 9007199254740993 is outside the supported range ±(2^53-1)", 1, 4],
    ['{{ "x".y }}', 'unexpected . after term "\\"x\\""', 1, 4],
    ["{{ template foo }}", 'unexpected "foo" in template clause', 1, 13],
    ['{{ template "a" | }}', 'unexpected "|" in template clause', 1, 17],
    ['{{ define "a" }}1{{ end }}{{ define "a" }}2{{ end }}', 'multiple definition of template "a"', 1, 37],
    ["{{ end", "unclosed action", 1, 7],
    ["é😀 {{ x }}", 'function "x" not defined', 1, 7],
  ];
  for (const [text, message, line, column] of cases) {
    it(`reports ${JSON.stringify(message)} at ${line}:${column}`, () => {
      assert.deepEqual(parseError(text), { message, line, column });
    });
  }

  it("allows redefining an empty template and re-declaring variables", () => {
    assert.ok(compileTemplate("t", '{{ define "a" }} {{ end }}{{ define "a" }}x{{ end }}').ok);
    assert.ok(compileTemplate("t", "{{ $x := 1 }}{{ $x := 2 }}{{ $x }}").ok);
  });

  it(`refuses nesting deeper than ${MAX_NESTING} levels instead of exhausting the stack`, () => {
    const deepIf = "{{ if 1 }}".repeat(MAX_NESTING + 1) + "{{ end }}".repeat(MAX_NESTING + 1);
    assert.match(parseError(deepIf).message, /nesting deeper than 100 levels/);
    const deepParens = "{{ " + "(".repeat(5000) + "1" + ")".repeat(5000) + " }}";
    assert.match(parseError(deepParens).message, /nesting deeper/);
    const ok = "{{ if 1 }}".repeat(MAX_NESTING) + "x" + "{{ end }}".repeat(MAX_NESTING);
    assert.ok(compileTemplate("t", ok).ok);
  });

  it("computes code-point columns", () => {
    assert.deepEqual(positionOf("a\n😀b", 5), { line: 2, column: 3 });
    assert.deepEqual(positionOf("abc", 0), { line: 1, column: 1 });
  });
});
