/**
 * In-memory implementations of the runtime ports, for actor tests and the pipeline benchmark. Each can be made to
 * fail (`failing = true`) to exercise the outage paths.
 */
import type { CommunityOverrides } from "../src/config/community-config.js";
import type { BanRule, KeywordTemplate, RoomFacts } from "../src/filters/types.js";
import type { Verdict } from "../src/pipeline/types.js";
import { err, ok, type Result } from "../src/result.js";
import type {
  CommunityConfigPort,
  HellbanPort,
  HellbanRecord,
  KeywordTemplatePort,
  RoomFactsPort,
  RuntimePorts,
  TrustPort,
  VerdictEntry,
  VerdictPort,
} from "./ports.js";

const OUTAGE = "memory store is failing (test outage)";

export class MemoryCommunityConfigs implements CommunityConfigPort {
  failing = false;
  loads = 0;
  readonly rows = new Map<string, CommunityOverrides>();

  async loadOverrides(communityId: string): Promise<Result<CommunityOverrides | undefined, string>> {
    this.loads++;
    if (this.failing) return err(OUTAGE);
    return ok(this.rows.get(communityId));
  }
}

export class MemoryKeywordTemplates implements KeywordTemplatePort {
  failing = false;
  readonly templates = new Map<string, KeywordTemplate>();

  async loadAll(): Promise<Result<ReadonlyMap<string, KeywordTemplate>, string>> {
    if (this.failing) return err(OUTAGE);
    return ok(new Map(this.templates));
  }
}

export class MemoryRoomFacts implements RoomFactsPort {
  failing = false;
  loads = 0;
  readonly rows = new Map<string, RoomFacts>();

  async load(roomId: string): Promise<Result<RoomFacts | undefined, string>> {
    this.loads++;
    if (this.failing) return err(OUTAGE);
    return ok(this.rows.get(roomId));
  }

  async save(roomId: string, facts: RoomFacts): Promise<Result<void, string>> {
    if (this.failing) return err(OUTAGE);
    this.rows.set(roomId, facts);
    return ok(undefined);
  }
}

export class MemoryHellbans implements HellbanPort {
  failing = false;
  readonly rows = new Map<string, HellbanRecord>();

  async ban(communityId: string, userId: string, expiresAt: number, now: number): Promise<Result<HellbanRecord, string>> {
    if (this.failing) return err(OUTAGE);
    const key = hellbanKey(communityId, userId);
    const existing = this.rows.get(key);
    if (existing && existing.expiresAt > now) return ok(existing);
    const record = { communityId, userId, expiresAt };
    this.rows.set(key, record);
    return ok(record);
  }

  async getActive(communityId: string, userId: string, now: number): Promise<Result<HellbanRecord | undefined, string>> {
    if (this.failing) return err(OUTAGE);
    const row = this.rows.get(hellbanKey(communityId, userId));
    return ok(row && row.expiresAt > now ? row : undefined);
  }

  async listActive(now: number): Promise<Result<readonly HellbanRecord[], string>> {
    if (this.failing) return err(OUTAGE);
    return ok([...this.rows.values()].filter((r) => r.expiresAt > now));
  }

  async expire(now: number): Promise<Result<number, string>> {
    if (this.failing) return err(OUTAGE);
    let removed = 0;
    for (const [key, row] of this.rows) {
      if (row.expiresAt <= now) {
        this.rows.delete(key);
        removed++;
      }
    }
    return ok(removed);
  }
}

export class MemoryVerdicts implements VerdictPort {
  failing = false;
  puts = 0;
  readonly rows = new Map<string, Verdict>();

  async get(eventId: string): Promise<Result<Verdict | undefined, string>> {
    if (this.failing) return err(OUTAGE);
    return ok(this.rows.get(eventId));
  }

  async putMany(entries: readonly VerdictEntry[]): Promise<Result<void, string>> {
    this.puts++;
    if (this.failing) return err(OUTAGE);
    for (const { eventId, verdict } of entries) if (!this.rows.has(eventId)) this.rows.set(eventId, verdict);
    return ok(undefined);
  }
}

export class MemoryTrust implements TrustPort {
  rules: readonly BanRule[] = [];
  servers: ReadonlySet<string> = new Set();
  banRules(): readonly BanRule[] {
    return this.rules;
  }
  muninnServers(): ReadonlySet<string> {
    return this.servers;
  }
}

/** A full set of memory ports, each reachable by its concrete type for test set-up. */
export function memoryPorts() {
  return {
    communities: new MemoryCommunityConfigs(),
    keywordTemplates: new MemoryKeywordTemplates(),
    rooms: new MemoryRoomFacts(),
    hellbans: new MemoryHellbans(),
    verdicts: new MemoryVerdicts(),
    trust: new MemoryTrust(),
  } satisfies RuntimePorts;
}

/** The one key format for (community, sender) pairs in memory. */
export function hellbanKey(communityId: string, userId: string): string {
  return `${communityId}\u0000${userId}`;
}
