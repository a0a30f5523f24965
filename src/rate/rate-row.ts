/** One counted amount: `amount` units of `kind` for a sender in a community at `ts` (epoch ms). */
import type { RateKind } from "../filters/types.js";

export interface RateRow {
  readonly communityId: string;
  readonly sender: string;
  readonly kind: RateKind;
  readonly ts: number;
  readonly amount: number;
}

/** Narrows a stored or announced kind; anything else is not ours to count. */
export function isRateKind(value: unknown): value is RateKind {
  return value === "events" || value === "mentions";
}
