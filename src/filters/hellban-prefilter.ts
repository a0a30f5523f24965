/**
 * Hellban prefilter (filters.md §1.5, §2.5): a sender currently hellbanned in this community is Prohibited, which
 * gates the main group off. Whether the sender is banned is a fact gathered before the check (`senderHellbanned`),
 * so the filter itself stays pure.
 */
import { HARM_SPAM_FLOODING } from "../harms/ids.js";
import { neutral, prohibited } from "./outcome.js";
import type { FilterDefinition } from "./types.js";

export const hellbanPrefilter: FilterDefinition = {
  name: "hellban_prefilter",
  group: "hellban_prefilter",
  io: false,
  enabled: (config) => config.hellban_postfilter_minutes > 0,
  applies: ({ senderHellbanned }) => senderHellbanned,
  check: ({ senderHellbanned }) => (senderHellbanned ? prohibited(HARM_SPAM_FLOODING) : neutral()),
};
