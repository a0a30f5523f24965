/**
 * The PDU side of an inbound federation transaction (federation.md §6bis, decisions §4b.4): every PDU of a room we
 * protect is verified now and filtered in the background, so the answer goes out at once. The answer has `{}` for
 * every PDU we processed (spam included: the verdict is ours to act on, not the sender's) and `{"error": ...}` only
 * for a PDU we could not process. PDUs of rooms we do not protect get no entry.
 */
import { filterEventSourceOf, toFilterEvent } from "../filters/event-view.js";
import {
  computeEventId,
  getOwn,
  getRoomVersion,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  type KeyLookup,
  type Pdu,
} from "../matrix/index.js";
import type { Verdict } from "../pipeline/types.js";
import type { EventChecker, RoomLookup, RoomRecord } from "../policy/ports.js";
import { verifyEvent } from "../policy/service.js";
import type { BackgroundWork } from "./background-work.js";
import type { RoomsLogger } from "./ports.js";
import type { StateLearner } from "./state-learning.js";
import type { TransactionBody } from "./transaction-body.js";

/** One entry of the `/send` answer. */
export type PduResult = { readonly error?: string };

/** The `/send` answer body. */
export interface TransactionResponseBody {
  readonly pdus: Readonly<Record<string, PduResult>>;
}

/** How each PDU of a transaction ended; bounded labels for the metric. */
export type PduOutcome = "queued" | "dropped_overload" | "unknown_room" | "malformed" | "invalid" | "refused" | "unavailable" | "content_hash";

/** A prohibited verdict on a PDU someone else's server showed us: the `redactIfNeeded` hook (federation.md §9.5). */
export interface ProhibitedEvent {
  readonly pdu: Pdu;
  readonly room: RoomRecord;
  readonly verdict: Verdict;
  /** The server that sent the transaction. */
  readonly origin: string;
}

export interface ProcessTransactionDeps {
  readonly rooms: RoomLookup;
  readonly getKey: KeyLookup;
  readonly checker: EventChecker;
  readonly background: BackgroundWork;
  readonly logger: RoomsLogger;
  /** Queues state learning after a verdict (§7.2); absent means no learning from `/send`. */
  readonly learner?: Pick<StateLearner, "considerEvent">;
  /**
   * Called for every prohibited verdict. Redaction itself is a later issue; the hook is where `redactIfNeeded`
   * goes. Upstream always redacts here (it passes a fake origin); the real origin is given so the hook can decide.
   */
  readonly onProhibited?: (event: ProhibitedEvent) => void | Promise<void>;
  /** Counts outcomes; absent means not counted. */
  readonly count?: (outcome: PduOutcome) => void;
}

/** Processes the PDUs of one transaction and returns the answer. Never rejects for anything a PDU contains. */
export async function processTransaction(
  body: TransactionBody,
  origin: string,
  deps: ProcessTransactionDeps,
): Promise<TransactionResponseBody> {
  const results = await Promise.all(
    body.pdus.map((json) =>
      processPdu(json, origin, deps).catch((error: unknown) => {
        // A bug on one PDU's path must not fail the transaction for the others.
        deps.logger.error({ err: error, origin }, "processing a PDU crashed");
        return undefined;
      }),
    ),
  );
  const pdus: Record<string, PduResult> = {};
  for (const result of results) {
    if (result !== undefined) Object.defineProperty(pdus, result.eventId, { value: result.entry, enumerable: true, writable: true, configurable: true });
  }
  return { pdus };
}

async function processPdu(
  json: JsonValue,
  origin: string,
  deps: ProcessTransactionDeps,
): Promise<{ eventId: string; entry: PduResult } | undefined> {
  const count = deps.count ?? (() => undefined);
  if (!isJsonObject(json) || (getOwn(json, "room_id") !== undefined && typeof getOwn(json, "room_id") !== "string")) {
    count("malformed");
    return undefined;
  }
  const verified = await verifyEvent(json, deps);
  switch (verified.kind) {
    case "unknown_room":
      count("unknown_room");
      return undefined;
    case "unavailable":
      count("unavailable");
      deps.logger.warn({ origin, error: verified.message }, "could not look up a transaction PDU's room");
      return undefined;
    case "invalid_pdu": {
      count("invalid");
      const eventId = await eventIdOf(json, deps.rooms);
      return eventId === undefined ? undefined : { eventId, entry: { error: verified.message } };
    }
    case "refused": {
      const eventId = await eventIdOf(json, deps.rooms);
      if (verified.reason === "content_hash") {
        // Homeservers treat such an event as redacted; there is nothing left to filter (upstream answers `{}`).
        count("content_hash");
        return eventId === undefined ? undefined : { eventId, entry: {} };
      }
      count("refused");
      return eventId === undefined ? undefined : { eventId, entry: { error: verified.message } };
    }
    case "ok": {
      const { pdu, room } = verified;
      const queued = deps.background.submit(() => filterInBackground(pdu, room, origin, deps));
      if (queued) count("queued");
      else {
        count("dropped_overload");
        deps.logger.warn({ origin, eventId: pdu.eventId }, "background queue full; PDU answered but not filtered");
      }
      return { eventId: pdu.eventId, entry: {} };
    }
  }
}

async function filterInBackground(pdu: Pdu, room: RoomRecord, origin: string, deps: ProcessTransactionDeps): Promise<void> {
  const event = toFilterEvent(filterEventSourceOf(pdu));
  const outcome = await deps.checker.checkEvent({ event, communityId: room.communityId });
  if (outcome.type !== "verdict") {
    deps.logger.debug({ eventId: pdu.eventId, outcome: outcome.type }, "transaction PDU not filtered");
    return;
  }
  const { verdict } = outcome;
  if (verdict.spam && verdict.failure === undefined && deps.onProhibited !== undefined) {
    await deps.onProhibited({ pdu, room, verdict, origin });
  }
  if (deps.learner !== undefined) {
    const queued = await deps.learner.considerEvent({ pdu, roomVersion: pdu.roomVersion, verdict });
    if (!queued.ok) deps.logger.warn({ eventId: pdu.eventId, error: queued.error }, "could not queue state learning");
  }
}

/**
 * The event ID to key an error entry by, computed under the stored room version like a valid PDU's would be.
 * Undefined when that is impossible (room lookup failing, v1/v2 event without `event_id`).
 */
async function eventIdOf(json: JsonObject, rooms: RoomLookup): Promise<string | undefined> {
  const roomId = getOwn(json, "room_id");
  if (typeof roomId !== "string") return undefined;
  const room = await rooms.getRoom(roomId);
  if (!room.ok || room.value === undefined) return undefined;
  const version = getRoomVersion(room.value.roomVersion);
  if (!version.ok) return undefined;
  const id = computeEventId(json, version.value);
  return id.ok ? id.value : undefined;
}
