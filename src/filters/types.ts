/**
 * The contract between pure filters and whatever runs them (the plain-function pipeline in src/pipeline and the
 * filter actors in actors/). A filter never performs side effects itself: it returns a ContentInfo and, where the
 * product needs one (a hellban, a rate counter), an effect for the runner to apply. That is what lets the dry run
 * evaluate a real config while touching no counter and no hellban.
 */
import type { CommunityConfig, InstanceFilterSettings } from "../config/community-config.js";
import type { ContentInfo } from "../harms/content-info.js";
import type { Result } from "../result.js";

/** Groups run in this order; each gates on the class accumulated so far (filters.md §1.2, newer column). */
export type FilterGroupName = "prefilter" | "hellban_prefilter" | "main" | "postfilter";

/** The event as filters see it. Built once per check from the verified PDU. */
export interface FilterEvent {
  readonly eventId: string;
  readonly roomId: string;
  readonly roomVersion: string;
  readonly type: string;
  /** `undefined` when the event is not a state event; `""` is a valid state key. */
  readonly stateKey: string | undefined;
  readonly sender: string;
  readonly originServerTs: number;
  /** The PDU as received, as a JSON value (already validated as Matrix JSON). */
  readonly pdu: Readonly<Record<string, unknown>>;
  /** `content` when it is an object, else `{}`. */
  readonly content: Readonly<Record<string, unknown>>;
  /**
   * The bytes the event's signatures cover, when the caller verified them already (a parsed PDU keeps them);
   * otherwise the unsafe-key filter computes them itself.
   */
  readonly signedBytes?: Uint8Array;
  /**
   * UTF-8 byte length of the canonical JSON of the PDU without its transient keys (filters.md §1.11), when the
   * caller measured it already; otherwise the length filter measures it.
   */
  readonly jsonLength?: number;
}

/** A member's learned display name (joined members with a non-blank display name only). */
export interface RoomMember {
  readonly userId: string;
  readonly displayName: string;
}

/** Power levels as learned from `m.room.power_levels` with defaults applied (filters.md §5.4). */
export interface PowerLevels {
  readonly users: Readonly<Record<string, number>>;
  readonly users_default: number;
  readonly state_default: number;
  readonly events: Readonly<Record<string, number>>;
  readonly events_default: number;
  readonly ban: number;
  readonly kick: number;
  readonly redact: number;
  readonly invite: number;
}

/** What a room-state actor knows about one room. */
export interface RoomFacts {
  readonly members: readonly RoomMember[];
  readonly powerLevels: PowerLevels | undefined;
  /** v12+ rooms: the create event's sender plus `additional_creators`; undefined for older versions. */
  readonly creators: readonly string[] | undefined;
}

/** An `m.ban` rule learned from the policy-list room (`PS_MJOLNIR_FILTER_ROOM_ID`). */
export interface BanRule {
  readonly kind: "user" | "server" | "room";
  readonly entity: string;
}

/** A compiled keyword template (Go text/template subset); rendering yields the output text or an error. */
export interface KeywordTemplate {
  readonly name: string;
  render(data: unknown): Result<string, string>;
}

/** Everything a filter may read. Facts that need I/O are gathered before the check runs. */
export interface FilterInput {
  readonly event: FilterEvent;
  readonly config: CommunityConfig;
  readonly instance: InstanceFilterSettings;
  readonly room: RoomFacts;
  readonly banRules: readonly BanRule[];
  /** Server names of Muninn Hall members (trust source). */
  readonly muninnServers: ReadonlySet<string>;
  /** Compiled keyword templates by name; names the community lists but the instance lacks are skipped. */
  readonly keywordTemplates: ReadonlyMap<string, KeywordTemplate>;
  /** Whether the sender is in a hellban for this community right now. */
  readonly senderHellbanned: boolean;
  /** Milliseconds since the epoch; injected so tests use a fake clock. */
  readonly now: number;
  /**
   * The community whose config this check runs under. Optional so existing runners keep compiling; the rate
   * filters need it (their counters are per community) and fail with a clear message when a live runner omits it.
   */
  readonly communityId?: string;
}

/** The two sliding-window counters of the rate filters: events (FrequencyFilter) and mentions. */
export type RateKind = "events" | "mentions";

