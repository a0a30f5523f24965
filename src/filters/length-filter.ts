/**
 * Length filter (filters.md §2.14, decisions §4b.6): Prohibited [spam.flooding] when the canonical JSON of an
 * `m.room.message` event as received (transient keys removed, filters.md §1.11) is longer than
 * `length_filter_max_length` UTF-8 bytes. Strictly greater: an event of exactly the limit passes.
 */
import { HARM_SPAM_FLOODING } from "../harms/ids.js";
import { canonicalJsonByteLength, type JsonValue } from "../matrix/index.js";
import { eventWithoutTransientKeys } from "./event-view.js";
import { neutral, prohibited } from "./outcome.js";
import { utf8Length } from "./text-rules.js";
import type { FilterDefinition, FilterEvent } from "./types.js";

/** UTF-8 byte length of the event's canonical JSON without its transient keys. */
export function eventJsonLength(event: FilterEvent): number {
  if (event.jsonLength !== undefined) return event.jsonLength;
  // Summed without building the JSON: a length does not depend on key order, and this runs on every message.
  return canonicalJsonByteLength(eventWithoutTransientKeys(event) as JsonValue);
}

export const lengthFilter: FilterDefinition = {
  name: "length_filter",
  group: "main",
  io: false,
  enabled: (config) => config.length_filter_max_length > 0,
  applies: ({ event }) => event.type === "m.room.message",
  check: ({ event, config }) => {
    if (event.type !== "m.room.message") return neutral();
    return eventJsonLength(event) > config.length_filter_max_length ? prohibited(HARM_SPAM_FLOODING) : neutral();
  },
  checkText: (text, config) =>
    utf8Length(text) > config.length_filter_max_length ? prohibited(HARM_SPAM_FLOODING) : neutral(),
};
