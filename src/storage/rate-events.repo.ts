import type { Result } from "../result.js";
import type { Sql } from "./database.js";
import { attempt, type StorageError } from "./storage-error.js";

/** One counted event for the frequency filters. `kind` separates counters, e.g. "events" and "mentions". */
export interface RateEvent {
  readonly communityId: string;
  readonly sender: string;
  readonly kind: string;
  /** Epoch ms. */
  readonly ts: number;
}

export interface RateEventsRepo {
  /**
   * Records one event and returns how many events of that (community, sender, kind) fall in `[ts - windowMs, ts]`,
   * this one included, in one round trip. Shared by every process (upstream's counters were per process).
   */
  recordAndCount(event: RateEvent, windowMs: number): Promise<Result<number, StorageError>>;
  /** Deletes events older than `beforeTs`; returns how many. */
  prune(beforeTs: number): Promise<Result<number, StorageError>>;
}

/** Sliding-window counters (`rate_events`, migration 105). */
export function createRateEventsRepo(sql: Sql): RateEventsRepo {
  return {
    recordAndCount: (event, windowMs) =>
      attempt(`count ${event.kind} of ${event.sender}`, async () => {
        const [row] = await sql`
          WITH inserted AS (
            INSERT INTO rate_events (community_id, sender, kind, ts)
            VALUES (${event.communityId}, ${event.sender}, ${event.kind}, ${event.ts}) RETURNING 1)
          SELECT (SELECT count(*) FROM rate_events
                   WHERE community_id = ${event.communityId} AND kind = ${event.kind} AND sender = ${event.sender}
                     AND ts BETWEEN ${event.ts - windowMs} AND ${event.ts})
                 + (SELECT count(*) FROM inserted) AS n`;
        return Number(row?.["n"] ?? 0);
      }),
    prune: (beforeTs) =>
      attempt("prune rate events", async () => {
        const result = await sql`DELETE FROM rate_events WHERE ts < ${beforeTs}`;
        return result.count;
      }),
  };
}
