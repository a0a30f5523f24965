/**
 * Differential test against Go's own text/template compiled to WASM (@evertdespiegeleer/go-template, a dev-only
 * oracle). The oracle has no custom functions and runs with missingkey=error, so only built-ins are compared and the
 * generated templates never read a missing key. Outputs must match exactly; failures must fail on both sides.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import fc from "fast-check";
import { compileTemplate } from "../../../src/filters/template/index.js";
import { asGoMaps } from "./helpers.js";

type Oracle = (tpl: string, data: unknown) => Promise<string>;

const DATA = {
  s: "héllo wörld",
  w: ["a", "b", "c"],
  n: 3,
  f: 2.5,
  big: 123456789,
  tiny: -0.000012345,
  t: true,
  z: "",
  e: [],
  m: { b: 2, a: "x", c: [1, 2] },
  mixed: [1, "two", null, true, { k: "v" }],
};

interface Outcome {
  readonly ok: boolean;
  readonly text: string;
}

async function viaOracle(oracle: Oracle, tpl: string): Promise<Outcome> {
  try {
    return { ok: true, text: await oracle(tpl, DATA) };
  } catch (e) {
    return { ok: false, text: (e as Error).message };
  }
}

function viaUs(tpl: string): Outcome {
  const c = compileTemplate("tpl", tpl);
  if (!c.ok) return { ok: false, text: `parse: ${c.error.message}` };
  const r = c.value.render(asGoMaps(DATA));
  return r.ok ? { ok: true, text: r.value } : { ok: false, text: r.error };
}

function same(tpl: string, go: Outcome, ours: Outcome): void {
  assert.equal(ours.ok, go.ok, `${JSON.stringify(tpl)}: go ${JSON.stringify(go)}, ours ${JSON.stringify(ours)}`);
  if (go.ok) assert.equal(ours.text, go.text, JSON.stringify(tpl));
}

const FIXED = [
  '{{printf "%q %q %+q %c %U %x %X %o %b %#x %#o" "a\\tb\\u00e9\\u2028" 65 "é" 0x1F600 0x1F600 255 255 8 5 255 8}}',
  '{{printf "%5d|%-5d|%05d|%+d|% d|%.3d|%8.3f|%-8.2f|%08.3f|%x" 42 42 42 42 42 7 3.14159 2.5 -3.14159 -255}}',
  '{{printf "%10s|%-10s|%.2s|%010s|%q" "héllo" "ab" "héllo" "x" "it\'s \\"q\\""}}',
  '{{printf "%[2]d %[1]d %d" 1 2}} {{printf "%[3]d" 1}} {{printf "%*d|%-*d" 5 1 4 2}}',
  '{{printf "%6.2v|%.3v|%10.4g|%e|%E|%.3g|%g" 3.14159 "abcdef" 123456.789 0.0 1e-300 100000.0 1e100}}',
  '{{.f}} {{.big}} {{.tiny}} {{printf "%.2f %8.3e %g %G %v" .f .big .tiny .big .n}}',
  '{{printf "%.0f %.0f %.0f %.1f %.2f %.3f" 0.5 1.5 2.5 0.25 1.005 2.0005}}',
  '{{printf "%x %X %x %x %.2x %.0x %.0x %x %x" 1e6 2.5 0.0 -1.0 1.999 1.5 1.25 5e-324 0.1}}',
  "{{len .s}} {{len .w}} {{len .m}} {{index .s 1}} {{index .w 2}} {{index .m \"b\"}} {{index .mixed 4 \"k\"}} {{slice .s 0 1}} {{slice .w 1}}",
  "{{slice \"héllo\" 1 2}} {{slice \"héllo\" 1 3}}",
  "{{.m}} {{range $k, $v := .m}}{{$k}}={{$v}};{{end}} {{.mixed}}",
  "{{eq 1 1}} {{eq \"a\" \"b\" \"a\"}} {{ne 1 2}} {{lt 1 2}} {{le 2 2}} {{gt \"b\" \"a\"}} {{ge 1.5 2.5}} {{eq .f 2.5}} {{lt .n 4.0}}",
  "{{eq .n 3}}",
  "{{lt true false}}",
  "{{html \"<a href=\\\"x\\\">&'\"}} {{html 1 \"<\"}} {{js \"a\\nb\\x01'\"}} {{urlquery \"a/b?c=d e\"}} {{urlquery 1 2}}",
  "{{js \"\\u0085\\u00ad\\U0001F600\\u200b\"}} {{printf \"%q\" \"\\u00ad\\x7f\\u200b\"}}",
  '{{define "t"}}[{{.}}|{{$}}]{{end}}{{template "t" .n}}{{template "t"}}{{block "b" .w}}{{len .}}{{end}}',
  "{{range .w}}{{if eq . \"b\"}}{{continue}}{{end}}{{.}}{{end}} {{range $i, $v := .w}}{{if $i}}{{break}}{{end}}{{$v}}{{end}}",
  "{{- \"a\" -}}   {{- \"b\" }}  {{ \"c\" -}}  \n  d {{/* c */}} e {{- /* c2 */ -}} f",
  "{{-3}} {{ -3 }} {{1_000}} {{0x1F}} {{0o17}} {{017}} {{0b101}} {{'a'}} {{'\\n'}} {{1e3}} {{.5}} {{0x1p4}}",
  '{{ "\\x41\\u00e9\\U0001F600\\101\\t" }} {{ `raw\\n` }}',
  "{{with $x := .w}}{{$x}}{{end}} {{range $x := 2}}{{$x}}{{end}} {{if and .t (or .z .n)}}yes{{end}}",
  "{{ 1 | printf \"%d-%d\" 2 }} {{ .w | len | printf \"%03d\" }}",
  "{{ print 1.0 2 \"x\" nil }} {{ println }} {{ print }}",
  "{{ .s | }}",
  "{{ $ := 1 }}{{ $ }}",
];

