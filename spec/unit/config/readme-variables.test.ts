// Every variable the upstream README documents: its default and an override reach the config object.
// The variable list comes from spec/fixtures/readme-variables.json (extracted from the README), and the expected
// values below are written by hand from the README, independently of src/config/options.ts.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import type { AppConfig } from "../../../src/config/app-config.js";
import { loadConfig } from "../../../src/config/load.js";
import { OPTIONS_BY_NAME } from "../../../src/config/options.js";

interface ReadmeVariable {
  readonly name: string;
  readonly readmeDefault: string;
}

const fixture = JSON.parse(readFileSync(new URL("../../fixtures/readme-variables.json", import.meta.url), "utf8")) as {
  variables: ReadmeVariable[];
};

interface Case {
  readonly get: (config: AppConfig) => unknown;
  readonly def: unknown;
  readonly set: string;
  readonly want: unknown;
}

const MEDIA = ["m.sticker", "m.image", "m.video", "m.file", "m.audio"];
const STATE_TYPES = [
  "m.room.power_levels",
  "m.room.avatar",
  "m.room.name",
  "m.room.topic",
  "m.room.join_rules",
  "m.room.history_visibility",
  "m.room.create",
  "m.room.server_acl",
  "m.room.tombstone",
  "m.room.encryption",
  "m.room.canonical_alias",
];
const KEY = "l8Hft5qXKn1vfHrg3p4+W8gELQVo8N13JkluMfmn2sQ";
const OTHER_KEY = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo";
const c = (config: AppConfig) => config.communityDefaults;

