/**
 * Keyword filter (filters.md §2.6, decisions §4b.6): Prohibited [spam] when any configured keyword is a substring of
 * a decoded string value in `content` (or, with `keyword_filter_use_full_event`, of the whole event minus its
 * transient keys). Case-sensitive plain substring search, any event type.
 *
 * Deviations from upstream, on purpose: upstream searched the raw JSON text, so key names and escapes (`\n`, `\"`)
 * matched; we search decoded values. Keywords are trimmed and empty ones ignored, so `a,` no longer flags everything.
 */
import { HARM_SPAM } from "../harms/ids.js";
import { contentStrings, eventStrings } from "./event-view.js";
import { neutral, prohibited } from "./outcome.js";
import { cleanList } from "./text-rules.js";
import type { FilterDefinition } from "./types.js";

/** True when any keyword occurs in any of the strings. */
export function containsKeyword(strings: readonly string[], keywords: readonly string[]): boolean {
  for (const keyword of keywords) {
    for (const text of strings) {
      if (text.includes(keyword)) return true;
    }
  }
  return false;
}

export const keywordFilter: FilterDefinition = {
  name: "keyword_filter",
  group: "main",
  io: false,
  enabled: (config) => cleanList(config.keyword_filter_keywords).length > 0,
  check: ({ event, config }) => {
    const strings = config.keyword_filter_use_full_event ? eventStrings(event) : contentStrings(event.content);
    return containsKeyword(strings, cleanList(config.keyword_filter_keywords)) ? prohibited(HARM_SPAM) : neutral();
  },
  checkText: (text, config) =>
    containsKeyword([text], cleanList(config.keyword_filter_keywords)) ? prohibited(HARM_SPAM) : neutral(),
};
