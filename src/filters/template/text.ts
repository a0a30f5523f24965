/**
 * Go's notions of white space, which differ from JS's: `trim()` strips U+FEFF and keeps U+0085, Go's
 * `unicode.IsSpace` does the opposite; RE2's `\s` is ASCII only and has no `\v`.
 */

/** Go's `unicode.IsSpace`: the Latin-1 spaces plus the Unicode White_Space property, no BOM. */
const GO_UNICODE_SPACE = "\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const TRIM_RE = new RegExp(`^[${GO_UNICODE_SPACE}]+|[${GO_UNICODE_SPACE}]+$`, "g");

/** Go's `strings.TrimSpace` / `bytes.TrimSpace`. */
export function trimGoSpace(s: string): string {
  return s.replace(TRIM_RE, "");
}

/** RE2's `\s`, which is ASCII only and excludes `\v`: `[\t\n\f\r ]`. */
export const RE2_SPACE = /[\t\n\f\r ]/;

/**
 * Splits like Go's `regexp.MustCompile("\\s").Split(s, -1)`: on every single ASCII white-space character, keeping
 * empty pieces (an empty input gives one empty string).
 */
export function splitRe2Space(s: string): string[] {
  return s.split(RE2_SPACE);
}
