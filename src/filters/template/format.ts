/**
 * The part of Go's fmt package templates reach: `%v` printing of every value kind (what `{{ x }}` and print use),
 * Sprint/Sprintln spacing rules, and Sprintf with flags, width, precision, `[n]` argument indexes and fmt's in-band
 * error forms (`%!d(string=x)`, `%!d(MISSING)`, `%!(EXTRA …)`, `%!(NOVERB)`).
 */
import { formatFloat } from "./float-format.js";
import { compareGoStrings, fromData, type GoFloat, kindOf, typeName, utf8Bytes } from "./values.js";

/** Width and precision are capped like fmt (beyond ±1e6 is BADWIDTH/BADPREC), which also bounds allocation. */
const MAX_WIDTH = 1e6;

interface Flags {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  wid: number | undefined;
  prec: number | undefined;
}

const NO_FLAGS: Flags = {
  plus: false,
  minus: false,
  sharp: false,
  space: false,
  zero: false,
  wid: undefined,
  prec: undefined,
};

function runeCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!(c >= 0xdc00 && c < 0xe000 && i > 0 && s.charCodeAt(i - 1) >= 0xd800 && s.charCodeAt(i - 1) < 0xdc00)) n++;
  }
  return n;
}

function pad(s: string, f: Flags): string {
  if (f.wid === undefined) return s;
  const n = f.wid - runeCount(s);
  if (n <= 0) return s;
  if (f.minus) return s + " ".repeat(n);
  return (f.zero ? "0" : " ").repeat(n) + s;
}

function truncateRunes(s: string, prec: number | undefined): string {
  if (prec === undefined) return s;
  const cps = Array.from(s);
  return cps.length > prec ? cps.slice(0, prec).join("") : s;
}

/** Go's strconv.IsPrint approximated with Unicode properties: letters, marks, numbers, punctuation, symbols, space. */
function isPrint(ch: string): boolean {
  return ch === " " || /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(ch);
}

function escapeRune(cp: number, quote: string): string {
  const ch = String.fromCodePoint(cp);
  if (ch === quote || ch === "\\") return "\\" + ch;
  if (cp < 0x80 && cp >= 0x20 && cp !== 0x7f) return ch;
  if (cp >= 0x80 && isPrint(ch)) return ch;
  switch (cp) {
    case 7:
      return "\\a";
    case 8:
      return "\\b";
    case 12:
      return "\\f";
    case 10:
      return "\\n";
    case 13:
      return "\\r";
    case 9:
      return "\\t";
    case 11:
      return "\\v";
  }
  if (cp < 0x20 || cp === 0x7f) return "\\x" + cp.toString(16).padStart(2, "0");
  if (cp < 0x10000) return "\\u" + cp.toString(16).padStart(4, "0");
  return "\\U" + cp.toString(16).padStart(8, "0");
}

/** Go's strconv.Quote, or QuoteToASCII when `ascii` (fmt's `%+q`). */
export function quoteGo(s: string, ascii = false): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (ascii && cp >= 0x80) out += cp < 0x10000 ? "\\u" + cp.toString(16).padStart(4, "0") : "\\U" + cp.toString(16).padStart(8, "0");
    else out += escapeRune(cp, '"');
  }
  return out + '"';
}

/** Go's strconv.QuoteRune (invalid code points become U+FFFD). */
function quoteRune(n: number): string {
  const cp = n < 0 || n > 0x10ffff || (n >= 0xd800 && n < 0xe000) ? 0xfffd : n;
  return "'" + escapeRune(cp, "'") + "'";
}

function fmtInteger(n: number, verb: string, f: Flags): string {
  switch (verb) {
    case "c":
      return pad(String.fromCodePoint(n < 0 || n > 0x10ffff || (n >= 0xd800 && n < 0xe000) ? 0xfffd : n), f);
    case "q":
      return pad(quoteRune(n), f);
    case "U": {
      let s = "U+" + Math.abs(n).toString(16).toUpperCase().padStart(Math.max(4, f.prec ?? 0), "0");
      if (n < 0) s = "-" + s;
      return pad(s, f);
    }
  }
  const base = verb === "b" ? 2 : verb === "o" || verb === "O" ? 8 : verb === "x" || verb === "X" ? 16 : 10;
  let digits = Math.abs(n).toString(base);
  if (verb === "X") digits = digits.toUpperCase();
  const sign = n < 0 ? "-" : f.plus ? "+" : f.space ? " " : "";
  if (f.prec !== undefined) {
    digits = f.prec === 0 && n === 0 ? "" : digits.padStart(f.prec, "0");
  } else if (f.zero && !f.minus && f.wid !== undefined) {
    digits = digits.padStart(f.wid - sign.length, "0");
  }
  let prefix = "";
  if (verb === "O") prefix = "0o";
  else if (f.sharp) {
    if (verb === "b") prefix = "0b";
    else if (verb === "o" && !digits.startsWith("0")) prefix = "0";
    else if (verb === "x") prefix = "0x";
    else if (verb === "X") prefix = "0X";
  }
  return pad(sign + prefix + digits, { ...f, zero: false });
}

