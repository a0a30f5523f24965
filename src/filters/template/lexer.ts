/**
 * Lexer for the Go text/template subset (delimiters fixed to `{{ }}`). It follows Go's lexer state by state so that
 * trim markers, comments and the odd corners (`{{-3}}` is a number, `{{- 3}}` trims) behave identically.
 * It lexes eagerly; a lexical error becomes a final `error` token so the parser still reports any earlier error
 * first, exactly as Go's lazy lexer would.
 */

export type TokenType =
  | "text"
  | "leftDelim"
  | "rightDelim"
  | "space"
  | "assign"
  | "declare"
  | "pipe"
  | "string"
  | "rawString"
  | "char"
  | "charConstant"
  | "number"
  | "complex"
  | "identifier"
  | "field"
  | "variable"
  | "dot"
  | "bool"
  | "nil"
  | "leftParen"
  | "rightParen"
  | "block"
  | "break"
  | "continue"
  | "define"
  | "else"
  | "end"
  | "if"
  | "range"
  | "template"
  | "with"
  | "eof"
  | "error";

/** One lexical item; `pos` is the UTF-16 offset of its first character in the template text. */
export interface Token {
  readonly type: TokenType;
  readonly val: string;
  readonly pos: number;
}

const KEYWORDS: ReadonlyMap<string, TokenType> = new Map<string, TokenType>([
  [".", "dot"],
  ["block", "block"],
  ["break", "break"],
  ["continue", "continue"],
  ["define", "define"],
  ["else", "else"],
  ["end", "end"],
  ["if", "if"],
  ["range", "range"],
  ["nil", "nil"],
  ["template", "template"],
  ["with", "with"],
]);

/** Keyword token types: Go prints them as `<name>` in "unexpected" messages. */
export const KEYWORD_TYPES: ReadonlySet<TokenType> = new Set<TokenType>([
  "block",
  "break",
  "continue",
  "define",
  "else",
  "end",
  "if",
  "range",
  "nil",
  "template",
  "with",
  "dot",
]);

const LEFT = "{{";
const RIGHT = "}}";

/** Go's template whitespace: only these four characters separate arguments and are trimmed by markers. */
export function isSpace(c: string | undefined): boolean {
  return c === " " || c === "\t" || c === "\r" || c === "\n";
}

/** Go's `isAlphaNumeric`: `_`, Unicode letters and Unicode decimal digits. */
function isAlphaNumeric(c: string | undefined): boolean {
  if (c === undefined) return false;
  const code = c.charCodeAt(0);
  if (code < 0x80) {
    return (
      (code >= 0x61 && code <= 0x7a) ||
      (code >= 0x41 && code <= 0x5a) ||
      (code >= 0x30 && code <= 0x39) ||
      code === 0x5f
    );
  }
  return /^[\p{L}\p{Nd}]$/u.test(c);
}

function hasLeftTrimMarker(s: string, at: number): boolean {
  return s[at] === "-" && isSpace(s[at + 1]);
}

function hasRightTrimMarker(s: string, at: number): boolean {
  return isSpace(s[at]) && s[at + 1] === "-";
}

function trimRightLength(s: string): number {
  let i = s.length;
  while (i > 0 && isSpace(s[i - 1])) i--;
  return s.length - i;
}

function trimLeftLength(s: string, from: number): number {
  let i = from;
  while (i < s.length && isSpace(s[i])) i++;
  return i - from;
}

