import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { goToLower, goToUpper, MULTI_UPPER_PATTERN } from "../../../src/filters/template/case-mapping.js";
import { keywordTemplateData, templateOutputHarms as templateHarmTokens } from "../../../src/filters/keyword-template-data.js";
import { render, renderError } from "./helpers.js";

const dot = (raw: string): unknown => keywordTemplateData(raw);

describe("custom template functions", () => {
  it("StrSlice builds a []string, printed Go-style", () => {
    assert.equal(render('{{ StrSlice "a" "b" "c" }}|{{ StrSlice }}|{{ len (StrSlice "x" "y") }}'), "[a b c]|[]|2");
    assert.match(renderError("{{ StrSlice 1 }}"), /expected string; found 1/);
  });

  it("StrSliceContains is exact element equality", () => {
    const out = render(
      '{{ StrSliceContains .BodyWords "bad" }} {{ StrSliceContains .BodyWords "Bad" }} {{ StrSliceContains .BodyWords "ba" }} {{ StrSliceContains (StrSlice) "" }}',
      dot("a bad word"),
    );
    assert.equal(out, "true false false false");
    assert.equal(render('{{ StrSliceContains .BodyWords "" }}', dot("a  b")), "true");
  });

  it("StringContains is a substring test where the empty needle always matches", () => {
    assert.equal(render('{{ StringContains "hello" "ell" }} {{ StringContains "hello" "" }} {{ StringContains "" "" }} {{ StringContains "a" "A" }}'), "true true true false");
  });

  it("RemovePunctuation keeps only ASCII [0-9A-Za-z_] and [\\t\\n\\f\\r ]", () => {
    assert.equal(render('{{ RemovePunctuation "café ñ 💖 a_b-c" }}'), "caf   a_bc");
    assert.equal(render('{{ RemovePunctuation "!\':;.,@?x y!\':;.,@?" }}'), "x y");
    assert.equal(render('{{ RemovePunctuation "a\\tb\\nc\\vd\\fe\\rf\\u00a0g" }}'), "a\tb\ncd\fe\rfg");
    assert.equal(render('{{ RemovePunctuation "١٢٣ 123 Ⅻ" }}'), " 123 ");
  });

  it("ToUpper/ToLower are ASCII-exact and pipe-friendly", () => {
    assert.equal(render("{{ .BodyRaw | ToUpper }} {{ .BodyRaw | ToLower }}", dot("MiXeD case")), "MIXED CASE mixed case");
  });

  const upper: [string, string][] = [
    ["straße", "STRAßE"],
    ["ŉ ǰ ΐ ﬀ ﬁ և", "ŉ ǰ ΐ ﬀ ﬁ և"],
    ["ᾳ ῃ ῳ ᾀ ᾐ ᾠ", "ᾼ ῌ ῼ ᾈ ᾘ ᾨ"],
    ["ᾼ ᾈ", "ᾼ ᾈ"],
    ["ı ſ µ ǆ ǅ", "I S Μ Ǆ Ǆ"],
    ["éàü ñ ς σ 𐐨", "ÉÀÜ Ñ Σ Σ 𐐀"],
  ];
  for (const [input, want] of upper) {
    it(`ToUpper maps ${JSON.stringify(input)} one code point at a time`, () => {
      assert.equal(goToUpper(input), want);
      assert.equal(render("{{ ToUpper .BodyRaw }}", dot(input)), want);
    });
  }

  const lower: [string, string][] = [
    ["İSTANBUL", "istanbul"],
    ["ΣΑΣ ΌΣΟΣ", "σασ όσοσ"],
    ["ẞ Ǆ ǅ 𐐀", "ß ǆ ǆ 𐐨"],
    ["K Å", "k å"],
  ];
  for (const [input, want] of lower) {
    it(`ToLower maps ${JSON.stringify(input)} without context or expansion`, () => {
      assert.equal(goToLower(input), want);
      assert.equal(render("{{ ToLower .BodyRaw }}", dot(input)), want);
    });
  }

  it("keeps the list of multi-code-point uppercase mappings in step with the runtime", () => {
    const runtime: number[] = [];
    for (let c = 0; c < 0x10000; c++) {
      if (c >= 0xd800 && c < 0xe000) continue;
      if ([...String.fromCodePoint(c).toUpperCase()].length > 1) runtime.push(c);
    }
    const listed: number[] = [];
    for (let c = 0; c < 0x10000; c++) if (MULTI_UPPER_PATTERN.test(String.fromCodePoint(c))) listed.push(c);
    assert.deepEqual(listed, runtime);
    let lowerMulti = 0;
    for (let c = 0; c < 0x10000; c++) {
      if (c >= 0xd800 && c < 0xe000) continue;
      if ([...String.fromCodePoint(c).toLowerCase()].length > 1) lowerMulti = c;
    }
    assert.equal(lowerMulti, 0x130, "only İ lowercases to more than one code point");
  });
});

describe("keyword template data and output tokens", () => {
  it("splits BodyWords on every single ASCII white-space character", () => {
    assert.deepEqual(keywordTemplateData("a  b\tc\u00a0d\ve").BodyWords, ["a", "", "b", "c\u00a0d\ve"]);
    assert.deepEqual(keywordTemplateData("").BodyWords, [""]);
    assert.deepEqual(keywordTemplateData(" x ").BodyWords, ["", "x", ""]);
    assert.deepEqual(keywordTemplateData("fine <b>and").BodyWords, ["fine", "<b>and"]);
  });

  it("turns output into trimmed, non-empty tokens, keeping duplicates", () => {
    assert.deepEqual(templateHarmTokens("\n   spam \n\n spam\tx.y\u00a0 \u0085z\u3000  "), ["spam", "spam", "x.y", "z"]);
    assert.deepEqual(templateHarmTokens(""), []);
    assert.deepEqual(templateHarmTokens("a\u00a0b"), ["a\u00a0b"]);
    assert.deepEqual(templateHarmTokens("\ufeffa"), ["\ufeffa"]);
  });
});
