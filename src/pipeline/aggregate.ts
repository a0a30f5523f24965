/**
 * The pipeline's step functions, shared by the plain evaluator (evaluate.ts) and the check-session actor so both
 * reach identical verdicts (decisions §2). A runner does:
 *
 *   state = startPipeline()
 *   for each group: if (!isHalted(state) && groupShouldRun(group, state.info)) run its filters concurrently, then
 *                   state = applyGroupResults(state, group, results)
 *   verdict = finishPipeline(state, spamThreshold)
 */
import { NEUTRAL, contentInfo, mergeContentInfo } from "../harms/content-info.js";
import { assertNever } from "../result.js";
import type { ContentClass, ContentInfo } from "../harms/content-info.js";
import type { FilterEffect, FilterFailure, FilterOutcome } from "../filters/types.js";
import type { PlannedGroup, TraceEntry, Verdict } from "./types.js";

/** What has been decided so far in one check. Immutable: each step returns a new state. */
export interface PipelineState {
  readonly info: ContentInfo;
  readonly trace: readonly TraceEntry[];
  readonly effects: readonly FilterEffect[];
  /** The first filter failure; once set, no further group runs (upstream stops the set at a failed group). */
  readonly failure?: FilterFailure;
}

/** One filter's answer within a group. */
export interface GroupResult {
  readonly filter: string;
  readonly outcome: FilterOutcome;
}

/** A check before any group has run: Neutral, nothing traced. */
export function startPipeline(): PipelineState {
  return { info: NEUTRAL, trace: [], effects: [] };
}

/** Whether the group's gate admits the class accumulated so far. */
export function groupShouldRun(group: PlannedGroup, soFar: ContentInfo): boolean {
  return group.runsWhen.includes(soFar.class);
}

/** True once a filter has failed: the runner must stop and finish. */
export function isHalted(state: PipelineState): boolean {
  return state.failure !== undefined;
}

/**
 * Folds one group's results into the state: the maximum class and the union of harms across everything so far, one
 * trace entry per filter (failures traced with their message), effects collected, the first failure kept.
 */
export function applyGroupResults(
  state: PipelineState,
  group: PlannedGroup,
  results: readonly GroupResult[],
): PipelineState {
  const infos: ContentInfo[] = [state.info];
  const trace: TraceEntry[] = [...state.trace];
  const effects: FilterEffect[] = [...state.effects];
  let failure = state.failure;
  for (const { filter, outcome } of results) {
    if (outcome.ok) {
      infos.push(outcome.value.info);
      trace.push({ group: group.name, filter, class: outcome.value.info.class, harms: outcome.value.info.harms });
      if (outcome.value.effects !== undefined) effects.push(...outcome.value.effects);
    } else {
      trace.push({ group: group.name, filter, class: "Neutral", harms: [], error: outcome.error.message });
      failure ??= outcome.error;
    }
  }
  const next: PipelineState = { info: mergeContentInfo(infos), trace, effects };
  return failure === undefined ? next : { ...next, failure };
}

/** Score of a class (decisions §2.2): Allowed 0, Neutral 0.5, Prohibited 1. */
export function classScore(cls: ContentClass): number {
  switch (cls) {
    case "Allowed":
      return 0;
    case "Neutral":
      return 0.5;
    case "Prohibited":
      return 1;
    default:
      return assertNever(cls, "content class");
  }
}

/**
 * The verdict: spam iff score >= `spamThreshold` (0.8 by default, which equals "Prohibited"; 0.5 makes every
 * non-allowed event spam; <= 0 everything; > 1 nothing). A failed check carries its failure, and its effects are
 * dropped: a check that could not finish must not hellban anyone.
 */
export function finishPipeline(state: PipelineState, spamThreshold: number): Verdict {
  const info = contentInfo(state.info.class, state.info.harms);
  const score = classScore(info.class);
  const base = { info, spam: score >= spamThreshold, score, trace: state.trace };
  if (state.failure !== undefined) return { ...base, effects: [], failure: state.failure };
  return { ...base, effects: state.effects };
}
