import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { asGoMaps, render, renderError } from "./helpers.js";

/** Data shaped like the oracle sees JSON: maps, float64 numbers. */
const data = asGoMaps({
  s: "héllo wörld",
  w: ["a", "b", "c"],
  n: 3,
  f: 2.5,
  t: true,
  z: "",
  e: [],
  m: { b: 2, a: "x", c: [1, 2] },
  nul: null,
  mixed: [1, "two", null, true, { k: "v" }],
});

describe("template execution", () => {
  const table: [string, string][] = [
    ["plain text", "plain text"],
    ["{{ .s }}|{{ .w }}|{{ .n }}|{{ .f }}|{{ .t }}|{{ .m }}|{{ .mixed }}", "héllo wörld|[a b c]|3|2.5|true|map[a:x b:2 c:[1 2]]|[1 two <nil> true map[k:v]]"],
    ["{{ .missing }}|{{ .nul }}|{{ print .missing .nul }}|{{ html .missing }}", "<no value>|<no value>|<nil> <nil>|&lt;no value&gt;"],
    ["{{ if .z }}A{{ else if .e }}B{{ else if .nul }}C{{ else if .missing }}D{{ else if .m }}E{{ end }}", "E"],
    ["{{ if 0 }}a{{ else if 0.0 }}b{{ else if false }}c{{ else if .t }}d{{ end }}", "d"],
    ["{{ with .s }}{{ . }}{{ end }}{{ with .z }}x{{ else }}y{{ end }}{{ with 0 }}{{ else with 2 }}{{ . }}{{ end }}", "héllo wörldy2"],
    ["{{ range .w }}<{{ . }}>{{ end }}", "<a><b><c>"],
    ["{{ range $i, $v := .w }}{{ $i }}={{ $v }};{{ end }}", "0=a;1=b;2=c;"],
    ["{{ range $k, $v := .m }}{{ $k }}={{ $v }};{{ end }}", "a=x;b=2;c=[1 2];"],
    ["{{ range .e }}x{{ else }}empty{{ end }}{{ range .missing }}x{{ else }}none{{ end }}", "emptynone"],
    ["{{ range 3 }}{{ . }}{{ end }}{{ range $v := 2 }}{{ $v }}{{ end }}{{ range 0 }}x{{ else }}zero{{ end }}", "01201zero"],
    ["{{ range .w }}{{ if eq . \"b\" }}{{ break }}{{ end }}{{ . }}{{ end }}", "a"],
    ["{{ range .w }}{{ if eq . \"b\" }}{{ continue }}{{ end }}{{ . }}{{ end }}", "ac"],
    ["{{ range $x := .w }}{{ range $y := $.w }}{{ if eq $y \"b\" }}{{ break }}{{ end }}{{ $x }}{{ $y }} {{ end }}{{ end }}", "aa ba ca "],
    ["{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ $y := 3 }}{{ $y }}{{ end }}{{ $x }}", "32"],
    ["{{ $x := \"a\" }}{{ $x := \"b\" }}{{ $x }}{{ range $x := .w }}{{ $x }}{{ end }}{{ $x }}", "babcb"],
    ["{{ range $i, $v := .w }}{{ end }}{{ $ | len }}", "10"],
    ["{{ range .w }}{{ $.n }}{{ end }}", "333"],
    ["{{- \"a\" -}}   {{- \"b\" }}  {{ \"c\" -}}  \n  d", "ab  cd"],
    ["x {{/* comment */}} y {{- /* c2 */ -}} z", "x  yz"],
    ["{{ -3 }} {{ 1_000 }} {{ 0x1F }} {{ 0o17 }} {{ 017 }} {{ 0b101 }} {{ 'a' }} {{ '\\n' }} {{ 1e3 }} {{ .5 }} {{ 0x1p4 }}", "-3 1000 31 15 15 5 97 10 1000 0.5 16"],
    ["{{ \"\\x41\\u00e9\\U0001F600\\101\\t\" }}{{ `raw\\n` }}", "Aé😀A\traw\\n"],
    ["{{ .s | printf \"%s!\" | printf \"%q\" }} {{ \"x\" | eq \"x\" }} {{ 1 | and 2 }} {{ 0 | or 0 }}", "\"héllo wörld!\" true 1 0"],
    ["{{ (index .w 1) }} {{ (.m).b }} {{ (index .mixed 4).k }} {{ $.m.a }}", "b 2 v x"],
    ["{{ define \"d\" }}[{{ . }}|{{ $ }}]{{ end }}{{ template \"d\" .n }}{{ template \"d\" }}{{ block \"b\" .w }}{{ len . }}{{ end }}", "[3|3][<no value>|<no value>]3"],
    ["{{ and 1 0 2 }} {{ and 1 2 }} {{ or 0 \"\" \"x\" }} {{ or 0 \"\" }} {{ not 0 }} {{ not .w }}", "0 2 x  true false"],
    ["{{ and 0 (index .w 9) }}{{ or 1 (index .w 9) }}", "01"],
    ["{{ eq 1 1 }} {{ eq \"a\" \"b\" \"a\" }} {{ ne 1 2 }} {{ lt 1 2 }} {{ le 2 2 }} {{ gt \"b\" \"a\" }} {{ ge 1.5 2.5 }} {{ eq .f 2.5 }} {{ eq .nul .missing }}", "true true true true true true false true true"],
    ["{{ lt \"\uffff\" \"😀\" }} {{ eq .missing \"x\" }}", "true false"],
    ["{{ len .s }} {{ len .w }} {{ len .m }} {{ index .s 1 }} {{ index .m \"b\" }} {{ index .m \"zz\" }} {{ slice .s 0 1 }} {{ slice .w 1 }} {{ slice .w 1 2 3 }}", "13 3 3 195 2 <no value> h [b c] [b]"],
    ["{{ print \"a\" \"b\" 1 2 \"c\" true nil }}|{{ println \"a\" 1 .w }}|", "ab1 2ctrue <nil>|a 1 [a b c]\n|"],
    ["{{ html \"<a href=\\\"x\\\">&'\" }} {{ js \"a\\nb'<\\u2028é\" }} {{ urlquery \"a/b?c=d é\" }}", "&lt;a href=&#34;x&#34;&gt;&amp;&#39; a\\u000Ab\\'\\u003C\\u2028é a%2Fb%3Fc%3Dd+%C3%A9"],
    ["{{ printf \"%v %q %x %5.2f|%-5s|%05d %e %g %t %c %U\" .w \"a\\n\" \"hi\" 3.14159 \"ab\" 42 1234.5 1e-7 true 0x1F600 0x1F600 }}", "[a b c] \"a\\n\" 6869  3.14|ab   |00042 1.234500e+03 1e-07 true 😀 U+1F600"],
    ["{{ printf \"%s\" 5 }} {{ printf \"%d\" }} {{ printf \"%d\" 1 2 }} {{ printf \"%z\" 1 }} {{ printf \"%\" }} {{ printf \"%d\" .mixed }}", "%!s(int=5) %!d(MISSING) 1%!(EXTRA int=2) %!z(int=1) %!(NOVERB) [%!d(float64=1) %!d(string=two) <nil> %!d(bool=true) map[%!d(string=k):%!d(string=v)]]"],
    ["{{ printf \"%.0f %.0f %.0f %.2f %.1f\" 0.5 1.5 2.5 1.005 0.25 }}", "0 2 2 1.00 0.2"],
    ["{{ print 1e6 1e20 1e21 123456.7 0.000001 1.0 -0.0 100.0 123456789.0 }}", "1e+06 1e+20 1e+21 123456.7 1e-06 1 -0 100 1.23456789e+08"],
  ];
  for (const [text, want] of table) {
    it(`renders ${JSON.stringify(text)}`, () => assert.equal(render(text, data), want));
  }

  it("treats plain objects as Go structs: unknown and unexported fields are errors", () => {
    assert.equal(render("{{ .BodyRaw }}", { BodyRaw: "x", BodyWords: ["x"] }), "x");
    assert.equal(render("{{ . }}", { BodyRaw: "a b", BodyWords: ["a", "b"] }), "{a b [a b]}");
    assert.match(renderError("{{ .Nope }}", { BodyRaw: "x" }), /can't evaluate field Nope in type struct/);
    assert.match(renderError("{{ .body }}", { body: "x" }), /body is an unexported field/);
    assert.match(renderError("{{ .constructor }}", {}), /can't evaluate field constructor/);
  });

  const errors: [string, RegExp][] = [
    ["{{ eq .n 3 }}", /t:1:4: executing "t" at <eq>: error calling eq: incompatible types for comparison: float64 and int$/],
    ["{{ lt true false }}", /error calling lt: invalid type for comparison/],
    ["{{ eq .w .w }}", /non-comparable type/],
    ["{{ and }}", /wrong number of args for and: want at least 1 got 0/],
    ["{{ not 1 2 }}", /wrong number of args for not: want 1 got 2/],
    ["{{ template \"nope\" }}", /at <template "nope">: template "nope" not defined/],
    ["{{ range $i, $v := 3 }}{{ end }}", /can't use 3 to iterate over more than one variable/],
    ["{{ range 1.5 }}{{ end }}", /range can't iterate over 1.5/],
    ["{{ range .s }}{{ end }}", /range can't iterate over héllo wörld/],
    ["{{ len 3 }}", /len of type int/],
    ["{{ index .w 3 }}", /index out of range: 3/],
    ["{{ index .w -1 }}", /index out of range: -1/],
    ["{{ index .w 1.0 }}", /cannot index slice\/array with type float64/],
    ["{{ index .m 1 }}", /value has type int; should be string/],
    ["{{ slice .w 2 1 }}", /invalid slice index: 2 > 1/],
    ["{{ slice .s 1 2 3 }}", /cannot 3-index slice a string/],
    ["{{ .n.x }}", /can't evaluate field x in type float64/],
    ["{{ .nul.x }}", /nil pointer evaluating interface \{\}.x/],
    ["{{ nil }}", /nil is not a command/],
    ["{{ .s 1 }}", /s is not a method but has arguments/],
    ["{{ $x := 1 }}{{ $x 2 }}", /can't give argument to non-function \$x/],
    ["{{ $x = 1 }}", /undefined variable: \$x/],
    ["{{ printf 1 }}", /expected string; found 1/],
    ["{{ ToUpper .n }}", /wrong type for value; expected string; got float64/],
    ["{{ StrSliceContains .mixed \"a\" }}", /expected \[\]string; got \[\]interface \{\}/],
    ["{{ call .s }}", /error calling call: non-function of type string/],
  ];
  for (const [text, re] of errors) {
    it(`fails ${JSON.stringify(text)} with ${re}`, () => {
      assert.match(renderError(text, data), re);
    });
  }

  it("names the line and column of the failing node, and the defined template it ran in", () => {
    const e = renderError('{{ define "sub" }}\n  {{ .s.y }}{{ end }}{{ template "sub" . }}', data);
    assert.equal(e, 'template: t:2:6: executing "sub" at <.s.y>: can\'t evaluate field y in type string');
    // A missing map key is no value, and fields of no value are no value (Go's default missingkey).
    assert.equal(render("{{ .x.y }}", data), "<no value>");
  });

  it("runs a define named like the template when the main body is empty (Go's rule)", () => {
    assert.equal(render('{{ define "t" }}defined{{ end }}', data), "defined");
  });
});
