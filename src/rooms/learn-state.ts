/**
 * Learning a room's state (federation.md §7.1): from the room's current state events, the facts filters read
 * (joined members' display names, power levels, v12 creators) and the policy-list ban rules. Pure: fetching the
 * state and saving what was learned belong to the callers (join, the learning queue).
 */
import { goTrimSpace } from "../filters/text-rules.js";
import type { RoomFacts, RoomMember } from "../filters/types.js";
import {
  getOwn,
  getRoomVersion,
  isJsonObject,
  parsePdu,
  parseUserId,
  redactEvent,
  type JsonObject,
  type Pdu,
  type RoomVersion,
} from "../matrix/index.js";
import { err, ok, type Result } from "../result.js";
import type { BanRuleRecord } from "../storage/room-state.repo.js";
import { parsePowerLevels } from "./power-levels.js";

/**
 * The policy rule types we learn. The README promises user and server rules ("rules against rooms are ignored");
 * newer upstream learns room rules instead of server rules, a regression we do not copy (federation.md §12.8).
 */
export const LEARNED_RULE_TYPES: readonly string[] = Object.freeze(["m.policy.rule.user", "m.policy.rule.server"]);

/** A state event that was left out of what was learned, and why (for logs; never fatal). */
export interface SkippedStateEvent {
  readonly eventId: string | undefined;
  readonly reason: string;
}

/** What one learning run produced. */
export interface LearnedState {
  readonly facts: RoomFacts;
  /** `m.ban` rules of the learned types, in state order, duplicates removed. */
  readonly banRules: readonly BanRuleRecord[];
  readonly skipped: readonly SkippedStateEvent[];
}

/** The fields of a parsed PDU that learning decisions look at. */
export type LearnablePdu = Pick<Pdu, "type" | "stateKey" | "sender" | "content">;

/**
 * Learns from `events` (the `pdus` of a `/state` answer, or the `state` of a `send_join` answer) of room `roomId`
 * in `roomVersion`. Events that do not parse for the version, or belong to another room, are skipped and listed,
 * not fatal: one bad event from a remote server must not stop a room from ever being learned (upstream's newer
 * code fails the whole run instead). An event whose content hash does not match is read in its redacted form, as
 * homeservers treat it. The only error is an unknown room version.
 */
export function learnRoomState(events: readonly JsonObject[], roomVersion: string, roomId: string): Result<LearnedState, string> {
  const versionResult = getRoomVersion(roomVersion);
  if (!versionResult.ok) return err(versionResult.error);
  const version = versionResult.value;
  const skipped: SkippedStateEvent[] = [];
  const members = new Map<string, RoomMember>();
  const rules = new Map<string, BanRuleRecord>();
  let powerLevels: RoomFacts["powerLevels"];
  let creators: string[] | undefined;
  let seenPowerLevels = false;
  let seenCreate = false;

  for (const raw of events) {
    const parsed = parsePdu(raw, version.id);
    if (!parsed.ok) {
      skipped.push({ eventId: eventIdHint(raw), reason: parsed.error.message });
      continue;
    }
    const pdu = parsed.value;
    if (pdu.roomId !== roomId) {
      skipped.push({ eventId: pdu.eventId, reason: `belongs to room ${pdu.roomId}, not ${roomId}` });
      continue;
    }
    if (pdu.stateKey === undefined) continue;
    const content = effectiveContent(pdu, version);

    if (pdu.type === "m.room.member") {
      const name = joinedDisplayName(pdu, content);
      if (name !== undefined) members.set(pdu.sender, { userId: pdu.sender, displayName: name });
    } else if (pdu.type === "m.room.power_levels" && pdu.stateKey === "" && !seenPowerLevels) {
      seenPowerLevels = true;
      const levels = parsePowerLevels(content, version.integerPowerLevels);
      if (levels.ok) powerLevels = levels.value;
      else skipped.push({ eventId: pdu.eventId, reason: `power levels not learned: ${levels.error}` });
    } else if (pdu.type === "m.room.create" && pdu.stateKey === "" && !seenCreate) {
      seenCreate = true;
      if (version.privilegedCreators) creators = creatorsOf(pdu, content);
    } else if (LEARNED_RULE_TYPES.includes(pdu.type)) {
      const rule = banRuleOf(pdu, content);
      if (rule !== undefined) rules.set(`${rule.entityType}\u0000${rule.entityId}`, rule);
    }
  }

  return ok({
    facts: {
      members: [...members.values()],
      powerLevels,
      // Rooms whose version has no privileged creators record none, as upstream stores nothing for them.
      creators: version.privilegedCreators ? (creators ?? []) : undefined,
    },
    banRules: [...rules.values()],
    skipped,
  });
}

/**
 * Whether an event on its own is worth a state refresh (federation.md §7.2, newer): a self-join, a learned policy
 * rule, the power levels, or a v12 create event. Unknown room versions are never learnable.
 */
export function isLearnableEvent(pdu: LearnablePdu, roomVersion: string): boolean {
  const version = getRoomVersion(roomVersion);
  if (!version.ok || pdu.stateKey === undefined) return false;
  switch (pdu.type) {
    case "m.room.member":
      return pdu.stateKey === pdu.sender && getOwn(pdu.content, "membership") === "join";
    case "m.room.power_levels":
      return pdu.stateKey === "";
    case "m.room.create":
      return pdu.stateKey === "" && version.value.privilegedCreators;
    default:
      return LEARNED_RULE_TYPES.includes(pdu.type) && getOwn(pdu.content, "recommendation") === "m.ban";
  }
}

function effectiveContent(pdu: Pdu, version: RoomVersion): JsonObject {
  if (pdu.contentHashValid) return pdu.content;
  const redacted = getOwn(redactEvent(pdu.json, version), "content");
  return isJsonObject(redacted) ? redacted : {};
}

/** The display name to record for a joined member, untrimmed; undefined when it is not a self-join or blank. */
function joinedDisplayName(pdu: Pdu, content: JsonObject): string | undefined {
  if (pdu.stateKey !== pdu.sender || getOwn(content, "membership") !== "join") return undefined;
  const name = getOwn(content, "displayname");
  // Blank means blank to Go's TrimSpace (decisions §3.1), which differs from JS trim on U+0085 and U+FEFF.
  if (typeof name !== "string" || goTrimSpace(name) === "") return undefined;
  return name;
}

/** The create sender plus valid `additional_creators`, without duplicates (v12 privileged creators). */
function creatorsOf(pdu: Pdu, content: JsonObject): string[] {
  const out = [pdu.sender];
  const additional = getOwn(content, "additional_creators");
  if (Array.isArray(additional)) {
    for (const id of additional) {
      if (typeof id === "string" && parseUserId(id).ok && !out.includes(id)) out.push(id);
    }
  }
  return out;
}

function banRuleOf(pdu: Pdu, content: JsonObject): BanRuleRecord | undefined {
  // Upstream's README rules: a non-empty state key, recommendation exactly m.ban, a non-empty entity glob.
  if (pdu.stateKey === "" || getOwn(content, "recommendation") !== "m.ban") return undefined;
  const entity = getOwn(content, "entity");
  if (typeof entity !== "string" || entity === "") return undefined;
  return { entityType: pdu.type, entityId: entity };
}

function eventIdHint(raw: JsonObject): string | undefined {
  const id = getOwn(raw, "event_id");
  return typeof id === "string" ? id : undefined;
}
