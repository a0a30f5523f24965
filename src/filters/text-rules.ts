/**
 * Character rules the filters share (filters.md §8 item 6, decisions §3.1). Upstream measures Go strings, so lengths
 * are UTF-8 byte counts, and "whitespace" is one of two Go definitions depending on the filter. JavaScript's `\s` and
 * `trim()` match neither, which is why these helpers exist instead of the built-ins.
 */

/** UTF-8 byte length (Go `len`). A lone surrogate counts as the 3-byte replacement character, as Node encodes it. */
export function utf8Length(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/** Go RE2 `\s`: exactly tab, LF, FF, CR and space. Not vertical tab, not NBSP, not any Unicode space. */
export const ASCII_SPACE_CHARS: ReadonlySet<string> = new Set(["\t", "\n", "\f", "\r", " "]);

/** Matches one Go RE2 `\s` character; global so it can split and strip. */
export const ASCII_SPACE_PATTERN = /[\t\n\f\r ]/g;

/** Removes every Go RE2 `\s` character. */
export function removeAsciiSpace(text: string): string {
  return text.replace(ASCII_SPACE_PATTERN, "");
}

/**
 * Go's `unicode.IsSpace`: `\t \n \v \f \r`, space, U+0085, U+00A0 and the Unicode White_Space characters. Differs
 * from JavaScript `trim()`: Go includes U+0085 and excludes U+FEFF.
 */
export function isGoSpace(codeUnit: number): boolean {
  if (codeUnit <= 0xff) {
    return (codeUnit >= 0x09 && codeUnit <= 0x0d) || codeUnit === 0x20 || codeUnit === 0x85 || codeUnit === 0xa0;
  }
  return (
    codeUnit === 0x1680 ||
    (codeUnit >= 0x2000 && codeUnit <= 0x200a) ||
    codeUnit === 0x2028 ||
    codeUnit === 0x2029 ||
    codeUnit === 0x202f ||
    codeUnit === 0x205f ||
    codeUnit === 0x3000
  );
}

/** Go `strings.TrimSpace`. Every Go space is in the BMP, so walking UTF-16 units is exact. */
export function goTrimSpace(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isGoSpace(text.charCodeAt(start))) start++;
  while (end > start && isGoSpace(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

/**
 * A configured list as filters use it: items trimmed, empty items dropped (decisions §3.1: an empty keyword must
 * never flag every event). The config loader trims too; doing it here keeps filters safe for configs built elsewhere
 * (the dry run, tests, stored overrides).
 */
export function cleanList(items: readonly string[]): readonly string[] {
  const cached = cleanedLists.get(items);
  if (cached !== undefined) return cached;
  const out: string[] = [];
  for (const item of items) {
    if (typeof item !== "string") continue;
    const trimmed = item.trim();
    if (trimmed !== "") out.push(trimmed);
  }
  const frozen = Object.freeze(out);
  cleanedLists.set(items, frozen);
  return frozen;
}

// Config lists are frozen and shared by every check of a community: clean each list object once.
const cleanedLists = new WeakMap<readonly string[], readonly string[]>();
