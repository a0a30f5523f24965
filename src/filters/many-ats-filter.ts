/**
 * Many-ats filter (filters.md §2.9, decisions §4b.6): Prohibited [spam.flooding] when the decoded string values of
 * `content` hold at least `many_ats_filter_max_ats` `@` characters in total. Any event type. Upstream counted `@` in
 * the raw JSON (key names included); we count decoded values only.
 */
import { HARM_SPAM_FLOODING } from "../harms/ids.js";
import { contentStrings } from "./event-view.js";
import { neutral, prohibited } from "./outcome.js";
import type { FilterDefinition } from "./types.js";

/** Number of `@` characters across the strings. */
export function countAts(strings: readonly string[]): number {
  let count = 0;
  for (const text of strings) {
    for (let at = text.indexOf("@"); at >= 0; at = text.indexOf("@", at + 1)) count++;
  }
  return count;
}

export const manyAtsFilter: FilterDefinition = {
  name: "many_ats_filter",
  group: "main",
  io: false,
  enabled: (config) => config.many_ats_filter_max_ats > 0,
  check: ({ event, config }) =>
    countAts(contentStrings(event.content)) >= config.many_ats_filter_max_ats
      ? prohibited(HARM_SPAM_FLOODING)
      : neutral(),
  checkText: (text, config) =>
    countAts([text]) >= config.many_ats_filter_max_ats ? prohibited(HARM_SPAM_FLOODING) : neutral(),
};