describe("differential test against Go text/template (WASM oracle)", () => {
  let oracle: Oracle | undefined;
  let loadError = "";
  before(async () => {
    try {
      const mod = (await import("@evertdespiegeleer/go-template")) as { parse: Oracle };
      await mod.parse("{{1}}", {});
      oracle = mod.parse;
    } catch (e) {
      loadError = (e as Error).message;
    }
  });

  it("matches Go on hand-picked templates", async (t) => {
    if (oracle === undefined) return t.skip(`oracle unavailable: ${loadError}`);
    for (const tpl of FIXED) same(tpl, await viaOracle(oracle, tpl), viaUs(tpl));
  });

  it("matches Go on generated templates", async (t) => {
    if (oracle === undefined) return t.skip(`oracle unavailable: ${loadError}`);
    const run = oracle;
    const lit = fc.constantFrom('"a"', '"b"', '""', '"héllo"', '"A b"', "0", "1", "2", "-1", "10", "0.5", "2.5", "1e6", "true", "false");
    const field = fc.constantFrom(".s", ".w", ".n", ".f", ".t", ".z", ".e", ".m", ".m.a", ".m.c", ".mixed", ".big", ".tiny", "$.w", ".");
    const verb = fc.constantFrom("%v", "%s", "%d", "%q", "%x", "%5v", "%-4s|", "%.2f", "%t", "%g", "%e", "%03d", "%+d");
    const { expr } = fc.letrec((tie) => ({
      expr: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        lit,
        field,
        fc.tuple(fc.constantFrom("eq", "ne", "lt", "le", "gt", "ge", "and", "or"), tie("expr"), tie("expr")).map(([f, a, b]) => `(${f} ${a} ${b})`),
        fc.tuple(fc.constantFrom("not", "len", "html", "js", "urlquery", "print", "println"), tie("expr")).map(([f, a]) => `(${f} ${a})`),
        fc.tuple(fc.constantFrom("index", "slice"), tie("expr"), fc.constantFrom("0", "1", "2", "-1")).map(([f, a, i]) => `(${f} ${a} ${i})`),
        fc.tuple(verb, verb, tie("expr"), tie("expr")).map(([v1, v2, a, b]) => `(printf "${v1} ${v2}" ${a} ${b})`),
      ),
    }));
    const pipe = fc.oneof(expr, fc.tuple(expr, fc.constantFrom("len", "html", 'printf "%v"', 'eq "a"', "print", "not")).map(([e, f]) => `${e} | ${f}`));
    const { stmt } = fc.letrec((tie) => ({
      stmt: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        fc.constantFrom("x", " ", "\n"),
        pipe.map((p) => `{{ ${p} }}`),
        pipe.map((p) => `{{- ${p} -}}`),
        fc.tuple(pipe, tie("stmt"), tie("stmt")).map(([p, a, b]) => `{{ if ${p} }}${a}{{ else }}${b}{{ end }}`),
        fc.tuple(pipe, tie("stmt")).map(([p, a]) => `{{ with ${p} }}{{ . }}${a}{{ end }}`),
        fc.tuple(pipe, tie("stmt")).map(([p, a]) => `{{ range $i, $v := ${p} }}{{ $i }}:{{ $v }};${a}{{ else }}none{{ end }}`),
        fc.tuple(pipe, tie("stmt")).map(([p, a]) => `{{ $x := ${p} }}${a}{{ $x }}`),
      ),
    }));
    const template = fc.array(stmt, { minLength: 1, maxLength: 4 }).map((xs) => xs.join(""));
    await fc.assert(
      fc.asyncProperty(template, async (tpl) => {
        same(tpl, await viaOracle(run, tpl), viaUs(tpl));
      }),
      { numRuns: 400, seed: 4284 },
    );
  });
});
