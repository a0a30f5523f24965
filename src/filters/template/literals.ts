/**
 * Go literal decoding for template constants: strconv.Unquote for strings and character constants and the number
 * rules of text/template's `newNumber` (base prefixes, `_` separators, hex floats, "integer overflow" for integer
 * text that does not fit). Hand-written because no JS library decodes Go literals.
 */
import { err, ok, type Result } from "../../result.js";
import { fromUtf8 } from "./values.js";

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = {
  a: 7,
  b: 8,
  f: 12,
  n: 10,
  r: 13,
  t: 9,
  v: 11,
  "\\": 92,
};

interface Unquoted {
  /** The code point (or byte, when `isByte`) produced. */
  readonly value: number;
  readonly isByte: boolean;
  /** Index just past the consumed text. */
  readonly next: number;
}

/** Go's strconv.UnquoteChar: one character or escape of a literal delimited by `quote`. */
function unquoteChar(s: string, i: number, quote: string): Result<Unquoted, string> {
  const c = s[i];
  if (c === undefined) return err("unexpected end of literal");
  if (c !== "\\") {
    if (c === quote) return err(`unescaped ${quote} inside the literal`);
    const cp = s.codePointAt(i) as number;
    return ok({ value: cp, isByte: false, next: i + (cp > 0xffff ? 2 : 1) });
  }
  const e = s[i + 1];
  if (e === undefined) return err("backslash at end of literal");
  const simple = SIMPLE_ESCAPES[e];
  if (simple !== undefined) return ok({ value: simple, isByte: false, next: i + 2 });
  if (e === "'" || e === '"') {
    if (e !== quote) return err(`escape \\${e} is not allowed in this kind of literal`);
    return ok({ value: e.charCodeAt(0), isByte: false, next: i + 2 });
  }
  const hexLen = e === "x" ? 2 : e === "u" ? 4 : e === "U" ? 8 : 0;
  if (hexLen > 0) {
    const digits = s.slice(i + 2, i + 2 + hexLen);
    if (!new RegExp(`^[0-9a-fA-F]{${hexLen}}$`).test(digits)) {
      return err(`escape \\${e} needs exactly ${hexLen} hexadecimal digits`);
    }
    const v = parseInt(digits, 16);
    if (e === "x") return ok({ value: v, isByte: quote !== "'", next: i + 2 + hexLen });
    if (v > 0x10ffff || (v >= 0xd800 && v < 0xe000)) return err(`escape \\${e}${digits} is not a valid code point`);
    return ok({ value: v, isByte: false, next: i + 2 + hexLen });
  }
  if (e >= "0" && e <= "7") {
    const digits = s.slice(i + 1, i + 4);
    if (!/^[0-7]{3}$/.test(digits)) return err("octal escape needs exactly 3 octal digits");
    const v = parseInt(digits, 8);
    if (v > 255) return err(`octal escape \\${digits} is greater than 255`);
    return ok({ value: v, isByte: quote !== "'", next: i + 4 });
  }
  return err(`unknown escape sequence \\${e}`);
}

/**
 * Decodes a string token (with its quotes): interpreted `"…"` with Go escapes (byte escapes build UTF-8 bytes) or
 * raw `` `…` `` (carriage returns dropped, as Go does).
 */
export function unquoteString(token: string): Result<string, string> {
  if (token.startsWith("`")) return ok(token.slice(1, -1).replace(/\r/g, ""));
  const body = token.slice(1, -1);
  if (!body.includes("\\")) return ok(body);
  const bytes: number[] = [];
  const enc = new TextEncoder();
  let i = 0;
  while (i < body.length) {
    const r = unquoteChar(body, i, '"');
    if (!r.ok) return r;
    if (r.value.isByte) bytes.push(r.value.value);
    else for (const b of enc.encode(String.fromCodePoint(r.value.value))) bytes.push(b);
    i = r.value.next;
  }
  return ok(fromUtf8(Uint8Array.from(bytes)));
}

