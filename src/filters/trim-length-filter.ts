/**
 * Trim length filter (filters.md §2.15): Prohibited [spam.flooding] when trimming leading and trailing whitespace
 * from an `m.room.message` body removes at least `trim_length_filter_max_difference` UTF-8 bytes. Whitespace is Go's
 * Unicode set (includes U+0085, excludes U+FEFF), not JavaScript's `trim()`.
 */
import { HARM_SPAM_FLOODING } from "../harms/ids.js";
import type { CommunityConfig } from "../config/community-config.js";
import { contentString } from "./event-view.js";
import { neutral, prohibited } from "./outcome.js";
import { goTrimSpace, utf8Length } from "./text-rules.js";
import type { FilterDefinition, FilterOutcome } from "./types.js";

/** Bytes removed by Go `strings.TrimSpace`. */
export function trimmedBytes(text: string): number {
  return utf8Length(text) - utf8Length(goTrimSpace(text));
}

function trimOutcome(text: string, config: CommunityConfig): FilterOutcome {
  return trimmedBytes(text) >= config.trim_length_filter_max_difference ? prohibited(HARM_SPAM_FLOODING) : neutral();
}

export const trimLengthFilter: FilterDefinition = {
  name: "trim_length_filter",
  group: "main",
  io: false,
  enabled: (config) => config.trim_length_filter_max_difference > 0,
  applies: ({ event }) => event.type === "m.room.message",
  check: ({ event, config }) =>
    event.type === "m.room.message" ? trimOutcome(contentString(event, "body"), config) : neutral(),
  checkText: trimOutcome,
};
