import type { ContentInfo } from "../harms/content-info.js";
import type { Result } from "../result.js";
import type { ReadRunner, Sql } from "./database.js";
import { attempt, type StorageError } from "./storage-error.js";
import { decodeVerdict, encodeVerdict } from "./verdict-vectors.js";

/** A stored verdict (`events` table). */
export interface StoredVerdict {
  readonly eventId: string;
  readonly info: ContentInfo;
  /** When the verdict was first stored (upstream's `first_seen_ts`, database clock). */
  readonly firstSeen: Date;
}

export interface SavedVerdict {
  /** The verdict now stored: ours, or the one another check stored first. */
  readonly verdict: StoredVerdict;
  /** True when this call stored it. */
  readonly inserted: boolean;
}

export interface VerdictsRepo {
  /** The stored verdict for an event, or null. */
  get(eventId: string): Promise<Result<StoredVerdict | null, StorageError>>;
  /**
   * Stores a verdict unless one exists (decisions §2.5: the first verdict answers every later check). Idempotent and
   * race-free: concurrent saves of one event all return the same stored verdict.
   */
  save(eventId: string, info: ContentInfo): Promise<Result<SavedVerdict, StorageError>>;
  /** The stored verdicts among `eventIds`, in one query (the hot path batches its look-ups). */
  getMany(eventIds: readonly string[]): Promise<Result<Map<string, StoredVerdict>, StorageError>>;
  /** Stores several verdicts in one statement; an event that already has a verdict keeps the first one. */
  saveMany(entries: readonly { readonly eventId: string; readonly info: ContentInfo }[]): Promise<Result<void, StorageError>>;
}

/**
 * Verdicts repository. `get` reads the primary by default: a replica that lags would make a just-checked event look
 * unseen and run its filters again. Pass `read` to accept that.
 */
export function createVerdictsRepo(sql: Sql, read: ReadRunner = (query) => query(sql)): VerdictsRepo {
  return {
    getMany: (eventIds) =>
      attempt(`get ${eventIds.length} verdicts`, async () => {
        const found = new Map<string, StoredVerdict>();
        if (eventIds.length === 0) return found;
        // One statement whatever the batch size (an IN list prepares one per length, on every connection).
        const rows = await read(
          (s) =>
            s`SELECT event_id, is_probably_spam, confidence_vectors, first_seen_ts FROM events WHERE event_id = ANY(${s.array([...eventIds])}::text[])`,
        );
        for (const row of rows) found.set(String(row["event_id"]), toVerdict(row));
        return found;
      }),
    saveMany: (entries) =>
      attempt(`save ${entries.length} verdicts`, async () => {
        if (entries.length === 0) return;
        // One row per event: a batch may carry the same event twice only if two checks raced; keep the first.
        const first = new Map<string, (typeof entries)[number]>();
        for (const entry of entries) if (!first.has(entry.eventId)) first.set(entry.eventId, entry);
        const unique = [...first.values()];
        const rows = unique.map((entry) => {
          const encoded = encodeVerdict(entry.info);
          return { event_id: entry.eventId, is_probably_spam: encoded.isProbablySpam, confidence_vectors: encoded.confidenceVectors };
        });
        await sql`INSERT INTO events ${sql(rows, "event_id", "is_probably_spam", "confidence_vectors")} ON CONFLICT (event_id) DO NOTHING`;
      }),
    get: (eventId) =>
      attempt(`get verdict of ${eventId}`, async () => {
        const [row] = await read(
          (s) => s`SELECT event_id, is_probably_spam, confidence_vectors, first_seen_ts FROM events WHERE event_id = ${eventId}`,
        );
        return row === undefined ? null : toVerdict(row);
      }),
    save: (eventId, info) =>
      attempt(`save verdict of ${eventId}`, async () => {
        const encoded = encodeVerdict(info);
        const [inserted] = await sql`
          INSERT INTO events (event_id, is_probably_spam, confidence_vectors)
          VALUES (${eventId}, ${encoded.isProbablySpam}, ${encoded.confidenceVectors})
          ON CONFLICT (event_id) DO NOTHING
          RETURNING event_id, is_probably_spam, confidence_vectors, first_seen_ts`;
        if (inserted !== undefined) return { verdict: toVerdict(inserted), inserted: true };
        const [existing] = await sql`
          SELECT event_id, is_probably_spam, confidence_vectors, first_seen_ts FROM events WHERE event_id = ${eventId}`;
        return { verdict: toVerdict(existing), inserted: false };
      }),
  };
}

function toVerdict(row: Record<string, unknown> | undefined): StoredVerdict {
  if (row === undefined) throw new Error("events query returned no row");
  return {
    eventId: String(row["event_id"]),
    info: decodeVerdict(row["is_probably_spam"] === true, String(row["confidence_vectors"])),
    firstSeen: row["first_seen_ts"] instanceof Date ? row["first_seen_ts"] : new Date(String(row["first_seen_ts"])),
  };
}
