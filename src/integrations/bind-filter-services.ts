/**
 * Gives I/O filters their services without touching the actor runtime: each I/O filter in the registry is wrapped
 * so its `check` receives the bound services merged with what the runner passes (the runner's `signal` wins, since
 * it carries the check deadline). Pure filters are returned as they are, so their identity and speed are unchanged.
 */
import type { FilterDefinition, FilterServices } from "../filters/types.js";

/** The registry with `services` bound into every I/O filter. */
export function bindFilterServices(
  filters: readonly FilterDefinition[],
  services: Omit<FilterServices, "signal">,
): readonly FilterDefinition[] {
  return Object.freeze(
    filters.map((filter): FilterDefinition => {
      if (!filter.io) return filter;
      return { ...filter, check: (input, runner) => filter.check(input, { ...services, ...runner }) };
    }),
  );
}
