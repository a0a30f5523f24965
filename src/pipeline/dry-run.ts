/**
 * Dry run (decisions §7.1): evaluates an event against an effective community config and returns the verdict with
 * its trace, touching no counter and no hellban. Used by `POST /api/v1/communities/{id}/check` and the
 * `policyserv-check` CLI. Facts a live check learns from storage (room members, ban rules, trust data, hellban
 * state) are optional inputs, empty by default.
 */
import type { CommunityConfig, InstanceFilterSettings } from "../config/community-config.js";
import type { ContentClass } from "../harms/content-info.js";
import { isJsonObject, toFilterEvent } from "../filters/event-view.js";
import { FILTERS } from "../filters/registry.js";
import type { BanRule, FilterDefinition, FilterEffect, FilterFailure, KeywordTemplate, RoomFacts } from "../filters/types.js";
import { err, ok, type Result } from "../result.js";
import { evaluateEvent } from "./evaluate.js";
import { buildFilterPlan } from "./plan.js";
import type { TraceEntry } from "./types.js";

/** Room version assumed when the caller names none: the current default for new rooms in Synapse. */
export const DRY_RUN_DEFAULT_ROOM_VERSION = "11";

/** Everything a dry run reads; only the event, config and instance settings are required. */
export interface DryRunInput {
  readonly event: Readonly<Record<string, unknown>>;
  readonly config: CommunityConfig;
  readonly instance: InstanceFilterSettings;
  readonly room?: RoomFacts;
  readonly roomVersion?: string;
  readonly eventId?: string;
  readonly banRules?: readonly BanRule[];
  readonly muninnServers?: ReadonlySet<string>;
  readonly keywordTemplates?: ReadonlyMap<string, KeywordTemplate>;
  readonly senderHellbanned?: boolean;
  /** Milliseconds since the epoch; defaults to the wall clock. */
  readonly now?: number;
  /** Defaults to the production registry; tests pass their own filters. */
  readonly registry?: readonly FilterDefinition[];
}

/** The dry-run answer (the admin API and the CLI print it as JSON). */
export interface DryRunResult {
  readonly spam: boolean;
  readonly class: ContentClass;
  readonly score: number;
  readonly harms: readonly string[];
  readonly trace: readonly TraceEntry[];
  /** Effects a live check would have applied (e.g. a hellban); the dry run applied none. */
  readonly effects: readonly FilterEffect[];
  /** Present when a filter failed: a live check would have answered 500 / refused to sign. */
  readonly failure?: FilterFailure;
}

const EMPTY_ROOM: RoomFacts = Object.freeze({ members: [], powerLevels: undefined, creators: undefined });

/** Checks that a parsed JSON document can be evaluated as an event; the error says what is wrong. */
export function dryRunEvent(json: unknown): Result<Readonly<Record<string, unknown>>, string> {
  if (!isJsonObject(json)) return err("the event must be a JSON object");
  for (const key of ["type", "sender"] as const) {
    if (typeof json[key] !== "string") return err(`the event's "${key}" must be a string`);
  }
  if (json["content"] !== undefined && !isJsonObject(json["content"])) {
    return err(`the event's "content" must be a JSON object`);
  }
  return ok(json);
}

/** Evaluates the event with every filter the config enables; applies no effects. */
export async function dryRun(input: DryRunInput): Promise<DryRunResult> {
  const plan = buildFilterPlan(input.registry ?? FILTERS, input.config, input.instance);
  const eventIdField = input.event["event_id"];
  const event = toFilterEvent({
    pdu: input.event,
    eventId: input.eventId ?? (typeof eventIdField === "string" ? eventIdField : "$dry-run"),
    roomVersion: input.roomVersion ?? DRY_RUN_DEFAULT_ROOM_VERSION,
  });
  const verdict = await evaluateEvent(
    plan,
    {
      event,
      config: input.config,
      instance: input.instance,
      room: input.room ?? EMPTY_ROOM,
      banRules: input.banRules ?? [],
      muninnServers: input.muninnServers ?? new Set(),
      keywordTemplates: input.keywordTemplates ?? new Map(),
      senderHellbanned: input.senderHellbanned ?? false,
      now: input.now ?? Date.now(),
    },
    {},
    { spamThreshold: input.config.spam_threshold },
  );
  const result: DryRunResult = {
    spam: verdict.spam,
    class: verdict.info.class,
    score: verdict.score,
    harms: verdict.info.harms,
    trace: verdict.trace,
    effects: verdict.effects,
  };
  return verdict.failure === undefined ? result : { ...result, failure: verdict.failure };
}
