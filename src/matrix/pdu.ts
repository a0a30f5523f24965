import { err, ok, type Result } from "../result.js";
import { decodeBase64 } from "./base64.js";
import { canonicalJsonByteLength } from "./canonical-json-length.js";
import { checkContentHash, computeEventId, referenceBytes, roomIdFromCreateEvent } from "./event-hashes.js";
import { parseUserId, serverNameOf } from "./ids.js";
import { getOwn, isJsonObject, omitKeys, type JsonObject, type JsonValue } from "./json.js";
import type { KeyLookup, SigningKey } from "./keys.js";
import { getRoomVersion, type RoomVersion } from "./room-versions.js";
import { signatureOfBytesAsync, verifyBytesAsync, type Signatures } from "./signing.js";

/** A PDU that is well-formed for its room version, with the fields every consumer needs already decoded. */
export interface Pdu {
  readonly eventId: string;
  /**
   * The room the event belongs to. For a v12 create event (which carries no `room_id`) this is the room ID the
   * event defines: `!` + its reference hash.
   */
  readonly roomId: string;
  /** The room version identifier the event was parsed under. */
  readonly roomVersion: string;
  readonly type: string;
  /** Undefined for non-state events (`state_key` absent or null). */
  readonly stateKey: string | undefined;
  readonly sender: string;
  readonly originServerTs: number;
  readonly content: JsonObject;
  /**
   * The event as hashed and signed: the input minus the non-spec keys `outlier`, `destinations`, `age_ts`,
   * `unsigned` and (v3+) `event_id`.
   */
  readonly json: JsonObject;
  /** False when `hashes.sha256` does not match the content; such an event must be refused, never signed. */
  readonly contentHashValid: boolean;
  /**
   * The bytes every signature on this event covers (canonical JSON of the redacted event without `signatures` and
   * `unsigned`), which are also the reference-hash input. Computed once at parse time, then shared by the event ID,
   * the signature checks, the unsafe-key filter and our own signature instead of re-encoding the event each time.
   */
  readonly signedBytes: Buffer;
  /** UTF-8 byte length of `json` as canonical JSON (measured for the size limit; the length filter reuses it). */
  readonly canonicalLength: number;
}

/** A PDU that is not valid for its room version; answered as 400 `M_BAD_JSON` (decisions §4b.1). */
export interface PduError {
  readonly errcode: "M_BAD_JSON";
  readonly message: string;
}

const STRIPPED_ALWAYS = ["outlier", "destinations", "age_ts", "unsigned"] as const;
const STRIPPED_V3_PLUS = [...STRIPPED_ALWAYS, "event_id"] as const;
const MAX_EVENT_BYTES = 65536;
const MAX_ID_BYTES = 255;
const LONE_SURROGATE = /\p{Cs}/u;

function bad(message: string): Result<never, PduError> {
  return err({ errcode: "M_BAD_JSON", message });
}

/**
 * Finds a value canonical JSON cannot carry. v6+ also forbids `-0` (federation.md §5.1). Older versions tolerate
 * floats in principle, but we refuse them in every version because we could not hash them exactly.
 */
