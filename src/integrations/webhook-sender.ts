/**
 * Sends spam notifications (run by the webhook worker pool, `PS_WEBHOOK_POOL_SIZE`): `POST <url>` with
 * `Content-Type: application/json` and `User-Agent: policyserv`, a per-attempt timeout, and bounded retries on
 * timeouts, connection failures, 429 and 5xx. The URL rules are checked again here, since a job may have been queued
 * under an older allow-list. Never throws: a webhook failure is logged and counted, and never touches a verdict.
 */
import type { Logger } from "pino";
import type { SafeFetch } from "../federation/safe-fetch.js";
import type { IntegrationMetrics } from "./integration-metrics.js";
import { withRetries, type RetryPolicy, type Sleep } from "./retry.js";
import { callService, serviceErrorLabel } from "./service-call.js";
import { checkWebhookUrl, type WebhookUrlRules } from "./webhook-url.js";

/** A webhook job, structurally the runtime's `WebhookJob` (src never imports actors/). */
export interface NotifyJob {
  readonly type: "NotifyWebhook";
  readonly communityId: string;
  readonly url: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

export interface WebhookRunnerOptions extends WebhookUrlRules {
  readonly fetch: SafeFetch;
  readonly logger: Pick<Logger, "info" | "warn" | "debug">;
  readonly metrics?: IntegrationMetrics;
  /** Per attempt; default 10 s. */
  readonly timeoutMs?: number;
  /** Default: 3 attempts, 1 s then 2 s, waits capped at 30 s. */
  readonly retry?: RetryPolicy;
  readonly sleep?: Sleep;
}

/** The `runWebhookJob` the actor runtime's webhook pool calls. */
export function createWebhookJobRunner(options: WebhookRunnerOptions): (job: NotifyJob) => Promise<void> {
  const count = (outcome: string): void => options.metrics?.webhooks.inc({ outcome });
  return async (job) => {
    const log = { communityId: job.communityId };
    const url = checkWebhookUrl(job.url, options);
    if (!url.ok) {
      count("refused_url");
      options.logger.warn({ ...log, error: url.error }, "webhook not sent");
      return;
    }
    // Keys as given, a trailing newline, and no HTML escaping: JSON.stringify never escapes <, > or &, like upstream.
    const body = `${JSON.stringify(job.payload)}\n`;
    const result = await withRetries(
      () =>
        callService(options.fetch, `webhook to ${url.value.host}`, {
          url: url.value,
          method: "POST",
          headers: { "Content-Type": "application/json", "User-Agent": "policyserv" },
          body,
          timeoutMs: options.timeoutMs ?? 10_000,
          maxBodyBytes: 64 * 1024,
        }),
      options.retry ?? { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 30_000 },
      {
        ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
        onRetry: (error, delayMs) => options.logger.info({ ...log, error: error.message, delayMs }, "webhook failed; retrying"),
      },
    );
    if (result.ok) {
      count("sent");
      options.logger.debug({ ...log, status: result.value.status }, "webhook sent");
    } else {
      count(`failed_${serviceErrorLabel(result.error)}`);
      options.logger.warn({ ...log, error: result.error.message }, "webhook failed");
    }
  };
}
