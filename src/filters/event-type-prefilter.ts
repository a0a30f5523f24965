/**
 * Allowed event types prefilter (filters.md §2.2): an event whose type is listed bypasses the later groups. State
 * events (any `state_key`, including `""`) are compared with the state list, all others with the plain list.
 */
import { allowed, neutral } from "./outcome.js";
import { cleanList } from "./text-rules.js";
import type { FilterDefinition } from "./types.js";

export const eventTypePrefilter: FilterDefinition = {
  name: "event_type_prefilter",
  group: "prefilter",
  io: false,
  enabled: (config) =>
    cleanList(config.event_type_prefilter_allowed_event_types).length > 0 ||
    cleanList(config.event_type_prefilter_allowed_state_event_types).length > 0,
  check: ({ event, config }) => {
    const list =
      event.stateKey === undefined
        ? config.event_type_prefilter_allowed_event_types
        : config.event_type_prefilter_allowed_state_event_types;
    return cleanList(list).includes(event.type) ? allowed() : neutral();
  },
};
