import { Counter, Histogram, type Registry } from "prom-client";

/** Check outcomes as metric label values (bounded). */
export type CheckOutcomeLabel = "ok" | "spam" | "failure" | "cached" | "overloaded" | "unavailable";

/**
 * The runtime's metrics. Labels are bounded by construction: outcome, filter name and actor kind come from closed
 * sets; room, event and user IDs never appear (decisions §7.2).
 */
export interface RuntimeMetrics {
  readonly checks: Counter<"outcome">;
  readonly checkDuration: Histogram<"outcome">;
  readonly filterErrors: Counter<"filter">;
  readonly actorCrashes: Counter<"kind">;
}

export function createRuntimeMetrics(registry: Registry): RuntimeMetrics {
  return {
    checks: new Counter({
      name: "policyserv_checks_total",
      help: "Event checks answered by the actor runtime, by outcome",
      labelNames: ["outcome"],
      registers: [registry],
    }),
    checkDuration: new Histogram({
      name: "policyserv_check_duration_seconds",
      help: "Time from checkEvent to its answer, by outcome",
      labelNames: ["outcome"],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    filterErrors: new Counter({
      name: "policyserv_filter_errors_total",
      help: "Filter runs that failed (error, throw or deadline), by filter name",
      labelNames: ["filter"],
      registers: [registry],
    }),
    actorCrashes: new Counter({
      name: "policyserv_actor_crashes_total",
      help: "Actor crashes seen by supervision, by actor kind",
      labelNames: ["kind"],
      registers: [registry],
    }),
  };
}
