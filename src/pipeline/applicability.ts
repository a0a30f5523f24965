/**
 * Which filters a check must actually run. A filter whose `applies` says no for this input gets the Neutral it
 * would have answered, recorded in the trace like any other answer; the actor runtime then spends no message on
 * it. Both evaluators use this one function, so their verdicts stay identical.
 */
import { neutral } from "../filters/outcome.js";
import type { FilterDefinition, FilterInput, FilterOutcome } from "../filters/types.js";

/**
 * The outcome of a filter that does not apply to `input`, or undefined when it must run. A predicate that throws
 * is a bug in the predicate, not in the event: the filter runs, and reports whatever it finds.
 */
export function outcomeWithoutRunning(filter: FilterDefinition, input: FilterInput): FilterOutcome | undefined {
  if (filter.applies === undefined) return undefined;
  try {
    return filter.applies(input) ? undefined : neutral();
  } catch {
    return undefined;
  }
}
