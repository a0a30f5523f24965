import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CommunityConfig } from "../../../src/config/community-config.js";
import { communityConfigSchema, instanceCommunityConfigJson, renderConfigMarkdown } from "../../../src/config/docs.js";
import { loadConfig } from "../../../src/config/load.js";
import { OPTIONS } from "../../../src/config/options.js";

// Written out by hand from filters.md §4.4 (not derived from the option table) so a missing row is caught.
const COMMUNITY_KEYS: readonly (keyof CommunityConfig)[] = [
  "keyword_filter_keywords",
  "keyword_filter_use_full_event",
  "keyword_template_filter_template_names",
  "keyword_template_filter_use_full_event",
  "mention_filter_max_mentions",
  "mention_filter_min_plaintext_length",
  "mention_frequency_filter_rate_limit",
  "mention_frequency_filter_min_plaintext_length",
  "many_ats_filter_max_ats",
  "media_filter_media_types",
  "untrusted_media_filter_media_types",
  "untrusted_media_filter_use_muninn",
  "untrusted_media_filter_use_power_levels",
  "untrusted_media_filter_allowed_user_globs",
  "untrusted_media_filter_denied_user_globs",
  "density_filter_max_density",
  "density_filter_min_trigger_length",
  "trim_length_filter_max_difference",
  "length_filter_max_length",
  "sender_prefilter_allowed_senders",
  "event_type_prefilter_allowed_event_types",
  "event_type_prefilter_allowed_state_event_types",
  "hellban_postfilter_minutes",
  "mjolnir_filter_enabled",
  "spam_threshold",
  "webhook_url",
  "openai_filter_fail_secure",
  "sticky_events_filter_allow_sticky_events",
  "hma_filter_enabled_banks",
  "link_filter_allowed_url_globs",
  "link_filter_denied_url_globs",
  "unsafe_signing_key_filter_enabled",
  "frequency_filter_event_types",
  "frequency_filter_rate_limit",
  "moderation_bot_user_id",
  "user_id_contains_words_filter_max_words",
  "user_id_length_filter_max_length",
  "inline_emoji_size_filter_max_height_pixels",
];

function defaults(env: Record<string, string> = {}): CommunityConfig {
  const result = loadConfig(env);
  if (!result.ok) assert.fail(result.error.map((e) => e.message).join("; "));
  return result.value.config.communityDefaults;
}

describe("renderConfigMarkdown", () => {
  const markdown = renderConfigMarkdown();

  it("has one row per option, naming every variable and alias", () => {
    for (const spec of OPTIONS) {
      assert.ok(markdown.includes(`| \`${spec.env}\``), spec.env);
      for (const alias of spec.aliases) assert.ok(markdown.includes(`alias \`${alias}\``), alias);
    }
    const rows = markdown.split("\n").filter((line) => line.startsWith("| `PS_"));
    assert.equal(rows.length, OPTIONS.length);
  });

  it("groups options under headings in table order, each group once", () => {
    const headings = markdown.split("\n").filter((line) => line.startsWith("### "));
    assert.deepEqual(headings, [...new Set(OPTIONS.map((spec) => `### ${spec.group}`))]);
  });

  it("shows defaults, community keys, bounds and secrecy", () => {
    assert.match(markdown, /\| `PS_SPAM_THRESHOLD` \| number \(0\.\.1\)<br>community: `spam_threshold` \| `0\.8` \|/);
    assert.match(markdown, /\| `PS_API_KEY` \| string<br>secret \| \(empty\) \|/);
    assert.match(markdown, /\| `PS_HTTP_PPROF_BIND` \| host:port \| \(empty\); Docker: `0\.0\.0\.0:8082` \|/);
    assert.match(
      markdown,
      /\| `PS_LOG_LEVEL` \| one of `trace`, `debug`, `info`, `warn`, `error`, `fatal`, `silent` \| `info` \|/,
    );
  });
});

describe("communityConfigSchema", () => {
  it("lists exactly the CommunityConfig keys", () => {
    const schema = communityConfigSchema(defaults());
    assert.deepEqual(schema.map((entry) => entry.key).sort(), [...COMMUNITY_KEYS].sort());
  });

  it("gives each key its JSON type, bounds and the instance value", () => {
    const schema = communityConfigSchema(defaults({ PS_KEYWORD_FILTER_KEYWORDS: "a,b" }));
    const byKey = new Map(schema.map((entry) => [entry.key, entry]));
    assert.deepEqual(byKey.get("keyword_filter_keywords"), {
      key: "keyword_filter_keywords",
      type: "string[]",
      default: ["a", "b"],
      env: "PS_KEYWORD_FILTER_KEYWORDS",
      doc: byKey.get("keyword_filter_keywords")?.doc,
    });
    assert.equal(byKey.get("spam_threshold")?.type, "number");
    assert.equal(byKey.get("spam_threshold")?.min, 0);
    assert.equal(byKey.get("spam_threshold")?.max, 1);
    assert.equal(byKey.get("hellban_postfilter_minutes")?.type, "integer");
    assert.equal(byKey.get("mjolnir_filter_enabled")?.type, "boolean");
    assert.equal(byKey.get("webhook_url")?.type, "string");
    assert.equal(byKey.get("trim_length_filter_max_difference")?.env, "PS_TRIM_FILTER_MAX_DIFFERENCE");
  });
});

describe("instanceCommunityConfigJson", () => {
  it("contains every key with the instance value, upstream's seed values included", () => {
    const json = instanceCommunityConfigJson(defaults());
    assert.deepEqual(Object.keys(json).sort(), [...COMMUNITY_KEYS].sort());
    assert.deepEqual(json["keyword_filter_keywords"], ["spammy spam"]);
    assert.equal(json["mention_filter_max_mentions"], 20);
    assert.equal(json["density_filter_max_density"], 0.95);
    assert.equal(json["spam_threshold"], 0.8);
    assert.deepEqual(json["hma_filter_enabled_banks"], []);
    assert.equal(JSON.stringify(JSON.parse(JSON.stringify(json))), JSON.stringify(json));
  });
});
