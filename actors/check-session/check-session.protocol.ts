import type { CommunityConfig, InstanceFilterSettings } from "../../src/config/community-config.js";
import type { FilterEvent, FilterOutcome, KeywordTemplate, RoomFacts } from "../../src/filters/types.js";
import type { FilterPlan, Verdict } from "../../src/pipeline/types.js";
import type { Result } from "../../src/result.js";
import type { Reply } from "../kernel/reply.js";

/** How one check session ended: a verdict (possibly carrying a filter failure) or no answer at all. */
export type SessionOutcome =
  | { readonly type: "verdict"; readonly verdict: Verdict }
  | { readonly type: "unavailable"; readonly reason: string };

/** What the community hands a new session: the check itself plus the community's current plan. */
export interface SessionRequest {
  readonly communityId: string;
  readonly event: FilterEvent;
  /** Room facts the caller already has; otherwise the session asks the room actor. */
  readonly roomFacts: RoomFacts | undefined;
  readonly config: CommunityConfig;
  readonly instance: InstanceFilterSettings;
  readonly plan: FilterPlan;
  readonly keywordTemplates: ReadonlyMap<string, KeywordTemplate>;
  readonly reply: Reply<SessionOutcome>;
}

/**
 * Messages a session receives. All are internal to the session: a group's filter answers, the room actor's answer
 * and the deadline tick. Nobody outside this folder constructs them.
 */
export type CheckSessionMessage =
  /** Every filter of group `group` answered; `outcomes[i]` is the answer of the group's i-th filter. */
  | { readonly type: "GroupReplied"; readonly group: number; readonly outcomes: readonly FilterOutcome[] }
  | { readonly type: "RoomFactsLoaded"; readonly facts: Result<RoomFacts, string> }
  | { readonly type: "DeadlineReached" };
