import { err, ok, type Result } from "../../../result.js";

/**
 * Go's `unicode.IsSpace` set, which upstream trims names with (`strings.TrimSpace`). JavaScript's `trim()` differs:
 * it also strips U+FEFF, which Go keeps.
 */
const GO_SPACE = "\\t\\n\\v\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000";
const LEADING = new RegExp(`^[${GO_SPACE}]+`, "u");
const TRAILING = new RegExp(`[${GO_SPACE}]+$`, "u");

/** Trims Go's white space from both ends. */
export function trimGoSpace(text: string): string {
  return text.replace(LEADING, "").replace(TRAILING, "");
}

/** Upstream's bounds, exclusive, in UTF-8 bytes: a name is 4 to 254 bytes after trimming. */
const MIN_EXCLUSIVE = 3;
const MAX_EXCLUSIVE = 255;

/**
 * Checks a community name as upstream does (trim, then 3 < UTF-8 bytes < 255) and returns the trimmed name. The
 * messages keep upstream's wording, which clients may match on, and add the measured length.
 */
export function validateCommunityName(name: string | undefined): Result<string, string> {
  const trimmed = trimGoSpace(name ?? "");
  if (trimmed === "") return err("Name is required");
  const bytes = Buffer.byteLength(trimmed, "utf8");
  if (bytes <= MIN_EXCLUSIVE || bytes >= MAX_EXCLUSIVE) {
    return err(`Name must be between 3 and 255 characters (4 to 254 UTF-8 bytes; got ${bytes})`);
  }
  return ok(trimmed);
}
