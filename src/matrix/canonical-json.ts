import type { JsonObject, JsonValue } from "./json.js";

/*
 * Hand-written because no package implements Matrix canonical JSON: RFC 8785 (`canonicalize`) sorts keys by
 * UTF-16 code unit and formats numbers differently, and JSON.stringify does not sort at all (decisions §4.1).
 */

// Anything that needs escaping, or a surrogate (which needs a well-formedness check), leaves the fast path.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NEEDS_CARE = /["\\\u0000-\u001f\ud800-\udfff]/;
const LONE_SURROGATE = /\p{Cs}/u;
// A key containing a surrogate is astral; only then can UTF-16 order differ from code point order.
const HAS_SURROGATE = /[\ud800-\udfff]/;

/**
 * Whether `s` needs more than quotes around it (an escape, or astral characters to check); throws on a lone
 * surrogate, which canonical JSON cannot encode. Shared with canonical-json-length.ts so the two agree.
 */
export function needsEscaping(s: string): boolean {
  if (!NEEDS_CARE.test(s)) return false;
  if (LONE_SURROGATE.test(s)) {
    throw new TypeError(`canonical JSON cannot encode a string with a lone surrogate: ${JSON.stringify(s)}`);
  }
  return true;
}

/** The canonical text of a number; throws unless it is a safe integer. String(-0) is "0", the canonical form. */
export function canonicalNumber(value: number): string {
  if (!Number.isSafeInteger(value)) throw new TypeError(`canonical JSON allows only safe integers, got ${String(value)}`);
  return String(value);
}

/** The bug reported for a value canonical JSON has no encoding for (a function, a bigint, undefined...). */
export function unencodable(value: unknown): TypeError {
  return new TypeError(`canonical JSON cannot encode a value of type ${typeof value}`);
}

/** The bug reported for an object member whose value is undefined. */
export function undefinedMember(key: string): TypeError {
  return new TypeError(`canonical JSON cannot encode undefined at key ${JSON.stringify(key)}`);
}

function encodeString(s: string): string {
  if (!needsEscaping(s)) return `"${s}"`;
  // JSON.stringify already emits exactly the Matrix short escapes (\" \\ \b \t \n \f \r, \u00xx lower case)
  // and leaves everything else literal, so only the fast path above is ours.
  return JSON.stringify(s);
}

/** Maps a UTF-16 unit so that surrogates (astral code points) sort above U+E000–U+FFFF. */
function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

/** Orders strings by Unicode code point, which is also UTF-8 byte order. */
export function compareCodePoints(a: string, b: string): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function sortedKeys(obj: JsonObject): string[] {
  const keys = Object.keys(obj);
  // The default sort is native and correct unless a key holds an astral character.
  keys.sort();
  for (const key of keys) {
    if (HAS_SURROGATE.test(key)) {
      keys.sort(compareCodePoints);
      break;
    }
  }
  return keys;
}

function encodeValue(value: JsonValue): string {
  switch (typeof value) {
    case "string":
      return encodeString(value);
    case "number":
      return canonicalNumber(value);
    case "boolean":
      return value ? "true" : "false";
    case "object": {
      if (value === null) return "null";
      if (Array.isArray(value)) {
        if (value.length === 0) return "[]";
        let out = "[" + encodeValue(value[0] as JsonValue);
        for (let i = 1; i < value.length; i++) out += "," + encodeValue(value[i] as JsonValue);
        return out + "]";
      }
      const keys = sortedKeys(value);
      let out = "{";
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i] as string;
        const member = value[key];
        if (member === undefined) throw undefinedMember(key);
        if (i > 0) out += ",";
        out += encodeString(key) + ":" + encodeValue(member);
      }
      return out + "}";
    }
    default:
      throw unencodable(value);
  }
}

/**
 * Matrix canonical JSON (spec appendix): no whitespace, keys sorted by code point, shortest escapes, literal UTF-8,
 * integers only. The bytes of this string are what every Matrix signature and hash covers.
 *
 * Throws a TypeError on a non-integer or unsafe number, a lone surrogate or a non-JSON value: values reaching here
 * have passed `parseStrictJson` or were built by our code, so any of those is a bug, not bad input.
 */
export function encodeCanonicalJson(value: JsonValue): string {
  return encodeValue(value);
}

/** `encodeCanonicalJson` as UTF-8 bytes, ready for hashing or signing. Throws on the same bugs. */
export function canonicalJsonBytes(value: JsonValue): Buffer {
  return Buffer.from(encodeValue(value), "utf8");
}
