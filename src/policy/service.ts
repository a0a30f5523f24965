import { filterEventSourceOf, toFilterEvent } from "../filters/event-view.js";
import type { JsonValue } from "../matrix/json.js";
import { parseUserId } from "../matrix/ids.js";
import { isJsonObject } from "../matrix/json.js";
import type { KeyLookup, SigningKey } from "../matrix/keys.js";
import { parsePdu, signEventAsPolicyServer, verifyPduSignatures, type Pdu } from "../matrix/pdu.js";
import type { Verdict } from "../pipeline/types.js";
import type { PolicyDecision } from "./decision.js";
import type { EventChecker, RoomLookup, RoomRecord } from "./ports.js";

export interface PolicyServiceDeps {
  /** `PS_HOMESERVER_NAME`: the entity our event signature is made under. */
  readonly serverName: string;
  /** The event key (`ed25519:policy_server`), never the federation key. */
  readonly eventKey: SigningKey;
  readonly rooms: RoomLookup;
  readonly getKey: KeyLookup;
  readonly checker: EventChecker;
  /** Called after every verdict of a verified event (state learning listens here); must not throw. */
  readonly onVerdict?: (verdict: {
    readonly pdu: Pdu;
    readonly room: RoomRecord;
    readonly verdict: Verdict;
    /** The server whose request brought the event (redaction is skipped when it is the sender's own). */
    readonly origin: string;
  }) => void;
}

/** What `verifyEvent` learned about an authenticated PDU, for callers that go on to check it. */
export type VerifiedEvent =
  | { readonly kind: "ok"; readonly pdu: Pdu; readonly room: RoomRecord }
  | Exclude<PolicyDecision, { kind: "verdict" } | { kind: "overloaded" }>;

/**
 * Steps 6-9 of decisions §4b.1 for one PDU, after the request itself was authenticated: unknown room →
 * PDU invalid for the room version → content hash mismatch, invalid sender, missing or bad sender signature.
 * Used by sign, check and `/send` alike.
 */
export async function verifyEvent(
  json: JsonValue,
  deps: Pick<PolicyServiceDeps, "rooms" | "getKey">,
  /** Called once the event parsed and its hash matched, before the (slower) signature check. */
  onParsed?: (pdu: Pdu) => void,
): Promise<VerifiedEvent> {
  if (!isJsonObject(json)) return { kind: "invalid_pdu", message: "The request body must be a JSON object (a PDU)" };
  const roomId = json["room_id"];
  // A v12 create event carries no room_id: it cannot belong to a room we protect.
  if (roomId === undefined) return { kind: "unknown_room" };
  if (typeof roomId !== "string") return { kind: "invalid_pdu", message: "room_id must be a string" };
  const found = await deps.rooms.getRoom(roomId);
  if (!found.ok) return { kind: "unavailable", message: "Room information is unavailable right now; retry shortly" };
  const room = found.value;
  if (room === undefined) return { kind: "unknown_room" };

  const parsed = parsePdu(json, room.roomVersion);
  if (!parsed.ok) return { kind: "invalid_pdu", message: parsed.error.message };
  const pdu = parsed.value;
  if (!pdu.contentHashValid) {
    // Our signature covers the redacted event, which keeps `hashes`: signing it would approve content never scanned.
    return { kind: "refused", reason: "content_hash", message: "Content hash does not match the event content" };
  }
  onParsed?.(pdu);
  const signatures = await verifyPduSignatures(pdu, deps.getKey);
  if (!signatures.ok) {
    const reason = signatures.error.reason === "invalid_sender" ? "invalid_sender" : "signature";
    return { kind: "refused", reason, message: signatures.error.message };
  }
  return { kind: "ok", pdu, room };
}

/**
 * Starts `verifyEvent` (and the stored-verdict look-up) while the request's X-Matrix signature is still being checked,
 * so the two signature checks overlap instead of queueing one behind the other. Only for a room already in memory and
 * an event whose sender belongs to the server the request claims to come from: an unauthenticated request then costs
 * one more local verification, and never a database read for an unknown room or a key fetch for another server.
 * Returns undefined when not eligible; the caller verifies after authentication as usual.
 */
export function startEarlyVerification(
  json: JsonValue,
  claimedOrigin: string | undefined,
  deps: Pick<PolicyServiceDeps, "rooms" | "getKey" | "checker">,
): Promise<VerifiedEvent> | undefined {
  if (claimedOrigin === undefined || !isJsonObject(json)) return undefined;
  const roomId = json["room_id"];
  const sender = json["sender"];
  if (typeof roomId !== "string" || typeof sender !== "string") return undefined;
  if (deps.rooms.peekRoom?.(roomId) === undefined) return undefined;
  const server = parseUserId(sender);
  if (!server.ok || server.value.serverName !== claimedOrigin) return undefined;
  const verification = verifyEvent(json, deps, (pdu) => deps.checker.prefetchVerdict?.(pdu.eventId));
  // Authentication may fail first and nobody await this; a bug's rejection must not go unhandled meanwhile.
  verification.catch(() => undefined);
  return verification;
}

/**
 * Decides a sign or check request: verify the event, run (or recall) the community's filters, and sign the
 * redacted event with the event key when `sign` is asked and the verdict is not spam. `verified` is the result of
 * `startEarlyVerification` for this request, when it started one.
 */
export async function decidePolicy(
  json: JsonValue,
  request: { readonly sign: boolean; readonly origin: string; readonly verified?: Promise<VerifiedEvent> },
  deps: PolicyServiceDeps,
): Promise<PolicyDecision> {
  const verified = await (request.verified ??
    verifyEvent(json, deps, (pdu) => deps.checker.prefetchVerdict?.(pdu.eventId)));
  if (verified.kind !== "ok") return verified;
  const { pdu, room } = verified;
  const event = toFilterEvent(filterEventSourceOf(pdu));
  const outcome = await deps.checker.checkEvent({ event, communityId: room.communityId });
  switch (outcome.type) {
    case "overloaded":
      return { kind: "overloaded" };
    case "unavailable":
      return { kind: "unavailable", message: "The policy server cannot check events right now; retry shortly" };
    case "verdict": {
      const { verdict } = outcome;
      deps.onVerdict?.({ pdu, room, verdict, origin: request.origin });
      if (!request.sign || verdict.spam || verdict.failure !== undefined) {
        return { kind: "verdict", eventId: pdu.eventId, verdict };
      }
      return {
        kind: "verdict",
        eventId: pdu.eventId,
        verdict,
        signatures: await signEventAsPolicyServer(pdu, deps.serverName, deps.eventKey),
      };
    }
  }
}
