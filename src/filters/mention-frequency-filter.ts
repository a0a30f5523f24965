/**
 * Mention frequency filter (filters.md §2.22): Prohibited [spam.flooding] when a sender mentions room members faster
 * than `mention_frequency_filter_rate_limit` mentions per second, averaged over the last 60 seconds, in one
 * community.
 *
 * n = the members this message mentions, counted as the mentions filter counts them (src/filters/mentions-filter.ts)
 * with `mention_frequency_filter_min_plaintext_length`, and capped at ceil(limit × 60 + 1) as upstream caps it (one
 * message never needs to count further to fire). It fires when (mentions already counted + n) / 60 > limit, and asks
 * the runner to record n with a `rate` effect (none when n is 0); the dry run records nothing.
 *
 * Deviation from upstream, on purpose (filters.md §8 item 13): upstream judged every event type, so a sender over
 * the limit had their joins, reactions and state events refused by a *mentions* filter. We judge `m.room.message`
 * only, like the mentions filter; a message that mentions nobody still fires while the sender is over the limit.
 */
import { contentInfo, NEUTRAL } from "../harms/content-info.js";
import { HARM_SPAM_FLOODING } from "../harms/ids.js";
import { ok } from "../result.js";
import { RATE_WINDOW_SECONDS } from "../rate/window.js";
import { overRate } from "./frequency-filter.js";
import { countMentions } from "./mentions-filter.js";
import { neutral } from "./outcome.js";
import { rateCommunity } from "./rate-community.js";
import type { FilterDefinition, FilterEffect, FilterOutcome } from "./types.js";

/** The name in traces, metrics and logs. */
export const MENTION_FREQUENCY_FILTER_NAME = "mention_frequency_filter";

/** The most mentions one message is counted for at this limit: enough to fire on its own, and no more. */
export function mentionCap(limit: number): number {
  return Math.ceil(limit * RATE_WINDOW_SECONDS + 1);
}

export const mentionFrequencyFilter: FilterDefinition = {
  name: MENTION_FREQUENCY_FILTER_NAME,
  group: "main",
  // The count is a synchronous read of this process's in-memory view: no I/O on the check path.
  io: false,
  enabled: (config) => config.mention_frequency_filter_rate_limit > 0,
  check: (input, services): FilterOutcome => {
    const { event, config, room, now } = input;
    if (event.type !== "m.room.message") return neutral();
    const community = rateCommunity(MENTION_FREQUENCY_FILTER_NAME, input, services);
    if (!community.ok) return community;
    const limit = config.mention_frequency_filter_rate_limit;
    const mentioned = Math.min(
      countMentions(event, room.members, config.mention_frequency_filter_min_plaintext_length),
      mentionCap(limit),
    );
    const prior = services.rates?.count(community.value, event.sender, "mentions", now) ?? 0;
    const fires = overRate(prior + mentioned, limit);
    const effects: FilterEffect[] =
      mentioned > 0 ? [{ type: "rate", kind: "mentions", sender: event.sender, amount: mentioned, at: now }] : [];
    return ok({ info: fires ? contentInfo("Prohibited", [HARM_SPAM_FLOODING]) : NEUTRAL, effects });
  },
};