function fmtFloatVerb(x: number, verb: string, f: Flags): string {
  const v = verb === "v" ? "g" : (verb as "e" | "E" | "f" | "F" | "g" | "G" | "x" | "X");
  const prec = f.prec ?? (v === "g" || v === "G" || v === "x" || v === "X" ? -1 : 6);
  let s = formatFloat(x, v, prec);
  if (!s.startsWith("-") && !s.startsWith("+")) {
    if (f.plus) s = "+" + s;
    else if (f.space) s = " " + s;
  } else if (s === "+Inf" && !f.plus) s = f.space ? " Inf" : "+Inf";
  if (Number.isNaN(x) || !Number.isFinite(x)) return pad(s, { ...f, zero: false });
  if (f.zero && !f.minus && f.wid !== undefined && runeCount(s) < f.wid) {
    const hasSign = s.startsWith("-") || s.startsWith("+") || s.startsWith(" ");
    const body = hasSign ? s.slice(1) : s;
    return (hasSign ? s[0] : "") + body.padStart(f.wid - (hasSign ? 1 : 0), "0");
  }
  return pad(s, f);
}

function fmtString(s: string, verb: string, f: Flags): string {
  switch (verb) {
    case "v":
    case "s":
      return pad(truncateRunes(s, f.prec), f);
    case "q":
      return pad(quoteGo(truncateRunes(s, f.prec), f.plus), f);
    default: {
      let bytes = utf8Bytes(s);
      if (f.prec !== undefined && f.prec < bytes.length) bytes = bytes.subarray(0, f.prec);
      let hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(f.space ? " " : "");
      if (verb === "X") hex = hex.toUpperCase();
      return pad(hex, f);
    }
  }
}

const VERBS: Readonly<Record<string, string>> = {
  bool: "tv",
  int: "bcdoOqxXUv",
  float: "eEfFgGxXv",
  string: "vsxXq",
};

/** fmt's bad-verb form; like fmt, the value inside is printed with the directive's flags, width and precision. */
function badVerb(verb: string, v: unknown, f: Flags): string {
  if (v === null || v === undefined) return `%!${verb}(<nil>)`;
  return `%!${verb}(${typeName(v)}=${formatValue(v, "v", f, true)})`;
}

/**
 * Formats one interpreter value with a verb, as fmt's printArg/printValue do. `nested` marks slice elements and
 * map entries, where a nil prints as `<nil>` whatever the verb.
 */
export function formatValue(v: unknown, verb: string, f: Flags = NO_FLAGS, nested = false): string {
  const k = kindOf(v);
  switch (k) {
    case "invalid":
    case "nil":
      return nested || verb === "v" ? pad("<nil>", f) : badVerb(verb, v, f);
    case "bool":
      return VERBS.bool!.includes(verb) ? pad(String(v), f) : badVerb(verb, v, f);
    case "int":
      return VERBS.int!.includes(verb) ? fmtInteger(v as number, verb, f) : badVerb(verb, v, f);
    case "float":
      return VERBS.float!.includes(verb) ? fmtFloatVerb((v as GoFloat).value, verb, f) : badVerb(verb, v, f);
    case "string":
      return VERBS.string!.includes(verb) ? fmtString(v as string, verb, f) : badVerb(verb, v, f);
    case "slice":
      return "[" + (v as readonly unknown[]).map((e) => formatValue(fromData(e), verb, f, true)).join(" ") + "]";
    case "map": {
      const m = v as ReadonlyMap<unknown, unknown>;
      const keys = [...m.keys()].sort((a, b) => compareGoStrings(String(a), String(b)));
      const parts = keys.map((key) => `${formatValue(key, verb, f, true)}:${formatValue(fromData(m.get(key)), verb, f, true)}`);
      return "map[" + parts.join(" ") + "]";
    }
    case "struct": {
      const o = v as Record<string, unknown>;
      return "{" + Object.keys(o).map((key) => formatValue(fromData(o[key]), verb, f, true)).join(" ") + "}";
    }
  }
}

/** `%v` of a value, as `{{ x }}` prints it (the caller turns an invalid value into `<no value>` first). */
export function formatV(v: unknown): string {
  if (typeof v === "string") return v;
  return formatValue(v, "v");
}

