/**
 * Bounded retries with exponential back-off for jobs that run outside a check (redactions, webhooks, the Muninn
 * poll). Checks themselves never retry: their budget is the check deadline.
 */
import type { Result } from "../result.js";
import { isRetryable, type ServiceError } from "./service-call.js";

/** How many attempts and how long to wait between them. */
export interface RetryPolicy {
  /** Total attempts including the first; 1 means no retry. */
  readonly maxAttempts: number;
  /** Delay before the second attempt; doubles for each further one. */
  readonly baseDelayMs: number;
  /** Upper bound on one delay, also applied to a server's Retry-After so a hostile value cannot park a worker. */
  readonly maxDelayMs: number;
}

/** Three attempts, 0.5 s then 1 s (plus jitter), at most 30 s per wait. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 500, maxDelayMs: 30_000 };

/** Waits `ms`; a parameter so tests run retries without real time. */
export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` until it succeeds, fails with a non-retryable error, or `maxAttempts` is reached; returns the last
 * result. The wait is the larger of the back-off (with up to 50 % jitter, so many workers do not retry in step) and
 * the server's Retry-After, capped at `maxDelayMs`. `onRetry` reports each retry for logs.
 */
export async function withRetries<T>(
  attempt: (attemptNumber: number) => Promise<Result<T, ServiceError>>,
  policy: RetryPolicy,
  options: { readonly sleep?: Sleep; readonly random?: () => number; readonly onRetry?: (error: ServiceError, delayMs: number) => void } = {},
): Promise<Result<T, ServiceError>> {
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) {
    throw new Error(`retry policy maxAttempts must be a positive integer, got ${policy.maxAttempts}`);
  }
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  for (let n = 1; ; n++) {
    const result = await attempt(n);
    if (result.ok || n >= policy.maxAttempts || !isRetryable(result.error)) return result;
    const backoff = policy.baseDelayMs * 2 ** (n - 1);
    const jittered = backoff / 2 + (random() * backoff) / 2;
    const hinted = result.error.kind === "status" ? (result.error.retryAfterMs ?? 0) : 0;
    const delay = Math.min(policy.maxDelayMs, Math.max(jittered, hinted));
    options.onRetry?.(result.error, delay);
    await sleep(delay);
  }
}
