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

/** One batched amount: `amount` units, stored as that many rows so the 105 schema and `recordAndCount` still hold. */
export interface RateBatchRow {
  readonly communityId: string;
  readonly sender: string;
  readonly kind: string;
  /** Epoch ms. */
  readonly ts: number;
  readonly amount: number;
}

/** What a reload reads: the rows of the window and the snapshot it read them under (`txid_current_snapshot()`). */
export interface RateWindowSnapshot {
  readonly snapshot: string;
  readonly rows: readonly RateBatchRow[];
}

/** The batched, announced half of the rate counters (src/rate/shared-rate-counter.ts). */
export interface RateBatchesRepo {
  /**
   * Inserts a batch and, in the same statement (so the same transaction), NOTIFYs `channel` once per body with the
   * payload `<txid>:<body>`: readers learn which transaction wrote what they receive. One round trip per batch.
   */
  appendAndAnnounce(rows: readonly RateBatchRow[], channel: string, bodies: readonly string[]): Promise<Result<void, StorageError>>;
  /** Every row with `ts >= since`, summed per (community, sender, kind, ts), read under one snapshot. */
  loadSince(since: number): Promise<Result<RateWindowSnapshot, StorageError>>;
  /** Deletes rows older than `beforeTs`; returns how many. */
  prune(beforeTs: number): Promise<Result<number, StorageError>>;
}

/** The batched rate store over `rate_events` (migration 105). */
export function createRateBatchesRepo(sql: Sql): RateBatchesRepo {
  return {
    appendAndAnnounce: (rows, channel, bodies) =>
      attempt(`append ${rows.length} rate rows`, async () => {
        if (rows.length === 0 && bodies.length === 0) return;
        await sql`
          WITH inserted AS (
            INSERT INTO rate_events (community_id, sender, kind, ts)
            SELECT u.c, u.s, u.k, u.t
              FROM unnest(${sql.array(rows.map((r) => r.communityId))}::text[],
                          ${sql.array(rows.map((r) => r.sender))}::text[],
                          ${sql.array(rows.map((r) => r.kind))}::text[],
                          ${sql.array(rows.map((r) => String(r.ts)))}::bigint[],
                          ${sql.array(rows.map((r) => r.amount))}::int[]) AS u(c, s, k, t, n)
              CROSS JOIN LATERAL generate_series(1, u.n)
            RETURNING 1)
          SELECT (SELECT count(*) FROM inserted) AS inserted,
                 (SELECT count(*) FROM (
                    SELECT pg_notify(${channel}, txid_current()::text || ':' || b)
                      FROM unnest(${sql.array([...bodies])}::text[]) AS b) AS sent) AS announced`;
      }),
    loadSince: (since) =>
      attempt("load the rate window", async () => {
        const result = await sql.begin("isolation level repeatable read", async (tx) => {
          const [snap] = await tx`SELECT txid_current_snapshot()::text AS s`;
          const rows = await tx`
            SELECT community_id, sender, kind, ts, count(*)::int AS n
              FROM rate_events WHERE ts >= ${since}
             GROUP BY community_id, sender, kind, ts`;
          return {
            snapshot: String(snap?.["s"] ?? ""),
            rows: rows.map((r) => ({
              communityId: String(r["community_id"]),
              sender: String(r["sender"]),
              kind: String(r["kind"]),
              ts: Number(r["ts"]),
              amount: Number(r["n"]),
            })),
          };
        });
        return result;
      }),
    prune: (beforeTs) =>
      attempt("prune rate events", async () => {
        const result = await sql`DELETE FROM rate_events WHERE ts < ${beforeTs}`;
        return result.count;
      }),
  };
}