/** Tokenises the whole template. The last token is `eof` or `error` (whose `val` is the message). */
export function lex(input: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  let start = 0;
  let parenDepth: number;

  const emit = (type: TokenType): void => {
    tokens.push({ type, val: input.slice(start, pos), pos: start });
    start = pos;
  };
  const fail = (message: string): Token[] => {
    tokens.push({ type: "error", val: message, pos: start });
    return tokens;
  };
  /** The code point at `i` as a string (a surrogate pair stays together). */
  const charAt = (i: number): string => {
    const c = input.charCodeAt(i);
    return c >= 0xd800 && c < 0xdc00 ? String.fromCodePoint(input.codePointAt(i) as number) : input[i]!;
  };
  /** Reads one code point (surrogate pairs together) and advances. */
  const next = (): string | undefined => {
    if (pos >= input.length) {
      pos++;
      return undefined;
    }
    const ch = charAt(pos);
    pos += ch.length;
    return ch;
  };
  const peekCh = (): string | undefined => (pos >= input.length ? undefined : charAt(pos));
  const backup = (ch: string | undefined): void => {
    pos -= ch === undefined ? 1 : ch.length;
  };
  const atRightDelim = (): { delim: boolean; trim: boolean } => {
    if (hasRightTrimMarker(input, pos) && input.startsWith(RIGHT, pos + 2)) return { delim: true, trim: true };
    if (input.startsWith(RIGHT, pos)) return { delim: true, trim: false };
    return { delim: false, trim: false };
  };
  const atTerminator = (): boolean => {
    const c = peekCh();
    if (c === undefined || isSpace(c)) return true;
    if (c === "." || c === "," || c === "|" || c === ":" || c === ")" || c === "(") return true;
    return input.startsWith(RIGHT, pos);
  };
  const accept = (valid: string): boolean => {
    const c = peekCh();
    if (c !== undefined && valid.includes(c)) {
      pos += c.length;
      return true;
    }
    return false;
  };
  const acceptRun = (valid: string): void => {
    while (accept(valid));
  };
  /** Consumes a quoted string or character constant up to its closing quote; false if a newline or the end comes first. */
  const scanQuoted = (quote: string): boolean => {
    for (;;) {
      const c = next();
      if (c === "\\") {
        const e = next();
        if (e !== undefined && e !== "\n") continue;
        return false;
      }
      if (c === undefined || c === "\n") return false;
      if (c === quote) return true;
    }
  };

  const scanNumber = (): boolean => {
    accept("+-");
    let digits = "0123456789_";
    if (accept("0")) {
      if (accept("xX")) digits = "0123456789abcdefABCDEF_";
      else if (accept("oO")) digits = "01234567_";
      else if (accept("bB")) digits = "01_";
    }
    acceptRun(digits);
    if (accept(".")) acceptRun(digits);
    if (digits.length === 11 && accept("eE")) {
      accept("+-");
      acceptRun("0123456789_");
    }
    if (digits.length === 23 && accept("pP")) {
      accept("+-");
      acceptRun("0123456789_");
    }
    accept("i");
    if (isAlphaNumeric(peekCh())) {
      next();
      return false;
    }
    return true;
  };

  // Text mode.
  for (;;) {
    const x = input.indexOf(LEFT, pos);
    if (x < 0) {
      pos = input.length;
      if (pos > start) emit("text");
      tokens.push({ type: "eof", val: "", pos });
      return tokens;
    }
    if (x > pos || x > start) {
      pos = x;
      const trim = hasLeftTrimMarker(input, pos + LEFT.length) ? trimRightLength(input.slice(start, pos)) : 0;
      pos -= trim;
      if (pos > start) emit("text");
      pos += trim;
      start = pos;
    }
    // Left delimiter.
    pos += LEFT.length;
    const trimLeft = hasLeftTrimMarker(input, pos);
    const afterMarker = trimLeft ? 2 : 0;
    if (input.startsWith("/*", pos + afterMarker)) {
      pos += afterMarker;
      start = pos;
      const close = input.indexOf("*/", pos + 2);
      if (close < 0) return fail("unclosed comment");
      pos = close + 2;
      const rd = atRightDelim();
      if (!rd.delim) return fail("comment ends before closing delimiter");
      if (rd.trim) pos += 2;
      pos += RIGHT.length;
      if (rd.trim) pos += trimLeftLength(input, pos);
      start = pos;
      continue;
    }
    tokens.push({ type: "leftDelim", val: LEFT, pos: start });
    pos += afterMarker;
    start = pos;
    parenDepth = 0;

    // Inside an action.
    for (;;) {
      const rd = atRightDelim();
      if (rd.delim) {
        if (parenDepth !== 0) return fail("unclosed left paren");
        if (rd.trim) pos += 2;
        start = pos;
        pos += RIGHT.length;
        emit("rightDelim");
        if (rd.trim) pos += trimLeftLength(input, pos);
        start = pos;
        break;
      }
      const r = next();
      if (r === undefined) return fail("unclosed action");
      if (isSpace(r)) {
        backup(r);
        let numSpaces = 0;
        while (isSpace(input[pos])) {
          pos++;
          numSpaces++;
        }
        // A trim-marked right delimiter needs its leading space: give it back.
        if (hasRightTrimMarker(input, pos - 1) && input.startsWith(RIGHT, pos + 1)) {
          pos--;
          if (numSpaces === 1) {
            start = pos;
            continue;
          }
        }
        emit("space");
        continue;
      }
      switch (r) {
        case "=":
          emit("assign");
          continue;
        case ":":
          if (next() !== "=") return fail("expected :=");
          emit("declare");
          continue;
        case "|":
          emit("pipe");
          continue;
        case '"':
          if (!scanQuoted('"')) return fail("unterminated quoted string");
          emit("string");
          continue;
        case "`": {
          const close = input.indexOf("`", pos);
          if (close < 0) return fail("unterminated raw quoted string");
          pos = close + 1;
          emit("rawString");
          continue;
        }
        case "$":
        case ".": {
          if (r === "." && pos < input.length && input[pos]! >= "0" && input[pos]! <= "9") {
            backup(r);
            if (!scanNumber()) return fail(`bad number syntax: ${JSON.stringify(input.slice(start, pos))}`);
            emit("number");
            continue;
          }
          const type: TokenType = r === "$" ? "variable" : "field";
          if (atTerminator()) {
            emit(r === "$" ? "variable" : "dot");
            continue;
          }
          let c: string | undefined;
          for (;;) {
            c = next();
            if (!isAlphaNumeric(c)) {
              backup(c);
              break;
            }
          }
          if (!atTerminator()) return fail(`bad character ${describeRune(c)}`);
          emit(type);
          continue;
        }
        case "'":
          if (!scanQuoted("'")) return fail("unterminated character constant");
          emit("charConstant");
          continue;
        case "(":
          parenDepth++;
          emit("leftParen");
          continue;
        case ")":
          parenDepth--;
          if (parenDepth < 0) return fail("unexpected right paren");
          emit("rightParen");
          continue;
      }
      if (r === "+" || r === "-" || (r >= "0" && r <= "9")) {
        backup(r);
        if (!scanNumber()) return fail(`bad number syntax: ${JSON.stringify(input.slice(start, pos))}`);
        const sign = peekCh();
        if (sign === "+" || sign === "-") {
          if (!scanNumber() || input[pos - 1] !== "i") {
            return fail(`bad number syntax: ${JSON.stringify(input.slice(start, pos))}`);
          }
          emit("complex");
          continue;
        }
        emit("number");
        continue;
      }
      if (isAlphaNumeric(r)) {
        let c: string | undefined;
        for (;;) {
          c = next();
          if (!isAlphaNumeric(c)) {
            backup(c);
            break;
          }
        }
        if (!atTerminator()) return fail(`bad character ${describeRune(c)}`);
        const word = input.slice(start, pos);
        const kw = KEYWORDS.get(word);
        if (kw !== undefined) emit(kw);
        else if (word === "true" || word === "false") emit("bool");
        else emit("identifier");
        continue;
      }
      const code = r.codePointAt(0) as number;
      if (code < 0x7f && code >= 0x20) {
        emit("char");
        continue;
      }
      return fail(`unrecognized character in action: ${describeRune(r)}`);
    }
  }
}

/** Go's `%#U` rendering of a rune, used in lexical error messages. */
export function describeRune(c: string | undefined): string {
  if (c === undefined) return "EOF";
  const cp = c.codePointAt(0) as number;
  const hex = cp.toString(16).toUpperCase().padStart(4, "0");
  return /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(c) ? `U+${hex} '${c}'` : `U+${hex}`;
}