const CASES: Readonly<Record<string, Case>> = {
  // decisions §5.2 overrides the README here: unset means "embedded PostgreSQL", so the default is no URL.
  PS_DATABASE: {
    get: (x) => x.database.url,
    def: undefined,
    set: "postgres://u:p@db.example/ps",
    want: "postgres://u:p@db.example/ps",
  },
  PS_HOMESERVER_NAME: {
    get: (x) => x.server.homeserverName,
    def: "localhost",
    set: "beta.example.org",
    want: "beta.example.org",
  },
  PS_HTTP_BIND: {
    get: (x) => x.server.httpBind,
    def: { host: "0.0.0.0", port: 8080 },
    set: "127.0.0.1:9000",
    want: { host: "127.0.0.1", port: 9000 },
  },
  PS_DATABASE_MAX_OPEN_CONNS: { get: (x) => x.database.maxOpenConns, def: 10, set: "42", want: 42 },
  PS_DATABASE_MAX_IDLE_CONNS: { get: (x) => x.database.maxIdleConns, def: 5, set: "0", want: 0 },
  PS_DATABASE_READ: {
    get: (x) => x.database.readUrl,
    def: undefined,
    set: "postgresql://ro@replica/ps",
    want: "postgresql://ro@replica/ps",
  },
  PS_DATABASE_READ_MAX_OPEN_CONNS: { get: (x) => x.database.readMaxOpenConns, def: 10, set: "3", want: 3 },
  PS_DATABASE_READ_MAX_IDLE_CONNS: { get: (x) => x.database.readMaxIdleConns, def: 5, set: "2", want: 2 },
  PS_KEY_QUERY_SERVER: {
    get: (x) => x.federation.keyQueryServer,
    def: { serverName: "matrix.org", keyId: "ed25519:a_RXGa", publicKey: KEY },
    set: `notary.example, ed25519:k1, ${OTHER_KEY}`,
    want: { serverName: "notary.example", keyId: "ed25519:k1", publicKey: OTHER_KEY },
  },
  PS_TRUSTED_ORIGINS: {
    get: (x) => x.federation.trustedOrigins,
    def: ["matrix.org", "element.io"],
    set: "a.example, b.example",
    want: ["a.example", "b.example"],
  },
  PS_STATE_CACHE_MINUTES: { get: (x) => x.federation.stateCacheMinutes, def: 5, set: "30", want: 30 },
  PS_JOIN_SERVER: {
    get: (x) => x.federation.joinServer,
    def: "matrix.org",
    set: "hs.example:8448",
    want: "hs.example:8448",
  },
  PS_JOIN_ROOM_IDS: {
    get: (x) => x.federation.joinRoomIds,
    def: [],
    set: "!a:x.org,!b:y.org",
    want: ["!a:x.org", "!b:y.org"],
  },
  PS_JOIN_LOCALPART: { get: (x) => x.federation.joinLocalpart, def: "policyserv", set: "ps-bot", want: "ps-bot" },
  PS_API_KEY: { get: (x) => x.apiKey, def: undefined, set: "s3cret", want: "s3cret" },
  PS_MODERATOR_ACCESS_TOKENS: {
    get: (x) => [...x.moderatorAccessTokens],
    def: [],
    set: "matrix-client.matrix.org:syt_example,gnome.ems.host:syt_example2",
    want: [
      ["matrix-client.matrix.org", "syt_example"],
      ["gnome.ems.host", "syt_example2"],
    ],
  },
  PS_HTTP_PPROF_BIND: {
    get: (x) => x.server.pprofBind,
    def: undefined,
    set: "127.0.0.1:8082",
    want: { host: "127.0.0.1", port: 8082 },
  },
  PS_HTTP_METRICS_BIND: {
    get: (x) => x.server.metricsBind,
    def: { host: "0.0.0.0", port: 8081 },
    set: "[::1]:9100",
    want: { host: "::1", port: 9100 },
  },
  PS_ALLOWED_WEBHOOK_DOMAINS: {
    get: (x) => x.webhooks.allowedDomains,
    def: ["element.ems.host"],
    set: "hooks.example:8443",
    want: ["hooks.example:8443"],
  },
  PS_HOMESERVER_MEDIA_CLIENT_URL: {
    get: (x) => x.media.clientUrl,
    def: "https://matrix-client.matrix.org",
    set: "https://cs.example",
    want: "https://cs.example",
  },
  PS_HOMESERVER_MEDIA_CLIENT_ACCESS_TOKEN: {
    get: (x) => x.media.accessToken,
    def: undefined,
    set: "syt_media",
    want: "syt_media",
  },
  PS_SUPPORT_ADMIN_CONTACTS: {
    get: (x) => x.support.adminContacts,
    def: [],
    set: "@admin:example.org, admin@example.org",
    want: [
      { kind: "matrix_id", value: "@admin:example.org" },
      { kind: "email_address", value: "admin@example.org" },
    ],
  },
  PS_SUPPORT_SECURITY_CONTACTS: {
    get: (x) => x.support.securityContacts,
    def: [],
    set: "security@example.org",
    want: [{ kind: "email_address", value: "security@example.org" }],
  },
  PS_SUPPORT_URL: {
    get: (x) => x.support.url,
    def: undefined,
    set: "https://example.org/help",
    want: "https://example.org/help",
  },
  PS_DATABASE_MIGRATIONS_DIR: {
    get: (x) => x.database.migrationsDir,
    def: "./migrations",
    set: "/opt/migrations",
    want: "/opt/migrations",
  },
  PS_PROCESSING_POOL_SIZE: { get: (x) => x.pools.processing, def: 100, set: "7", want: 7 },
  PS_MODERATION_POOL_SIZE: { get: (x) => x.pools.moderation, def: 25, set: "1", want: 1 },
  PS_WEBHOOK_POOL_SIZE: { get: (x) => x.pools.webhook, def: 5, set: "9", want: 9 },
  PS_HOMESERVER_SIGNING_KEY_PATH: {
    get: (x) => x.keys.signingKeyPath,
    def: "./signing.key",
    set: "/data/signing.key",
    want: "/data/signing.key",
  },
  PS_HOMESERVER_EVENT_SIGNING_KEY_PATH: {
    get: (x) => x.keys.eventSigningKeyPath,
    def: "./event_signing.key",
    set: "/data/event_signing.key",
    want: "/data/event_signing.key",
  },
  PS_SPAM_THRESHOLD: { get: (x) => c(x).spam_threshold, def: 0.8, set: "0.5", want: 0.5 },
  PS_SENDER_PREFILTER_ALLOWED_SENDERS: {
    get: (x) => c(x).sender_prefilter_allowed_senders,
    def: [],
    set: "@mod:example.org",
    want: ["@mod:example.org"],
  },
  PS_EVENT_TYPE_PREFILTER_ALLOWED_EVENT_TYPES: {
    get: (x) => c(x).event_type_prefilter_allowed_event_types,
    def: ["m.room.redaction"],
    set: "m.reaction",
    want: ["m.reaction"],
  },
  PS_EVENT_TYPE_PREFILTER_ALLOWED_STATE_EVENT_TYPES: {
    get: (x) => c(x).event_type_prefilter_allowed_state_event_types,
    def: STATE_TYPES,
    set: "m.room.name",
    want: ["m.room.name"],
  },
  PS_HELLBAN_POSTFILTER_MINUTES: { get: (x) => c(x).hellban_postfilter_minutes, def: 60, set: "-1", want: -1 },
  PS_KEYWORD_FILTER_KEYWORDS: {
    get: (x) => c(x).keyword_filter_keywords,
    def: ["spammy spam"],
    set: "buy now,free crypto",
    want: ["buy now", "free crypto"],
  },
  PS_KEYWORD_TEMPLATE_FILTER_TEMPLATE_NAMES: {
    get: (x) => c(x).keyword_template_filter_template_names,
    def: [],
    set: "t1,t2",
    want: ["t1", "t2"],
  },
  PS_MENTION_FILTER_MAX_MENTIONS: { get: (x) => c(x).mention_filter_max_mentions, def: 20, set: "-1", want: -1 },
  PS_MENTION_FILTER_MIN_PLAINTEXT_LENGTH: {
    get: (x) => c(x).mention_filter_min_plaintext_length,
    def: 5,
    set: "3",
    want: 3,
  },
  PS_MANY_ATS_FILTER_MAX_ATS: { get: (x) => c(x).many_ats_filter_max_ats, def: 20, set: "100", want: 100 },
  PS_MEDIA_FILTER_MEDIA_TYPES: {
    get: (x) => c(x).media_filter_media_types,
    def: MEDIA,
    set: "m.image",
    want: ["m.image"],
  },
  PS_UNTRUSTED_MEDIA_FILTER_MEDIA_TYPES: {
    get: (x) => c(x).untrusted_media_filter_media_types,
    def: MEDIA,
    set: "",
    want: [],
  },
  PS_UNTRUSTED_MEDIA_FILTER_USE_MUNINN: {
    get: (x) => c(x).untrusted_media_filter_use_muninn,
    def: true,
    set: "false",
    want: false,
  },
  PS_UNTRUSTED_MEDIA_FILTER_USE_POWER_LEVELS: {
    get: (x) => c(x).untrusted_media_filter_use_power_levels,
    def: true,
    set: "0",
    want: false,
  },
  PS_UNTRUSTED_MEDIA_FILTER_ALLOWED_USER_GLOBS: {
    get: (x) => c(x).untrusted_media_filter_allowed_user_globs,
    def: [],
    set: "@*:trusted.org",
    want: ["@*:trusted.org"],
  },
  PS_UNTRUSTED_MEDIA_FILTER_DENIED_USER_GLOBS: {
    get: (x) => c(x).untrusted_media_filter_denied_user_globs,
    def: [],
    set: "@spam*:*",
    want: ["@spam*:*"],
  },
  PS_MUNINN_HALL_SOURCE_API_URL: {
    get: (x) => x.filters.muninn.apiUrl,
    def: "https://mau.bot/_matrix/maubot/plugin/muninnbot/member_directory",
    set: "",
    want: undefined,
  },
  PS_MUNINN_HALL_SOURCE_API_KEY: {
    get: (x) => x.filters.muninn.apiKey,
    def: undefined,
    set: "muninn-key",
    want: "muninn-key",
  },
  PS_MJOLNIR_FILTER_ENABLED: { get: (x) => c(x).mjolnir_filter_enabled, def: true, set: "F", want: false },
  PS_MJOLNIR_FILTER_ROOM_ID: {
    get: (x) => x.filters.mjolnirRoomId,
    def: undefined,
    set: "!bans:example.org",
    want: "!bans:example.org",
  },
  PS_DENSITY_FILTER_MAX_DENSITY: { get: (x) => c(x).density_filter_max_density, def: 0.95, set: "0.5", want: 0.5 },
  PS_DENSITY_FILTER_MIN_TRIGGER_LENGTH: {
    get: (x) => c(x).density_filter_min_trigger_length,
    def: 150,
    set: "10",
    want: 10,
  },
  PS_TRIM_FILTER_MAX_DIFFERENCE: { get: (x) => c(x).trim_length_filter_max_difference, def: 25, set: "0", want: 0 },
  PS_LENGTH_FILTER_MAX_LENGTH: { get: (x) => c(x).length_filter_max_length, def: 10000, set: "65536", want: 65536 },
  PS_STICKY_EVENTS_FILTER_ALLOW_STICKY_EVENTS: {
    get: (x) => c(x).sticky_events_filter_allow_sticky_events,
    def: true,
    set: "FALSE",
    want: false,
  },
  PS_OPENAI_FILTER_FAIL_SECURE: { get: (x) => c(x).openai_filter_fail_secure, def: true, set: "f", want: false },
  PS_OPENAI_FILTER_API_KEY: { get: (x) => x.filters.openai.apiKey, def: undefined, set: "sk-test", want: "sk-test" },
  PS_OPENAI_FILTER_ALLOWED_ROOM_IDS: {
    get: (x) => x.filters.openai.allowedRoomIds,
    def: [],
    set: "!r:example.org",
    want: ["!r:example.org"],
  },
  PS_HMA_FILTER_ENABLED_BANKS: {
    get: (x) => c(x).hma_filter_enabled_banks,
    def: [],
    set: "NCMEC, local",
    want: ["NCMEC", "local"],
  },
  PS_HMA_API_URL: {
    get: (x) => x.filters.hma.apiUrl,
    def: undefined,
    set: "http://hma.internal:5000",
    want: "http://hma.internal:5000",
  },
  PS_HMA_API_KEY: { get: (x) => x.filters.hma.apiKey, def: undefined, set: "hma-key", want: "hma-key" },
};

