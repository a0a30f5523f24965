import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AppConfig } from "../../../src/config/app-config.js";
import { cidrBlockList, formatCidr } from "../../../src/config/cidr.js";
import { loadConfig, redactedSettings, type ConfigError } from "../../../src/config/load.js";

function load(env: Record<string, string>): { config: AppConfig; warnings: readonly string[] } {
  const result = loadConfig(env);
  if (!result.ok) assert.fail(`unexpected config errors: ${result.error.map((e) => e.message).join("; ")}`);
  return result.value;
}

function errorsOf(env: Record<string, string>): string[] {
  const result = loadConfig(env);
  if (result.ok) assert.fail("expected config errors");
  return result.error.map((e: ConfigError) => e.message);
}

describe("loadConfig: bad values are one clear line each", () => {
  const cases: [Record<string, string>, string][] = [
    [{ PS_HELLBAN_POSTFILTER_MINUTES: "abc" }, 'PS_HELLBAN_POSTFILTER_MINUTES: "abc" is not an integer'],
    [
      { PS_MENTION_FILTER_MAX_MENTIONS: "" },
      "PS_MENTION_FILTER_MAX_MENTIONS: empty value is not an integer (unset the variable to use the default)",
    ],
    [{ PS_MENTION_FILTER_MAX_MENTIONS: "1.5" }, 'PS_MENTION_FILTER_MAX_MENTIONS: "1.5" is not an integer'],
    [
      { PS_MENTION_FILTER_MAX_MENTIONS: "010" },
      'PS_MENTION_FILTER_MAX_MENTIONS: "010" is ambiguous: a leading 0 means octal upstream; write it in decimal or with 0o',
    ],
    [
      { PS_LENGTH_FILTER_MAX_LENGTH: "99999999999999999999" },
      'PS_LENGTH_FILTER_MAX_LENGTH: "99999999999999999999" is out of range',
    ],
    [{ PS_SPAM_THRESHOLD: "1.5" }, "PS_SPAM_THRESHOLD: 1.5 is outside 0..1"],
    [{ PS_SPAM_THRESHOLD: "-0.1" }, "PS_SPAM_THRESHOLD: -0.1 is outside 0..1"],
    [{ PS_DENSITY_FILTER_MAX_DENSITY: "NaN" }, 'PS_DENSITY_FILTER_MAX_DENSITY: "NaN" is not a number'],
    [
      { PS_DENSITY_FILTER_MAX_DENSITY: "" },
      "PS_DENSITY_FILTER_MAX_DENSITY: empty value is not a number (unset the variable to use the default)",
    ],
    [{ PS_MJOLNIR_FILTER_ENABLED: "yes" }, 'PS_MJOLNIR_FILTER_ENABLED: "yes" is not a boolean (use true or false)'],
    [{ PS_MJOLNIR_FILTER_ENABLED: "" }, 'PS_MJOLNIR_FILTER_ENABLED: "" is not a boolean (use true or false)'],
    [{ PS_PROCESSING_POOL_SIZE: "-5" }, "PS_PROCESSING_POOL_SIZE: -5 is less than the minimum 1"],
    [{ PS_WEBHOOK_POOL_SIZE: "0" }, "PS_WEBHOOK_POOL_SIZE: 0 is less than the minimum 1"],
    [{ PS_DATABASE_MAX_IDLE_CONNS: "-1" }, "PS_DATABASE_MAX_IDLE_CONNS: -1 is less than the minimum 0"],
    [
      { PS_HOMESERVER_DENIED_NETWORKS: "10.0.0.0/8,172.16.0.0./12" },
      'PS_HOMESERVER_DENIED_NETWORKS: "172.16.0.0./12" is not a CIDR ("172.16.0.0." is not an IP address)',
    ],
    [
      { PS_HOMESERVER_ALLOWED_NETWORKS: "10.0.0.0/33" },
      'PS_HOMESERVER_ALLOWED_NETWORKS: "10.0.0.0/33" is not a CIDR (prefix must be 0..32)',
    ],
    [
      { PS_HOMESERVER_ALLOWED_NETWORKS: "10.0.0.0" },
      'PS_HOMESERVER_ALLOWED_NETWORKS: "10.0.0.0" is not a CIDR (missing /prefix)',
    ],
    [{ PS_FEDERATION_HOST_OVERRIDES: "hs1.test" }, 'PS_FEDERATION_HOST_OVERRIDES: "hs1.test" is not a name=url pair'],
    [
      { PS_FEDERATION_HOST_OVERRIDES: "hs1.test=ftp://x" },
      'PS_FEDERATION_HOST_OVERRIDES: "ftp://x" for hs1.test is not an http(s) URL',
    ],
    [{ PS_FEDERATION_HOST_OVERRIDES: "a=http://x,a=http://y" }, "PS_FEDERATION_HOST_OVERRIDES: a is listed twice"],
    [
      { PS_MODERATOR_ACCESS_TOKENS: "matrix.org:syt_a,nocolon" },
      "PS_MODERATOR_ACCESS_TOKENS: pair 2 is not domain:token",
    ],
    [
      { PS_KEY_QUERY_SERVER: "matrix.org,ed25519:a" },
      "PS_KEY_QUERY_SERVER: must be name,keyId,base64key (3 items), got 2",
    ],
    [
      { PS_KEY_QUERY_SERVER: "matrix.org,rsa:a,l8Hft5qXKn1vfHrg3p4+W8gELQVo8N13JkluMfmn2sQ" },
      'PS_KEY_QUERY_SERVER: key ID "rsa:a" must look like ed25519:<version>',
    ],
    [
      { PS_KEY_QUERY_SERVER: "matrix.org,ed25519:a,AAAA" },
      'PS_KEY_QUERY_SERVER: key "AAAA" is not a base64 ed25519 public key (32 bytes)',
    ],
    [
      { PS_SUPPORT_ADMIN_CONTACTS: "admin" },
      'PS_SUPPORT_ADMIN_CONTACTS: "admin" is neither a Matrix user ID nor an email address',
    ],
    [{ PS_HTTP_BIND: "8080" }, 'PS_HTTP_BIND: "8080" is not a listen address (host:port, port 0..65535)'],
    [{ PS_HTTP_BIND: "" }, "PS_HTTP_BIND: must not be empty"],
    [
      { PS_HTTP_METRICS_BIND: "0.0.0.0:70000" },
      'PS_HTTP_METRICS_BIND: "0.0.0.0:70000" is not a listen address (host:port, port 0..65535)',
    ],
    [{ PS_HOMESERVER_NAME: "bad name" }, 'PS_HOMESERVER_NAME: "bad name" is not a server name (host or host:port)'],
    [{ PS_HOMESERVER_MEDIA_CLIENT_URL: "not a url" }, 'PS_HOMESERVER_MEDIA_CLIENT_URL: "not a url" is not a URL'],
    [{ PS_SUPPORT_URL: "ftp://example.org" }, 'PS_SUPPORT_URL: "ftp://example.org" must be a http or https URL'],
    [
      { PS_LOG_LEVEL: "verbose" },
      'PS_LOG_LEVEL: "verbose" is not one of trace, debug, info, warn, error, fatal, silent',
    ],
    [{ PS_HOMESERVER_SIGNING_KEY_PATH: "" }, "PS_HOMESERVER_SIGNING_KEY_PATH: must not be empty"],
    [{ PS_JOIN_LOCALPART: "" }, "PS_JOIN_LOCALPART: must not be empty"],
    [
      { PS_JOIN_LOCALPART: "Policy Bot" },
      'PS_JOIN_LOCALPART: "Policy Bot" is not a valid localpart (use a-z, 0-9 and ._=-/+)',
    ],
    [{ PS_JOIN_ROOM_IDS: "!a:b,#alias:b" }, 'PS_JOIN_ROOM_IDS: "#alias:b" is not a room ID (it must start with "!")'],
    [
      { PS_SENDER_PREFILTER_ALLOWED_SENDERS: "mod" },
      'PS_SENDER_PREFILTER_ALLOWED_SENDERS: "mod" is not a user ID (@localpart:server)',
    ],
    [{ PS_STATE_CACHE_INTERVAL_MINUTES: "0" }, "PS_STATE_CACHE_INTERVAL_MINUTES: 0 is less than the minimum 1"],
  ];
  for (const [env, expected] of cases) {
    it(`${Object.entries(env)[0]?.join("=")}`, () => {
      assert.deepEqual(errorsOf(env), [expected]);
    });
  }

  it("reports every bad variable at once, naming each", () => {
    const result = loadConfig({ PS_HELLBAN_POSTFILTER_MINUTES: "x", PS_SPAM_THRESHOLD: "2", PS_API_KEY: "fine" });
    assert.equal(result.ok, false);
    if (!result.ok)
      assert.deepEqual(result.error.map((e) => e.variable).sort(), [
        "PS_HELLBAN_POSTFILTER_MINUTES",
        "PS_SPAM_THRESHOLD",
      ]);
  });

  it("never echoes a secret's value", () => {
    const [message] = errorsOf({ PS_DATABASE: "mysql://root:hunter2@db/ps" });
    assert.equal(message, "PS_DATABASE: the value must be a postgres or postgresql URL");
    const [tokens] = errorsOf({ PS_MODERATOR_ACCESS_TOKENS: "hunter2" });
    assert.ok(tokens !== undefined && !tokens.includes("hunter2"), tokens);
  });
});

