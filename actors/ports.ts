/**
 * The storage the actors need, as small interfaces. The composition root adapts the PostgreSQL repositories to them;
 * tests use the `Memory*` implementations in memory-ports.ts. Every method returns a Result: an outage is an expected
 * failure the actors answer around (decisions §5.4), never an exception.
 */
import type { CommunityOverrides } from "../src/config/community-config.js";
import type { BanRule, KeywordTemplate, RoomFacts } from "../src/filters/types.js";
import type { Verdict } from "../src/pipeline/types.js";
import type { Result } from "../src/result.js";

/** Community rows: `undefined` when no community has that id. */
export interface CommunityConfigPort {
  loadOverrides(communityId: string): Promise<Result<CommunityOverrides | undefined, string>>;
}

/** Keyword templates, already compiled by the template engine. */
export interface KeywordTemplatePort {
  loadAll(): Promise<Result<ReadonlyMap<string, KeywordTemplate>, string>>;
}

/** Learned room state; `undefined` when the room was never learned. */
export interface RoomFactsPort {
  load(roomId: string): Promise<Result<RoomFacts | undefined, string>>;
  save(roomId: string, facts: RoomFacts): Promise<Result<void, string>>;
}

/** One hellban row. `expiresAt` is milliseconds since the epoch. */
export interface HellbanRecord {
  readonly communityId: string;
  readonly userId: string;
  readonly expiresAt: number;
}

/** Hellbans are rows shared by every process (decisions §3.4). */
export interface HellbanPort {
  /**
   * Bans unless a ban is already active, and returns the ban in force: an active ban is returned unchanged (a ban
   * never extends itself), an expired one is replaced.
   */
  ban(communityId: string, userId: string, expiresAt: number, now: number): Promise<Result<HellbanRecord, string>>;
  /** The active ban of one sender, if any (used when another process announces a ban). */
  getActive(communityId: string, userId: string, now: number): Promise<Result<HellbanRecord | undefined, string>>;
  listActive(now: number): Promise<Result<readonly HellbanRecord[], string>>;
  /** Deletes rows that expired before `now`; returns how many. */
  expire(now: number): Promise<Result<number, string>>;
}

/** Stored verdicts by event ID (decisions §2.5). */
export interface VerdictPort {
  get(eventId: string): Promise<Result<Verdict | undefined, string>>;
  /** Stores a batch (the verdict writer batches); an event that already has a stored verdict keeps it. */
  putMany(entries: readonly VerdictEntry[]): Promise<Result<void, string>>;
}

/** One verdict to store. */
export interface VerdictEntry {
  readonly eventId: string;
  readonly verdict: Verdict;
}

/** Trust facts gathered outside the check (policy-list ban rules, Muninn Hall servers); read synchronously. */
export interface TrustPort {
  banRules(): readonly BanRule[];
  muninnServers(): ReadonlySet<string>;
}

/** Everything the runtime stores or loads. */
export interface RuntimePorts {
  readonly communities: CommunityConfigPort;
  readonly keywordTemplates: KeywordTemplatePort;
  readonly rooms: RoomFactsPort;
  readonly hellbans: HellbanPort;
  readonly verdicts: VerdictPort;
  readonly trust: TrustPort;
}
