/**
 * Mentions filter (filters.md §2.8): Prohibited [spam.flooding] when an `m.room.message` mentions at least
 * `mention_filter_max_mentions` room members.
 *
 * A member counts once when their user ID is in `m.mentions.user_ids`, or their user ID or display name (at least
 * `mention_filter_min_plaintext_length` UTF-8 bytes, so names like "the" are ignored) is a case-sensitive substring
 * of `body` or `formatted_body`. Deviation from upstream, on purpose: upstream counted a member twice when they were
 * both in `m.mentions` and written in the text (filters.md §8 item 5); we count people, not matches.
 * Malformed fields (non-object `m.mentions`, non-list `user_ids`, non-string bodies) read as absent.
 */
import { HARM_SPAM_FLOODING } from "../harms/ids.js";
import { contentString, isJsonObject } from "./event-view.js";
import { neutral, prohibited } from "./outcome.js";
import { utf8Length } from "./text-rules.js";
import type { FilterDefinition, FilterEvent, RoomMember } from "./types.js";

/** The user IDs listed in `m.mentions.user_ids`; anything malformed reads as no mentions. */
export function explicitMentions(event: FilterEvent): ReadonlySet<string> {
  const mentions = event.content["m.mentions"];
  if (!isJsonObject(mentions)) return new Set();
  const ids = mentions["user_ids"];
  if (!Array.isArray(ids)) return new Set();
  return new Set(ids.filter((id): id is string => typeof id === "string"));
}

/** Number of distinct members the event mentions (see the module comment for what counts). */
export function countMentions(event: FilterEvent, members: readonly RoomMember[], minNameLength: number): number {
  const explicit = explicitMentions(event);
  const body = contentString(event, "body");
  const formatted = contentString(event, "formatted_body");
  const inText = (needle: string): boolean => body.includes(needle) || formatted.includes(needle);
  const mentioned = new Set<string>();
  for (const member of members) {
    if (member.userId === "" || mentioned.has(member.userId)) continue;
    const name = member.displayName;
    const nameLength = utf8Length(name);
    if (
      explicit.has(member.userId) ||
      inText(member.userId) ||
      (nameLength > 0 && nameLength >= minNameLength && inText(name))
    ) {
      mentioned.add(member.userId);
    }
  }
  return mentioned.size;
}

export const mentionsFilter: FilterDefinition = {
  name: "mentions_filter",
  group: "main",
  io: false,
  enabled: (config) => config.mention_filter_max_mentions > 0,
  check: ({ event, config, room }) => {
    if (event.type !== "m.room.message") return neutral();
    const count = countMentions(event, room.members, config.mention_filter_min_plaintext_length);
    return count >= config.mention_filter_max_mentions ? prohibited(HARM_SPAM_FLOODING) : neutral();
  },
};
