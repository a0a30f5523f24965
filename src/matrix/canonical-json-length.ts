import { canonicalNumber, needsEscaping, undefinedMember, unencodable } from "./canonical-json.js";
import type { JsonValue } from "./json.js";

/*
 * The length filter only needs how many bytes the canonical JSON would take, and a length does not depend on key
 * order: summing the parts skips the sort and the string building that `encodeCanonicalJson` does for every checked
 * message. Must agree with canonical-json.ts byte for byte; a property test holds the two together.
 */

function stringLength(s: string): number {
  const bytes = Buffer.byteLength(s, "utf8") + 2;
  if (!needsEscaping(s)) return bytes;
  let extra = 0;
  for (let i = 0; i < s.length; i++) {
    const unit = s.charCodeAt(i);
    if (unit === 0x22 || unit === 0x5c) extra += 1; // \" and \\
    else if (unit === 0x08 || unit === 0x09 || unit === 0x0a || unit === 0x0c || unit === 0x0d) extra += 1; // \b \t \n \f \r
    else if (unit < 0x20) extra += 5; // \u00xx
  }
  return bytes + extra;
}

function valueLength(value: JsonValue): number {
  switch (typeof value) {
    case "string":
      return stringLength(value);
    case "number":
      return canonicalNumber(value).length;
    case "boolean":
      return value ? 4 : 5;
    case "object": {
      if (value === null) return 4;
      if (Array.isArray(value)) {
        let total = value.length === 0 ? 2 : value.length + 1; // brackets and commas
        for (const item of value) total += valueLength(item);
        return total;
      }
      const keys = Object.keys(value);
      let total = keys.length === 0 ? 2 : keys.length + 1; // braces and commas
      for (const key of keys) {
        const member = value[key];
        if (member === undefined) throw undefinedMember(key);
        total += stringLength(key) + 1 + valueLength(member);
      }
      return total;
    }
    default:
      throw unencodable(value);
  }
}

/** UTF-8 byte length of `encodeCanonicalJson(value)`, without building it. Throws on the same bugs. */
export function canonicalJsonByteLength(value: JsonValue): number {
  return valueLength(value);
}
