import { err, ok, type Result } from "../result.js";

/**
 * Why a storage call failed in a way callers are expected to handle:
 * - `unavailable`: the database could not be reached or the query was cut off (decisions §5.4: callers queue writes
 *   or answer 503; never treated as "no such row").
 * - `not_found`: the row the operation needs does not exist.
 * - `invalid`: the database rejected the values (a foreign key to a missing row, a NOT NULL, a bad JSON value).
 * - `conflict`: a uniqueness rule or a serialisation failure; retrying later may succeed.
 */
export type StorageErrorKind = "unavailable" | "not_found" | "invalid" | "conflict";

/** An expected storage failure: a kind to branch on and a message naming what was wrong. */
export interface StorageError {
  readonly kind: StorageErrorKind;
  readonly message: string;
  /** The driver error, for logs. */
  readonly cause?: unknown;
}

/** Builds a StorageError; `cause` is omitted rather than set to undefined (exactOptionalPropertyTypes). */
export function storageError(kind: StorageErrorKind, message: string, cause?: unknown): StorageError {
  return cause === undefined ? { kind, message } : { kind, message, cause };
}

const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
]);

/**
 * True for failures of the connection rather than of the statement: the same query may succeed on another server
 * or later. Used both to map errors to `unavailable` and to decide when a replica read falls back to the primary.
 */
export function isConnectionError(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== "string") return false;
  if (CONNECTION_CODES.has(code)) return true;
  // SQLSTATE class 08 (connection exception), 57P0x (admin/crash shutdown, cannot connect now), 53 (resources).
  return code.startsWith("08") || code.startsWith("57P") || code.startsWith("53");
}

/**
 * Maps a driver error to a StorageError, or undefined when the error is a bug (bad SQL, wrong types in our code)
 * that must throw instead of being handled.
 */
export function classifyStorageError(error: unknown, what: string): StorageError | undefined {
  if (isConnectionError(error)) return storageError("unavailable", `${what}: database unavailable`, error);
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  const detail = (error as { message?: unknown }).message;
  const suffix = typeof detail === "string" ? `: ${detail}` : "";
  if (code === "57014") return storageError("unavailable", `${what}: query cancelled or timed out${suffix}`, error);
  if (code === "23505") return storageError("conflict", `${what}: duplicate value${suffix}`, error);
  if (code === "40001" || code === "40P01") return storageError("conflict", `${what}: concurrent update${suffix}`, error);
  if (code === "23503") return storageError("invalid", `${what}: referenced row does not exist${suffix}`, error);
  // 22021/22P05: text PostgreSQL cannot store (a NUL character, from a caller's input), not a bug of ours.
  if (code === "22021" || code === "22P05") return storageError("invalid", `${what}: text cannot be stored${suffix}`, error);
  if (code === "23502" || code === "23514" || code === "22P02" || code === "22023") {
    return storageError("invalid", `${what}: value rejected${suffix}`, error);
  }
  return undefined;
}

const TIMED_OUT: unique symbol = Symbol("timed out");

/**
 * How long one repository operation may take before its caller is told the database is unavailable. postgres.js has
 * no client-side query timeout, and a partitioned server (connections open, nothing answering) would otherwise hold
 * a request until TCP gives up, minutes later; decisions §5.4 wants an answer within 5 s.
 */
export const OPERATION_DEADLINE_MS = 4_000;

/**
 * Runs one storage operation, turning expected failures into `err` and letting bugs throw. Every repository method
 * goes through here so callers only ever branch on Result values. An operation still running after `deadlineMs` is
 * reported `unavailable`; it is not cancelled (postgres.js cannot), so a write may still land later, which is why
 * every write is an idempotent upsert and callers treat `unavailable` as "outcome unknown, retry".
 */
export async function attempt<T>(
  what: string,
  run: () => Promise<T>,
  deadlineMs: number = OPERATION_DEADLINE_MS,
): Promise<Result<T, StorageError>> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), deadlineMs);
      timer.unref();
    });
    const running = run();
    const outcome = await Promise.race([running, deadline]);
    if (outcome === TIMED_OUT) {
      // The late settlement is observed so a later rejection is never reported as unhandled.
      running.catch(() => undefined);
      return err(storageError("unavailable", `${what}: no answer from the database within ${deadlineMs} ms`));
    }
    return ok(outcome);
  } catch (error) {
    const classified = classifyStorageError(error, what);
    if (classified === undefined) throw error;
    return err(classified);
  } finally {
    clearTimeout(timer);
  }
}
