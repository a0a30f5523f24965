/**
 * The data a keyword template receives and how its output becomes harm tokens (filters.md §3, upstream
 * pslib/templates.go), kept next to the interpreter so the filter and tests share one definition.
 */
import { splitRe2Space, trimGoSpace } from "./text.js";

/** The template's dot: a Go struct with exactly these two fields. */
export interface KeywordTemplateData {
  readonly BodyRaw: string;
  readonly BodyWords: readonly string[];
}

/**
 * Builds the dot for a body: `BodyWords` splits on every single `[\t\n\f\r ]` (runs give empty words; an empty body
 * gives one empty word), exactly as Go's `regexp.Split(s, -1)` with RE2's `\s`.
 */
export function keywordTemplateData(bodyRaw: string): KeywordTemplateData {
  return { BodyRaw: bodyRaw, BodyWords: splitRe2Space(bodyRaw) };
}

/**
 * Turns rendered output into tokens: split on `[\t\n\f\r ]`, trim each piece of Go Unicode white space, drop empty
 * pieces. Duplicates and order are kept; de-duplication is the caller's business.
 */
export function templateHarmTokens(output: string): string[] {
  const tokens: string[] = [];
  for (const piece of splitRe2Space(output)) {
    const t = trimGoSpace(piece);
    if (t.length > 0) tokens.push(t);
  }
  return tokens;
}