describe("loadConfig: scalar syntax", () => {
  it("accepts Go's boolean set exactly", () => {
    for (const text of ["1", "t", "T", "TRUE", "true", "True"])
      assert.equal(load({ PS_DIRECT_KEY_FETCHING: text }).config.federation.directKeyFetching, true, text);
    for (const text of ["0", "f", "F", "FALSE", "false", "False"])
      assert.equal(
        load({ PS_MJOLNIR_FILTER_ENABLED: text }).config.communityDefaults.mjolnir_filter_enabled,
        false,
        text,
      );
    for (const text of ["yes", "on", "tRUE", "2"])
      assert.equal(loadConfig({ PS_MJOLNIR_FILTER_ENABLED: text }).ok, false, text);
  });

  it("reads integers in decimal and with Go's 0x/0o/0b prefixes and _ separators", () => {
    const value = (text: string) =>
      load({ PS_LENGTH_FILTER_MAX_LENGTH: text }).config.communityDefaults.length_filter_max_length;
    assert.equal(value("0x10"), 16);
    assert.equal(value("0o17"), 15);
    assert.equal(value("0b101"), 5);
    assert.equal(value("1_000"), 1000);
    assert.equal(value("-7"), -7);
    assert.equal(value("+7"), 7);
    assert.equal(value("0"), 0);
    assert.equal(value(" 42 "), 42);
    assert.equal(loadConfig({ PS_LENGTH_FILTER_MAX_LENGTH: "1__0" }).ok, false);
    assert.equal(loadConfig({ PS_LENGTH_FILTER_MAX_LENGTH: "1e3" }).ok, false);
  });

  it("reads decimal numbers with exponents and refuses infinities", () => {
    const value = (text: string) =>
      load({ PS_DENSITY_FILTER_MAX_DENSITY: text }).config.communityDefaults.density_filter_max_density;
    assert.equal(value("1e-1"), 0.1);
    assert.equal(value(".5"), 0.5);
    assert.equal(value("-1"), -1);
    assert.deepEqual(errorsOf({ PS_DENSITY_FILTER_MAX_DENSITY: "inf" }), [
      'PS_DENSITY_FILTER_MAX_DENSITY: "inf" is not a number',
    ]);
    assert.deepEqual(errorsOf({ PS_DENSITY_FILTER_MAX_DENSITY: "1e999" }), [
      'PS_DENSITY_FILTER_MAX_DENSITY: "1e999" is out of range',
    ]);
  });

  it("accepts the threshold bounds themselves", () => {
    assert.equal(load({ PS_SPAM_THRESHOLD: "0" }).config.communityDefaults.spam_threshold, 0);
    assert.equal(load({ PS_SPAM_THRESHOLD: "1" }).config.communityDefaults.spam_threshold, 1);
  });

  it("is case-insensitive for the log level and defaults to info/json", () => {
    assert.equal(load({}).config.logLevel, "info");
    assert.equal(load({}).config.logFormat, "json");
    assert.equal(load({ PS_LOG_LEVEL: "DEBUG" }).config.logLevel, "debug");
  });
});

