import { createHash } from "node:crypto";
import { err, ok, type Result } from "../result.js";
import { decodeBase64, encodeBase64, encodeBase64Url } from "./base64.js";
import { canonicalJsonBytes } from "./canonical-json.js";
import { getOwn, isJsonObject, omitKeys, type JsonObject } from "./json.js";
import { redactEvent } from "./redaction.js";
import type { RoomVersion } from "./room-versions.js";

const CONTENT_HASH_STRIPPED = ["unsigned", "signatures", "hashes"] as const;
const REFERENCE_HASH_STRIPPED = ["signatures", "unsigned"] as const;

function sha256(bytes: Buffer): Buffer {
  return createHash("sha256").update(bytes).digest();
}

function contentHashBytes(event: JsonObject): Buffer {
  return sha256(canonicalJsonBytes(omitKeys(event, CONTENT_HASH_STRIPPED)));
}

/**
 * The event's content hash (`hashes.sha256`): SHA-256 over the canonical JSON of the event without `unsigned`,
 * `signatures` and `hashes`, as standard unpadded base64. Non-spec keys (`outlier`, `age_ts`, ...) must already be
 * gone; `parsePdu` strips them.
 */
export function computeContentHash(event: JsonObject): string {
  return encodeBase64(contentHashBytes(event));
}

/**
 * True when `hashes.sha256` is present, decodes (either base64 alphabet) and equals the computed hash. A mismatch
 * means the content was altered or the event was redacted in transit; we must never sign such an event
 * (decisions §4b.2).
 */
export function checkContentHash(event: JsonObject): boolean {
  const hashes = getOwn(event, "hashes");
  if (!isJsonObject(hashes)) return false;
  const claimed = getOwn(hashes, "sha256");
  if (typeof claimed !== "string") return false;
  const decoded = decodeBase64(claimed);
  return decoded.ok && decoded.value.equals(contentHashBytes(event));
}

/**
 * The reference hash: SHA-256 over the canonical JSON of the redacted event without `signatures` and `unsigned`
 * (`hashes` stays in, so the ID commits to the content). Returned as the raw 32-byte digest.
 */
export function computeReferenceHash(event: JsonObject, roomVersion: RoomVersion): Buffer {
  return sha256(referenceBytes(event, roomVersion));
}

/**
 * The bytes the reference hash covers: canonical JSON of the redacted event without `signatures` and `unsigned`.
 * These are also exactly the bytes every signature on the event covers (redaction drops `unsigned` anyway), so a
 * parsed PDU computes them once for its event ID, its signature checks and our own signature.
 */
export function referenceBytes(event: JsonObject, roomVersion: RoomVersion): Buffer {
  return canonicalJsonBytes(omitKeys(redactEvent(event, roomVersion), REFERENCE_HASH_STRIPPED));
}

/**
 * The event ID under the room version's rules: v1/v2 take the `event_id` the origin sent (an error when it is
 * missing or not a string); v3 is `$` + standard base64 of the reference hash, v4+ `$` + URL-safe base64.
 */
export function computeEventId(
  event: JsonObject,
  roomVersion: RoomVersion,
  /** `referenceBytes(event, roomVersion)` when the caller already has them. */
  precomputed?: Buffer,
): Result<string, string> {
  switch (roomVersion.eventIdFormat) {
    case "origin": {
      const id = getOwn(event, "event_id");
      if (typeof id !== "string") return err(`room version ${roomVersion.id} events must carry a string event_id`);
      return ok(id);
    }
    case "reference-hash-base64":
      return ok("$" + encodeBase64(sha256(precomputed ?? referenceBytes(event, roomVersion))));
    case "reference-hash-base64url":
      return ok("$" + encodeBase64Url(sha256(precomputed ?? referenceBytes(event, roomVersion))));
  }
}

/**
 * The room ID a v12 create event defines: `!` + the URL-safe reference hash, i.e. its event ID with `!` for `$`.
 * Only meaningful for room versions whose `roomIdFromCreateEvent` is true.
 */
export function roomIdFromCreateEvent(createEvent: JsonObject, roomVersion: RoomVersion): string {
  return "!" + encodeBase64Url(computeReferenceHash(createEvent, roomVersion));
}