function findNonCanonical(value: JsonValue, path: string, strict: boolean): string | undefined {
  switch (typeof value) {
    case "number":
      if (!Number.isSafeInteger(value)) return `${path} is ${String(value)}, not an integer within ±(2^53−1)`;
      if (strict && Object.is(value, -0)) return `${path} is -0, which room versions 6+ forbid`;
      return undefined;
    case "string":
      return LONE_SURROGATE.test(value) ? `${path} contains a lone surrogate` : undefined;
    case "object": {
      if (value === null) return undefined;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const found = findNonCanonical(value[i] as JsonValue, `${path}[${i}]`, strict);
          if (found !== undefined) return found;
        }
        return undefined;
      }
      for (const key of Object.keys(value)) {
        if (LONE_SURROGATE.test(key)) return `a key in ${path} contains a lone surrogate`;
        const found = findNonCanonical(value[key] as JsonValue, `${path}.${key}`, strict);
        if (found !== undefined) return found;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

function utf8Length(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

function checkEventRefs(value: JsonValue | undefined, field: string, version: RoomVersion): string | undefined {
  if (!Array.isArray(value)) return `${field} must be an array`;
  for (let i = 0; i < value.length; i++) {
    const ref = value[i];
    if (version.eventFormat === "v1") {
      // v1/v2 references are [event_id, {"sha256": ...}] pairs.
      if (!Array.isArray(ref) || ref.length !== 2 || typeof ref[0] !== "string" || !isJsonObject(ref[1])) {
        return `${field}[${i}] must be an [event_id, {"sha256": ...}] pair in room version ${version.id}`;
      }
      if (!ref[0].startsWith("$")) return `${field}[${i}] event ID must start with '$'`;
    } else if (typeof ref !== "string" || !ref.startsWith("$")) {
      return `${field}[${i}] must be an event ID string starting with '$' in room version ${version.id}`;
    }
  }
  return undefined;
}

/**
 * Validates an untrusted PDU for the room version (federation.md §5.2) and computes its event ID. The room version
 * comes from our own records, never from the event. Shape errors are `M_BAD_JSON` values naming the field. A
 * content-hash mismatch is not a parse error: it is reported in `contentHashValid` for the caller to refuse.
 */
export function parsePdu(input: JsonValue, roomVersionId: string): Result<Pdu, PduError> {
  const versionResult = getRoomVersion(roomVersionId);
  if (!versionResult.ok) return bad(versionResult.error);
  const version = versionResult.value;
  if (!isJsonObject(input)) return bad("PDU must be a JSON object");

  for (const key of Object.keys(input)) {
    if (key.startsWith("_")) return bad(`PDU has a top-level key starting with '_': ${JSON.stringify(key)}`);
  }
  const json = omitKeys(input, version.eventFormat === "v1" ? STRIPPED_ALWAYS : STRIPPED_V3_PLUS);
  const nonCanonical = findNonCanonical(json, "event", version.enforceCanonicalJson);
  if (nonCanonical !== undefined) return bad(nonCanonical);

  const type = getOwn(json, "type");
  if (typeof type !== "string") return bad("PDU field 'type' must be a string");
  if (utf8Length(type) > MAX_ID_BYTES) return bad(`PDU field 'type' is longer than ${MAX_ID_BYTES} bytes`);

  const rawStateKey = getOwn(json, "state_key");
  if (rawStateKey !== undefined && rawStateKey !== null && typeof rawStateKey !== "string") {
    return bad("PDU field 'state_key' must be a string when present");
  }
  const stateKey = typeof rawStateKey === "string" ? rawStateKey : undefined;
  if (stateKey !== undefined && utf8Length(stateKey) > MAX_ID_BYTES) {
    return bad(`PDU field 'state_key' is longer than ${MAX_ID_BYTES} bytes`);
  }

  const sender = getOwn(json, "sender");
  if (typeof sender !== "string") return bad("PDU field 'sender' must be a string");
  // Only the shape GMSL checks here; the full user-ID grammar is enforced before signature checks, where an
  // invalid sender is a refusal rather than a 400 (decisions §4b.1).
  if (!sender.startsWith("@") || !sender.includes(":") || utf8Length(sender) > MAX_ID_BYTES) {
    return bad("PDU field 'sender' must look like @user:server and be at most 255 bytes");
  }

  const isCreate = type === "m.room.create" && stateKey === "";
  const rawRoomId = getOwn(json, "room_id");
  if (version.roomIdFromCreateEvent && isCreate) {
    if (rawRoomId !== undefined) return bad(`a room version ${version.id} create event must not have 'room_id'`);
  } else {
    if (typeof rawRoomId !== "string" || !rawRoomId.startsWith("!")) {
      return bad("PDU field 'room_id' must be a string starting with '!'");
    }
    if (!version.roomIdFromCreateEvent && !rawRoomId.includes(":")) {
      return bad(`PDU field 'room_id' must contain ':' in room version ${version.id}`);
    }
    if (utf8Length(rawRoomId) > MAX_ID_BYTES) return bad(`PDU field 'room_id' is longer than ${MAX_ID_BYTES} bytes`);
  }

  const originServerTs = getOwn(json, "origin_server_ts");
  if (typeof originServerTs !== "number") return bad("PDU field 'origin_server_ts' must be an integer");
  const depth = getOwn(json, "depth");
  if (typeof depth !== "number" || depth < 0) return bad("PDU field 'depth' must be a non-negative integer");
  const content = getOwn(json, "content");
  if (!isJsonObject(content)) return bad("PDU field 'content' must be an object");
  const redacts = getOwn(json, "redacts");
  if (redacts !== undefined && redacts !== null && typeof redacts !== "string") {
    return bad("PDU field 'redacts' must be a string when present");
  }

  for (const field of ["prev_events", "auth_events"] as const) {
    const problem = checkEventRefs(getOwn(json, field), field, version);
    if (problem !== undefined) return bad(`PDU field ${problem}`);
  }

  const hashes = getOwn(json, "hashes");
  if (!isJsonObject(hashes) || typeof getOwn(hashes, "sha256") !== "string") {
    return bad("PDU field 'hashes' must be an object with a string 'sha256'");
  }
  const signatures = getOwn(json, "signatures");
  if (!isJsonObject(signatures)) return bad("PDU field 'signatures' must be an object");
  for (const entity of Object.keys(signatures)) {
    const byKey = signatures[entity];
    if (!isJsonObject(byKey) || Object.values(byKey).some((s) => typeof s !== "string")) {
      return bad(`PDU signatures for ${JSON.stringify(entity)} must map key IDs to strings`);
    }
  }

  if (version.eventFormat === "v1") {
    const eventId = getOwn(json, "event_id");
    if (typeof eventId !== "string" || !eventId.startsWith("$") || serverNameOf(eventId) === undefined) {
      return bad(`PDU field 'event_id' must be $opaque:server in room version ${version.id}`);
    }
    if (utf8Length(eventId) > MAX_ID_BYTES) return bad(`PDU field 'event_id' is longer than ${MAX_ID_BYTES} bytes`);
  }

  const canonicalLength = canonicalJsonByteLength(json);
  if (canonicalLength > MAX_EVENT_BYTES) {
    return bad(`PDU is larger than ${MAX_EVENT_BYTES} bytes as canonical JSON`);
  }

  const signed = referenceBytes(json, version);
  const eventIdResult = computeEventId(json, version, signed);
  if (!eventIdResult.ok) return bad(eventIdResult.error);
  const eventId = eventIdResult.value;
  const roomId = typeof rawRoomId === "string" ? rawRoomId : roomIdFromCreateEvent(json, version);

  return ok({
    eventId,
    roomId,
    roomVersion: version.id,
    type,
    stateKey,
    sender,
    originServerTs,
    content,
    json,
    contentHashValid: checkContentHash(json),
    signedBytes: signed,
    canonicalLength,
  });
}

/** Why a PDU's signatures were not accepted. Every variant is a refusal, never a 500. */
export type PduSignatureError =
  | { readonly reason: "invalid_sender"; readonly message: string }
  | { readonly reason: "missing_signature"; readonly serverName: string; readonly message: string }
  | { readonly reason: "unknown_key"; readonly serverName: string; readonly message: string }
  | { readonly reason: "bad_signature"; readonly serverName: string; readonly message: string };

/**
 * The servers that must have signed the event: the sender's server always; for v1/v2 the server of the
 * origin-chosen event ID; for v8+ restricted joins the server of `join_authorised_via_users_server`.
 * Like Synapse (and unlike gomatrixserverlib) an invitee's server is not required (federation.md §5.5).
 */
function requiredSigners(pdu: Pdu, version: RoomVersion, senderServer: string): Result<string[], PduSignatureError> {
  const servers = [senderServer];
  if (version.eventIdFormat === "origin") {
    const eventServer = serverNameOf(pdu.eventId);
    if (eventServer === undefined) {
      return err({ reason: "missing_signature", serverName: "", message: `event ID ${pdu.eventId} has no server name` });
    }
    if (!servers.includes(eventServer)) servers.push(eventServer);
  }
  if (version.restrictedJoins && pdu.type === "m.room.member" && getOwn(pdu.content, "membership") === "join") {
    const via = getOwn(pdu.content, "join_authorised_via_users_server");
    if (typeof via === "string") {
      const authoriser = parseUserId(via);
      if (!authoriser.ok) {
        return err({ reason: "missing_signature", serverName: "", message: `join_authorised_via_users_server: ${authoriser.error}` });
      }
      if (!servers.includes(authoriser.value.serverName)) servers.push(authoriser.value.serverName);
    }
  }
  return ok(servers);
}

/**
 * Verifies the signatures a PDU needs, over its redacted form (federation.md §5.5, decisions §4.3). The sender must
 * be a valid user ID first: an invalid sender is refused before any key lookup or crypto, which closes the
 * upstream hole where such events were checked against zero signatures. For each required server, any one of its
 * `ed25519:*` signatures that verifies with a key from `getKey` suffices. Verification runs on the thread pool.
 */
export async function verifyPduSignatures(pdu: Pdu, getKey: KeyLookup): Promise<Result<void, PduSignatureError>> {
  const sender = parseUserId(pdu.sender);
  if (!sender.ok) return err({ reason: "invalid_sender", message: `invalid sender: ${sender.error}` });
  const versionResult = getRoomVersion(pdu.roomVersion);
  if (!versionResult.ok) throw new Error(`Pdu carries an unknown room version: ${versionResult.error}`);
  const version = versionResult.value;
  const signersResult = requiredSigners(pdu, version, sender.value.serverName);
  if (!signersResult.ok) return signersResult;

  const signatures = getOwn(pdu.json, "signatures");
  const message = pdu.signedBytes;
  for (const serverName of signersResult.value) {
    const forServer = isJsonObject(signatures) ? getOwn(signatures, serverName) : undefined;
    const candidates = isJsonObject(forServer) ? Object.keys(forServer).filter((k) => k.startsWith("ed25519:")) : [];
    if (candidates.length === 0) {
      return err({ reason: "missing_signature", serverName, message: `event is not signed by ${serverName} with ed25519` });
    }
    let keyFound = false;
    let verified = false;
    for (const keyId of candidates) {
      const encoded = getOwn(forServer as JsonObject, keyId);
      const decoded = typeof encoded === "string" ? decodeBase64(encoded) : undefined;
      if (decoded === undefined || !decoded.ok || decoded.value.length !== 64) continue;
      const key = await getKey(serverName, keyId, pdu.originServerTs);
      if (key === undefined) continue;
      keyFound = true;
      if (await verifyBytesAsync(message, decoded.value, key)) {
        verified = true;
        break;
      }
    }
    if (!verified) {
      return keyFound
        ? err({ reason: "bad_signature", serverName, message: `signature from ${serverName} does not verify` })
        : err({ reason: "unknown_key", serverName, message: `no usable key found for ${serverName}'s signatures` });
    }
  }
  return ok(undefined);
}

/**
 * Our policy-server signature for a PDU (federation.md §5.7): Ed25519 over the redacted event minus `signatures`
 * and `unsigned`, i.e. exactly the bytes homeservers verify. Returns only the map to merge into `signatures`:
 * `{[serverName]: {[key.keyId]: sig}}`. Callers must have checked the content hash first (decisions §4b.2).
 * Signs on the thread pool, over the bytes parsing kept: the event loop only hands the job over.
 */
export async function signEventAsPolicyServer(pdu: Pdu, serverName: string, key: SigningKey): Promise<Signatures> {
  return { [serverName]: { [key.keyId]: await signatureOfBytesAsync(pdu.signedBytes, key) } };
}