describe("loadConfig: lists", () => {
  it("an explicitly empty list variable is an empty list (decisions §4b.7)", () => {
    const { config } = load({ PS_KEYWORD_FILTER_KEYWORDS: "", PS_TRUSTED_ORIGINS: "" });
    assert.deepEqual(config.communityDefaults.keyword_filter_keywords, []);
    assert.deepEqual(config.federation.trustedOrigins, []);
  });

  it("a whitespace-only list is empty", () => {
    assert.deepEqual(load({ PS_MEDIA_FILTER_MEDIA_TYPES: "  " }).config.communityDefaults.media_filter_media_types, []);
  });

  it("trims items and drops empty ones (upstream kept ' b ' and '')", () => {
    assert.deepEqual(
      load({ PS_KEYWORD_FILTER_KEYWORDS: " a, b ,,c," }).config.communityDefaults.keyword_filter_keywords,
      ["a", "b", "c"],
    );
  });

  it("keeps spaces inside an item", () => {
    assert.deepEqual(
      load({ PS_KEYWORD_FILTER_KEYWORDS: "spammy spam" }).config.communityDefaults.keyword_filter_keywords,
      ["spammy spam"],
    );
  });

  it("trims moderator token pairs and splits on the last colon so a domain may carry a port", () => {
    const tokens = load({ PS_MODERATOR_ACCESS_TOKENS: " hs.example:8448:syt_a , b.example:syt_b" }).config
      .moderatorAccessTokens;
    assert.deepEqual(
      [...tokens],
      [
        ["hs.example:8448", "syt_a"],
        ["b.example", "syt_b"],
      ],
    );
  });

  it("classifies support contacts after trimming (upstream called ' @a:b' an email)", () => {
    assert.deepEqual(load({ PS_SUPPORT_SECURITY_CONTACTS: " @a:b.org" }).config.support.securityContacts, [
      { kind: "matrix_id", value: "@a:b.org" },
    ]);
  });
});

