/**
 * Community config layering (filters.md §4): instance defaults (from the environment) with a community's stored
 * JSON overrides laid on top, key by key. Absent and `null` inherit; `[]`, `0`, `false` and `""` override. Unlike
 * upstream, values are validated on the way in, and `unsafe_signing_key_filter_enabled: false` really switches the
 * filter off (upstream's non-pointer field silently dropped it).
 */
import { err, ok, type Result } from "../result.js";
import type { AppConfig } from "./app-config.js";
import type { CommunityConfig, CommunityOverrides, InstanceFilterSettings } from "./community-config.js";
import type { OptionSpec } from "./option-spec.js";
import { COMMUNITY_OPTIONS } from "./options.js";
import { parseOptionValue } from "./parse-value.js";

/** One rejected field. `M_BAD_JSON` for a wrong JSON type, `M_INVALID_PARAM` for a right type with a bad value. */
export interface FieldError {
  /** The JSON key; `""` when the body as a whole is wrong. */
  readonly field: string;
  readonly message: string;
  readonly errcode: "M_BAD_JSON" | "M_INVALID_PARAM";
}

export interface ValidatedOverrides {
  /** Known, non-null keys only, in the table's order (the order upstream re-serialises in). */
  readonly overrides: CommunityOverrides;
  /** Keys we do not know. Accepted and not stored, so a newer setup bot does not break an older server. */
  readonly unknownKeys: readonly string[];
}

/**
 * Checks a community's override JSON (the body of `POST /api/v1/communities/{id}/config`). A body of `null` is
 * "no overrides", as upstream. All field errors are reported at once.
 */
export function validateOverrides(json: unknown): Result<ValidatedOverrides, FieldError[]> {
  if (json === null) return ok(Object.freeze({ overrides: Object.freeze({}), unknownKeys: Object.freeze([]) }));
  if (typeof json !== "object" || Array.isArray(json)) {
    return err([
      {
        field: "",
        message: `community config must be a JSON object, got ${jsonTypeName(json)}`,
        errcode: "M_BAD_JSON",
      },
    ]);
  }
  const body = json as Record<string, unknown>;
  const errors: FieldError[] = [];
  const overrides: Record<string, unknown> = {};
  for (const [key, spec] of COMMUNITY_OPTIONS) {
    if (!Object.hasOwn(body, key)) continue;
    const value = body[key];
    if (value === null || value === undefined) continue;
    const checked = checkField(key, spec, value);
    if (checked.ok) overrides[key] = checked.value;
    else errors.push(checked.error);
  }
  if (errors.length > 0) return err(errors);
  const unknownKeys = Object.keys(body).filter((key) => !COMMUNITY_OPTIONS.has(key as keyof CommunityConfig));
  return ok(
    Object.freeze({
      overrides: Object.freeze(overrides) as CommunityOverrides,
      unknownKeys: Object.freeze(unknownKeys),
    }),
  );
}

function checkField(field: string, spec: OptionSpec, value: unknown): Result<unknown, FieldError> {
  const badJson = (expected: string): Result<unknown, FieldError> =>
    err({ field, message: `${field} must be ${expected}, got ${jsonTypeName(value)}`, errcode: "M_BAD_JSON" });
  const invalid = (problem: string): Result<unknown, FieldError> =>
    err({ field, message: `${field}: ${problem}`, errcode: "M_INVALID_PARAM" });
  switch (spec.kind) {
    case "csv": {
      if (!Array.isArray(value) || !value.every((item) => typeof item === "string"))
        return badJson("an array of strings");
      const items = value as string[];
      for (const item of items) {
        const problem = item === "" ? undefined : spec.validateItem?.(item);
        if (problem !== undefined) return invalid(problem);
      }
      return ok(Object.freeze([...items]));
    }
    case "bool":
      return typeof value === "boolean" ? ok(value) : badJson("true or false");
    case "int":
    case "minutes":
      if (typeof value !== "number" || !Number.isInteger(value)) return badJson("an integer");
      if (!Number.isSafeInteger(value)) return invalid(`${value} is out of range`);
      return inRange(spec, value, invalid);
    case "float":
      if (typeof value !== "number" || !Number.isFinite(value)) return badJson("a number");
      return inRange(spec, value, invalid);
    case "string":
    case "url": {
      if (typeof value !== "string") return badJson("a string");
      if (value === "") return ok(value);
      // The env parser already knows what a good value of this kind looks like; reuse it so both layers agree.
      const parsed = parseOptionValue(spec, value);
      return parsed.ok ? ok(value) : invalid(parsed.error);
    }
    default:
      throw new Error(`community option ${field} has kind ${spec.kind}, which has no JSON form`);
  }
}

function inRange(
  spec: OptionSpec,
  value: number,
  invalid: (problem: string) => Result<unknown, FieldError>,
): Result<unknown, FieldError> {
  const { min, max } = spec;
  if ((min !== undefined && value < min) || (max !== undefined && value > max)) {
    return invalid(`${value} is outside ${min ?? "-∞"}..${max ?? "∞"}`);
  }
  return ok(value);
}

function jsonTypeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "number") return Number.isInteger(value) ? `the integer ${value}` : `the number ${value}`;
  if (typeof value === "string")
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}

/**
 * The effective config of a community: `defaults` with each present override replacing the whole value (lists are
 * replaced, never merged). Frozen, and sharing no arrays with either input.
 */
export function effectiveCommunityConfig(defaults: CommunityConfig, overrides: CommunityOverrides): CommunityConfig {
  const merged: Record<string, unknown> = {};
  for (const key of Object.keys(defaults) as (keyof CommunityConfig)[]) {
    const override = overrides[key];
    const value = override === undefined || override === null ? defaults[key] : override;
    merged[key] = Array.isArray(value) ? Object.freeze([...(value as readonly string[])]) : value;
  }
  return Object.freeze(merged) as unknown as CommunityConfig;
}

/** The instance-only settings filters read (filters.md §4.1); empty strings where a setting is off. */
export function instanceFilterSettings(config: AppConfig): InstanceFilterSettings {
  return Object.freeze({
    homeserverName: config.server.homeserverName,
    joinLocalpart: config.federation.joinLocalpart,
    mjolnirFilterRoomId: config.filters.mjolnirRoomId ?? "",
    openaiFilterApiKey: config.filters.openai.apiKey ?? "",
    openaiFilterAllowedRoomIds: config.filters.openai.allowedRoomIds,
    hmaApiUrl: config.filters.hma.apiUrl ?? "",
    hmaApiKey: config.filters.hma.apiKey ?? "",
  });
}
