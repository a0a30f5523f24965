/** Shared test builders for filter and pipeline tests: upstream's default config and small event/input factories. */
import type { CommunityConfig, InstanceFilterSettings } from "../../../src/config/community-config.js";
import { toFilterEvent } from "../../../src/filters/event-view.js";
import type { FilterEvent, FilterInput, FilterOutcome, RoomFacts } from "../../../src/filters/types.js";
import type { ContentInfo } from "../../../src/harms/content-info.js";

/** The instance defaults of filters.md §4.4 (written here independently of src/config). */
export const DEFAULT_CONFIG: CommunityConfig = Object.freeze({
  keyword_filter_keywords: ["spammy spam"],
  keyword_filter_use_full_event: false,
  keyword_template_filter_template_names: [],
  keyword_template_filter_use_full_event: false,
  mention_filter_max_mentions: 20,
  mention_filter_min_plaintext_length: 5,
  mention_frequency_filter_rate_limit: 0,
  mention_frequency_filter_min_plaintext_length: 5,
  many_ats_filter_max_ats: 20,
  media_filter_media_types: ["m.sticker", "m.image", "m.video", "m.file", "m.audio"],
  untrusted_media_filter_media_types: ["m.sticker", "m.image", "m.video", "m.file", "m.audio"],
  untrusted_media_filter_use_muninn: true,
  untrusted_media_filter_use_power_levels: true,
  untrusted_media_filter_allowed_user_globs: [],
  untrusted_media_filter_denied_user_globs: [],
  density_filter_max_density: 0.95,
  density_filter_min_trigger_length: 150,
  trim_length_filter_max_difference: 25,
  length_filter_max_length: 10000,
  sender_prefilter_allowed_senders: [],
  event_type_prefilter_allowed_event_types: ["m.room.redaction"],
  event_type_prefilter_allowed_state_event_types: [
    "m.room.power_levels", "m.room.avatar", "m.room.name", "m.room.topic", "m.room.join_rules",
    "m.room.history_visibility", "m.room.create", "m.room.server_acl", "m.room.tombstone", "m.room.encryption",
    "m.room.canonical_alias",
  ],
  hellban_postfilter_minutes: 60,
  mjolnir_filter_enabled: true,
  spam_threshold: 0.8,
  webhook_url: "",
  openai_filter_fail_secure: true,
  sticky_events_filter_allow_sticky_events: true,
  hma_filter_enabled_banks: [],
  link_filter_allowed_url_globs: [],
  link_filter_denied_url_globs: [],
  unsafe_signing_key_filter_enabled: true,
  frequency_filter_event_types: ["m.room.message", "m.sticker", "m.reaction"],
  frequency_filter_rate_limit: 0,
  moderation_bot_user_id: "",
  user_id_contains_words_filter_max_words: 0,
  user_id_length_filter_max_length: 0,
  inline_emoji_size_filter_max_height_pixels: 32,
});

export const INSTANCE: InstanceFilterSettings = Object.freeze({
  homeserverName: "policy.example",
  joinLocalpart: "policyserv",
  mjolnirFilterRoomId: "",
  openaiFilterApiKey: "",
  openaiFilterAllowedRoomIds: [],
  hmaApiUrl: "",
  hmaApiKey: "",
});

export const EMPTY_ROOM: RoomFacts = { members: [], powerLevels: undefined, creators: undefined };

/** The config with some fields replaced. */
export function config(overrides: Partial<CommunityConfig> = {}): CommunityConfig {
  return { ...DEFAULT_CONFIG, ...overrides };
}

/** A PDU-shaped object: an `m.room.message` from @alice:example.org unless fields say otherwise. */
export function pdu(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: "m.room.message",
    sender: "@alice:example.org",
    room_id: "!room:example.org",
    origin_server_ts: 1_700_000_000_000,
    content: { msgtype: "m.text", body: "hello world" },
    ...fields,
  };
}

export function event(fields: Record<string, unknown> = {}, roomVersion = "10"): FilterEvent {
  return toFilterEvent({ pdu: pdu(fields), eventId: "$event", roomVersion });
}

/** A message event with this content. */
export function message(content: Record<string, unknown>): FilterEvent {
  return event({ content });
}

export function input(ev: FilterEvent, overrides: Partial<FilterInput> = {}): FilterInput {
  return {
    event: ev,
    config: DEFAULT_CONFIG,
    instance: INSTANCE,
    room: EMPTY_ROOM,
    banRules: [],
    muninnServers: new Set(),
    keywordTemplates: new Map(),
    senderHellbanned: false,
    now: 1_700_000_000_000,
    ...overrides,
  };
}

/** The ContentInfo of a successful outcome; fails the test on a failure value. */
export function infoOf(outcome: FilterOutcome | Promise<FilterOutcome>): ContentInfo {
  if (outcome instanceof Promise) throw new Error("expected a synchronous filter");
  if (!outcome.ok) throw new Error(`filter failed: ${outcome.error.message}`);
  return outcome.value.info;
}

/** "Neutral" | "Allowed" | "Prohibited" followed by harms, for compact table assertions. */
export function summary(outcome: FilterOutcome | Promise<FilterOutcome>): string {
  const info = infoOf(outcome);
  return [info.class, ...info.harms].join(" ");
}
