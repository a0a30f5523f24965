/**
 * User ID length filter (filters.md §2.24): Prohibited [spam.flooding] when the sender's full user ID (with `@` and
 * server name) is longer than `user_id_length_filter_max_length` UTF-8 bytes. Off by default (0).
 */
import { HARM_SPAM_FLOODING } from "../harms/ids.js";
import { neutral, prohibited } from "./outcome.js";
import { utf8Length } from "./text-rules.js";
import type { FilterDefinition } from "./types.js";

export const userIdLengthFilter: FilterDefinition = {
  name: "user_id_length_filter",
  group: "main",
  io: false,
  enabled: (config) => config.user_id_length_filter_max_length > 0,
  check: ({ event, config }) =>
    utf8Length(event.sender) > config.user_id_length_filter_max_length ? prohibited(HARM_SPAM_FLOODING) : neutral(),
};
