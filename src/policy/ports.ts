/**
 * What the policy service needs from the rest of the program, as narrow structural interfaces. The composition
 * root passes the actor runtime and the storage-backed room directory; tests pass fakes.
 */
import type { FilterEvent, RoomFacts } from "../filters/types.js";
import type { Verdict } from "../pipeline/types.js";
import type { Result } from "../result.js";

/** A room this policy server protects. */
export interface RoomRecord {
  readonly roomId: string;
  readonly roomVersion: string;
  readonly communityId: string;
}

/** Finds protected rooms; `err` means the answer is unknowable right now (database down and not cached). */
export interface RoomLookup {
  getRoom(roomId: string): Promise<Result<RoomRecord | undefined, string>>;
  /** A protected room already in memory, without any I/O; undefined when not known (or not cached) right now. */
  peekRoom?(roomId: string): RoomRecord | undefined;
}

export type CheckOutcome =
  | { readonly type: "verdict"; readonly verdict: Verdict; readonly cached: boolean }
  | { readonly type: "overloaded" }
  | { readonly type: "unavailable"; readonly reason: string };

/** Runs (or recalls) the community's filters for one event. */
export interface EventChecker {
  /** Optional: start the stored-verdict look-up early, so it overlaps signature verification. */
  prefetchVerdict?(eventId: string): void;
  checkEvent(request: {
    readonly event: FilterEvent;
    readonly communityId: string;
    readonly roomFacts?: RoomFacts;
  }): Promise<CheckOutcome>;
}
