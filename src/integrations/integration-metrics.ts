/**
 * Prometheus counters for the integrations. Labels are bounded by construction: a service name from a fixed set and
 * an outcome label from `serviceErrorLabel` or a fixed list of skip reasons, never a room, event or URL.
 */
import { Counter, type Registry } from "prom-client";

export interface IntegrationMetrics {
  /** One per redaction decision or attempt result: `redacted`, `failed_<label>`, `skipped_<reason>`, ... */
  readonly redactions: Counter<"outcome">;
  /** One per webhook notification: `sent`, `failed_<label>`, `refused_url`, `queue_full`, ... */
  readonly webhooks: Counter<"outcome">;
  /** One per outbound call: service ∈ openai, hma_hash, hma_lookup, media, muninn, whoami; outcome `ok` or a label. */
  readonly calls: Counter<"service" | "outcome">;
}

/** Registers the counters on `registry` (no global registry: dependencies are parameters). */
export function createIntegrationMetrics(registry: Registry): IntegrationMetrics {
  return {
    redactions: new Counter({
      name: "policyserv_redactions_total",
      help: "Redactions of spam through moderator access tokens, by outcome",
      labelNames: ["outcome"],
      registers: [registry],
    }),
    webhooks: new Counter({
      name: "policyserv_webhooks_total",
      help: "Webhook notifications of spam verdicts, by outcome",
      labelNames: ["outcome"],
      registers: [registry],
    }),
    calls: new Counter({
      name: "policyserv_external_calls_total",
      help: "Calls to external services (OpenAI, HMA, media, Muninn Hall, whoami), by service and outcome",
      labelNames: ["service", "outcome"],
      registers: [registry],
    }),
  };
}
