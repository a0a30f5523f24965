/**
 * Protect-local-user filter (filters.md §2.3, always on): Prohibited [other] when someone other than policyserv's own
 * user sends an `m.room.member` event about it (invite, kick, ban). Its own joins and leaves pass. The local user is
 * `@<PS_JOIN_LOCALPART>:<PS_HOMESERVER_NAME>`.
 */
import type { InstanceFilterSettings } from "../config/community-config.js";
import { HARM_OTHER } from "../harms/ids.js";
import { neutral, prohibited } from "./outcome.js";
import type { FilterDefinition } from "./types.js";

/** policyserv's own user ID on this instance. */
export function localUserId(instance: InstanceFilterSettings): string {
  return `@${instance.joinLocalpart}:${instance.homeserverName}`;
}

export const protectLocalUserFilter: FilterDefinition = {
  name: "protect_local_user_filter",
  group: "prefilter",
  io: false,
  enabled: () => true,
  applies: ({ event }) => event.type === "m.room.member",
  check: ({ event, instance }) => {
    if (event.type !== "m.room.member") return neutral();
    const local = localUserId(instance);
    return event.stateKey === local && event.sender !== local ? prohibited(HARM_OTHER) : neutral();
  },
};