describe("loadConfig: names and aliases", () => {
  it("reads the README name and upstream's code name for the same setting", () => {
    assert.equal(load({ PS_DATABASE_READ_MAX_OPEN: "7" }).config.database.readMaxOpenConns, 7);
    assert.equal(load({ PS_DATABASE_READ_MAX_IDLE: "3" }).config.database.readMaxIdleConns, 3);
    assert.equal(
      load({ PS_TRIM_LENGTH_FILTER_MAX_DIFFERENCE: "9" }).config.communityDefaults.trim_length_filter_max_difference,
      9,
    );
    assert.equal(
      load({ PS_TRIM_FILTER_MAX_DIFFERENCE: "8" }).config.communityDefaults.trim_length_filter_max_difference,
      8,
    );
    assert.equal(
      load({ PS_KEYWORD_TEMPLATE_USE_FULL_EVENT: "true" }).config.communityDefaults
        .keyword_template_filter_use_full_event,
      true,
    );
  });

  it("both names set to the same value is fine", () => {
    const { config, warnings } = load({ PS_DATABASE_READ_MAX_OPEN_CONNS: "4", PS_DATABASE_READ_MAX_OPEN: "4" });
    assert.equal(config.database.readMaxOpenConns, 4);
    assert.deepEqual(warnings, []);
  });

  it("both names set to different values is an error naming both", () => {
    assert.deepEqual(errorsOf({ PS_DATABASE_READ_MAX_IDLE_CONNS: "1", PS_DATABASE_READ_MAX_IDLE: "2" }), [
      'PS_DATABASE_READ_MAX_IDLE_CONNS and PS_DATABASE_READ_MAX_IDLE are both set, to different values ("1" and "2"): they are the same setting, set only one',
    ]);
    assert.deepEqual(errorsOf({ PS_TRIM_FILTER_MAX_DIFFERENCE: "1", PS_TRIM_LENGTH_FILTER_MAX_DIFFERENCE: "2" }), [
      'PS_TRIM_FILTER_MAX_DIFFERENCE and PS_TRIM_LENGTH_FILTER_MAX_DIFFERENCE are both set, to different values ("1" and "2"): they are the same setting, set only one',
    ]);
  });

  it("a bad value under an alias names the alias the operator set", () => {
    assert.deepEqual(errorsOf({ PS_DATABASE_READ_MAX_OPEN: "many" }), [
      'PS_DATABASE_READ_MAX_OPEN: "many" is not an integer',
    ]);
  });

  it("warns about an unknown PS_ variable with the closest known name", () => {
    const { warnings } = load({ PS_KEYWORD_FILTER_KEYWORD: "x", PS_HTTP_BIDN: ":1", HOME: "/root" });
    assert.deepEqual(warnings, [
      "PS_HTTP_BIDN is not a known variable and is ignored (did you mean PS_HTTP_BIND?)",
      "PS_KEYWORD_FILTER_KEYWORD is not a known variable and is ignored (did you mean PS_KEYWORD_FILTER_KEYWORDS?)",
    ]);
  });

  it("does not read upstream's unprefixed fallback names", () => {
    assert.equal(load({ API_KEY: "leak", SPAM_THRESHOLD: "0.1" }).config.apiKey, undefined);
    assert.equal(load({ SPAM_THRESHOLD: "0.1" }).config.communityDefaults.spam_threshold, 0.8);
  });

  it("warns when both key paths name one file", () => {
    const { warnings } = load({ PS_HOMESERVER_EVENT_SIGNING_KEY_PATH: "./signing.key" });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? "", /name the same file/);
  });
});

