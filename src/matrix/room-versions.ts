import { err, ok, type Result } from "../result.js";

/** How a room version names its events (federation.md §5.1, §5.4). */
export type EventIdFormat =
  /** v1, v2: the origin picks `$opaque:server` and sends it in `event_id`. */
  | "origin"
  /** v3: `$` + standard unpadded base64 of the reference hash. */
  | "reference-hash-base64"
  /** v4+: `$` + URL-safe unpadded base64 of the reference hash. */
  | "reference-hash-base64url";

/** The redaction algorithms of federation.md Appendix B. */
export type RedactionAlgorithm = "R1" | "R2" | "R3" | "R4" | "R5";

/** The per-version rules the primitives need; everything Matrix varies by room version that we act on. */
export interface RoomVersion {
  readonly id: string;
  /** v1/v2 carry prev/auth events as `[id, {sha256}]` pairs; v3+ as plain event ID strings. */
  readonly eventFormat: "v1" | "v2";
  readonly eventIdFormat: EventIdFormat;
  readonly redaction: RedactionAlgorithm;
  /** v5+: a key is only valid up to its `valid_until_ts` (no lenient grace period). */
  readonly strictKeyValidity: boolean;
  /** v6+: numbers in events must be safe integers; anything else fails to parse. */
  readonly enforceCanonicalJson: boolean;
  /** v7+: the `knock` membership exists. */
  readonly knocking: boolean;
  /** v8+: `restricted` join rules and `join_authorised_via_users_server` exist. */
  readonly restrictedJoins: boolean;
  /** v10+: power level values must be integers, not strings. */
  readonly integerPowerLevels: boolean;
  /**
   * v12: the room ID is `!` + the create event's URL-safe reference hash, the create event has no `room_id` and
   * is not listed in `auth_events`.
   */
  readonly roomIdFromCreateEvent: boolean;
  /** v12: the create event's sender and `additional_creators` have unlimited power. */
  readonly privilegedCreators: boolean;
}

function version(
  id: string,
  n: number,
): RoomVersion {
  return {
    id,
    eventFormat: n <= 2 ? "v1" : "v2",
    eventIdFormat: n <= 2 ? "origin" : n === 3 ? "reference-hash-base64" : "reference-hash-base64url",
    redaction: n <= 5 ? "R1" : n <= 7 ? "R2" : n === 8 ? "R3" : n <= 10 ? "R4" : "R5",
    strictKeyValidity: n >= 5,
    enforceCanonicalJson: n >= 6,
    knocking: n >= 7,
    restrictedJoins: n >= 8,
    integerPowerLevels: n >= 10,
    roomIdFromCreateEvent: n >= 12,
    privilegedCreators: n >= 12,
  };
}

/** Stable room versions 1–12, the ones we join and parse. Unstable versions are deliberately absent. */
export const ROOM_VERSIONS: Readonly<Record<string, RoomVersion>> = Object.freeze(
  Object.fromEntries(Array.from({ length: 12 }, (_, i) => [String(i + 1), Object.freeze(version(String(i + 1), i + 1))])),
);

/** Looks up a room version by its identifier; an unknown one is an error naming it (never a crash). */
export function getRoomVersion(id: string): Result<RoomVersion, string> {
  const found = Object.hasOwn(ROOM_VERSIONS, id) ? ROOM_VERSIONS[id] : undefined;
  if (found === undefined) return err(`unsupported room version ${JSON.stringify(id)} (supported: 1–12)`);
  return ok(found);
}
