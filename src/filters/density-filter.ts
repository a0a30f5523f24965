/**
 * Density filter (filters.md §2.13): Prohibited [spam.flooding] when an `m.room.message` body of at least
 * `density_filter_min_trigger_length` UTF-8 bytes has a non-whitespace share of at least `density_filter_max_density`.
 * "Whitespace" is Go RE2 `\s` (tab, LF, FF, CR, space) only; an empty body is never dense (0/0).
 */
import { HARM_SPAM_FLOODING } from "../harms/ids.js";
import type { CommunityConfig } from "../config/community-config.js";
import { contentString } from "./event-view.js";
import { neutral, prohibited } from "./outcome.js";
import { removeAsciiSpace, utf8Length } from "./text-rules.js";
import type { FilterDefinition, FilterOutcome } from "./types.js";

/** Non-whitespace bytes / all bytes; NaN for the empty string. */
export function density(text: string): number {
  const total = utf8Length(text);
  return utf8Length(removeAsciiSpace(text)) / total;
}

function densityOutcome(text: string, config: CommunityConfig): FilterOutcome {
  if (utf8Length(text) < config.density_filter_min_trigger_length) return neutral();
  return density(text) >= config.density_filter_max_density ? prohibited(HARM_SPAM_FLOODING) : neutral();
}

export const densityFilter: FilterDefinition = {
  name: "density_filter",
  group: "main",
  io: false,
  enabled: (config) => config.density_filter_max_density > 0,
  applies: ({ event }) => event.type === "m.room.message",
  check: ({ event, config }) =>
    event.type === "m.room.message" ? densityOutcome(contentString(event, "body"), config) : neutral(),
  checkText: densityOutcome,
};
