/**
 * The value model the interpreter works on, chosen so Go's dynamic behaviour can be reproduced with plain JS values:
 *
 * | Go value                     | JS representation                                   |
 * | ---------------------------- | --------------------------------------------------- |
 * | invalid reflect.Value        | `undefined` (prints `<no value>`)                   |
 * | nil interface                | `null` (prints `<nil>`)                             |
 * | string / bool                | `string` / `boolean`                                |
 * | int (literals, len, indexes) | `number` (always a safe integer)                    |
 * | float64                      | {@link GoFloat}                                     |
 * | slice                        | `readonly unknown[]` holding *data-form* elements   |
 * | map[string]any               | `Map<string, unknown>` holding data-form values     |
 * | struct                       | any other object; its own enumerable keys are fields|
 *
 * "Data form" is what callers hand in: there a JS `number` is a float64 (as encoding/json decodes numbers) and
 * `undefined` is nil. {@link fromData} converts one data-form value when it is read out of a container, so ints made
 * by the template and floats read from data never mix up.
 */

/** A Go float64. Wrapped because a bare JS number means a Go int inside the interpreter. */
export class GoFloat {
  constructor(readonly value: number) {}
}

/** Go's reflect kinds, reduced to the ones our values can have. */
export type GoKind = "invalid" | "nil" | "string" | "bool" | "int" | "float" | "slice" | "map" | "struct";

/** The kind of an interpreter value (see the table in the module comment). */
export function kindOf(v: unknown): GoKind {
  switch (typeof v) {
    case "undefined":
      return "invalid";
    case "string":
      return "string";
    case "boolean":
      return "bool";
    case "number":
      return "int";
    case "object":
      if (v === null) return "nil";
      if (v instanceof GoFloat) return "float";
      if (Array.isArray(v)) return "slice";
      if (v instanceof Map) return "map";
      return "struct";
    default:
      throw new Error(`unsupported template value of JS type ${typeof v}`);
  }
}

/**
 * Converts a data-form value (as read from the caller's data, a slice element or a map value) into an interpreter
 * value. Unsupported JS types (functions, symbols) become errors at the point of use, not here.
 */
export function fromData(v: unknown): unknown {
  switch (typeof v) {
    case "number":
      return new GoFloat(v);
    case "undefined":
      return null;
    case "bigint":
      return new GoFloat(Number(v));
    default:
      return v;
  }
}

/** Go's type name for a value, as shown in `%!d(string=x)` and error messages. */
export function typeName(v: unknown): string {
  const k = kindOf(v);
  switch (k) {
    case "invalid":
    case "nil":
      return "<nil>";
    case "int":
      return "int";
    case "float":
      return "float64";
    case "slice":
      return isStringSlice(v as readonly unknown[]) ? "[]string" : "[]interface {}";
    case "map":
      return "map[string]interface {}";
    default:
      return k;
  }
}

/** True when every element is a string: such a slice may be passed where Go wants a `[]string`. */
export function isStringSlice(xs: readonly unknown[]): xs is readonly string[] {
  for (const x of xs) if (typeof x !== "string") return false;
  return true;
}

/**
 * Go's `isTrue`: false, 0, nil, an empty string, slice or map are false; structs are always true. The invalid
 * value is false too (Go's `if` on a missing map key takes the else branch).
 */
export function truth(v: unknown): boolean {
  switch (typeof v) {
    case "undefined":
      return false;
    case "string":
      return v.length > 0;
    case "boolean":
      return v;
    case "number":
      return v !== 0;
    case "object":
      if (v === null) return false;
      if (v instanceof GoFloat) return v.value !== 0;
      if (Array.isArray(v)) return v.length > 0;
      if (v instanceof Map) return v.size > 0;
      return true;
    default:
      return true;
  }
}

const encoder = new TextEncoder();

/** UTF-8 length of a string: Go's `len` counts bytes, not UTF-16 units. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/** UTF-8 bytes of a string (lone surrogates become U+FFFD, as Go would hold them after JSON decoding). */
export function utf8Bytes(s: string): Uint8Array {
  return encoder.encode(s);
}

const decoder = new TextDecoder("utf-8", { fatal: false });

/**
 * Decodes bytes back to a string. Go strings may hold invalid UTF-8 (e.g. after byte-slicing inside a character);
 * JS strings cannot, so such bytes become U+FFFD. This is the one place our strings can differ from Go's.
 */
export function fromUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** Compares strings the way Go does (byte-wise UTF-8, which equals code-point order), unlike JS's UTF-16 order. */
export function compareGoStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (astral code points) sort after all BMP code points in UTF-8, but before U+E000..U+FFFF in UTF-16.
    const xs = x >= 0xd800 && x < 0xe000;
    const ys = y >= 0xd800 && y < 0xe000;
    if (xs !== ys) return xs ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}
