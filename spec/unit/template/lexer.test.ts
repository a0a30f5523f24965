import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { lex } from "../../../src/filters/template/lexer.js";

const kinds = (text: string): string[] => lex(text).map((t) => `${t.type}:${t.val}`);

describe("template lexer", () => {
  const table: [string, string[]][] = [
    ["hello", ["text:hello", "eof:"]],
    ["a{{.}}b", ["text:a", "leftDelim:{{", "dot:.", "rightDelim:}}", "text:b", "eof:"]],
    ["{{.A.B}}", ["leftDelim:{{", "field:.A", "field:.B", "rightDelim:}}", "eof:"]],
    ["{{$x := 1}}", ["leftDelim:{{", "variable:$x", "space: ", "declare::=", "space: ", "number:1", "rightDelim:}}", "eof:"]],
    ["{{$ = $y}}", ["leftDelim:{{", "variable:$", "space: ", "assign:=", "space: ", "variable:$y", "rightDelim:}}", "eof:"]],
    ['{{"a\\"b" `r` \'c\'}}', ["leftDelim:{{", 'string:"a\\"b"', "space: ", "string:`r`".replace("string", "rawString"), "space: ", "charConstant:'c'", "rightDelim:}}", "eof:"]],
    ["{{f (g .x) | h}}", ["leftDelim:{{", "identifier:f", "space: ", "leftParen:(", "identifier:g", "space: ", "field:.x", "rightParen:)", "space: ", "pipe:|", "space: ", "identifier:h", "rightDelim:}}", "eof:"]],
    ["{{if true}}{{else}}{{end}}", ["leftDelim:{{", "if:if", "space: ", "bool:true", "rightDelim:}}", "leftDelim:{{", "else:else", "rightDelim:}}", "leftDelim:{{", "end:end", "rightDelim:}}", "eof:"]],
    ["{{-3}}", ["leftDelim:{{", "number:-3", "rightDelim:}}", "eof:"]],
    ["{{range $i, $v := nil}}", ["leftDelim:{{", "range:range", "space: ", "variable:$i", "char:,", "space: ", "variable:$v", "space: ", "declare::=", "space: ", "nil:nil", "rightDelim:}}", "eof:"]],
    ["{{0x1F 1e-3 .5 1_000}}", ["leftDelim:{{", "number:0x1F", "space: ", "number:1e-3", "space: ", "number:.5", "space: ", "number:1_000", "rightDelim:}}", "eof:"]],
  ];
  for (const [text, want] of table) {
    it(`tokenises ${JSON.stringify(text)}`, () => assert.deepEqual(kinds(text), want));
  }

  it("trims around trim markers and drops comments", () => {
    assert.deepEqual(kinds("a  {{- 1 -}}  b {{/* c */}} d {{- /* e */ -}}\n f"), [
      "text:a",
      "leftDelim:{{",
      "number:1",
      "rightDelim:}}",
      "text:b ",
      "text: d",
      "text:f",
      "eof:",
    ]);
  });

  it("records the UTF-16 offset of every token", () => {
    const toks = lex("ab\n{{ .X }}");
    assert.deepEqual(
      toks.map((t) => t.pos),
      [0, 3, 5, 6, 8, 9, 11],
    );
  });

  const errors: [string, string][] = [
    ["{{ .x", "unclosed action"],
    ['{{ "abc }}', "unterminated quoted string"],
    ["{{ `abc }}", "unterminated raw quoted string"],
    ["{{ 'a }}", "unterminated character constant"],
    ["{{/* x }}", "unclosed comment"],
    ["{{/* x */ y }}", "comment ends before closing delimiter"],
    ["{{ (1 }}", "unclosed left paren"],
    ["{{ 1) }}", "unexpected right paren"],
    ["{{ $x=1 }}", "bad character U+003D '='"],
    ["{{ 3x }}", 'bad number syntax: "3x"'],
    ["{{ : }}", "expected :="],
    ["{{ \u0001 }}", "unrecognized character in action: U+0001"],
  ];
  for (const [text, message] of errors) {
    it(`reports ${JSON.stringify(message)} for ${JSON.stringify(text)}`, () => {
      const last = lex(text).at(-1)!;
      assert.equal(last.type, "error");
      assert.equal(last.val, message);
    });
  }
});