describe("loadConfig: options beyond the README", () => {
  it("federation defaults", () => {
    const { federation, database } = load({}).config;
    assert.deepEqual([...federation.hostOverrides], []);
    assert.deepEqual(federation.allowedNetworks.map(formatCidr), ["0.0.0.0/0", "::/0"]);
    assert.deepEqual(federation.deniedNetworks.map(formatCidr), [
      "127.0.0.1/8",
      "10.0.0.0/8",
      "172.16.0.0/12",
      "192.168.0.0/16",
      "100.64.0.0/10",
      "169.254.0.0/16",
      "::1/128",
      "fe80::/64",
      "fc00::/7",
    ]);
    assert.deepEqual(federation.eventFetchServers, ["matrix.org"]);
    assert.equal(federation.directKeyFetching, false);
    assert.equal(federation.stateCacheIntervalMinutes, 60);
    assert.equal(federation.catchupIntervalSeconds, 15);
    assert.equal(database.embeddedDataDir, "./data");
  });

  it("host overrides map server names to base URLs without a trailing slash", () => {
    const overrides = load({
      PS_FEDERATION_HOST_OVERRIDES: "hs1.test=http://127.0.0.1:18448/, hs2.test:8448 = https://[::1]:9000",
    }).config.federation.hostOverrides;
    assert.deepEqual(
      [...overrides],
      [
        ["hs1.test", "http://127.0.0.1:18448"],
        ["hs2.test:8448", "https://[::1]:9000"],
      ],
    );
  });

  it("network lists parse IPv4 and IPv6 and build a working BlockList", () => {
    const denied = load({ PS_HOMESERVER_DENIED_NETWORKS: "10.0.0.0/8, fd00::/8" }).config.federation.deniedNetworks;
    const list = cidrBlockList(denied);
    assert.equal(list.check("10.1.2.3", "ipv4"), true);
    assert.equal(list.check("11.1.2.3", "ipv4"), false);
    assert.equal(list.check("fd12::1", "ipv6"), true);
    assert.equal(cidrBlockList(load({}).config.federation.deniedNetworks).check("127.0.0.5", "ipv4"), true);
  });

  it("pool sizes, event fetch servers and the embedded data dir can be overridden", () => {
    const { config } = load({ PS_EVENT_FETCH_SERVERS: "a.org, b.org", PS_EMBEDDED_DATABASE_DIR: "/var/lib/ps" });
    assert.deepEqual(config.federation.eventFetchServers, ["a.org", "b.org"]);
    assert.equal(config.database.embeddedDataDir, "/var/lib/ps");
  });

  it("every newer community option has its default", () => {
    const d = load({}).config.communityDefaults;
    assert.equal(d.keyword_filter_use_full_event, false);
    assert.equal(d.keyword_template_filter_use_full_event, false);
    assert.equal(d.mention_frequency_filter_rate_limit, 0);
    assert.equal(d.mention_frequency_filter_min_plaintext_length, 5);
    assert.deepEqual(d.link_filter_allowed_url_globs, []);
    assert.deepEqual(d.link_filter_denied_url_globs, []);
    assert.equal(d.unsafe_signing_key_filter_enabled, true);
    assert.deepEqual(d.frequency_filter_event_types, ["m.room.message", "m.sticker", "m.reaction"]);
    assert.equal(d.frequency_filter_rate_limit, 0);
    assert.equal(d.moderation_bot_user_id, "");
    assert.equal(d.user_id_contains_words_filter_max_words, 0);
    assert.equal(d.user_id_length_filter_max_length, 0);
    assert.equal(d.inline_emoji_size_filter_max_height_pixels, 32);
    assert.equal(d.webhook_url, "");
  });

  it("the key query server key is normalised to standard unpadded base64", () => {
    const urlSafe = "l8Hft5qXKn1vfHrg3p4-W8gELQVo8N13JkluMfmn2sQ";
    const kqs = load({ PS_KEY_QUERY_SERVER: `matrix.org,ed25519:a_RXGa,${urlSafe}` }).config.federation.keyQueryServer;
    assert.equal(kqs.publicKey, "l8Hft5qXKn1vfHrg3p4+W8gELQVo8N13JkluMfmn2sQ");
  });

  it("an empty bind host means all IPv4 interfaces", () => {
    assert.deepEqual(load({ PS_HTTP_BIND: ":8008" }).config.server.httpBind, { host: "0.0.0.0", port: 8008 });
  });
});

