import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/**
 * HTTP metrics. Labels are bounded by construction: the route *template* (never a concrete path, which would
 * carry room and event IDs), the method and the status code.
 */
export interface HttpMetrics {
  readonly requests: Counter<"route" | "method" | "status">;
  readonly duration: Histogram<"route" | "method">;
}

/** A fresh registry with Node's process metrics; there is no global registry (dependencies are parameters). */
export function createRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "policyserv_" });
  return registry;
}

export function createHttpMetrics(registry: Registry): HttpMetrics {
  return {
    requests: new Counter({
      name: "policyserv_http_requests_total",
      help: "HTTP requests answered, by route template, method and status",
      labelNames: ["route", "method", "status"],
      registers: [registry],
    }),
    duration: new Histogram({
      name: "policyserv_http_request_duration_seconds",
      help: "HTTP request latency by route template",
      labelNames: ["route", "method"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}
