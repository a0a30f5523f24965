import type { CommunityConfig, CommunityOverrides, InstanceFilterSettings } from "../../../config/community-config.js";
import { effectiveCommunityConfig, validateOverrides } from "../../../config/layering.js";
import { compileTemplate } from "../../../filters/template/index.js";
import type { BanRule, KeywordTemplate, PowerLevels, RoomFacts } from "../../../filters/types.js";
import type { Logger } from "../../../observability/logger.js";
import type { Result } from "../../../result.js";
import type { Repositories } from "../../../storage/repositories.js";
import { orThrow } from "./storage-failure.js";

/**
 * Learned room state (members, power levels, creators); `undefined` when the room was never learned. The composition
 * root passes the runtime's room-facts port; without one, the facts are read from storage here.
 */
export type LoadRoomFacts = (roomId: string) => Promise<Result<RoomFacts | undefined, string>>;

export interface CheckContextDeps {
  readonly repos: Pick<Repositories, "keywordTemplates" | "trustData" | "roomState">;
  readonly communityDefaults: CommunityConfig;
  readonly instance: InstanceFilterSettings;
  readonly logger: Logger;
  readonly loadRoomFacts?: LoadRoomFacts;
}

/**
 * The facts a check reads besides the event, loaded fresh per request so a config or template change is seen by
 * the very next check. Compiled templates are cached by their text, so an unchanged template is parsed once.
 */
export interface CheckContextLoader {
  /** Instance defaults ← stored overrides (a stored value that no longer validates is skipped and logged). */
  effectiveConfig(stored: Readonly<Record<string, unknown>>): CommunityConfig;
  keywordTemplates(): Promise<ReadonlyMap<string, KeywordTemplate>>;
  muninnServers(): Promise<ReadonlySet<string>>;
  banRules(): Promise<readonly BanRule[]>;
  roomFacts(roomId: string): Promise<RoomFacts | undefined>;
}

/** Builds a loader over the repositories. */
export function createCheckContextLoader(deps: CheckContextDeps): CheckContextLoader {
  const compiled = new Map<string, { text: string; template: KeywordTemplate | undefined }>();
  return {
    effectiveConfig: (stored) => effectiveCommunityConfig(deps.communityDefaults, storedOverrides(stored, deps.logger)),
    async keywordTemplates() {
      const rows = orThrow(await deps.repos.keywordTemplates.list());
      const templates = new Map<string, KeywordTemplate>();
      for (const row of rows) {
        let entry = compiled.get(row.name);
        if (entry === undefined || entry.text !== row.body) {
          const result = compileTemplate(row.name, row.body);
          // Uploads are parsed, so only rows written by upstream or by hand can fail here; such a template is skipped
          // like a missing one rather than failing every check of the community, as upstream did.
          if (!result.ok) deps.logger.warn({ template: row.name, error: result.error }, "Stored keyword template does not parse; skipping it");
          entry = { text: row.body, template: result.ok ? result.value : undefined };
          compiled.set(row.name, entry);
        }
        if (entry.template !== undefined) templates.set(row.name, entry.template);
      }
      return templates;
    },
    async muninnServers() {
      const data = orThrow(await deps.repos.trustData.get("muninn_hall", ""));
      return new Set(stringList(data, "server_names"));
    },
    async banRules() {
      const listRoom = deps.instance.mjolnirFilterRoomId;
      if (listRoom === "") return [];
      const rules = orThrow(await deps.repos.roomState.getBanRules([listRoom]));
      return rules.flatMap((rule): BanRule[] => {
        const kind = BAN_KINDS[rule.entityType];
        return kind === undefined ? [] : [{ kind, entity: rule.entityId }];
      });
    },
    async roomFacts(roomId) {
      if (deps.loadRoomFacts !== undefined) {
        const loaded = await deps.loadRoomFacts(roomId);
        if (!loaded.ok) {
          deps.logger.warn({ roomId, error: loaded.error }, "Room facts unavailable for a dry run; using none");
          return undefined;
        }
        return loaded.value;
      }
      return roomFactsFromStorage(deps.repos, roomId);
    },
  };
}

const BAN_KINDS: Readonly<Record<string, BanRule["kind"]>> = {
  "m.policy.rule.user": "user",
  "m.policy.rule.server": "server",
  "m.policy.rule.room": "room",
};

function storedOverrides(stored: Readonly<Record<string, unknown>>, logger: Logger): CommunityOverrides {
  const validated = validateOverrides(stored);
  if (validated.ok) return validated.value.overrides;
  // Only a row written outside this API can fail; keep the keys that are fine so one bad value does not undo all.
  const bad = new Set(validated.error.map((e) => e.field));
  logger.warn({ fields: [...bad] }, "Stored community config has invalid values; they inherit the instance defaults");
  const kept = Object.fromEntries(Object.entries(stored).filter(([key]) => !bad.has(key)));
  const retried = validateOverrides(kept);
  return retried.ok ? retried.value.overrides : {};
}

function stringList(data: unknown, field: string): string[] {
  if (typeof data !== "object" || data === null) return [];
  const value = (data as Record<string, unknown>)[field];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

async function roomFactsFromStorage(
  repos: Pick<Repositories, "trustData" | "roomState">,
  roomId: string,
): Promise<RoomFacts | undefined> {
  const members = orThrow(await repos.roomState.getDisplaynames(roomId));
  const levels = orThrow(await repos.trustData.get("power_levels", roomId));
  const creators = orThrow(await repos.trustData.get("creator", roomId));
  if (members.length === 0 && levels === null && creators === null) return undefined;
  return {
    members: members.map((m) => ({ userId: m.userId, displayName: m.displayname })),
    powerLevels: levels === null ? undefined : powerLevels(levels),
    creators: creators === null ? undefined : stringList(creators, "creator_user_ids"),
  };
}

/** `m.room.power_levels` content with the spec's defaults for absent or non-numeric fields. */
function powerLevels(content: unknown): PowerLevels {
  const record = typeof content === "object" && content !== null ? (content as Record<string, unknown>) : {};
  const level = (key: string, fallback: number): number => {
    const value = record[key];
    return typeof value === "number" && Number.isFinite(value) ? value : fallback;
  };
  const levelMap = (key: string): Record<string, number> => {
    const value = record[key];
    if (typeof value !== "object" || value === null) return {};
    return Object.fromEntries(Object.entries(value).filter((e): e is [string, number] => typeof e[1] === "number"));
  };
  return {
    users: levelMap("users"),
    users_default: level("users_default", 0),
    state_default: level("state_default", 50),
    events: levelMap("events"),
    events_default: level("events_default", 0),
    ban: level("ban", 50),
    kick: level("kick", 50),
    redact: level("redact", 50),
    invite: level("invite", 0),
  };
}
