/**
 * The data record a keyword template sees, and how its output becomes harms (filters.md §3).
 */
import { goTrimSpace } from "./text-rules.js";

/** The two fields upstream templates use; names are the Go field names templates refer to. */
export interface KeywordTemplateData {
  readonly BodyRaw: string;
  readonly BodyWords: readonly string[];
}

/**
 * Builds the template data from `BodyRaw`. `BodyWords` splits on every single Go `\s` character (not runs), so
 * consecutive spaces give empty words and an empty input gives `[""]` — templates written for upstream rely on that.
 */
export function keywordTemplateData(bodyRaw: string): KeywordTemplateData {
  return Object.freeze({ BodyRaw: bodyRaw, BodyWords: Object.freeze(bodyRaw.split(/[\t\n\f\r ]/)) });
}

/**
 * Event-mode `BodyRaw`: `body + " " + formatted_body` (README: the formatted body is appended to save a template run),
 * with missing or non-string fields read as empty.
 */
export function messageBodyRaw(body: string, formattedBody: string): string {
  return `${body} ${formattedBody}`;
}

/**
 * Splits rendered template output into harm identifiers: split on Go `\s`, trim Go Unicode whitespace from each
 * piece, drop empty pieces. Tokens are taken verbatim (not validated against the known harm list).
 */
export function templateOutputHarms(output: string): string[] {
  const harms: string[] = [];
  for (const piece of output.split(/[\t\n\f\r ]/)) {
    const token = goTrimSpace(piece);
    if (token !== "") harms.push(token);
  }
  return harms;
}
