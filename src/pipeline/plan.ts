/**
 * Builds a community's filter plan (filters.md §1.2, newer column): four groups in a fixed order, each with the
 * classes it runs on and the registry's filters that are enabled for this config.
 */
import type { CommunityConfig, InstanceFilterSettings } from "../config/community-config.js";
import type { ContentClass } from "../harms/content-info.js";
import type { FilterDefinition, FilterGroupName } from "../filters/types.js";
import type { FilterPlan, PlannedGroup } from "./types.js";

/** Group order and gates. Prefilters always run; hellban and main only on untouched (Neutral) events; the
 * postfilter only on Prohibited ones. */
export const GROUP_GATES: readonly { readonly name: FilterGroupName; readonly runsWhen: readonly ContentClass[] }[] =
  Object.freeze([
    { name: "prefilter", runsWhen: Object.freeze<ContentClass[]>(["Neutral", "Allowed", "Prohibited"]) },
    { name: "hellban_prefilter", runsWhen: Object.freeze<ContentClass[]>(["Neutral"]) },
    { name: "main", runsWhen: Object.freeze<ContentClass[]>(["Neutral"]) },
    { name: "postfilter", runsWhen: Object.freeze<ContentClass[]>(["Prohibited"]) },
  ]);

/**
 * The plan for one community. Groups with no enabled filter are left out: they could not change the verdict, and a
 * runner then never waits on an empty fan-out. Filter order within a group follows the registry (it does not
 * matter: a group's filters run concurrently and their results are merged).
 */
export function buildFilterPlan(
  registry: readonly FilterDefinition[],
  config: CommunityConfig,
  instance: InstanceFilterSettings,
): FilterPlan {
  const groups: PlannedGroup[] = [];
  for (const gate of GROUP_GATES) {
    const filters = registry.filter((filter) => filter.group === gate.name && filter.enabled(config, instance));
    if (filters.length > 0) groups.push(Object.freeze({ ...gate, filters: Object.freeze(filters) }));
  }
  return Object.freeze({ groups: Object.freeze(groups) });
}
