/**
 * The rule that runs before any filter (decisions §2.3, filters.md §1.4): a sender that is not a valid user ID makes
 * the event Prohibited [spam, spec_non_compliance] with no filter run, no hellban and no counter touched.
 */
import { HARM_POLICYSERV_SPEC_NON_COMPLIANCE, HARM_SPAM } from "../harms/ids.js";
import { contentInfo } from "../harms/content-info.js";
import { parseUserId } from "../matrix/index.js";
import { finishPipeline } from "./aggregate.js";
import type { Verdict } from "./types.js";

/** Name under which the precheck appears in a verdict's trace, so a dry run shows why nothing else ran. */
export const PRECHECK_TRACE_NAME = "sender_precheck";

/**
 * The verdict for an invalid sender, or `undefined` when the sender is a valid user ID and the filters should run.
 * `spamThreshold` applies as for any verdict (a Prohibited score is 1).
 */
export function precheckSender(sender: string, spamThreshold = 0.8): Verdict | undefined {
  const parsed = parseUserId(sender);
  if (parsed.ok) return undefined;
  const info = contentInfo("Prohibited", [HARM_SPAM, HARM_POLICYSERV_SPEC_NON_COMPLIANCE]);
  return finishPipeline(
    {
      info,
      trace: [{ group: "prefilter", filter: PRECHECK_TRACE_NAME, class: info.class, harms: info.harms }],
      effects: [],
    },
    spamThreshold,
  );
}
