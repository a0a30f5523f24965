import { err, ok, type Result } from "../result.js";
import type { JsonValue } from "./json.js";

/** Why a request body was refused, as the Matrix error code the HTTP layer answers with (decisions §4b.1). */
export interface JsonError {
  readonly errcode: "M_NOT_JSON" | "M_BAD_JSON";
  readonly message: string;
}

/** Options for `parseStrictJson`. */
export interface StrictJsonOptions {
  /** Deepest allowed nesting of objects and arrays; the top-level container is depth 1. Default 64. */
  readonly maxDepth?: number;
}

const DEFAULT_MAX_DEPTH = 64;
const MAX_SAFE = 9007199254740991n;
const LONE_SURROGATE = /\p{Cs}/u;
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Parses a request body as Matrix JSON. Not JSON at all (including invalid UTF-8) is `M_NOT_JSON`; JSON that
 * Matrix canonical JSON cannot represent is `M_BAD_JSON`: floats, exponents, `-0`, integers outside ±(2^53−1),
 * duplicate keys, escaped lone surrogates, and nesting deeper than `maxDepth`. The message names the problem and
 * its JSON Pointer.
 *
 * Why a raw-text scan: JSON.parse rounds big integers and forgets that `1.0` was a float before any check could see
 * the value (decisions §4.1). A cheap scan over the text flags anything suspicious; only then does a slower
 * validating walk run to confirm and locate the problem. Keys named `__proto__` stay ordinary own keys.
 */
