import { Gauge, type Registry } from "prom-client";

/** The runtime's live counts. Declared here and used by the actor runtime, so src/ never imports actors/. */
export interface RuntimeStats {
  readonly inFlight: number;
  readonly queued: number;
  readonly hellbans: number;
  readonly senderActors: number;
  readonly unwrittenVerdicts: number;
}

/** Anything reporting RuntimeStats, like `PolicyRuntime`. */
export interface RuntimeStatsSource {
  stats(): RuntimeStats;
}

/**
 * Registers gauges read from `source.stats()` at scrape time. They are what an operator alerts on during a database
 * outage: writes held in memory (verdicts, hellbans being stored) grow while the database is away and drain when it
 * returns, and the admission queue shows overload before 429s do. No labels, so nothing unbounded (decisions §7.2).
 */
export function registerRuntimeGauges(registry: Registry, source: RuntimeStatsSource): void {
  const gauge = (name: string, help: string, read: (s: RuntimeStats) => number): void => {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read(source.stats()));
      },
    });
  };
  gauge("policyserv_unwritten_verdicts", "Verdicts computed but not yet stored (queued while the database is away)", (s) => s.unwrittenVerdicts);
  gauge("policyserv_hellban_writes_pending", "Hellbans decided here whose row is still being written", (s) => s.senderActors);
  gauge("policyserv_hellbans_active", "Active hellbans held in memory", (s) => s.hellbans);
  gauge("policyserv_checks_in_flight", "Checks holding a processing slot", (s) => s.inFlight);
  gauge("policyserv_checks_queued", "Checks waiting for a processing slot (429 past the queue bound)", (s) => s.queued);
}
