/**
 * Go text/template's predefined functions with their Go semantics: comparison by basic kind (comparing an int with a
 * float64 is an error, as in Go), `len`/`index`/`slice` on bytes for strings, fmt-backed print functions and the
 * three escapers. `and`/`or` are declared here but short-circuited by the executor, which never calls their body.
 */
import { sprint, sprintf, sprintln } from "./format.js";
import { FunctionError, type TemplateFunction } from "./functions.js";
import { compareGoStrings, fromData, fromUtf8, type GoFloat, kindOf, typeName, truth, utf8Bytes, utf8Length } from "./values.js";

type BasicKind = "bool" | "int" | "float" | "string" | "invalid";

/** Go's `indirectInterface`: a nil interface is no value at all. */
function indirect(v: unknown): unknown {
  return v === null ? undefined : v;
}

function basicKind(v: unknown): BasicKind {
  const k = kindOf(v);
  return k === "bool" || k === "int" || k === "float" || k === "string" ? k : "invalid";
}

function basicEqual(k: BasicKind, a: unknown, b: unknown): boolean {
  if (k === "float") return (a as GoFloat).value === (b as GoFloat).value;
  return a === b;
}

function typesOf(a: unknown, b: unknown): string {
  return `${typeName(a)} and ${typeName(b)}`;
}

/** Struct equality: Go compares field by field and refuses structs holding slices or maps. */
function structEqual(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i])) {
    throw new FunctionError(`incompatible types for comparison: ${typesOf(a, b)}`);
  }
  for (const k of ka) {
    const x = fromData(a[k]);
    const y = fromData(b[k]);
    const bx = basicKind(x);
    if (bx === "invalid") throw new FunctionError(`non-comparable type: ${typeName(x)}`);
    if (bx !== basicKind(y) || !basicEqual(bx, x, y)) return false;
  }
  return true;
}

function eq(args: unknown[]): boolean {
  const a = indirect(args[0]);
  if (args.length < 2) throw new FunctionError("missing argument for comparison");
  const k1 = basicKind(a);
  for (let i = 1; i < args.length; i++) {
    const b = indirect(args[i]);
    const k2 = basicKind(b);
    let t = false;
    if (k1 !== k2) {
      if (a !== undefined && b !== undefined) {
        throw new FunctionError(`incompatible types for comparison: ${typesOf(a, b)}`);
      }
    } else if (k1 !== "invalid") {
      t = basicEqual(k1, a, b);
    } else if (a === undefined || b === undefined) {
      t = a === b;
    } else {
      const ka = kindOf(a);
      if (ka !== kindOf(b)) throw new FunctionError(`non-comparable types: ${typesOf(a, b)}`);
      if (ka !== "struct") throw new FunctionError(`non-comparable type: ${typeName(b)}`);
      t = structEqual(a as Record<string, unknown>, b as Record<string, unknown>);
    }
    if (t) return true;
  }
  return false;
}

function lt(args: unknown[]): boolean {
  const a = indirect(args[0]);
  const b = indirect(args[1]);
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 === "invalid" || k2 === "invalid") throw new FunctionError("invalid type for comparison");
  if (k1 !== k2) throw new FunctionError(`incompatible types for comparison: ${typesOf(a, b)}`);
  switch (k1) {
    case "bool":
      throw new FunctionError("invalid type for comparison");
    case "float":
      return (a as GoFloat).value < (b as GoFloat).value;
    case "int":
      return (a as number) < (b as number);
    default:
      return compareGoStrings(a as string, b as string) < 0;
  }
}

function le(args: unknown[]): boolean {
  return lt(args) || eq(args);
}

/** Go's `indexArg`: only ints index; `cap` is the largest index allowed (slicing may point one past the end). */
function indexArg(index: unknown, cap: number): number {
  const i = indirect(index);
  if (typeof i !== "number") {
    if (i === undefined) throw new FunctionError("cannot index slice/array with nil");
    throw new FunctionError(`cannot index slice/array with type ${typeName(i)}`);
  }
  if (i < 0 || i > cap) throw new FunctionError(`index out of range: ${i}`);
  return i;
}

function isAscii(s: string): boolean {
  // eslint-disable-next-line no-control-regex -- ASCII check by design
  return /^[\x00-\x7f]*$/.test(s);
}

function index(args: unknown[]): unknown {
  let item = indirect(args[0]);
  if (item === undefined) throw new FunctionError("index of untyped nil");
  for (const raw of args.slice(1)) {
    if (item === null) throw new FunctionError("index of nil pointer");
    const k = kindOf(item);
    if (k === "slice" || k === "string") {
      const len = k === "string" ? utf8Length(item as string) : (item as unknown[]).length;
      const x = indexArg(raw, len);
      if (x === len) throw new FunctionError(`index out of range: ${x}`);
      if (k === "string") {
        const s = item as string;
        item = isAscii(s) ? s.charCodeAt(x) : utf8Bytes(s)[x];
      } else item = fromData((item as unknown[])[x]);
    } else if (k === "map") {
      const key = indirect(raw) ?? "";
      if (typeof key !== "string") throw new FunctionError(`value has type ${typeName(key)}; should be string`);
      const m = item as ReadonlyMap<string, unknown>;
      item = m.has(key) ? fromData(m.get(key)) : null;
    } else {
      throw new FunctionError(`can't index item of type ${typeName(item)}`);
    }
  }
  return item;
}

