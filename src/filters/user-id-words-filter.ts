/**
 * User ID words filter (filters.md §2.23): Prohibited [spam.flooding] when the sender's localpart holds more than
 * `user_id_contains_words_filter_max_words` words, a word being a maximal run of ASCII letters and digits (every
 * other character, non-ASCII letters included, separates words). Off by default (0).
 */
import { HARM_SPAM_FLOODING } from "../harms/ids.js";
import { neutral, prohibited } from "./outcome.js";
import type { FilterDefinition } from "./types.js";

/** The localpart: between the leading `@` and the first `:` (the whole rest when there is no `:`). */
export function localpartOf(userId: string): string {
  const body = userId.startsWith("@") ? userId.slice(1) : userId;
  const colon = body.indexOf(":");
  return colon < 0 ? body : body.slice(0, colon);
}

/** Number of maximal `[A-Za-z0-9]` runs. */
export function countWords(text: string): number {
  return text.match(/[A-Za-z0-9]+/g)?.length ?? 0;
}

export const userIdWordsFilter: FilterDefinition = {
  name: "user_id_words_filter",
  group: "main",
  io: false,
  enabled: (config) => config.user_id_contains_words_filter_max_words > 0,
  check: ({ event, config }) =>
    countWords(localpartOf(event.sender)) > config.user_id_contains_words_filter_max_words
      ? prohibited(HARM_SPAM_FLOODING)
      : neutral(),
};
