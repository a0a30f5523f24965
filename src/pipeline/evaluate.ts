/**
 * The plain-function pipeline: the same steps the check-session actor sequences, run in-process. Used by the dry run,
 * the text check and the benchmark baseline. It applies no effects; the verdict lists them for the caller.
 */
import type { CommunityConfig } from "../config/community-config.js";
import type {
  FilterDefinition,
  FilterInput,
  FilterOutcome,
  FilterServices,
  TextCheckContext,
} from "../filters/types.js";
import { err } from "../result.js";
import {
  applyGroupResults,
  finishPipeline,
  groupShouldRun,
  isHalted,
  startPipeline,
  type GroupResult,
  type PipelineState,
} from "./aggregate.js";
import { outcomeWithoutRunning } from "./applicability.js";
import { precheckSender } from "./precheck.js";
import type { FilterPlan, PlannedGroup, Verdict } from "./types.js";

/** Options of one evaluation. */
export interface EvaluateOptions {
  /** decisions §2.2; 0.8 makes "spam" equal "Prohibited". */
  readonly spamThreshold: number;
}

function failure(filter: FilterDefinition, cause: unknown): FilterOutcome {
  const message = cause instanceof Error ? cause.message : String(cause);
  return err({ filter: filter.name, message: `filter threw: ${message}` });
}

/** Runs one filter and turns a throw or a rejected promise into a failure value (never a crash). */
export async function runFilterSafely(
  filter: FilterDefinition,
  input: FilterInput,
  services: FilterServices,
): Promise<FilterOutcome> {
  try {
    return await filter.check(input, services);
  } catch (cause) {
    return failure(filter, cause);
  }
}

async function runGroup(
  group: PlannedGroup,
  run: (filter: FilterDefinition) => Promise<FilterOutcome> | FilterOutcome,
): Promise<GroupResult[]> {
  const outcomes = await Promise.all(group.filters.map((filter) => run(filter)));
  return outcomes.map((outcome, index) => ({ filter: group.filters[index]?.name ?? "?", outcome }));
}

async function runGroups(
  plan: FilterPlan,
  run: (filter: FilterDefinition) => Promise<FilterOutcome> | FilterOutcome,
): Promise<PipelineState> {
  let state = startPipeline();
  for (const group of plan.groups) {
    if (isHalted(state)) break;
    if (!groupShouldRun(group, state.info)) continue;
    state = applyGroupResults(state, group, await runGroup(group, run));
  }
  return state;
}

/**
 * Evaluates an event: the sender precheck, then the plan's groups in order with their gates; the filters of one
 * group run concurrently; the first failing group stops the pipeline and the verdict carries the failure.
 */
export async function evaluateEvent(
  plan: FilterPlan,
  input: FilterInput,
  services: FilterServices,
  options: EvaluateOptions,
): Promise<Verdict> {
  const early = precheckSender(input.event.sender, options.spamThreshold);
  if (early !== undefined) return early;
  const state = await runGroups(
    plan,
    (filter) => outcomeWithoutRunning(filter, input) ?? runFilterSafely(filter, input, services),
  );
  return finishPipeline(state, options.spamThreshold);
}

/**
 * Evaluates plain text (filters.md §1.4, text mode): same groups and gates, but only filters with `checkText` take
 * part; the others count as Neutral and are not traced. No sender, so no precheck and never a hellban (the hellban
 * filters have no text mode).
 */
export async function evaluateText(
  plan: FilterPlan,
  text: string,
  config: CommunityConfig,
  context?: TextCheckContext,
): Promise<Verdict> {
  const textPlan: FilterPlan = {
    groups: plan.groups.map((group) => ({ ...group, filters: group.filters.filter((f) => f.checkText !== undefined) })),
  };
  const state = await runGroups(textPlan, (filter) => {
    try {
      // Checked by the plan filter above; the guard keeps the type honest.
      return filter.checkText === undefined ? failure(filter, "no text mode") : filter.checkText(text, config, context);
    } catch (cause) {
      return failure(filter, cause);
    }
  });
  return finishPipeline(state, config.spam_threshold);
}