function slice(args: unknown[]): unknown {
  const item = indirect(args[0]);
  if (item === undefined) throw new FunctionError("slice of untyped nil");
  const indexes = args.slice(1);
  if (indexes.length > 3) throw new FunctionError(`too many slice indexes: ${indexes.length}`);
  const k = kindOf(item);
  let len: number;
  if (k === "string") {
    if (indexes.length === 3) throw new FunctionError("cannot 3-index slice a string");
    len = utf8Length(item as string);
  } else if (k === "slice") len = (item as unknown[]).length;
  else throw new FunctionError(`can't slice item of type ${typeName(item)}`);
  // Go allows slicing up to the capacity; our slices have capacity equal to their length.
  const idx = [0, len, len];
  indexes.forEach((x, i) => {
    idx[i] = indexArg(x, len);
  });
  const [i, j, cap] = idx as [number, number, number];
  if (i > j) throw new FunctionError(`invalid slice index: ${i} > ${j}`);
  if (indexes.length === 3 && j > cap) throw new FunctionError(`invalid slice index: ${j} > ${cap}`);
  if (k === "slice") return (item as unknown[]).slice(i, j);
  const s = item as string;
  return isAscii(s) ? s.slice(i, j) : fromUtf8(utf8Bytes(s).subarray(i, j));
}

function length(args: unknown[]): number {
  const v = args[0];
  if (v === null) throw new FunctionError("len of nil pointer");
  switch (kindOf(v)) {
    case "string":
      return utf8Length(v as string);
    case "slice":
      return (v as unknown[]).length;
    case "map":
      return (v as Map<unknown, unknown>).size;
    case "invalid":
      throw new FunctionError("len of untyped nil");
    default:
      throw new FunctionError(`len of type ${typeName(v)}`);
  }
}

/**
 * Go's `evalArgs` for the escapers: a single string is used as is; otherwise nils print as `<no value>` (a Go quirk
 * kept on purpose) and the rest go through Sprint.
 */
function escaperInput(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === "string") return args[0];
  return sprint(args.map((a) => (a === null || a === undefined ? "<no value>" : a)));
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  "\0": "\uFFFD",
  '"': "&#34;",
  "'": "&#39;",
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
};

/** Go's template.HTMLEscapeString. */
export function htmlEscape(s: string): string {
  return s.replace(/[\0"'&<>]/g, (c) => HTML_ESCAPES[c]!);
}

/** Go's template.JSEscapeString. */
export function jsEscape(s: string): string {
  let out = "";
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (cp < 0x80) {
      switch (ch) {
        case "\\":
          out += "\\\\";
          continue;
        case "'":
          out += "\\'";
          continue;
        case '"':
          out += '\\"';
          continue;
        case "<":
          out += "\\u003C";
          continue;
        case ">":
          out += "\\u003E";
          continue;
        case "&":
          out += "\\u0026";
          continue;
        case "=":
          out += "\\u003D";
          continue;
      }
      out += cp < 0x20 ? "\\u00" + cp.toString(16).toUpperCase().padStart(2, "0") : ch;
    } else if (/^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(ch)) out += ch;
    else out += "\\u" + cp.toString(16).toUpperCase().padStart(4, "0");
  }
  return out;
}

/** Go's url.QueryEscape: unreserved bytes stay, space becomes `+`, the rest `%XX`. */
export function queryEscape(s: string): string {
  let out = "";
  for (const b of utf8Bytes(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === " ") out += "+";
    else out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

const cmp = (f: (args: unknown[]) => boolean): TemplateFunction => ({ params: ["value", "value"], call: f });

/** The predefined functions, by name. */
export const BUILTIN_FUNCTIONS: ReadonlyMap<string, TemplateFunction> = new Map<string, TemplateFunction>([
  ["and", { params: ["value"], variadic: "value", call: () => undefined }],
  ["or", { params: ["value"], variadic: "value", call: () => undefined }],
  ["not", { params: ["value"], call: ([v]) => !truth(indirect(v)) }],
  ["len", { params: ["value"], call: length }],
  ["index", { params: ["value"], variadic: "value", call: index }],
  ["slice", { params: ["value"], variadic: "value", call: slice }],
  ["eq", { params: ["value"], variadic: "value", call: eq }],
  ["ne", { params: ["value", "value"], call: (args) => !eq(args) }],
  ["lt", cmp(lt)],
  ["le", cmp(le)],
  ["gt", cmp((args) => !le(args))],
  ["ge", cmp((args) => !lt(args))],
  ["print", { params: [], variadic: "any", call: (args) => sprint(args) }],
  ["printf", { params: ["string"], variadic: "any", call: ([f, ...rest]) => sprintf(f as string, rest) }],
  ["println", { params: [], variadic: "any", call: (args) => sprintln(args) }],
  ["html", { params: [], variadic: "any", call: (args) => htmlEscape(escaperInput(args)) }],
  ["js", { params: [], variadic: "any", call: (args) => jsEscape(escaperInput(args)) }],
  ["urlquery", { params: [], variadic: "any", call: (args) => queryEscape(escaperInput(args)) }],
  [
    "call",
    {
      params: ["value"],
      variadic: "value",
      call: ([fn]) => {
        // Template data here is plain JSON-like values, which never hold functions.
        if (indirect(fn) === undefined) throw new FunctionError("call of nil");
        throw new FunctionError(`non-function of type ${typeName(fn)}`);
      },
    },
  ],
]);
