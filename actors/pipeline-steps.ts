/**
 * The pure pipeline step functions the check session sequences (src/pipeline/aggregate.ts, plan.ts, precheck.ts),
 * taken as a parameter so the actor runtime can be tested with small fakes and so the plain-function evaluator and
 * the actors share one implementation of the verdict rules. The state between steps is opaque to the actors.
 */
import type { CommunityConfig, InstanceFilterSettings } from "../src/config/community-config.js";
import type { FilterDefinition, FilterInput, FilterOutcome } from "../src/filters/types.js";
import type { FilterPlan, PlannedGroup, Verdict } from "../src/pipeline/types.js";

/** One filter's answer inside a group. */
export interface GroupResult {
  readonly filter: string;
  readonly outcome: FilterOutcome;
}

/** Opaque accumulated state of one check (the pipeline module's PipelineState). */
export type StepState = unknown;

export interface PipelineSteps {
  buildFilterPlan(
    registry: readonly FilterDefinition[],
    config: CommunityConfig,
    instance: InstanceFilterSettings,
  ): FilterPlan;
  /** A verdict before any filter runs (invalid sender), or undefined to run the plan. */
  precheckSender(sender: string, spamThreshold: number): Verdict | undefined;
  startPipeline(): StepState;
  /** False when the gate refuses the group, or when a failure has already halted the check. */
  groupShouldRun(group: PlannedGroup, state: StepState): boolean;
  /** The Neutral a filter that does not apply to `input` gets without running, or undefined to run it. */
  outcomeWithoutRunning(filter: FilterDefinition, input: FilterInput): FilterOutcome | undefined;
  applyGroupResults(state: StepState, group: PlannedGroup, results: readonly GroupResult[]): StepState;
  finishPipeline(state: StepState, spamThreshold: number): Verdict;
}
