import type { Reply } from "../kernel/reply.js";

/** A redaction the moderation pool performs (the job runner arrives with the moderation issue). */
export type ModerationJob = {
  readonly type: "RedactEvent";
  readonly communityId: string;
  readonly roomId: string;
  readonly eventId: string;
  readonly reason: string;
};

/** A webhook notification the webhook pool sends. */
export type WebhookJob = {
  readonly type: "NotifyWebhook";
  readonly communityId: string;
  readonly url: string;
  readonly payload: Readonly<Record<string, unknown>>;
};

/** Why a job was not accepted. */
export type SubmitRejected = { readonly type: "queue-full"; readonly bound: number } | { readonly type: "stopped" };

/** Commands a pool accepts. */
export type WorkerPoolCommand<Job> = {
  readonly type: "SubmitJob";
  readonly job: Job;
  /** Answers whether the job was accepted (queued or started), not when it finishes. */
  readonly accepted: Reply<SubmitRejected | undefined> | undefined;
};
