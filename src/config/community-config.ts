/**
 * The effective configuration of one community: instance defaults (environment) with the community's stored JSON
 * overrides laid on top (filters.md §4). Property names are the JSON keys of the admin API and of the stored
 * `communities.config` column, so layering is a plain key-by-key overlay.
 *
 * The option table in this folder is the single source of truth for names, types, defaults and docs; this
 * interface is what that table produces.
 */
export interface CommunityConfig {
  readonly keyword_filter_keywords: readonly string[];
  readonly keyword_filter_use_full_event: boolean;
  readonly keyword_template_filter_template_names: readonly string[];
  readonly keyword_template_filter_use_full_event: boolean;
  readonly mention_filter_max_mentions: number;
  readonly mention_filter_min_plaintext_length: number;
  readonly mention_frequency_filter_rate_limit: number;
  readonly mention_frequency_filter_min_plaintext_length: number;
  readonly many_ats_filter_max_ats: number;
  readonly media_filter_media_types: readonly string[];
  readonly untrusted_media_filter_media_types: readonly string[];
  readonly untrusted_media_filter_use_muninn: boolean;
  readonly untrusted_media_filter_use_power_levels: boolean;
  readonly untrusted_media_filter_allowed_user_globs: readonly string[];
  readonly untrusted_media_filter_denied_user_globs: readonly string[];
  readonly density_filter_max_density: number;
  readonly density_filter_min_trigger_length: number;
  readonly trim_length_filter_max_difference: number;
  readonly length_filter_max_length: number;
  readonly sender_prefilter_allowed_senders: readonly string[];
  readonly event_type_prefilter_allowed_event_types: readonly string[];
  readonly event_type_prefilter_allowed_state_event_types: readonly string[];
  readonly hellban_postfilter_minutes: number;
  readonly mjolnir_filter_enabled: boolean;
  readonly spam_threshold: number;
  readonly webhook_url: string;
  readonly openai_filter_fail_secure: boolean;
  readonly sticky_events_filter_allow_sticky_events: boolean;
  readonly hma_filter_enabled_banks: readonly string[];
  readonly link_filter_allowed_url_globs: readonly string[];
  readonly link_filter_denied_url_globs: readonly string[];
  readonly unsafe_signing_key_filter_enabled: boolean;
  readonly frequency_filter_event_types: readonly string[];
  readonly frequency_filter_rate_limit: number;
  readonly moderation_bot_user_id: string;
  readonly user_id_contains_words_filter_max_words: number;
  readonly user_id_length_filter_max_length: number;
  readonly inline_emoji_size_filter_max_height_pixels: number;
}

/** A community's stored overrides: any subset of the fields; absent (or null) inherits the instance value. */
export type CommunityOverrides = { readonly [K in keyof CommunityConfig]?: CommunityConfig[K] };

/**
 * Instance-only settings that filters read but communities can never change (filters.md §4.1).
 */
export interface InstanceFilterSettings {
  readonly homeserverName: string;
  readonly joinLocalpart: string;
  readonly mjolnirFilterRoomId: string;
  readonly openaiFilterApiKey: string;
  readonly openaiFilterAllowedRoomIds: readonly string[];
  readonly hmaApiUrl: string;
  readonly hmaApiKey: string;
}
