/**
 * Adapts the PostgreSQL repositories to the small ports the actor runtime asks for (actors/ports.ts). The shapes
 * are structural, so src/ does not import actors/; the composition root checks the fit when it passes them in.
 * Trust data keeps upstream's layout: `trust_data('power_levels', room)`, `('creator', room)`, `('muninn_hall', '')`.
 */
import type { CommunityOverrides } from "../config/community-config.js";
import { compileTemplate } from "../filters/template/index.js";
import type { BanRule, KeywordTemplate, PowerLevels, RoomFacts } from "../filters/types.js";
import { contentInfo, type ContentInfo } from "../harms/content-info.js";
import type { Logger } from "../observability/logger.js";
import type { Verdict } from "../pipeline/types.js";
import { err, ok, type Result } from "../result.js";
import type { Repositories } from "../storage/repositories.js";
import type { StorageError } from "../storage/storage-error.js";
import type { StoredVerdict } from "../storage/verdicts.repo.js";
import { saveRoomFacts } from "../rooms/save-learned.js";
import { createBatcher } from "./batcher.js";
import { retryWhileUnavailable } from "./await-database.js";
import { withDeadline } from "./with-deadline.js";

/**
 * How writes behave while the database is away: retried every 250 ms for up to 30 s before the runtime's own
 * back-off takes over, so a short outage's queue drains within moments of the database's return.
 */
const WRITE_RETRY = { maxWaitMs: 30_000, intervalMs: 250 } as const;
/** A stored-verdict lookup is an optimisation; past this the check runs afresh rather than wait for the database. */
const VERDICT_LOOKUP_MS = 1_000;
/**
 * Every check waits for its stored-verdict lookup, so lookups must not queue behind one another: with one batch in
 * flight they measured 15-18 ms at 800 sign requests/s on two cores, mostly waiting for the previous batch. Writes
 * are batched by the runtime's verdict writer.
 */
const READ_BATCH = { maxBatch: 500, maxInFlight: 4 } as const;

export interface RuntimeHellban {
  readonly communityId: string;
  readonly userId: string;
  readonly expiresAt: number;
}

const SCORE: Readonly<Record<ContentInfo["class"], number>> = { Allowed: 0, Neutral: 0.5, Prohibited: 1 };

/** A stored verdict, answered without running filters: the trace says it came from storage. */
export function storedVerdict(info: ContentInfo): Verdict {
  const normalised = contentInfo(info.class, info.harms);
  return {
    info: normalised,
    spam: normalised.class === "Prohibited",
    score: SCORE[normalised.class],
    trace: [],
    effects: [],
  };
}

/** Ban rules and Muninn Hall servers, refreshed in the background and read synchronously by checks. */
export class TrustCache {
  private rules: readonly BanRule[] = [];
  private servers: ReadonlySet<string> = new Set();

  constructor(
    private readonly repos: Pick<Repositories, "roomState" | "trustData">,
    private readonly policyRoomId: string | undefined,
    private readonly logger: Logger,
  ) {}

  banRules(): readonly BanRule[] {
    return this.rules;
  }

  muninnServers(): ReadonlySet<string> {
    return this.servers;
  }

  /** Reloads both from storage; on failure the last good copy stays (an outage never drops protection). */
  async refresh(): Promise<void> {
    if (this.policyRoomId !== undefined) {
      const rules = await this.repos.roomState.getBanRules([this.policyRoomId]);
      if (rules.ok) {
        this.rules = Object.freeze(
          rules.value.map((rule) => ({ kind: banRuleKind(rule.entityType), entity: rule.entityId })),
        );
      } else
        this.logger.warn({ error: rules.error.message }, "could not refresh policy-list rules; keeping the last ones");
    }
    const muninn = await this.repos.trustData.get("muninn_hall", "");
    if (muninn.ok) this.servers = new Set(serverNames(muninn.value));
    else
      this.logger.warn({ error: muninn.error.message }, "could not refresh Muninn Hall servers; keeping the last ones");
  }
}

function banRuleKind(entityType: string): BanRule["kind"] {
  if (entityType === "m.policy.rule.server") return "server";
  if (entityType === "m.policy.rule.room") return "room";
  return "user";
}

function serverNames(data: unknown): string[] {
  if (typeof data !== "object" || data === null) return [];
  const names = (data as Record<string, unknown>)["server_names"];
  return Array.isArray(names) ? names.filter((n): n is string => typeof n === "string") : [];
}

