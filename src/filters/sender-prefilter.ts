/**
 * Allowed senders prefilter (filters.md §2.1): listed user IDs bypass the later groups. Exact, case-sensitive equality;
 * enabled when the list has at least one non-empty entry.
 */
import { allowed, neutral } from "./outcome.js";
import { cleanList } from "./text-rules.js";
import type { FilterDefinition } from "./types.js";

export const senderPrefilter: FilterDefinition = {
  name: "sender_prefilter",
  group: "prefilter",
  io: false,
  enabled: (config) => cleanList(config.sender_prefilter_allowed_senders).length > 0,
  check: ({ event, config }) =>
    cleanList(config.sender_prefilter_allowed_senders).includes(event.sender) ? allowed() : neutral(),
};
