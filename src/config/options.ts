/**
 * The one declarative table of every setting (aesthetics §7): its `PS_*` name and aliases, JSON key when a
 * community may override it, kind, default, bounds, secrecy, docs group and one line of docs. The loader, the
 * community layering, the generated docs and the instance community-config endpoint all read this table, so a
 * setting is declared exactly once.
 */
import type { CommunityConfig } from "./community-config.js";
import type { OptionGroup, OptionKind, OptionSpec } from "./option-spec.js";

export type { OptionGroup, OptionKind, OptionSpec } from "./option-spec.js";

type Extra = Partial<Omit<OptionSpec, "env" | "jsonKey" | "kind" | "default" | "group" | "doc">>;

function server(
  env: string,
  kind: OptionKind,
  def: string | undefined,
  group: OptionGroup,
  doc: string,
  extra: Extra = {},
): OptionSpec {
  return { env, aliases: [], jsonKey: undefined, kind, default: def, secret: false, group, doc, ...extra };
}

function community(
  jsonKey: keyof CommunityConfig,
  kind: OptionKind,
  def: string,
  group: OptionGroup,
  doc: string,
  extra: Extra & { env?: string } = {},
): OptionSpec {
  const { env, ...rest } = extra;
  return {
    env: env ?? `PS_${jsonKey.toUpperCase()}`,
    aliases: [],
    jsonKey,
    kind,
    default: def,
    secret: false,
    group,
    doc,
    ...rest,
  };
}

const MEDIA_TYPES = "m.sticker,m.image,m.video,m.file,m.audio";
const STATE_EVENT_TYPES =
  "m.room.power_levels,m.room.avatar,m.room.name,m.room.topic,m.room.join_rules,m.room.history_visibility," +
  "m.room.create,m.room.server_acl,m.room.tombstone,m.room.encryption,m.room.canonical_alias";
// Upstream's default has the typo `172.16.0.0./12` (api_storage_config.md §3.3); ours is the intended network.
const DENIED_NETWORKS =
  "127.0.0.1/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,100.64.0.0/10,169.254.0.0/16,::1/128,fe80::/64,fc00::/7";

const roomId = (v: string): string | undefined =>
  /^![^:]+:.+$/.test(v) ? undefined : `${JSON.stringify(v)} is not a room ID (!opaque:server)`;
const roomIdOrV12 = (v: string): string | undefined =>
  v.startsWith("!") && v.length > 1 ? undefined : `${JSON.stringify(v)} is not a room ID (it must start with "!")`;
const userId = (v: string): string | undefined =>
  /^@[^:]+:.+$/.test(v) ? undefined : `${JSON.stringify(v)} is not a user ID (@localpart:server)`;
const localpart = (v: string): string | undefined =>
  /^[a-z0-9._=\-/+]+$/.test(v) ? undefined : `${JSON.stringify(v)} is not a valid localpart (use a-z, 0-9 and ._=-/+)`;

