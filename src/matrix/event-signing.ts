import { computeContentHash } from "./event-hashes.js";
import { omitKeys, setOwn, type JsonObject } from "./json.js";
import type { SigningKey } from "./keys.js";
import { redactEvent } from "./redaction.js";
import type { RoomVersion } from "./room-versions.js";
import { signJson } from "./signing.js";

/**
 * Prepares an event we originate (e.g. our own join) for sending: sets `hashes.sha256` to the content hash, then
 * signs the redacted form as `serverName` and returns the full event with that signature merged into `signatures`
 * (spec "Signing events"). The input is not modified.
 */
export function hashAndSignEvent(
  event: JsonObject,
  roomVersion: RoomVersion,
  serverName: string,
  key: SigningKey,
): JsonObject {
  const hashed = omitKeys(event, ["hashes"]);
  setOwn(hashed, "hashes", { sha256: computeContentHash(hashed) });
  const signedRedacted = signJson(redactEvent(hashed, roomVersion), serverName, key);
  const out = omitKeys(hashed, ["signatures"]);
  setOwn(out, "signatures", signedRedacted.signatures);
  return out;
}