function load(env: Record<string, string>): AppConfig {
  const result = loadConfig(env);
  if (!result.ok) assert.fail(`unexpected config errors: ${result.error.map((e) => e.message).join("; ")}`);
  return result.value.config;
}

describe("README variables", () => {
  it("the fixture lists every README variable (61)", () => {
    assert.equal(fixture.variables.length, 61);
    assert.equal(new Set(fixture.variables.map((v) => v.name)).size, 61);
  });

  it("every README variable is in the option table under its README name", () => {
    const missing = fixture.variables.filter((v) => OPTIONS_BY_NAME.get(v.name)?.env !== v.name).map((v) => v.name);
    assert.deepEqual(missing, []);
  });

  it("every README variable has a case here", () => {
    assert.deepEqual(
      fixture.variables.map((v) => v.name).filter((name) => CASES[name] === undefined),
      [],
    );
  });

  it("the table's default text matches the README's (non-Docker) default", () => {
    for (const { name, readmeDefault } of fixture.variables) {
      if (name === "PS_DATABASE") continue; // decisions §5.2: unset means the embedded database
      const otherwise = /`([^`]*)` otherwise$/.exec(readmeDefault);
      const expected =
        readmeDefault.endsWith("empty value otherwise") || readmeDefault === "empty value"
          ? ""
          : (otherwise?.[1] ?? /^`(.*)`$/.exec(readmeDefault)?.[1]);
      assert.equal(OPTIONS_BY_NAME.get(name)?.default, expected, name);
    }
  });

  const defaults = load({});
  for (const { name } of fixture.variables) {
    const testCase = CASES[name];
    if (testCase === undefined) continue;
    it(`${name}: default and override reach the config`, () => {
      assert.deepEqual(testCase.get(defaults), testCase.def, `default of ${name}`);
      assert.deepEqual(testCase.get(load({ [name]: testCase.set })), testCase.want, `override of ${name}`);
    });
  }
});
