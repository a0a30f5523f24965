/**
 * Redaction through the Client-Server API with a moderator's access token (federation.md §8.5), run by the
 * moderation worker pool. The transaction ID is derived from the event ID, so a retry after a lost answer cannot
 * redact twice on the server, and the runner remembers events it has handled so a second job for one event is
 * skipped. 429 and 5xx are retried with back-off; every outcome is counted.
 */
import type { Logger } from "pino";
import type { SafeFetch } from "../federation/safe-fetch.js";
import { escapePathSegment } from "../federation/path-escape.js";
import type { Result } from "../result.js";
import type { IntegrationMetrics } from "./integration-metrics.js";
import { LruCache } from "./lru-cache.js";
import { roomModerator, type ModeratorClient, type ModeratorLookup } from "./moderator-clients.js";
import { DEFAULT_RETRY_POLICY, withRetries, type RetryPolicy, type Sleep } from "./retry.js";
import { callService, serviceErrorLabel, type ServiceError } from "./service-call.js";

/** Upstream's redaction reason. */
export const REDACTION_REASON = "Detected as probable spam";

/** `PUT <base>/_matrix/client/v3/rooms/{roomId}/redact/{eventId}/policyserv_{eventId}`, each segment escaped. */
export function redactionUrl(baseUrl: string, roomId: string, eventId: string): string {
  const base = baseUrl.replace(/\/+$/, "");
  return `${base}/_matrix/client/v3/rooms/${escapePathSegment(roomId)}/redact/${escapePathSegment(eventId)}/${escapePathSegment(`policyserv_${eventId}`)}`;
}

/** One redaction request. Any 2xx is success (the spec answers 200). */
export async function redactEvent(
  fetch: SafeFetch,
  client: ModeratorClient,
  request: { readonly roomId: string; readonly eventId: string; readonly reason: string; readonly timeoutMs?: number },
): Promise<Result<unknown, ServiceError>> {
  return callService(fetch, `redaction of ${request.eventId} at ${client.domain}`, {
    url: redactionUrl(client.baseUrl, request.roomId, request.eventId),
    method: "PUT",
    headers: { Authorization: `Bearer ${client.accessToken}`, "Content-Type": "application/json" },
    body: JSON.stringify({ reason: request.reason }),
    timeoutMs: request.timeoutMs ?? 15_000,
    maxBodyBytes: 64 * 1024,
  });
}

/**
 * A redaction job, structurally the runtime's `ModerationJob` (src never imports actors/, so the shape is restated
 * here; the composition root passes the runner straight to the pool).
 */
export interface RedactJob {
  readonly type: "RedactEvent";
  readonly communityId: string;
  readonly roomId: string;
  readonly eventId: string;
  readonly reason: string;
}

export interface ModerationRunnerOptions {
  readonly fetch: SafeFetch;
  readonly rooms: ModeratorLookup;
  /** The usable moderator clients (resolved at start-up). A function so a later re-check can replace them. */
  readonly clients: () => readonly ModeratorClient[];
  readonly logger: Pick<Logger, "info" | "warn" | "debug">;
  readonly metrics?: IntegrationMetrics;
  readonly retry?: RetryPolicy;
  readonly sleep?: Sleep;
  readonly timeoutMs?: number;
  /** How many handled event IDs are remembered (default 100,000 for 24 h). */
  readonly remember?: { readonly maxEntries: number; readonly ttlMs: number };
}

/**
 * The `runModerationJob` the actor runtime's moderation pool calls. Never rejects: every failure is logged and
 * counted. The event is marked handled before the first attempt, so a concurrent duplicate job is skipped too.
 */
export function createModerationJobRunner(options: ModerationRunnerOptions): (job: RedactJob) => Promise<void> {
  const handled = new LruCache<true>({ maxEntries: options.remember?.maxEntries ?? 100_000, ttlMs: options.remember?.ttlMs ?? 86_400_000 });
  const count = (outcome: string): void => options.metrics?.redactions.inc({ outcome });
  return async (job) => {
    const log = { roomId: job.roomId, eventId: job.eventId, communityId: job.communityId };
    if (handled.get(job.eventId) !== undefined) {
      count("skipped_duplicate");
      options.logger.debug(log, "redaction already handled for this event");
      return;
    }
    handled.set(job.eventId, true);
    const moderator = await roomModerator(options.rooms, options.clients(), job.roomId);
    if (!moderator.ok) {
      if (moderator.outcome !== "failed_storage") return count(moderator.outcome);
      // A storage hiccup is not a decision about this event: let a later job try again.
      handled.delete(job.eventId);
      count("failed_storage");
      options.logger.warn({ ...log, error: moderator.error }, "redaction skipped: the room could not be loaded");
      return;
    }
    const client = moderator.client;
    const result = await withRetries(
      () => redactEvent(options.fetch, client, { roomId: job.roomId, eventId: job.eventId, reason: job.reason, ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }) }),
      options.retry ?? DEFAULT_RETRY_POLICY,
      {
        ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
        onRetry: (error, delayMs) => options.logger.info({ ...log, error: error.message, delayMs }, "redaction failed; retrying"),
      },
    );
    if (result.ok) {
      count("redacted");
      options.logger.info({ ...log, moderator: client.userId }, "redacted spam");
    } else {
      count(`failed_${serviceErrorLabel(result.error)}`);
      options.logger.warn({ ...log, error: result.error.message }, "redaction failed");
    }
  };
}