export function parseStrictJson(body: string | Uint8Array, opts: StrictJsonOptions = {}): Result<JsonValue, JsonError> {
  const maxDepth = opts.maxDepth ?? DEFAULT_MAX_DEPTH;
  let text: string;
  if (typeof body === "string") {
    if (LONE_SURROGATE.test(body)) return notJson("body contains a lone UTF-16 surrogate, so it is not valid Unicode");
    text = body;
  } else {
    try {
      text = utf8.decode(body);
    } catch {
      return notJson("body is not valid UTF-8");
    }
  }

  let value: JsonValue;
  try {
    value = JSON.parse(text) as JsonValue;
  } catch (error) {
    if (error instanceof RangeError) return badJson(`JSON nesting is deeper than ${maxDepth} levels`);
    return notJson(`body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }

  const scan = scanText(text, maxDepth);
  if (!scan.suspicious && countMembers(value) === scan.members) return ok(value);
  const problem = new Validator(text, maxDepth).run();
  return problem === undefined ? ok(value) : err(problem);
}

function notJson(message: string): Result<never, JsonError> {
  return err({ errcode: "M_NOT_JSON", message });
}

function badJson(message: string): Result<never, JsonError> {
  return err({ errcode: "M_BAD_JSON", message });
}

interface ScanResult {
  readonly suspicious: boolean;
  /** Number of object members in the text (one `:` outside strings each), to detect duplicate keys. */
  readonly members: number;
}

/** The fast pass over text JSON.parse accepted: flags anything the validator must look at closely. */
function scanText(text: string, maxDepth: number): ScanResult {
  let depth = 0;
  let members = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Jump between quotes and backslashes with native searches instead of walking every character.
      let from = i + 1;
      for (;;) {
        const quote = text.indexOf('"', from);
        const slash = text.indexOf("\\", from);
        if (quote === -1) return { suspicious: true, members };
        if (slash === -1 || slash > quote) {
          i = quote + 1;
          break;
        }
        const escaped = text.charCodeAt(slash + 1);
        if (escaped === 0x75 /* u */) {
          const h = text.charCodeAt(slash + 2) | 0x20;
          if (h === 0x64 /* d */) return { suspicious: true, members };
        }
        from = slash + 2;
      }
      continue;
    }
    if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > maxDepth) return { suspicious: true, members };
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    } else if (c === 0x3a) {
      members++;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      const start = i;
      let digits = 0;
      i++;
      if (c !== 0x2d) digits++;
      for (; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d >= 0x30 && d <= 0x39) digits++;
        else if (d === 0x2e || d === 0x65 || d === 0x45) return { suspicious: true, members };
        else break;
      }
      // 16+ digits may exceed 2^53−1 (itself 16 digits); "-0" is valid JSON but not canonical.
      if (digits >= 16 || (digits === 1 && c === 0x2d && text.charCodeAt(start + 1) === 0x30)) {
        return { suspicious: true, members };
      }
      continue;
    }
    i++;
  }
  return { suspicious: false, members };
}

function countMembers(value: JsonValue): number {
  if (typeof value !== "object" || value === null) return 0;
  let total = 0;
  if (Array.isArray(value)) {
    for (const item of value) if (typeof item === "object" && item !== null) total += countMembers(item);
    return total;
  }
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    total++;
    const member = value[key] as JsonValue;
    if (typeof member === "object" && member !== null) total += countMembers(member);
  }
  return total;
}

function pointer(path: readonly string[]): string {
  if (path.length === 0) return "the top level";
  return "/" + path.map((p) => p.replaceAll("~", "~0").replaceAll("/", "~1")).join("/");
}

/**
 * The slow, exact pass: a recursive-descent walk over text JSON.parse already accepted, returning the first
 * problem with its location. Values come from JSON.parse; this only validates.
 */
class Validator {
  private pos = 0;
  private readonly path: string[] = [];

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  run(): JsonError | undefined {
    this.skipWs();
    return this.value(0);
  }

  private fail(message: string): JsonError {
    return { errcode: "M_BAD_JSON", message: `${message} at ${pointer(this.path)}` };
  }

  private skipWs(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      this.pos++;
    }
  }

  private value(depth: number): JsonError | undefined {
    const c = this.text.charCodeAt(this.pos);
    if (c === 0x7b || c === 0x5b) {
      if (depth + 1 > this.maxDepth) return this.fail(`JSON nesting is deeper than ${this.maxDepth} levels`);
      return c === 0x7b ? this.object(depth + 1) : this.array(depth + 1);
    }
    if (c === 0x22) {
      const decoded = this.string();
      if (typeof decoded !== "string") return decoded;
      return undefined;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    for (const literal of ["true", "false", "null"]) {
      if (this.text.startsWith(literal, this.pos)) {
        this.pos += literal.length;
        return undefined;
      }
    }
    return { errcode: "M_NOT_JSON", message: `unexpected character at offset ${this.pos}` };
  }

  private object(depth: number): JsonError | undefined {
    this.pos++;
    const seen = new Set<string>();
    this.skipWs();
    if (this.text.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return undefined;
    }
    for (;;) {
      this.skipWs();
      const key = this.string();
      if (typeof key !== "string") return key;
      if (seen.has(key)) return this.fail(`duplicate key ${JSON.stringify(key)}`);
      seen.add(key);
      this.skipWs();
      this.pos++; // ':'
      this.skipWs();
      this.path.push(key);
      const problem = this.value(depth);
      if (problem !== undefined) return problem;
      this.path.pop();
      this.skipWs();
      const next = this.text.charCodeAt(this.pos++);
      if (next === 0x7d) return undefined;
      if (next !== 0x2c) return { errcode: "M_NOT_JSON", message: `expected ',' or '}' at offset ${this.pos - 1}` };
    }
  }

  private array(depth: number): JsonError | undefined {
    this.pos++;
    this.skipWs();
    if (this.text.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      return undefined;
    }
    for (let index = 0; ; index++) {
      this.skipWs();
      this.path.push(String(index));
      const problem = this.value(depth);
      if (problem !== undefined) return problem;
      this.path.pop();
      this.skipWs();
      const next = this.text.charCodeAt(this.pos++);
      if (next === 0x5d) return undefined;
      if (next !== 0x2c) return { errcode: "M_NOT_JSON", message: `expected ',' or ']' at offset ${this.pos - 1}` };
    }
  }

  /** Decodes the string token at `pos` (JSON.parse does the unescaping) and checks it for lone surrogates. */
  private string(): string | JsonError {
    const t = this.text;
    const start = this.pos;
    let i = start + 1;
    for (;;) {
      const quote = t.indexOf('"', i);
      const slash = t.indexOf("\\", i);
      if (quote === -1) return { errcode: "M_NOT_JSON", message: `unterminated string at offset ${start}` };
      if (slash === -1 || slash > quote) {
        i = quote + 1;
        break;
      }
      i = slash + 2;
    }
    this.pos = i;
    const decoded = JSON.parse(t.slice(start, i)) as string;
    if (LONE_SURROGATE.test(decoded)) {
      return this.fail(`string ${t.slice(start, Math.min(i, start + 40))} contains an escaped lone surrogate`);
    }
    return decoded;
  }

  private number(): JsonError | undefined {
    const t = this.text;
    const start = this.pos;
    let i = start + 1;
    while (i < t.length && /[0-9.eE+-]/.test(t[i] as string)) i++;
    this.pos = i;
    const token = t.slice(start, i);
    if (/[.eE]/.test(token)) return this.fail(`number ${token} is not an integer (floats and exponents are not allowed)`);
    if (token === "-0") return this.fail("number -0 is not canonical (negative zero is not allowed)");
    const big = BigInt(token);
    if (big > MAX_SAFE || big < -MAX_SAFE) return this.fail(`integer ${token} is outside ±(2^53−1)`);
    return undefined;
  }
}