/** fmt.Sprint: operands are separated by a space when neither side is a string. */
export function sprint(args: readonly unknown[]): string {
  let out = "";
  let prevString = false;
  args.forEach((a, i) => {
    const isString = typeof a === "string";
    if (i > 0 && !isString && !prevString) out += " ";
    out += formatV(a ?? null);
    prevString = isString;
  });
  return out;
}

/** fmt.Sprintln: operands always separated by a space, newline appended. */
export function sprintln(args: readonly unknown[]): string {
  return args.map((a) => formatV(a ?? null)).join(" ") + "\n";
}

/** fmt.Sprintf. */
export function sprintf(format: string, args: readonly unknown[]): string {
  let out = "";
  let argNum = 0;
  let reordered = false;
  const end = format.length;
  let i = 0;

  /** Parses a decimal number at `i`; `tooLarge` mirrors fmt's 1e6 cap. */
  const parseNum = (): { num: number; ok: boolean; tooLarge: boolean } => {
    let num = 0;
    let ok = false;
    let tooLarge = false;
    while (i < end && format[i]! >= "0" && format[i]! <= "9") {
      if (tooLarge) {
        i++;
        continue;
      }
      num = num * 10 + (format.charCodeAt(i) - 48);
      if (num > MAX_WIDTH) tooLarge = true;
      ok = true;
      i++;
    }
    return { num, ok, tooLarge };
  };
  let goodArgNum: boolean;
  let afterIndex = false;
  /** Handles an explicit `[n]` argument index, clearing goodArgNum on a malformed or out-of-range one. */
  const argIndex = (): void => {
    afterIndex = false;
    if (i >= end || format[i] !== "[") return;
    reordered = true;
    const close = format.indexOf("]", i + 1);
    const digits = close < 0 ? "" : format.slice(i + 1, close);
    if (close < 0 || !/^[0-9]+$/.test(digits)) {
      goodArgNum = false;
      i = close < 0 ? end : close + 1;
      return;
    }
    const n = Number(digits) - 1;
    i = close + 1;
    if (n >= 0 && n < args.length) {
      argNum = n;
      afterIndex = true;
    } else goodArgNum = false;
  };

  while (i < end) {
    const pct = format.indexOf("%", i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const f: Flags = { ...NO_FLAGS };
    goodArgNum = true;
    flags: while (i < end) {
      switch (format[i]) {
        case "#":
          f.sharp = true;
          break;
        case "0":
          f.zero = !f.minus;
          break;
        case "+":
          f.plus = true;
          break;
        case "-":
          f.minus = true;
          f.zero = false;
          break;
        case " ":
          f.space = true;
          break;
        default:
          break flags;
      }
      i++;
    }
    argIndex();
    if (i < end && format[i] === "*") {
      i++;
      const a = args[argNum];
      if (typeof a === "number" && Math.abs(a) <= MAX_WIDTH) {
        f.wid = Math.abs(a);
        if (a < 0) {
          f.minus = true;
          f.zero = false;
        }
      } else out += "%!(BADWIDTH)";
      argNum++;
      afterIndex = false;
    } else {
      const w = parseNum();
      if (w.tooLarge) out += "%!(BADWIDTH)";
      else if (w.ok) {
        f.wid = w.num;
        if (afterIndex) goodArgNum = false;
      }
    }
    if (i + 1 <= end && format[i] === ".") {
      i++;
      if (afterIndex) goodArgNum = false;
      argIndex();
      if (i < end && format[i] === "*") {
        i++;
        const a = args[argNum];
        if (typeof a === "number" && a >= 0 && a <= MAX_WIDTH) f.prec = a;
        else out += "%!(BADPREC)";
        argNum++;
        afterIndex = false;
      } else {
        const p = parseNum();
        if (p.tooLarge) out += "%!(BADPREC)";
        else f.prec = p.ok ? p.num : 0;
      }
    }
    if (!afterIndex) argIndex();
    if (i >= end) {
      out += "%!(NOVERB)";
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i) as number);
    i += verb.length;
    if (verb === "%") {
      out += "%";
    } else if (!goodArgNum) {
      out += `%!${verb}(BADINDEX)`;
    } else if (argNum >= args.length) {
      out += `%!${verb}(MISSING)`;
    } else {
      out += formatValue(args[argNum] ?? null, verb, f);
      argNum++;
    }
  }
  if (!reordered && argNum < args.length) {
    const extra = args.slice(argNum).map((a) => (a === null || a === undefined ? "<nil>" : `${typeName(a)}=${formatV(a)}`));
    out += `%!(EXTRA ${extra.join(", ")})`;
  }
  return out;
}
