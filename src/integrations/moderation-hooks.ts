/**
 * What happens after a spam verdict, outside the answer path: `redactIfNeeded` (federation.md §9.5) submits a
 * redaction to the moderation pool, and a notification goes to the community's webhook through the webhook pool.
 * The hooks only decide and enqueue; the pools do the slow work, so a slow or failing service never delays a check.
 * They never throw and never reject: every problem is logged and counted.
 */
import type { Logger } from "pino";
import type { Pdu } from "../matrix/pdu.js";
import { parseUserId } from "../matrix/ids.js";
import type { Verdict } from "../pipeline/types.js";
import type { Result } from "../result.js";
import type { IntegrationMetrics } from "./integration-metrics.js";
import { LruCache } from "./lru-cache.js";
import { roomModerator, type ModeratorClient, type ModeratorLookup } from "./moderator-clients.js";
import { REDACTION_REASON, type RedactJob } from "./redaction-client.js";
import { buildWebhookPayload } from "./webhook-message.js";
import type { NotifyJob } from "./webhook-sender.js";
import { checkWebhookUrl, type WebhookUrlRules } from "./webhook-url.js";

/** Why a pool refused a job (structurally the runtime's SubmitRejected); undefined means accepted. */
export type Rejected = { readonly type: string } | undefined;

/** Reads a community's stored overrides (the communities repository in production). */
export interface CommunityLookup {
  get(id: string): Promise<Result<{ readonly config: Readonly<Record<string, unknown>> } | null, { readonly message: string }>>;
}

export interface ModerationHooksOptions {
  readonly rooms: ModeratorLookup;
  readonly communities: CommunityLookup;
  /** The instance layer's `webhook_url` (`PS_WEBHOOK_URL`), used when the community does not set its own. */
  readonly defaultWebhookUrl: string;
  readonly webhookRules: WebhookUrlRules;
  readonly moderators: () => readonly ModeratorClient[];
  readonly submitRedaction: (job: RedactJob) => Promise<Rejected>;
  readonly submitWebhook: (job: NotifyJob) => Promise<Rejected>;
  readonly logger: Pick<Logger, "info" | "warn" | "debug">;
  readonly metrics?: IntegrationMetrics;
  readonly now?: () => number;
  /** Event IDs remembered so one event is redacted and notified at most once (default 100,000 for 24 h). */
  readonly remember?: { readonly maxEntries: number; readonly ttlMs: number };
}

/** A verdict as the policy service and the `/send` path report it. */
export interface VerdictEvent {
  readonly pdu: Pdu;
  readonly room: { readonly roomId: string; readonly communityId: string };
  readonly verdict: Verdict;
  /** The server that asked (sign/check) or sent the transaction (`/send`); undefined when the caller does not know. */
  readonly origin?: string | undefined;
}

export interface ModerationHooks {
  /** For `processTransaction`'s `onProhibited`: the event is in the room already, so redact whoever sent it (as upstream). */
  onProhibited(event: VerdictEvent): Promise<void>;
  /** For the policy service's `onVerdict`: redact only when a server other than the sender's showed us the event. */
  onVerdict(event: VerdictEvent): void;
  /** §9.5: submit a redaction unless the requesting origin is the sender's own server. Exposed for tests. */
  redactIfNeeded(event: VerdictEvent, origin: string | undefined): Promise<void>;
  notify(event: VerdictEvent): Promise<void>;
}