/** Decodes a character constant token like `'a'` or `'\n'` to its code point. */
export function unquoteCharConstant(token: string): Result<number, string> {
  const r = unquoteChar(token, 1, "'");
  if (!r.ok) return err(`malformed character constant: ${token} (${r.error})`);
  if (r.value.next !== token.length - 1) return err(`malformed character constant: ${token}`);
  return ok(r.value.value);
}

/** A parsed number constant; which interpretations succeeded decides its type when evaluated (see exec). */
export interface NumberConstant {
  readonly text: string;
  /** Set when the text is an integer that fits in Go's int (restricted here to JS safe integers). */
  readonly int: number | undefined;
  /** Set when the text also reads as a float64. */
  readonly float: number | undefined;
}

/** Go's rule: `_` may only separate digits (a base prefix counts as a digit). */
function underscoreOK(s: string): boolean {
  let saw = "^";
  let i = 0;
  if (s.startsWith("+") || s.startsWith("-")) i++;
  let hex = false;
  if (s.length - i >= 2 && s[i] === "0" && /[bBoOxX]/.test(s[i + 1] ?? "")) {
    hex = s[i + 1] === "x" || s[i + 1] === "X";
    i += 2;
    saw = "0";
  }
  for (; i < s.length; i++) {
    const c = s[i]!;
    if ((c >= "0" && c <= "9") || (hex && /[a-fA-F]/.test(c))) {
      saw = "0";
      continue;
    }
    if (c === "_") {
      if (saw !== "0") return false;
      saw = "_";
      continue;
    }
    if (saw === "_") return false;
    saw = "!";
  }
  return saw !== "_";
}

function parseIntText(text: string): bigint | undefined {
  if (!underscoreOK(text)) return undefined;
  const s = text.replace(/_/g, "");
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (m === null) return undefined;
  const sign = m[1] === "-" ? -1n : 1n;
  let digits = m[2]!;
  if (/^0[0-7]+$/.test(digits)) digits = "0o" + digits.slice(1);
  return sign * BigInt(digits.toLowerCase().replace(/^0x/, "0x").replace(/^0o/, "0o").replace(/^0b/, "0b"));
}

function parseFloatText(text: string): number | undefined {
  if (!underscoreOK(text)) return undefined;
  const s = text.replace(/_/g, "");
  if (/^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(s)) {
    const f = Number(s);
    return Number.isFinite(f) ? f : undefined;
  }
  const hex = /^([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)[pP]([+-]?[0-9]+)$/.exec(s);
  if (hex !== null && (hex[2]! + hex[3]!).length > 0) {
    const mant = parseInt(hex[2]! + hex[3]! || "0", 16) / Math.pow(16, hex[3]!.length);
    const f = (hex[1] === "-" ? -1 : 1) * mant * Math.pow(2, Number(hex[4]));
    return Number.isFinite(f) ? f : undefined;
  }
  return undefined;
}

const MAX_INT64 = (1n << 63n) - 1n;
const MIN_INT64 = -(1n << 63n);

/** Parses a number token the way text/template's `newNumber` does; imaginary numbers are refused. */
export function parseNumberConstant(text: string, isChar: boolean): Result<NumberConstant, string> {
  if (isChar) {
    const r = unquoteCharConstant(text);
    if (!r.ok) return r;
    return ok({ text, int: r.value, float: r.value });
  }
  if (text.endsWith("i")) return err(`complex number constants are not supported: ${text}`);
  const big = parseIntText(text);
  if (big !== undefined) {
    if (big > MAX_INT64 || big < MIN_INT64) return err(`${text} overflows int`);
    if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < BigInt(Number.MIN_SAFE_INTEGER)) {
      return err(`integer constant ${text} is outside the supported range ±(2^53-1)`);
    }
    const n = Number(big);
    return ok({ text, int: n, float: n });
  }
  const f = parseFloatText(text);
  if (f === undefined) return err(`illegal number syntax: ${JSON.stringify(text)}`);
  if (!/[.eEpP]/.test(text)) return err(`integer overflow: ${JSON.stringify(text)}`);
  const asInt = Number.isSafeInteger(f) ? f : undefined;
  return ok({ text, int: asInt, float: f });
}
