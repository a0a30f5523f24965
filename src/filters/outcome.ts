/**
 * Small constructors for filter outcomes, so every filter says "no opinion", "allowed" and "prohibited because…" the
 * same way.
 */
import { ALLOWED, NEUTRAL, contentInfo } from "../harms/content-info.js";
import { ok } from "../result.js";
import type { FilterOutcome } from "./types.js";

const NEUTRAL_OUTCOME: FilterOutcome = Object.freeze(ok(Object.freeze({ info: NEUTRAL })));
const ALLOWED_OUTCOME: FilterOutcome = Object.freeze(ok(Object.freeze({ info: ALLOWED })));

/** The filter has no opinion. */
export function neutral(): FilterOutcome {
  return NEUTRAL_OUTCOME;
}

/** The filter lets the event bypass the later groups. */
export function allowed(): FilterOutcome {
  return ALLOWED_OUTCOME;
}

/** The filter prohibits the event with these harms (normalised: sorted, unique). */
export function prohibited(...harms: string[]): FilterOutcome {
  return ok({ info: contentInfo("Prohibited", harms) });
}
