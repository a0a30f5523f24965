import type { FilterOutcome } from "../../src/filters/types.js";

/**
 * Gathers the answers of one group's fan-out and hands them over in one piece. Each filter actor answers into its
 * own slot; the last answer triggers `complete` once, which sends the session a single GroupReplied message, so a
 * group of n filters costs the session one mailbox turn instead of n. The session's state is still only touched
 * inside its handler: this object is the reply channel, owned by one group of one check and dropped after it.
 * Closing it (deadline, abort) turns late answers into no-ops.
 */
export class GroupReplies {
  private readonly outcomes: (FilterOutcome | undefined)[];
  private pending: number;
  private closed = false;

  constructor(
    size: number,
    private readonly complete: (outcomes: readonly FilterOutcome[]) => void,
  ) {
    this.outcomes = new Array<FilterOutcome | undefined>(size);
    this.pending = size;
  }

  /** The reply callback for the filter in `slot`; only its first answer counts. */
  answer(slot: number, outcome: FilterOutcome): void {
    if (this.closed || this.outcomes[slot] !== undefined) return;
    this.outcomes[slot] = outcome;
    if (--this.pending === 0) {
      this.closed = true;
      this.complete(this.outcomes as FilterOutcome[]);
    }
  }

  /** Stops collecting; returns what arrived so far (holes for filters that did not answer). */
  close(): readonly (FilterOutcome | undefined)[] {
    this.closed = true;
    return this.outcomes;
  }
}
