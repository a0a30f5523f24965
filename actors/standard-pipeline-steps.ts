/**
 * The production pipeline steps: src/pipeline's pure functions behind the PipelineSteps port, so the check session
 * and the plain evaluator reach identical verdicts.
 */
import {
  applyGroupResults,
  finishPipeline,
  groupShouldRun,
  isHalted,
  startPipeline,
  type PipelineState,
} from "../src/pipeline/aggregate.js";
import { outcomeWithoutRunning } from "../src/pipeline/applicability.js";
import { buildFilterPlan } from "../src/pipeline/plan.js";
import { precheckSender } from "../src/pipeline/precheck.js";
import type { PipelineSteps } from "./pipeline-steps.js";

// The state is created by startPipeline and only ever passed back to these functions, so the casts are closed.
export const standardPipelineSteps: PipelineSteps = {
  buildFilterPlan,
  precheckSender,
  startPipeline,
  outcomeWithoutRunning,
  groupShouldRun: (group, state) => !isHalted(state as PipelineState) && groupShouldRun(group, (state as PipelineState).info),
  applyGroupResults: (state, group, results) => applyGroupResults(state as PipelineState, group, results),
  finishPipeline: (state, spamThreshold) => finishPipeline(state as PipelineState, spamThreshold),
};