export function createModerationHooks(options: ModerationHooksOptions): ModerationHooks {
  const remember = { maxEntries: options.remember?.maxEntries ?? 100_000, ttlMs: options.remember?.ttlMs ?? 86_400_000 };
  const redacted = new LruCache<true>(remember);
  const notified = new LruCache<true>(remember);
  const now = options.now ?? Date.now;
  const countRedaction = (outcome: string): void => options.metrics?.redactions.inc({ outcome });
  const countWebhook = (outcome: string): void => options.metrics?.webhooks.inc({ outcome });

  const redactIfNeeded = async ({ pdu, room }: VerdictEvent, origin: string | undefined): Promise<void> => {
    const log = { eventId: pdu.eventId, roomId: pdu.roomId };
    const sender = parseUserId(pdu.sender);
    if (!sender.ok) return countRedaction("skipped_invalid_sender");
    // The sender's own server asked: it is expected to drop the event, which then never exists in the room.
    if (origin === undefined || sender.value.serverName === origin) return countRedaction("skipped_same_origin");
    if (redacted.get(pdu.eventId) !== undefined) return countRedaction("skipped_duplicate");
    if (options.moderators().length === 0) return countRedaction("skipped_no_tokens");
    const moderator = await roomModerator(options.rooms, options.moderators(), pdu.roomId);
    if (!moderator.ok) {
      countRedaction(moderator.outcome);
      if (moderator.outcome === "failed_storage") {
        options.logger.warn({ ...log, error: moderator.error }, "redaction skipped: the room could not be loaded");
      }
      return;
    }
    const client = moderator.client;
    // The moderator shares the sender's server: assume that server blocks it locally (upstream's rule).
    if (client.userServer === sender.value.serverName) return countRedaction("skipped_out_of_band");
    redacted.set(pdu.eventId, true);
    const rejected = await options.submitRedaction({
      type: "RedactEvent",
      communityId: room.communityId,
      roomId: pdu.roomId,
      eventId: pdu.eventId,
      reason: REDACTION_REASON,
    });
    if (rejected !== undefined) {
      redacted.delete(pdu.eventId);
      countRedaction(`rejected_${rejected.type.replace(/[^a-z_]/g, "_")}`);
      options.logger.warn({ ...log, reason: rejected.type }, "redaction not queued: the moderation pool refused it");
    }
  };

  const notify = async ({ pdu, room, verdict }: VerdictEvent): Promise<void> => {
    if (notified.get(pdu.eventId) !== undefined) return;
    const community = await options.communities.get(room.communityId);
    if (!community.ok) {
      countWebhook("failed_storage");
      options.logger.warn({ communityId: room.communityId, error: community.error.message }, "webhook skipped: the community could not be loaded");
      return;
    }
    const own = community.value?.config["webhook_url"];
    const url = typeof own === "string" ? own : options.defaultWebhookUrl;
    if (url === "") return;
    const checked = checkWebhookUrl(url, options.webhookRules);
    if (!checked.ok) {
      countWebhook("refused_url");
      options.logger.warn({ communityId: room.communityId, error: checked.error }, "webhook not sent");
      return;
    }
    notified.set(pdu.eventId, true);
    const payload = buildWebhookPayload({
      communityId: room.communityId,
      eventId: pdu.eventId,
      roomId: pdu.roomId,
      sender: pdu.sender,
      eventType: pdu.type,
      originServerTs: pdu.originServerTs,
      content: pdu.content,
      contentClass: verdict.info.class,
      harms: verdict.info.harms,
      filters: verdict.trace.map((entry) => ({ filter: entry.filter, class: entry.class, harms: entry.harms })),
      recordedAt: now(),
    });
    const rejected = await options.submitWebhook({ type: "NotifyWebhook", communityId: room.communityId, url, payload });
    if (rejected !== undefined) {
      notified.delete(pdu.eventId);
      countWebhook(`rejected_${rejected.type.replace(/[^a-z_]/g, "_")}`);
      options.logger.warn({ communityId: room.communityId, reason: rejected.type }, "webhook not queued: the webhook pool refused it");
    }
  };

  const guarded = async (what: string, event: VerdictEvent, work: () => Promise<void>): Promise<void> => {
    try {
      await work();
    } catch (error) {
      options.logger.warn({ err: error, eventId: event.pdu.eventId }, `${what} failed unexpectedly`);
    }
  };
  const isProhibited = (verdict: Verdict): boolean => verdict.spam && verdict.failure === undefined;

  return {
    redactIfNeeded,
    notify,
    async onProhibited(event) {
      if (!isProhibited(event.verdict)) return;
      // Upstream passes a fake origin here: a PDU that arrived over /send is in the room whoever sent it.
      await Promise.all([
        guarded("redaction", event, () => redactIfNeeded(event, "policyserv.invalid")),
        guarded("webhook", event, () => notify(event)),
      ]);
    },
    onVerdict(event) {
      if (!isProhibited(event.verdict)) return;
      void guarded("redaction", event, () => redactIfNeeded(event, event.origin));
      void guarded("webhook", event, () => notify(event));
    },
  };
}
