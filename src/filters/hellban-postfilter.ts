/**
 * Hellban postfilter (filters.md §1.5, §2.5): runs only on Prohibited events (the plan's gate) and asks the runner to
 * hellban the sender for `hellban_postfilter_minutes`. It only emits the effect: the runner records the ban and is
 * the one that refuses to extend an existing ban (README: "repeated events will not refresh the cache"). The dry run
 * applies no effects.
 */
import { contentInfo } from "../harms/content-info.js";
import { HARM_SPAM_FLOODING } from "../harms/ids.js";
import { ok } from "../result.js";
import type { FilterDefinition } from "./types.js";

export const hellbanPostfilter: FilterDefinition = {
  name: "hellban_postfilter",
  group: "postfilter",
  io: false,
  enabled: (config) => config.hellban_postfilter_minutes > 0,
  check: ({ event, config }) =>
    ok({
      info: contentInfo("Prohibited", [HARM_SPAM_FLOODING]),
      effects: [{ type: "hellban", sender: event.sender, minutes: config.hellban_postfilter_minutes }],
    }),
};
