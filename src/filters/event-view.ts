/**
 * How filters look at an event: the `FilterEvent` built once per check, and cached views of its strings.
 *
 * Malformed content is not an error (decisions §3.2): every accessor here answers "absent" for a field of the wrong
 * JSON type, so a filter that cannot read a field simply does not see it.
 */
import type { FilterEvent } from "./types.js";

/** The PDU fields a FilterEvent is built from; `pdu` is the event JSON as received (already valid Matrix JSON). */
export interface FilterEventSource {
  readonly pdu: Readonly<Record<string, unknown>>;
  readonly eventId: string;
  readonly roomVersion: string;
  /** v12 create events have no `room_id`; the caller passes the derived one. Defaults to the PDU's `room_id`. */
  readonly roomId?: string;
  /** The bytes the PDU's signatures cover, when already computed (see FilterEvent.signedBytes). */
  readonly signedBytes?: Uint8Array;
  /** See FilterEvent.jsonLength. */
  readonly jsonLength?: number;
}

/** Builds the filter view of a PDU; fields of the wrong type become empty/absent rather than errors. */
export function toFilterEvent(source: FilterEventSource): FilterEvent {
  const { pdu } = source;
  const content = isJsonObject(pdu["content"]) ? pdu["content"] : {};
  const stateKey = pdu["state_key"];
  const ts = pdu["origin_server_ts"];
  return Object.freeze({
    eventId: source.eventId,
    roomId: source.roomId ?? stringOr(pdu["room_id"], ""),
    roomVersion: source.roomVersion,
    type: stringOr(pdu["type"], ""),
    stateKey: typeof stateKey === "string" ? stateKey : undefined,
    sender: stringOr(pdu["sender"], ""),
    originServerTs: typeof ts === "number" && Number.isFinite(ts) ? ts : 0,
    pdu,
    content,
    ...(source.signedBytes === undefined ? {} : { signedBytes: source.signedBytes }),
    ...(source.jsonLength === undefined ? {} : { jsonLength: source.jsonLength }),
  });
}

/** A plain JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === "string" ? value : fallback;
}

/** `content[key]` when it is a string, else `""` (absent, null and wrong types all read as empty). */
export function contentString(event: FilterEvent, key: string): string {
  return stringOr(event.content[key], "");
}

/** Deeper than any real event nests; bounds the walk so a hostile document cannot blow the stack. */
export const MAX_STRING_DEPTH = 64;

const contentStringCache = new WeakMap<object, readonly string[]>();

/**
 * Every decoded string value anywhere inside `value` (object values and array items, depth-first, document order),
 * never key names. This is what the keyword, template, many-ats and link filters read (decisions §4b.6): decoded
 * text, so JSON escapes and key names neither cause nor hide a match. Cached per object: several filters ask for
 * the same content in one check.
 */
export function contentStrings(value: Readonly<Record<string, unknown>>): readonly string[] {
  const cached = contentStringCache.get(value);
  if (cached !== undefined) return cached;
  const out: string[] = [];
  collectStrings(value, 0, out);
  const frozen = Object.freeze(out);
  contentStringCache.set(value, frozen);
  return frozen;
}

function collectStrings(value: unknown, depth: number, out: string[]): void {
  if (typeof value === "string") {
    out.push(value);
    return;
  }
  if (typeof value !== "object" || value === null || depth >= MAX_STRING_DEPTH) return;
  if (Array.isArray(value)) {
    for (const item of value) collectStrings(item, depth + 1, out);
    return;
  }
  for (const key of Object.keys(value)) collectStrings((value as Record<string, unknown>)[key], depth + 1, out);
}

/**
 * Top-level keys removed before the "event JSON" is measured or searched (filters.md §1.11): they are added or
 * changed in transit and are not part of what the sender signed.
 */
export const TRANSIENT_EVENT_KEYS: readonly string[] = Object.freeze([
  "outlier",
  "destinations",
  "age_ts",
  "unsigned",
  "event_id",
]);

const strippedCache = new WeakMap<object, Readonly<Record<string, unknown>>>();

/** The PDU without its transient keys (filters.md §1.11); cached per PDU object. */
export function eventWithoutTransientKeys(event: FilterEvent): Readonly<Record<string, unknown>> {
  const cached = strippedCache.get(event.pdu);
  if (cached !== undefined) return cached;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(event.pdu)) {
    if (!TRANSIENT_EVENT_KEYS.includes(key)) copy[key] = event.pdu[key];
  }
  strippedCache.set(event.pdu, copy);
  return copy;
}

/**
 * The FilterEvent source of a parsed PDU, carrying what parsing already computed. `pdu.json` lacks every transient
 * key but, in room versions 1 and 2, `event_id`; only then is its measured length not the length filter's.
 */
export function filterEventSourceOf(pdu: {
  readonly json: Readonly<Record<string, unknown>>;
  readonly eventId: string;
  readonly roomVersion: string;
  readonly roomId: string;
  readonly signedBytes: Uint8Array;
  readonly canonicalLength: number;
}): FilterEventSource {
  return {
    pdu: pdu.json,
    eventId: pdu.eventId,
    roomVersion: pdu.roomVersion,
    roomId: pdu.roomId,
    signedBytes: pdu.signedBytes,
    ...(Object.hasOwn(pdu.json, "event_id") ? {} : { jsonLength: pdu.canonicalLength }),
  };
}

/** Decoded string values of the whole event (full-event keyword modes), transient keys excluded. */
export function eventStrings(event: FilterEvent): readonly string[] {
  return contentStrings(eventWithoutTransientKeys(event));
}
