import { toFilterEvent } from "../../filters/event-view.js";
import type { FilterEvent } from "../../filters/types.js";
import type { JsonObject, JsonValue } from "../../matrix/json.js";
import type { Logger } from "../../observability/logger.js";
import type { VerifiedEvent } from "../../policy/service.js";
import { err, ok, type Result } from "../../result.js";

/** An event fetched for `check/event_id`: ready to check, or refused before any filter (like a sign request). */
export type FetchedEvent =
  | { readonly kind: "event"; readonly event: FilterEvent; readonly communityId: string }
  | { readonly kind: "refused"; readonly message: string };

/** Fetches and verifies one event by ID; `err` says why no server could supply it. */
export type FetchEvent = (eventId: string) => Promise<Result<FetchedEvent, string>>;

export interface EventFetcherDeps {
  /** `PS_EVENT_FETCH_SERVERS`. */
  readonly servers: readonly string[];
  /** `GET /_matrix/federation/v1/event/{eventId}` on one server (the federation client's `getEvent`). */
  getEvent(server: string, eventId: string): Promise<Result<{ readonly pdu: JsonObject }, { readonly message: string }>>;
  /** The policy service's `verifyEvent` (room known, parses for its version, hashes and signatures). */
  verify(json: JsonValue): Promise<VerifiedEvent>;
  readonly logger: Logger;
}

/**
 * Asks every fetch server at once and takes the first answer that checks out (api_storage_config.md §2.3): one PDU
 * whose event ID is the one asked for, in a room we protect, valid for its room version, signed by its sender's
 * server. A PDU that verifies but must be refused (content hash mismatch, invalid sender) is also an answer: no
 * other server's copy would be scanned differently. Late answers are ignored.
 */
export function createEventFetcher(deps: EventFetcherDeps): FetchEvent {
  return async (eventId) => {
    if (deps.servers.length === 0) return err("no event fetch servers are configured (PS_EVENT_FETCH_SERVERS)");
    const attempts = deps.servers.map(async (server): Promise<FetchedEvent> => {
      const fetched = await deps.getEvent(server, eventId);
      if (!fetched.ok) throw new Error(`${server}: ${fetched.error.message}`);
      const verified = await deps.verify(fetched.value.pdu);
      switch (verified.kind) {
        case "ok":
          if (verified.pdu.eventId !== eventId) throw new Error(`${server}: answered with another event (${verified.pdu.eventId})`);
          return {
            kind: "event",
            event: toFilterEvent({
              pdu: verified.pdu.json,
              eventId: verified.pdu.eventId,
              roomVersion: verified.pdu.roomVersion,
              roomId: verified.pdu.roomId,
            }),
            communityId: verified.room.communityId,
          };
        case "refused":
          if (verified.reason === "signature") throw new Error(`${server}: ${verified.message}`);
          return { kind: "refused", message: verified.message };
        case "unknown_room":
          throw new Error(`${server}: the event is not in a room this policy server protects`);
        case "invalid_pdu":
        case "unavailable":
          throw new Error(`${server}: ${verified.message}`);
      }
    });
    try {
      return ok(await Promise.any(attempts));
    } catch (error) {
      const reasons = error instanceof AggregateError ? error.errors.map((e: unknown) => (e instanceof Error ? e.message : String(e))) : [String(error)];
      deps.logger.warn({ eventId, reasons }, "Could not fetch an event from any fetch server");
      return err(`could not fetch ${eventId}: ${reasons.join("; ")}`);
    }
  };
}
