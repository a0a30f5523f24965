/**
 * Frequency filter (filters.md §2.21): Prohibited [spam.flooding] when a sender sends the listed event types faster
 * than `frequency_filter_rate_limit` events per second, averaged over the last 60 seconds, in one community.
 *
 * The filter stays pure: it reads the sender's count through `services.rates` (an in-memory view shared by every
 * process through the database, src/rate) and asks the runner to record this event with a `rate` effect, so the
 * dry run counts nothing. rate = (events already counted + this one) / 60; it fires when rate > limit (strictly),
 * and the event is recorded whether or not it fires, as upstream does (a flooder keeps its count up). Event types
 * that are not listed are neither judged nor counted.
 */
import { HARM_SPAM_FLOODING } from "../harms/ids.js";
import { ok } from "../result.js";
import { RATE_WINDOW_SECONDS } from "../rate/window.js";
import { contentInfo, NEUTRAL } from "../harms/content-info.js";
import { neutral } from "./outcome.js";
import { rateCommunity } from "./rate-community.js";
import { cleanList } from "./text-rules.js";
import type { FilterDefinition, FilterOutcome } from "./types.js";

/** The name in traces, metrics and logs. */
export const FREQUENCY_FILTER_NAME = "frequency_filter";

/** Whether `count` events in the window (this one included) exceed `limit` events per second. */
export function overRate(count: number, limit: number): boolean {
  return count / RATE_WINDOW_SECONDS > limit;
}

export const frequencyFilter: FilterDefinition = {
  name: FREQUENCY_FILTER_NAME,
  group: "main",
  // The count is a synchronous read of this process's in-memory view: no I/O on the check path.
  io: false,
  enabled: (config) =>
    cleanList(config.frequency_filter_event_types).length > 0 && config.frequency_filter_rate_limit > 0,
  check: (input, services): FilterOutcome => {
    const { event, config, now } = input;
    if (!cleanList(config.frequency_filter_event_types).includes(event.type)) return neutral();
    const community = rateCommunity(FREQUENCY_FILTER_NAME, input, services);
    if (!community.ok) return community;
    const prior = services.rates?.count(community.value, event.sender, "events", now) ?? 0;
    const fires = overRate(prior + 1, config.frequency_filter_rate_limit);
    return ok({
      info: fires ? contentInfo("Prohibited", [HARM_SPAM_FLOODING]) : NEUTRAL,
      effects: [{ type: "rate", kind: "events", sender: event.sender, amount: 1, at: now }],
    });
  },
};
