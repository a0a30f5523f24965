/**
 * Untrusted media filter (filters.md §2.11): the media filter's rule, applied only to senders no trust source vouches
 * for (see trust.ts). With no trust source configured it behaves exactly like the media filter.
 */
import { mediaOutcome, isMediaEvent } from "./media-filter.js";
import { neutral } from "./outcome.js";
import { cleanList } from "./text-rules.js";
import { isTrustedForMedia } from "./trust.js";
import type { FilterDefinition } from "./types.js";

export const untrustedMediaFilter: FilterDefinition = {
  name: "untrusted_media_filter",
  group: "main",
  io: false,
  enabled: (config) => cleanList(config.untrusted_media_filter_media_types).length > 0,
  applies: ({ event, config }) => isMediaEvent(event, cleanList(config.untrusted_media_filter_media_types)),
  check: ({ event, config, room, muninnServers }) => {
    const mediaTypes = cleanList(config.untrusted_media_filter_media_types);
    // Trust is only worth computing for media events.
    if (!isMediaEvent(event, mediaTypes)) return neutral();
    if (isTrustedForMedia({ userId: event.sender, config, room, muninnServers })) return neutral();
    return mediaOutcome(event, mediaTypes);
  },
};
