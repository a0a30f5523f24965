/**
 * Policy list filter, a.k.a. the Mjolnir filter (filters.md §2.12): Prohibited [other] when an `m.ban` rule from the
 * instance's policy room matches the sender of an `m.room.message`.
 *
 * User rules match the full user ID, server rules match the sender's server name (everything after the first `:`,
 * port included); room rules are ignored, as the README says. The newer upstream learned room rules instead of server
 * rules and matched them against user IDs — a regression we do not reproduce. Entities are globs (glob.ts).
 */
import { HARM_OTHER } from "../harms/ids.js";
import { compileGlob } from "./glob.js";
import { neutral, prohibited } from "./outcome.js";
import type { BanRule, FilterDefinition } from "./types.js";

/** True when any user or server ban rule matches the sender. */
export function isBannedByPolicy(sender: string, rules: readonly BanRule[]): boolean {
  const colon = sender.indexOf(":");
  const serverName = colon < 0 ? undefined : sender.slice(colon + 1);
  for (const rule of rules) {
    if (rule.kind === "user" && compileGlob(rule.entity)(sender)) return true;
    if (rule.kind === "server" && serverName !== undefined && compileGlob(rule.entity)(serverName)) return true;
  }
  return false;
}

export const policyListFilter: FilterDefinition = {
  name: "policy_list_filter",
  group: "main",
  io: false,
  enabled: (config, instance) => config.mjolnir_filter_enabled && instance.mjolnirFilterRoomId !== "",
  applies: ({ event }) => event.type === "m.room.message",
  check: ({ event, banRules }) => {
    if (event.type !== "m.room.message") return neutral();
    return isBannedByPolicy(event.sender, banRules) ? prohibited(HARM_OTHER) : neutral();
  },
};
