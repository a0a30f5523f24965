import { randomBytes } from "node:crypto";
import {
  getOwn,
  hashAndSignEvent,
  isJsonObject,
  parsePdu,
  setOwn,
  type JsonObject,
  type JsonValue,
  type Pdu,
  type RoomVersion,
  type SigningKey,
} from "../matrix/index.js";
import { err, ok, type Result } from "../result.js";

export interface JoinEventInput {
  /** The `event` of the make_join answer: only its content, prev/auth events and depth are used. */
  readonly template: JsonObject;
  readonly roomId: string;
  readonly userId: string;
  /** `PS_HOMESERVER_NAME`, the signing entity and (v1/v2) the event ID's server. */
  readonly serverName: string;
  readonly version: RoomVersion;
  /** Our homeserver key, never the event key: a join is a homeserver event. */
  readonly signingKey: SigningKey;
  readonly now: number;
  /** Random bytes for v1/v2 event IDs; injectable so tests are repeatable. */
  readonly random?: (size: number) => Buffer;
}

/**
 * The make_join room version when the answer omits it (federation.md §6.2 step 3): `1` when the template's
 * `auth_events` are `[id, hashes]` pairs, else `4`.
 */
export function inferRoomVersion(template: JsonObject): string {
  const auth = getOwn(template, "auth_events");
  return Array.isArray(auth) && auth.some((ref) => Array.isArray(ref)) ? "1" : "4";
}

/**
 * Builds, hashes and signs our join from the make_join template (federation.md §6.2 step 4) as a clean spec PDU:
 * only the fields the spec defines, membership forced to `join`, `origin_server_ts` now, and in v1/v2 an event ID
 * `$<16 random>:<our server>` (plus `origin`, which those versions still list). The result is parsed back under
 * the room version, so a template we cannot turn into a valid event is an error naming the problem rather than a
 * send_join the resident server would reject.
 */
export function buildJoinEvent(input: JoinEventInput): Result<{ event: JsonObject; pdu: Pdu }, string> {
  const { template, version } = input;
  const content: JsonObject = {};
  const templateContent = getOwn(template, "content");
  if (isJsonObject(templateContent)) {
    // Keeps e.g. join_authorised_via_users_server, which a restricted join needs.
    for (const [key, value] of Object.entries(templateContent)) setOwn(content, key, value);
  }
  setOwn(content, "membership", "join");

  const event: JsonObject = {
    type: "m.room.member",
    room_id: input.roomId,
    sender: input.userId,
    state_key: input.userId,
    content,
    prev_events: templateField(template, "prev_events"),
    auth_events: templateField(template, "auth_events"),
    depth: templateField(template, "depth"),
    origin_server_ts: input.now,
  };
  if (version.eventFormat === "v1") {
    const random = (input.random ?? randomBytes)(12).toString("base64url").slice(0, 16);
    setOwn(event, "event_id", `$${random}:${input.serverName}`);
    setOwn(event, "origin", input.serverName);
  }
  const signed = hashAndSignEvent(event, version, input.serverName, input.signingKey);
  const parsed = parsePdu(signed, version.id);
  if (!parsed.ok) return err(`the make_join template does not give a valid join event: ${parsed.error.message}`);
  return ok({ event: signed, pdu: parsed.value });
}

function templateField(template: JsonObject, key: string): JsonValue {
  return getOwn(template, key) ?? null;
}