/**
 * Side effects a filter asks the runner to apply. The dry run applies none.
 * - `hellban`: ban the sender in this check's community for `minutes`.
 * - `rate`: add `amount` to the sender's `kind` counter in this check's community, timestamped `at` (the check's
 *   `now`, so the count the filter read and the event it records share one clock reading).
 */
export type FilterEffect =
  | { readonly type: "hellban"; readonly sender: string; readonly minutes: number }
  | {
      readonly type: "rate";
      readonly kind: RateKind;
      readonly sender: string;
      readonly amount: number;
      readonly at: number;
    };

export interface FilterResult {
  readonly info: ContentInfo;
  readonly effects?: readonly FilterEffect[];
}

/** A filter that could not reach a verdict. The check is answered as upstream does (decisions §2.4). */
export interface FilterFailure {
  readonly filter: string;
  readonly message: string;
}

export type FilterOutcome = Result<FilterResult, FilterFailure>;

/** One media item an event references: `mxc://<origin>/<mediaId>` (filters.md §1.7). */
export interface MediaRef {
  readonly origin: string;
  readonly mediaId: string;
  /** The canonical `mxc://origin/mediaId` form, used as a cache key. */
  readonly mxc: string;
}

/** Downloaded media bytes plus the Content-Type the server declared (absent when it sent none). */
export interface DownloadedMedia {
  readonly bytes: Uint8Array;
  readonly contentType: string | undefined;
}

/** Fetches media through the operator's client-server API (federation.md §8.8); an `err` names what went wrong. */
export interface MediaFetcher {
  download(ref: MediaRef, signal?: AbortSignal): Promise<Result<DownloadedMedia, string>>;
}

/** What a text moderation model said about one text: flagged or not, and the category names it flagged. */
export interface TextModeration {
  readonly flagged: boolean;
  readonly categories: readonly string[];
}

/** A text moderation model (the OpenAI omni moderation endpoint in production). */
export interface TextModerator {
  moderate(text: string, signal?: AbortSignal): Promise<Result<TextModeration, string>>;
}

/** Matches one media item against hash banks (HMA in production): the names of the banks that matched. */
export interface MediaMatcher {
  matchBanks(ref: MediaRef, signal?: AbortSignal): Promise<Result<readonly string[], string>>;
}

/**
 * Read access to the cross-process rate counters (src/rate). Synchronous on purpose: it reads this process's
 * in-memory view, which folds in every other process's events with bounded staleness, so a check never waits on
 * the database.
 */
export interface RateReader {
  /** Units counted for (community, sender, kind) with a timestamp in `[now - 60 s, ∞)`. */
  count(communityId: string, sender: string, kind: RateKind, now: number): number;
}

/**
 * Services that I/O-bound filters use; pure filters ignore them. Each is optional so a runner without it (the dry
 * run, tests) still type-checks; a filter that needs a missing service treats it as that service failing.
 */
export interface FilterServices {
  readonly signal?: AbortSignal;
  readonly openai?: TextModerator;
  readonly hma?: MediaMatcher;
  readonly media?: MediaFetcher;
  /** Rate counters for the frequency filters; absent in the dry run and the CLI (every count then reads 0). */
  readonly rates?: RateReader;
}

export interface FilterDefinition {
  /** Stable name, used in traces, metrics labels and logs. */
  readonly name: string;
  readonly group: FilterGroupName;
  /** True when the filter does network I/O; such filters get a pool of actors and a deadline. */
  readonly io: boolean;
  enabled(config: CommunityConfig, instance: InstanceFilterSettings): boolean;
  check(input: FilterInput, services: FilterServices): FilterOutcome | Promise<FilterOutcome>;
  /**
   * A cheap test of whether `check` can say anything about this input. False promises that `check` would answer a
   * plain Neutral with no effects, so the pipeline records that Neutral without running the filter, and the actor
   * runtime sends its filter actor no message. Absent means always applies. The registry tests hold each
   * predicate to its filter over a corpus of events.
   */
  applies?(input: FilterInput): boolean;
  /** Present only on filters that can check plain text (filters.md §1.4, text mode). */
  checkText?(text: string, config: CommunityConfig, context?: TextCheckContext): FilterOutcome;
}

/** Facts a text check may need beyond the config; absent means none (e.g. no keyword templates). */
export interface TextCheckContext {
  readonly keywordTemplates: ReadonlyMap<string, KeywordTemplate>;
}
