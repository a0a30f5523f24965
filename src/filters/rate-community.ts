/**
 * The community a rate filter counts under. Counters are per community, so a live runner that hands the filters a
 * rate service must also say which community the check belongs to; without a service (dry run, CLI) nothing is
 * counted and the community does not matter.
 */
import { err, ok, type Result } from "../result.js";
import type { FilterFailure, FilterInput, FilterServices } from "./types.js";

/** The community ID to count under, or a failure naming the runner's omission. */
export function rateCommunity(
  filter: string,
  input: FilterInput,
  services: FilterServices,
): Result<string, FilterFailure> {
  if (services.rates === undefined) return ok(input.communityId ?? "");
  if (input.communityId === undefined) {
    return err({ filter, message: "the runner gave rate counters but no community ID (FilterInput.communityId)" });
  }
  return ok(input.communityId);
}
