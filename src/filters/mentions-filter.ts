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
import { buildSubstringIndex, type SubstringIndex } from "./substring-index.js";
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

// The mentions and mention-frequency filters both count the same event; events are immutable values, so the count
// is kept beside the event for as long as the event lives.
const counted = new WeakMap<FilterEvent, { members: readonly RoomMember[]; minNameLength: number; count: number }>();

/** Number of distinct members the event mentions (see the module comment for what counts). */
export function countMentions(event: FilterEvent, members: readonly RoomMember[], minNameLength: number): number {
  const memo = counted.get(event);
  if (memo !== undefined && memo.members === members && memo.minNameLength === minNameLength) return memo.count;
  const count = countMentionsOnce(event, members, minNameLength);
  counted.set(event, { members, minNameLength, count });
  return count;
}

function countMentionsOnce(event: FilterEvent, members: readonly RoomMember[], minNameLength: number): number {
  const explicit = explicitMentions(event);
  const index = memberIndex(members, minNameLength);
  const found = new Set<number>();
  index.patterns.collect(contentString(event, "body"), found);
  index.patterns.collect(contentString(event, "formatted_body"), found);
  const mentioned = new Set<string>();
  // Walks the (short) explicit list, not the (possibly long) member list.
  for (const userId of explicit) if (index.members.has(userId)) mentioned.add(userId);
  for (const pattern of found) {
    for (const userId of index.owners[pattern] as readonly string[]) mentioned.add(userId);
  }
  return mentioned.size;
}

interface MemberIndex {
  readonly patterns: SubstringIndex;
  /** For each pattern, the members it names (a display name may be shared). */
  readonly owners: readonly (readonly string[])[];
  /** Every member's user ID. */
  readonly members: ReadonlySet<string>;
}

// Room facts are immutable values replaced on every learn, so the member list itself is the cache key.
const indexes = new WeakMap<readonly RoomMember[], Map<number, MemberIndex>>();

/** The user IDs and long-enough display names of a room's members, indexed for one-pass substring search. */
function memberIndex(members: readonly RoomMember[], minNameLength: number): MemberIndex {
  let byLength = indexes.get(members);
  if (byLength === undefined) {
    byLength = new Map();
    indexes.set(members, byLength);
  }
  const cached = byLength.get(minNameLength);
  if (cached !== undefined) return cached;
  const slots = new Map<string, string[]>();
  const add = (pattern: string, userId: string): void => {
    const owners = slots.get(pattern);
    if (owners === undefined) slots.set(pattern, [userId]);
    else if (!owners.includes(userId)) owners.push(userId);
  };
  for (const member of members) {
    if (member.userId === "") continue;
    add(member.userId, member.userId);
    const nameLength = utf8Length(member.displayName);
    if (nameLength > 0 && nameLength >= minNameLength) add(member.displayName, member.userId);
  }
  const built: MemberIndex = {
    patterns: buildSubstringIndex([...slots.keys()]),
    owners: [...slots.values()],
    members: new Set(members.map((member) => member.userId).filter((userId) => userId !== "")),
  };
  byLength.set(minNameLength, built);
  return built;
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