/** Every option, in docs order. */
export const OPTIONS: readonly OptionSpec[] = [
  // Deployment
  server(
    "PS_HOMESERVER_NAME",
    "server-name",
    "localhost",
    "Deployment",
    "Server name of the policy server itself; federation reaches it on port 443 of this name.",
  ),

  // Database
  server("PS_DATABASE", "url", undefined, "Database", "PostgreSQL URI for reads and writes (and LISTEN/NOTIFY).", {
    defaultNote:
      "unset: embedded PostgreSQL in `PS_EMBEDDED_DATABASE_DIR` (upstream: `postgres://policyserv:devonly@localhost/policyserv?sslmode=disable`)",
    schemes: ["postgres:", "postgresql:"],
    secret: true,
  }),
  server(
    "PS_EMBEDDED_DATABASE_DIR",
    "path",
    "./data",
    "Database",
    "Where the embedded PostgreSQL keeps its files when `PS_DATABASE` is unset.",
  ),
  server("PS_DATABASE_MAX_OPEN_CONNS", "int", "10", "Database", "Maximum open connections to the database.", {
    min: 1,
  }),
  server("PS_DATABASE_MAX_IDLE_CONNS", "int", "5", "Database", "Maximum idle connections kept open (0 keeps none).", {
    min: 0,
  }),
  server(
    "PS_DATABASE_READ",
    "url",
    "",
    "Database",
    "Read-only PostgreSQL URI for reads; empty uses the main database.",
    {
      schemes: ["postgres:", "postgresql:"],
      allowEmpty: true,
      secret: true,
    },
  ),
  server(
    "PS_DATABASE_READ_MAX_OPEN_CONNS",
    "int",
    "10",
    "Database",
    "Maximum open connections to the read-only database.",
    {
      aliases: ["PS_DATABASE_READ_MAX_OPEN"],
      min: 1,
    },
  ),
  server(
    "PS_DATABASE_READ_MAX_IDLE_CONNS",
    "int",
    "5",
    "Database",
    "Maximum idle connections to the read-only database.",
    {
      aliases: ["PS_DATABASE_READ_MAX_IDLE"],
      min: 0,
    },
  ),
  server(
    "PS_DATABASE_MIGRATIONS_DIR",
    "path",
    "./migrations",
    "Database",
    "Directory holding the numbered SQL migrations.",
    {
      defaultNote: "Docker: `/opt/migrations`",
    },
  ),

  // HTTP
  server(
    "PS_HTTP_BIND",
    "bind",
    "0.0.0.0:8080",
    "HTTP",
    "Address of the main listener (federation, well-knowns, admin API).",
  ),
  server(
    "PS_HTTP_METRICS_BIND",
    "bind",
    "0.0.0.0:8081",
    "HTTP",
    "Address of the Prometheus `/metrics` listener; cannot be disabled.",
  ),
  server("PS_HTTP_PPROF_BIND", "bind", "", "HTTP", "Address of the diagnostics listener; empty disables it.", {
    allowEmpty: true,
    defaultNote: "Docker: `0.0.0.0:8082`",
  }),

  // Signing keys
  server(
    "PS_HOMESERVER_SIGNING_KEY_PATH",
    "path",
    "./signing.key",
    "Signing keys",
    "Federation (server) signing key file; its version becomes the key ID.",
    {
      defaultNote: "Docker: `/data/signing.key`",
    },
  ),
  server(
    "PS_HOMESERVER_EVENT_SIGNING_KEY_PATH",
    "path",
    "./event_signing.key",
    "Signing keys",
    "Event signing key file; published as `ed25519:policy_server` whatever its version.",
    {
      defaultNote: "Docker: `/data/event_signing.key`",
    },
  ),

  // Federation
  server(
    "PS_KEY_QUERY_SERVER",
    "key-query-server",
    "matrix.org,ed25519:a_RXGa,l8Hft5qXKn1vfHrg3p4+W8gELQVo8N13JkluMfmn2sQ",
    "Federation",
    "Trusted notary for server keys: `name,keyId,base64PublicKey`.",
  ),
  server(
    "PS_DIRECT_KEY_FETCHING",
    "bool",
    "false",
    "Federation",
    "Also fetch keys directly from origin servers (tried before the notary).",
  ),
  server("PS_TRUSTED_ORIGINS", "csv", "matrix.org,element.io", "Federation", "Servers trusted to provide room state."),
  server(
    "PS_STATE_CACHE_MINUTES",
    "minutes",
    "5",
    "Federation",
    "How long learned room state stays fresh; 0 or less means always stale.",
  ),
  server(
    "PS_STATE_CACHE_INTERVAL_MINUTES",
    "minutes",
    "60",
    "Federation",
    "Period of the background room-state refresh (±10%).",
    { min: 1 },
  ),
  server(
    "PS_FEDERATION_CATCHUP_INTERVAL_SECONDS",
    "seconds",
    "15",
    "Federation",
    "Retry period for queued outbound EDU transactions; 0 or less disables.",
  ),
  server(
    "PS_FEDERATION_HOST_OVERRIDES",
    "csv-map",
    "",
    "Federation",
    "`server_name=base_url` pairs that bypass server discovery (tests, private federations).",
  ),
  server(
    "PS_HOMESERVER_ALLOWED_NETWORKS",
    "cidr-list",
    "0.0.0.0/0,::/0",
    "Federation",
    "CIDRs outbound federation may connect to (overridden hosts are exempt).",
    {
      defaultNote: "upstream: `0.0.0.0/0`",
    },
  ),
  server(
    "PS_HOMESERVER_DENIED_NETWORKS",
    "cidr-list",
    DENIED_NETWORKS,
    "Federation",
    "CIDRs outbound federation may never connect to; checked before the allow list.",
  ),
  server(
    "PS_EVENT_FETCH_SERVERS",
    "csv",
    "matrix.org",
    "Federation",
    "Servers asked for an event by ID (check by event ID); the first answer wins.",
  ),

  // Rooms
  server("PS_JOIN_SERVER", "server-name", "matrix.org", "Rooms", "The server joins are sent through."),
  server(
    "PS_JOIN_ROOM_IDS",
    "csv",
    "",
    "Rooms",
    "Rooms joined at start-up into the `default` community; removing one does not unprotect it.",
    {
      validateItem: roomIdOrV12,
    },
  ),
  server("PS_JOIN_LOCALPART", "string", "policyserv", "Rooms", "Localpart of the user that joins rooms.", {
    validateItem: localpart,
    allowEmpty: false,
  }),

  // Processing pools
  server("PS_PROCESSING_POOL_SIZE", "int", "100", "Processing pools", "How many checks may run at once.", { min: 1 }),
  server("PS_MODERATION_POOL_SIZE", "int", "25", "Processing pools", "How many redactions may run at once.", {
    min: 1,
  }),
  server(
    "PS_WEBHOOK_POOL_SIZE",
    "int",
    "5",
    "Processing pools",
    "How many webhook notifications may be sent at once.",
    { min: 1 },
  ),

  // Admin API and moderation
  server(
    "PS_API_KEY",
    "string",
    "",
    "Admin API and moderation",
    "Bearer key of the admin API; empty disables the API.",
    { secret: true },
  ),
  server(
    "PS_MODERATOR_ACCESS_TOKENS",
    "token-pairs",
    "",
    "Admin API and moderation",
    "`cs-api-domain:access_token` pairs used to redact spam (deprecated).",
    {
      secret: true,
    },
  ),

  // Media
  server(
    "PS_HOMESERVER_MEDIA_CLIENT_URL",
    "url",
    "https://matrix-client.matrix.org",
    "Media",
    "Client-server API base URL used to download media.",
  ),
  server("PS_HOMESERVER_MEDIA_CLIENT_ACCESS_TOKEN", "string", "", "Media", "Access token for media downloads.", {
    secret: true,
  }),

  // Webhooks
  server(
    "PS_ALLOWED_WEBHOOK_DOMAINS",
    "csv",
    "element.ems.host",
    "Webhooks",
    "Hosts (exact, including any port) webhooks may be sent to.",
  ),

  // Support
  server(
    "PS_SUPPORT_ADMIN_CONTACTS",
    "contact-list",
    "",
    "Support",
    "Admin contacts for `/.well-known/matrix/support` (Matrix IDs or email addresses).",
  ),
  server(
    "PS_SUPPORT_SECURITY_CONTACTS",
    "contact-list",
    "",
    "Support",
    "Security contacts for `/.well-known/matrix/support`.",
  ),
  server("PS_SUPPORT_URL", "url", "", "Support", "Support page for `/.well-known/matrix/support`.", {
    allowEmpty: true,
  }),

  // Logging
  server("PS_LOG_LEVEL", "enum", "info", "Logging", "Least severe log level written.", {
    choices: ["trace", "debug", "info", "warn", "error", "fatal", "silent"],
  }),
  server("PS_LOG_FORMAT", "enum", "json", "Logging", "`json` for machines, `pretty` for a human at a terminal.", {
    choices: ["json", "pretty"],
  }),

  // Filters (community-overridable defaults, then the instance-only settings of each filter)
  community(
    "spam_threshold",
    "float",
    "0.8",
    "Filters: general",
    "Score (Allowed 0, Neutral 0.5, Prohibited 1) at or above which an event is spam.",
    { min: 0, max: 1 },
  ),
  community(
    "webhook_url",
    "url",
    "",
    "Filters: general",
    "Default webhook for audit notifications; empty sends none.",
    { allowEmpty: true },
  ),

  community("sender_prefilter_allowed_senders", "csv", "", "Filters: prefilters", "User IDs that are never filtered.", {
    validateItem: userId,
  }),
  community(
    "event_type_prefilter_allowed_event_types",
    "csv",
    "m.room.redaction",
    "Filters: prefilters",
    "Non-state event types that are never filtered.",
  ),
  community(
    "event_type_prefilter_allowed_state_event_types",
    "csv",
    STATE_EVENT_TYPES,
    "Filters: prefilters",
    "State event types that are never filtered.",
  ),

  community(
    "hellban_postfilter_minutes",
    "minutes",
    "60",
    "Filters: hellban",
    "Minutes a sender stays timed out after a spammy event; 0 or less disables.",
  ),

  community(
    "keyword_filter_keywords",
    "csv",
    "spammy spam",
    "Filters: keywords",
    "Keywords that mark an event as spam; empty disables.",
  ),
  community(
    "keyword_filter_use_full_event",
    "bool",
    "false",
    "Filters: keywords",
    "Search every string in `content`, not just the body.",
  ),
  community(
    "keyword_template_filter_template_names",
    "csv",
    "",
    "Filters: keywords",
    "Names of uploaded keyword templates to run; unknown names are skipped.",
  ),
  community(
    "keyword_template_filter_use_full_event",
    "bool",
    "false",
    "Filters: keywords",
    "Give templates every string in `content`, not just the body.",
    {
      aliases: ["PS_KEYWORD_TEMPLATE_USE_FULL_EVENT"],
    },
  ),

  community(
    "mention_filter_max_mentions",
    "int",
    "20",
    "Filters: mentions",
    "Mentions allowed in one event; negative disables.",
  ),
  community(
    "mention_filter_min_plaintext_length",
    "int",
    "5",
    "Filters: mentions",
    "Shortest display name counted as a plaintext mention.",
  ),
  community(
    "many_ats_filter_max_ats",
    "int",
    "20",
    "Filters: mentions",
    "`@` characters allowed in one event; negative disables.",
  ),
  community(
    "mention_frequency_filter_rate_limit",
    "float",
    "0",
    "Filters: rate limits",
    "Mentions per second allowed per sender; 0 or less disables.",
  ),
  community(
    "mention_frequency_filter_min_plaintext_length",
    "int",
    "5",
    "Filters: rate limits",
    "Shortest display name counted by the mention-frequency filter.",
  ),
  community(
    "frequency_filter_event_types",
    "csv",
    "m.room.message,m.sticker,m.reaction",
    "Filters: rate limits",
    "Event types counted by the frequency filter.",
  ),
  community(
    "frequency_filter_rate_limit",
    "float",
    "0",
    "Filters: rate limits",
    "Events per second allowed per sender over 60 s; 0 or less disables.",
  ),

  community(
    "media_filter_media_types",
    "csv",
    MEDIA_TYPES,
    "Filters: media",
    "Event types and msgtypes refused as media; empty disables.",
  ),
  community(
    "untrusted_media_filter_media_types",
    "csv",
    MEDIA_TYPES,
    "Filters: media",
    "Event types and msgtypes refused from untrusted senders; empty disables.",
  ),
  community(
    "untrusted_media_filter_use_muninn",
    "bool",
    "true",
    "Filters: media",
    "Trust members of the Muninn Hall directory.",
  ),
  community(
    "untrusted_media_filter_use_power_levels",
    "bool",
    "true",
    "Filters: media",
    "Trust users with above-default power (and v12 room creators).",
  ),
  community(
    "untrusted_media_filter_allowed_user_globs",
    "csv",
    "",
    "Filters: media",
    "Globs of trusted user IDs (the deny list wins).",
  ),
  community("untrusted_media_filter_denied_user_globs", "csv", "", "Filters: media", "Globs of untrusted user IDs."),
  server(
    "PS_MUNINN_HALL_SOURCE_API_URL",
    "url",
    "https://mau.bot/_matrix/maubot/plugin/muninnbot/member_directory",
    "Filters: media",
    "Muninn Hall member directory API; empty disables polling.",
    {
      allowEmpty: true,
    },
  ),
  server(
    "PS_MUNINN_HALL_SOURCE_API_KEY",
    "string",
    "",
    "Filters: media",
    "Bearer key for the Muninn Hall API; empty disables polling.",
    { secret: true },
  ),

  community(
    "mjolnir_filter_enabled",
    "bool",
    "true",
    "Filters: policy list",
    "Apply the policy-list room's `m.ban` rules.",
  ),
  server(
    "PS_MJOLNIR_FILTER_ROOM_ID",
    "string",
    "",
    "Filters: policy list",
    "Policy-list room (must be joined); empty disables the filter.",
    { validateItem: roomId },
  ),

  community(
    "density_filter_max_density",
    "float",
    "0.95",
    "Filters: density and length",
    "Highest allowed non-whitespace ratio of `body`; 0 or less disables.",
  ),
  community(
    "density_filter_min_trigger_length",
    "int",
    "150",
    "Filters: density and length",
    "Shortest `body` the density filter looks at.",
  ),
  community(
    "trim_length_filter_max_difference",
    "int",
    "25",
    "Filters: density and length",
    "Largest allowed length difference between `body` and trimmed `body`; 0 or less disables.",
    {
      env: "PS_TRIM_FILTER_MAX_DIFFERENCE",
      aliases: ["PS_TRIM_LENGTH_FILTER_MAX_DIFFERENCE"],
    },
  ),
  community(
    "length_filter_max_length",
    "int",
    "10000",
    "Filters: density and length",
    "Largest allowed canonical JSON size of an event; 0 or less disables.",
  ),

  community("link_filter_allowed_url_globs", "csv", "", "Filters: links", "Globs of allowed link URLs."),
  community("link_filter_denied_url_globs", "csv", "", "Filters: links", "Globs of refused link URLs."),

  community(
    "user_id_contains_words_filter_max_words",
    "int",
    "0",
    "Filters: user IDs",
    "Most dictionary words allowed in a sender's localpart; 0 or less disables.",
  ),
  community(
    "user_id_length_filter_max_length",
    "int",
    "0",
    "Filters: user IDs",
    "Longest allowed sender user ID; 0 or less disables.",
  ),

  community(
    "sticky_events_filter_allow_sticky_events",
    "bool",
    "true",
    "Filters: sticky events and emoji",
    "Allow MSC4354 sticky events.",
  ),
  community(
    "inline_emoji_size_filter_max_height_pixels",
    "int",
    "32",
    "Filters: sticky events and emoji",
    "Tallest allowed inline emoji image; 0 or less disables.",
  ),

  community(
    "openai_filter_fail_secure",
    "bool",
    "true",
    "Filters: OpenAI",
    "Treat an OpenAI error as spam (true) or as neutral (false).",
  ),
  server("PS_OPENAI_FILTER_API_KEY", "string", "", "Filters: OpenAI", "OpenAI API key; empty disables the filter.", {
    secret: true,
  }),
  server(
    "PS_OPENAI_FILTER_ALLOWED_ROOM_IDS",
    "csv",
    "",
    "Filters: OpenAI",
    "Rooms that use (and must use) the OpenAI filter.",
    { validateItem: roomIdOrV12 },
  ),

  community(
    "hma_filter_enabled_banks",
    "csv",
    "",
    "Filters: HMA",
    "HMA banks media is matched against; empty disables.",
  ),
  server("PS_HMA_API_URL", "url", "", "Filters: HMA", "Base URL of the HMA instance; empty disables the filter.", {
    allowEmpty: true,
  }),
  server("PS_HMA_API_KEY", "string", "", "Filters: HMA", "API key of the HMA instance.", { secret: true }),

  community(
    "unsafe_signing_key_filter_enabled",
    "bool",
    "true",
    "Filters: signing keys",
    "Refuse events from servers using known-unsafe signing keys.",
  ),

  community(
    "moderation_bot_user_id",
    "string",
    "",
    "Moderation bot",
    "User that receives signed to-device redaction commands.",
    { validateItem: userId },
  ),
];

/** Every option by its README name and by each alias. */
export const OPTIONS_BY_NAME: ReadonlyMap<string, OptionSpec> = new Map(
  OPTIONS.flatMap((spec) => [spec.env, ...spec.aliases].map((name) => [name, spec] as const)),
);

/** Every community-overridable option by its JSON key. */
export const COMMUNITY_OPTIONS: ReadonlyMap<keyof CommunityConfig, OptionSpec> = new Map(
  OPTIONS.flatMap((spec) => (spec.jsonKey === undefined ? [] : [[spec.jsonKey, spec] as const])),
);

/** The option for `name`; throws for an unknown name, which is a programming error. */
export function optionSpec(name: string): OptionSpec {
  const spec = OPTIONS_BY_NAME.get(name);
  if (spec === undefined) throw new Error(`no option named ${name}`);
  return spec;
}
