import type { PowerLevels } from "../filters/types.js";
import { getOwn, isJsonObject, type JsonObject, type JsonValue } from "../matrix/index.js";
import { err, ok, type Result } from "../result.js";

/**
 * Power levels as stored in `trust_data('power_levels', room)`: upstream's layout (filters.md §5.4), i.e. the
 * filter-facing `PowerLevels` plus `notifications`, every level already an integer.
 */
export interface LearnedPowerLevels extends PowerLevels {
  readonly notifications: Readonly<Record<string, number>>;
}

/** The spec defaults for fields a power-levels event leaves out (federation.md §7.1). */
const DEFAULTS = {
  ban: 50,
  invite: 0,
  kick: 50,
  redact: 50,
  users_default: 0,
  events_default: 0,
  state_default: 50,
} as const;

const DEFAULT_NOTIFICATIONS = { room: 50 } as const;

// Go parses levels into int64; a level outside the safe range could not be compared exactly in JS anyway.
const INTEGER_TEXT = /^[+-]?[0-9]+$/;

/**
 * Reads one level. Room versions 10+ require JSON integers (spec: "power levels must be integers"); older versions
 * also accept a string holding an integer (surrounding spaces allowed, as Go's parser trims them) and truncate a
 * non-integer number, which is how homeservers have always read those rooms.
 */
function parseLevel(value: JsonValue, integersOnly: boolean, path: string): Result<number, string> {
  if (typeof value === "number") {
    if (Number.isInteger(value)) return ok(value);
    if (!integersOnly && Number.isFinite(value)) return ok(Math.trunc(value));
    return err(`${path} must be an integer, got ${String(value)}`);
  }
  if (typeof value === "string" && !integersOnly) {
    const text = value.trim();
    if (INTEGER_TEXT.test(text)) {
      const parsed = Number(text);
      if (Number.isSafeInteger(parsed)) return ok(parsed);
    }
    return err(`${path} is the string ${JSON.stringify(value)}, which does not hold an integer`);
  }
  return err(`${path} must be ${integersOnly ? "an integer" : "an integer or a string holding one"}`);
}

function parseLevelMap(value: JsonValue | undefined, integersOnly: boolean, path: string): Result<Record<string, number>, string> {
  const out: Record<string, number> = {};
  if (value === undefined || value === null) return ok(out);
  if (!isJsonObject(value)) return err(`${path} must be an object`);
  for (const [key, raw] of Object.entries(value)) {
    const level = parseLevel(raw, integersOnly, `${path}[${JSON.stringify(key)}]`);
    if (!level.ok) return level;
    Object.defineProperty(out, key, { value: level.value, enumerable: true, writable: true, configurable: true });
  }
  return ok(out);
}

/**
 * Parses the content of an `m.room.power_levels` event with the defaults applied. `integersOnly` is the room
 * version's `integerPowerLevels` rule. A value of the wrong type is an error naming the field: such an event could
 * not have passed the room's auth rules, so the caller should not trust any of it.
 */
export function parsePowerLevels(content: JsonObject, integersOnly: boolean): Result<LearnedPowerLevels, string> {
  const scalars: Record<keyof typeof DEFAULTS, number> = { ...DEFAULTS };
  for (const key of Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]) {
    const raw = getOwn(content, key);
    if (raw === undefined || raw === null) continue;
    const level = parseLevel(raw, integersOnly, key);
    if (!level.ok) return level;
    scalars[key] = level.value;
  }
  const users = parseLevelMap(getOwn(content, "users"), integersOnly, "users");
  if (!users.ok) return users;
  const events = parseLevelMap(getOwn(content, "events"), integersOnly, "events");
  if (!events.ok) return events;
  const notifications = parseLevelMap(getOwn(content, "notifications"), integersOnly, "notifications");
  if (!notifications.ok) return notifications;
  return ok({
    ...scalars,
    users: users.value,
    events: events.value,
    notifications: { ...DEFAULT_NOTIFICATIONS, ...notifications.value },
  });
}
