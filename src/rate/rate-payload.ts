/**
 * NOTIFY payloads announcing counted events to the other processes (channel `RATE_CHANNEL`).
 *
 * Wire form: `<txid>:<json>`, where the database prepends the writing transaction's ID (so a reader can tell whether
 * a reload already saw it) and the JSON is `{"o": origin, "r": [[community, sender, kind, ts, amount], …]}`. A batch
 * is split into several payloads because PostgreSQL refuses a payload of 8,000 bytes or more.
 */
import { err, ok, type Result } from "../result.js";
import { isRateKind, type RateRow } from "./rate-row.js";

/** Our own channel (not one of upstream's): only policyserv-ts processes count rates in the database. */
export const RATE_CHANNEL = "policyserv_rate_events";

/** Room left under PostgreSQL's 8,000-byte limit for the `<txid>:` prefix (at most 21 bytes). */
export const MAX_PAYLOAD_BODY_BYTES = 7_900;

/** A decoded announcement. */
export interface RateAnnouncement {
  readonly txid: bigint;
  readonly origin: string;
  readonly rows: readonly RateRow[];
}

function rowTuple(row: RateRow): [string, string, string, number, number] {
  return [row.communityId, row.sender, row.kind, row.ts, row.amount];
}

/**
 * The JSON bodies announcing `rows`, each under `maxBytes` UTF-8 bytes. A single row too large to announce (a
 * pathological sender ID) is left out: it is still stored, so other processes see it at their next reload.
 */
export function encodeRateBodies(origin: string, rows: readonly RateRow[], maxBytes = MAX_PAYLOAD_BODY_BYTES): string[] {
  const head = bodyHead(origin);
  const tail = "]}";
  const empty = Buffer.byteLength(head) + tail.length;
  const bodies: string[] = [];
  let parts: string[] = [];
  let size = empty;
  for (const row of rows) {
    const part = JSON.stringify(rowTuple(row));
    const bytes = Buffer.byteLength(part);
    if (empty + bytes > maxBytes) continue;
    if (parts.length > 0 && size + 1 + bytes > maxBytes) {
      bodies.push(head + parts.join(",") + tail);
      parts = [];
      size = empty;
    }
    size += bytes + (parts.length > 0 ? 1 : 0);
    parts.push(part);
  }
  if (parts.length > 0) bodies.push(head + parts.join(",") + tail);
  return bodies;
}

function decodeRow(value: unknown, index: number): Result<RateRow, string> {
  if (!Array.isArray(value) || value.length !== 5) return err(`row ${index} is not [community, sender, kind, ts, amount]`);
  const [communityId, sender, kind, ts, amount] = value as unknown[];
  if (typeof communityId !== "string" || typeof sender !== "string") return err(`row ${index} has a non-string ID`);
  if (!isRateKind(kind)) return err(`row ${index} has an unknown kind ${JSON.stringify(kind)}`);
  if (typeof ts !== "number" || !Number.isSafeInteger(ts)) return err(`row ${index} has a bad timestamp`);
  if (typeof amount !== "number" || !Number.isSafeInteger(amount) || amount <= 0) return err(`row ${index} has a bad amount`);
  return ok({ communityId, sender, kind, ts, amount });
}

/**
 * Whether `payload` is an announcement `origin` made, read from the head `encodeRateBodies` writes, without parsing
 * the rows: every process hears its own batches, which it already counted.
 */
export function announcedBy(payload: string, origin: string): boolean {
  const colon = payload.indexOf(":");
  return colon >= 0 && payload.startsWith(bodyHead(origin), colon + 1);
}

function bodyHead(origin: string): string {
  return `{"o":${JSON.stringify(origin)},"r":[`;
}

/** Decodes one received payload; the error says what was malformed. */
export function decodeRatePayload(payload: string): Result<RateAnnouncement, string> {
  const colon = payload.indexOf(":");
  const txidText = colon < 0 ? "" : payload.slice(0, colon);
  if (!/^\d{1,20}$/.test(txidText)) return err("rate announcement does not start with a transaction ID");
  let json: unknown;
  try {
    json = JSON.parse(payload.slice(colon + 1));
  } catch {
    return err("rate announcement body is not JSON");
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return err("rate announcement body is not an object");
  const { o: origin, r: rawRows } = json as Record<string, unknown>;
  if (typeof origin !== "string") return err("rate announcement has no origin");
  if (!Array.isArray(rawRows)) return err("rate announcement has no row list");
  const rows: RateRow[] = [];
  for (const [index, raw] of rawRows.entries()) {
    const row = decodeRow(raw, index);
    if (!row.ok) return err(`rate announcement: ${row.error}`);
    rows.push(row.value);
  }
  return ok({ txid: BigInt(txidText), origin, rows });
}
