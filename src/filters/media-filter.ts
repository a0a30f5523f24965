/**
 * Media filter (filters.md §2.10): Prohibited [spam, policyserv.media] when the event type is listed, or an
 * `m.room.message` has a listed `msgtype`. Exact equality; a non-string `msgtype` reads as absent.
 */
import { HARM_POLICYSERV_MEDIA, HARM_SPAM } from "../harms/ids.js";
import { contentString } from "./event-view.js";
import { neutral, prohibited } from "./outcome.js";
import { cleanList } from "./text-rules.js";
import type { FilterDefinition, FilterEvent, FilterOutcome } from "./types.js";

/** True when the event is media by `mediaTypes` (event types and msgtypes share one list, as upstream). */
export function isMediaEvent(event: FilterEvent, mediaTypes: readonly string[]): boolean {
  if (mediaTypes.includes(event.type)) return true;
  if (event.type !== "m.room.message") return false;
  const msgtype = contentString(event, "msgtype");
  return msgtype !== "" && mediaTypes.includes(msgtype);
}

/** The verdict both media filters give for media. */
export function mediaOutcome(event: FilterEvent, mediaTypes: readonly string[]): FilterOutcome {
  return isMediaEvent(event, mediaTypes) ? prohibited(HARM_SPAM, HARM_POLICYSERV_MEDIA) : neutral();
}

export const mediaFilter: FilterDefinition = {
  name: "media_filter",
  group: "main",
  io: false,
  enabled: (config) => cleanList(config.media_filter_media_types).length > 0,
  applies: ({ event, config }) => isMediaEvent(event, cleanList(config.media_filter_media_types)),
  check: ({ event, config }) => mediaOutcome(event, cleanList(config.media_filter_media_types)),
};