describe("loadConfig: the result", () => {
  it("is deeply frozen, maps included", () => {
    const { config } = load({ PS_MODERATOR_ACCESS_TOKENS: "a.org:t" });
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.federation));
    assert.ok(Object.isFrozen(config.communityDefaults.keyword_filter_keywords));
    assert.throws(() => (config.communityDefaults.keyword_filter_keywords as string[]).push("x"), TypeError);
    assert.throws(() => (config.moderatorAccessTokens as Map<string, string>).set("b", "c"), TypeError);
    assert.throws(() => (config.federation.hostOverrides as Map<string, string>).clear(), TypeError);
  });

  it("is independent of later changes to the env object", () => {
    const env: Record<string, string> = { PS_HOMESERVER_NAME: "a.example" };
    const { config } = load(env);
    env["PS_HOMESERVER_NAME"] = "b.example";
    assert.equal(config.server.homeserverName, "a.example");
  });
});

describe("redactedSettings", () => {
  it("lists known variables that are set, with secrets hidden", () => {
    assert.deepEqual(redactedSettings({ PS_API_KEY: "k", PS_HOMESERVER_NAME: "x.org", PS_UNKNOWN: "1", HOME: "/" }), {
      PS_API_KEY: "[redacted]",
      PS_HOMESERVER_NAME: "x.org",
    });
  });
});
