import { getOwn, isJsonObject, setOwn, type JsonObject } from "./json.js";
import type { RedactionAlgorithm, RoomVersion } from "./room-versions.js";

const TOP_LEVEL_R1_TO_R4 = [
  "event_id", "type", "room_id", "sender", "state_key", "content", "hashes", "signatures", "depth",
  "prev_events", "prev_state", "auth_events", "origin", "origin_server_ts", "membership",
] as const;
// v11 (MSC2176) stopped protecting origin, membership and prev_state.
const TOP_LEVEL_R5 = [
  "event_id", "type", "room_id", "sender", "state_key", "content", "hashes", "signatures", "depth",
  "prev_events", "auth_events", "origin_server_ts",
] as const;

const POWER_LEVEL_KEYS = ["ban", "events", "events_default", "kick", "redact", "state_default", "users", "users_default"];

/** Content keys kept per event type, per algorithm (federation.md Appendix B). `"all"` keeps the whole content. */
function keptContentKeys(type: string, algorithm: RedactionAlgorithm): readonly string[] | "all" {
  const r5 = algorithm === "R5";
  switch (type) {
    case "m.room.member":
      return algorithm === "R4" || r5 ? ["membership", "join_authorised_via_users_server"] : ["membership"];
    case "m.room.create":
      return r5 ? "all" : ["creator"];
    case "m.room.join_rules":
      return algorithm === "R1" || algorithm === "R2" ? ["join_rule"] : ["join_rule", "allow"];
    case "m.room.power_levels":
      return r5 ? [...POWER_LEVEL_KEYS, "invite"] : POWER_LEVEL_KEYS;
    case "m.room.aliases":
      return algorithm === "R1" ? ["aliases"] : [];
    case "m.room.history_visibility":
      return ["history_visibility"];
    case "m.room.redaction":
      return r5 ? ["redacts"] : [];
    default:
      return [];
  }
}

function redactContent(type: string | undefined, content: JsonObject, algorithm: RedactionAlgorithm): JsonObject {
  if (type === undefined) return {};
  const kept = keptContentKeys(type, algorithm);
  const out: JsonObject = {};
  if (kept === "all") {
    for (const key of Object.keys(content)) setOwn(out, key, content[key] ?? null);
    return out;
  }
  for (const key of kept) {
    const value = getOwn(content, key);
    if (value !== undefined) setOwn(out, key, value);
  }
  // v11+ keeps the signed block of a third-party invite so the invite stays verifiable after redaction. This is
  // the spec (and Synapse); gomatrixserverlib drops it (federation.md §5.6).
  if (algorithm === "R5" && type === "m.room.member") {
    const invite = getOwn(content, "third_party_invite");
    if (isJsonObject(invite)) {
      const kept3pid: JsonObject = {};
      const signed = getOwn(invite, "signed");
      if (signed !== undefined) setOwn(kept3pid, "signed", signed);
      setOwn(out, "third_party_invite", kept3pid);
    }
  }
  return out;
}

/**
 * The redacted form of an event under the room version's algorithm (federation.md Appendix B): only the protected
 * top-level keys survive, `content` keeps the per-type keys (and is always present, `{}` at least), `unsigned` is
 * dropped. Event IDs, event signatures and our policy-server signature all cover this form.
 *
 * Pure and idempotent; the input is not modified. The result shares nested values (e.g. `signatures`, kept
 * content values) with the input, so neither should be mutated afterwards.
 */
export function redactEvent(event: JsonObject, roomVersion: RoomVersion): JsonObject {
  const algorithm = roomVersion.redaction;
  const topLevel = algorithm === "R5" ? TOP_LEVEL_R5 : TOP_LEVEL_R1_TO_R4;
  const out: JsonObject = {};
  for (const key of topLevel) {
    if (key === "content") continue;
    const value = getOwn(event, key);
    if (value !== undefined) setOwn(out, key, value);
  }
  const type = getOwn(event, "type");
  const content = getOwn(event, "content");
  setOwn(
    out,
    "content",
    isJsonObject(content) ? redactContent(typeof type === "string" ? type : undefined, content, algorithm) : {},
  );
  return out;
}