/** Builds every port the runtime needs over the repositories. */
export function storageRuntimePorts(repos: Repositories, trust: TrustCache, logger: Logger) {
  // Verdict reads are batched (one query per event-loop turn) and a lookup that cannot be answered within its budget
  // is skipped; a write waits out an outage (decisions §5.4).
  const getVerdicts = createBatcher<string, Result<Map<string, StoredVerdict>, StorageError>>(async (eventIds) => {
    const found = await withDeadline(repos.verdicts.getMany([...new Set(eventIds)]), VERDICT_LOOKUP_MS, {
      kind: "unavailable" as const,
      message: `get ${eventIds.length} verdicts: no answer within ${VERDICT_LOOKUP_MS} ms`,
    });
    return eventIds.map(() => found);
  }, READ_BATCH);
  return {
    communities: {
      async loadOverrides(communityId: string): Promise<Result<CommunityOverrides | undefined, string>> {
        const row = await repos.communities.get(communityId);
        if (!row.ok) return err(row.error.message);
        // Stored configs were validated on the way in; keys written by newer upstream versions are ignored later.
        return ok(row.value === null ? undefined : (row.value.config as CommunityOverrides));
      },
    },
    keywordTemplates: {
      async loadAll(): Promise<Result<ReadonlyMap<string, KeywordTemplate>, string>> {
        const rows = await repos.keywordTemplates.list();
        if (!rows.ok) return err(rows.error.message);
        const compiled = new Map<string, KeywordTemplate>();
        for (const row of rows.value) {
          const template = compileTemplate(row.name, row.body);
          if (template.ok) compiled.set(row.name, template.value);
          else
            logger.warn(
              { template: row.name, error: template.error },
              "stored keyword template does not compile; skipped",
            );
        }
        return ok(compiled);
      },
    },
    rooms: {
      async load(roomId: string): Promise<Result<RoomFacts | undefined, string>> {
        const [members, levels, creators] = await Promise.all([
          repos.roomState.getDisplaynames(roomId),
          repos.trustData.get("power_levels", roomId),
          repos.trustData.get("creator", roomId),
        ]);
        if (!members.ok) return err(members.error.message);
        if (!levels.ok) return err(levels.error.message);
        if (!creators.ok) return err(creators.error.message);
        if (members.value.length === 0 && levels.value === null && creators.value === null) return ok(undefined);
        return ok({
          members: members.value.map((m) => ({ userId: m.userId, displayName: m.displayname })),
          powerLevels: (levels.value ?? undefined) as PowerLevels | undefined,
          creators: creatorIds(creators.value),
        });
      },
      save: (roomId: string, facts: RoomFacts): Promise<Result<void, string>> => saveRoomFacts(repos, roomId, facts),
    },
    hellbans: {
      async ban(
        communityId: string,
        userId: string,
        expiresAt: number,
        now: number,
      ): Promise<Result<RuntimeHellban, string>> {
        // The ban keeps its decided length even when written late; the upsert never extends a running ban.
        const outcome = await retryWhileUnavailable(
          () => repos.hellbans.ban(communityId, userId, Math.max(1, expiresAt - now)),
          WRITE_RETRY,
        );
        if (!outcome.ok) return err(outcome.error.message);
        return ok(toRuntimeBan(outcome.value.ban));
      },
      async getActive(communityId: string, userId: string): Promise<Result<RuntimeHellban | undefined, string>> {
        const row = await repos.hellbans.getActive(communityId, userId);
        if (!row.ok) return err(row.error.message);
        return ok(row.value === null ? undefined : toRuntimeBan(row.value));
      },
      async listActive(): Promise<Result<readonly RuntimeHellban[], string>> {
        const rows = await repos.hellbans.listActive();
        if (!rows.ok) return err(rows.error.message);
        return ok(rows.value.map(toRuntimeBan));
      },
      async expire(): Promise<Result<number, string>> {
        const pruned = await repos.hellbans.pruneExpired();
        return pruned.ok ? ok(pruned.value) : err(pruned.error.message);
      },
    },
    verdicts: {
      async get(eventId: string): Promise<Result<Verdict | undefined, string>> {
        const found = await getVerdicts(eventId);
        if (!found.ok) return err(found.error.message);
        const row = found.value.get(eventId);
        return ok(row === undefined ? undefined : storedVerdict(row.info));
      },
      // The runtime's verdict writer hands over batches, one or two at a time.
      async putMany(entries: readonly { eventId: string; verdict: Verdict }[]): Promise<Result<void, string>> {
        const rows = entries.map((entry) => ({ eventId: entry.eventId, info: entry.verdict.info }));
        const saved = await retryWhileUnavailable(() => repos.verdicts.saveMany(rows), WRITE_RETRY);
        return saved.ok ? ok(undefined) : err(saved.error.message);
      },
    },
    trust: {
      banRules: () => trust.banRules(),
      muninnServers: () => trust.muninnServers(),
    },
  };
}

function toRuntimeBan(row: { communityId: string; userId: string; expiresAt: Date }): RuntimeHellban {
  return { communityId: row.communityId, userId: row.userId, expiresAt: row.expiresAt.getTime() };
}

function creatorIds(data: unknown): readonly string[] | undefined {
  if (typeof data !== "object" || data === null) return undefined;
  const ids = (data as Record<string, unknown>)["creator_user_ids"];
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === "string") : undefined;
}
