/**
 * The pipeline's data model, shared by the plain-function evaluator (src/pipeline/evaluate.ts, used by the dry run
 * and the benchmark baseline) and by the check-session actor that fans the same steps out to filter actors.
 * Both must produce identical verdicts for identical inputs, so the step functions live in src/pipeline and the
 * actors only sequence them.
 */
import type { ContentClass, ContentInfo } from "../harms/content-info.js";
import type { FilterDefinition, FilterEffect, FilterFailure, FilterGroupName } from "../filters/types.js";

/** One group of the plan: its gate and the filters enabled for this community. */
export interface PlannedGroup {
  readonly name: FilterGroupName;
  /** The group runs only when the class accumulated so far is one of these (filters.md §1.2, newer column). */
  readonly runsWhen: readonly ContentClass[];
  readonly filters: readonly FilterDefinition[];
}

/** The filter plan of one community, built once per config change. */
export interface FilterPlan {
  readonly groups: readonly PlannedGroup[];
}

/** What one filter said, as recorded in the verdict's trace. */
export interface TraceEntry {
  readonly group: FilterGroupName;
  readonly filter: string;
  readonly class: ContentClass;
  readonly harms: readonly string[];
  /** Present when the filter failed; the verdict then carries `failure`. */
  readonly error?: string;
}

/** The result of one event check. */
export interface Verdict {
  readonly info: ContentInfo;
  /** spam iff score >= the community's spam_threshold (decisions §2.2). */
  readonly spam: boolean;
  /** Allowed = 0, Neutral = 0.5, Prohibited = 1. */
  readonly score: number;
  readonly trace: readonly TraceEntry[];
  /** Effects the runner must apply (hellbans); the dry run applies none. */
  readonly effects: readonly FilterEffect[];
  /** Set when a filter errored: the check is answered as upstream does (500 on check, refusal on sign). */
  readonly failure?: FilterFailure;
}
