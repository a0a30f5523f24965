import type { Result } from "../result.js";
import type { StorageError } from "../storage/storage-error.js";

export interface AwaitDatabaseOptions {
  /** Give up (and return the last failure) after this long. */
  readonly maxWaitMs: number;
  /** Delay between attempts. */
  readonly intervalMs: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

/**
 * Runs a write, and while it fails only because the database is unreachable, runs it again every `intervalMs` for
 * up to `maxWaitMs`. Writes queued behind a short outage then land within moments of the database's return instead
 * of after the callers' own exponential back-off (decisions §5.4). Only for idempotent writes (upserts): a write
 * whose connection dropped after commit is run twice. Any other failure is returned at once.
 */
export async function retryWhileUnavailable<T>(
  write: () => Promise<Result<T, StorageError>>,
  options: AwaitDatabaseOptions,
): Promise<Result<T, StorageError>> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref()));
  const deadline = now() + options.maxWaitMs;
  for (;;) {
    const result = await write();
    if (result.ok || result.error.kind !== "unavailable" || now() + options.intervalMs > deadline) return result;
    await sleep(options.intervalMs);
  }
}
