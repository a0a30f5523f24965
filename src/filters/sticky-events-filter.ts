/**
 * Sticky events filter (filters.md §2.16, MSC4354): when a community disallows sticky events, an event that is still
 * sticky now is Prohibited [other]. Duration comes from top-level `sticky.duration_ms`, else the unstable
 * `msc4354_sticky.duration_ms`, capped at one hour; stickiness starts at `min(origin_server_ts, now)` so a sender
 * cannot extend it with a future timestamp. Any event type; malformed fields read as "not sticky".
 */
import { HARM_OTHER } from "../harms/ids.js";
import { isJsonObject } from "./event-view.js";
import { neutral, prohibited } from "./outcome.js";
import type { FilterDefinition, FilterEvent } from "./types.js";

/** MSC4354's cap on stickiness. */
export const MAX_STICKY_DURATION_MS = 3_600_000;

function durationAt(pdu: Readonly<Record<string, unknown>>, key: string): number {
  const holder = pdu[key];
  if (!isJsonObject(holder)) return 0;
  const duration = holder["duration_ms"];
  return typeof duration === "number" && Number.isFinite(duration) && duration > 0 ? duration : 0;
}

/** True when the event is sticky at `now` (ms since the epoch). */
export function isSticky(event: FilterEvent, now: number): boolean {
  const stable = durationAt(event.pdu, "sticky");
  const duration = Math.min(stable !== 0 ? stable : durationAt(event.pdu, "msc4354_sticky"), MAX_STICKY_DURATION_MS);
  if (duration === 0) return false;
  const start = Math.min(event.originServerTs, now);
  return start + duration > now;
}

export const stickyEventsFilter: FilterDefinition = {
  name: "sticky_events_filter",
  group: "main",
  io: false,
  enabled: (config) => !config.sticky_events_filter_allow_sticky_events,
  check: ({ event, now }) => (isSticky(event, now) ? prohibited(HARM_OTHER) : neutral()),
};
