import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CommunityConfig, CommunityOverrides } from "../../../src/config/community-config.js";
import {
  effectiveCommunityConfig,
  instanceFilterSettings,
  validateOverrides,
  type FieldError,
} from "../../../src/config/layering.js";
import { loadConfig } from "../../../src/config/load.js";

function defaults(env: Record<string, string> = {}) {
  const result = loadConfig(env);
  if (!result.ok) assert.fail(result.error.map((e) => e.message).join("; "));
  return result.value.config;
}

function overridesOf(json: unknown): { overrides: CommunityOverrides; unknownKeys: readonly string[] } {
  const result = validateOverrides(json);
  if (!result.ok) assert.fail(`unexpected field errors: ${JSON.stringify(result.error)}`);
  return result.value;
}

function fieldErrors(json: unknown): FieldError[] {
  const result = validateOverrides(json);
  if (result.ok) assert.fail("expected field errors");
  return result.error;
}

const base: CommunityConfig = defaults().communityDefaults;

describe("validateOverrides", () => {
  it("absent and null keys inherit (are not stored)", () => {
    const { overrides } = overridesOf({ keyword_filter_keywords: null, spam_threshold: 0.5 });
    assert.deepEqual(overrides, { spam_threshold: 0.5 });
  });

  it("a null body and an empty object mean no overrides", () => {
    assert.deepEqual(overridesOf(null).overrides, {});
    assert.deepEqual(overridesOf({}).overrides, {});
  });

  it("keeps [] / 0 / false / empty string, which override", () => {
    const { overrides } = overridesOf({
      media_filter_media_types: [],
      mention_filter_max_mentions: 0,
      mjolnir_filter_enabled: false,
      webhook_url: "",
    });
    assert.deepEqual(overrides, {
      mention_filter_max_mentions: 0,
      media_filter_media_types: [],
      mjolnir_filter_enabled: false,
      webhook_url: "",
    });
  });

  it("accepts and lists unknown keys without storing them", () => {
    const { overrides, unknownKeys } = overridesOf({
      future_filter_enabled: true,
      Spam_Threshold: 0.1,
      spam_threshold: 0.9,
    });
    assert.deepEqual(overrides, { spam_threshold: 0.9 });
    assert.deepEqual(unknownKeys, ["future_filter_enabled", "Spam_Threshold"]);
  });

  it("rejects wrong JSON types with M_BAD_JSON naming the field", () => {
    assert.deepEqual(fieldErrors({ keyword_filter_keywords: "spam" }), [
      {
        field: "keyword_filter_keywords",
        message: 'keyword_filter_keywords must be an array of strings, got the string "spam"',
        errcode: "M_BAD_JSON",
      },
    ]);
    assert.deepEqual(fieldErrors({ keyword_filter_keywords: ["a", 1] }), [
      {
        field: "keyword_filter_keywords",
        message: "keyword_filter_keywords must be an array of strings, got an array",
        errcode: "M_BAD_JSON",
      },
    ]);
    assert.deepEqual(fieldErrors({ mjolnir_filter_enabled: "false" }), [
      {
        field: "mjolnir_filter_enabled",
        message: 'mjolnir_filter_enabled must be true or false, got the string "false"',
        errcode: "M_BAD_JSON",
      },
    ]);
    assert.deepEqual(fieldErrors({ mention_filter_max_mentions: 2.5 }), [
      {
        field: "mention_filter_max_mentions",
        message: "mention_filter_max_mentions must be an integer, got the number 2.5",
        errcode: "M_BAD_JSON",
      },
    ]);
    assert.deepEqual(fieldErrors({ density_filter_max_density: "0.9" }), [
      {
        field: "density_filter_max_density",
        message: 'density_filter_max_density must be a number, got the string "0.9"',
        errcode: "M_BAD_JSON",
      },
    ]);
    assert.deepEqual(fieldErrors({ webhook_url: 5 }), [
      { field: "webhook_url", message: "webhook_url must be a string, got the integer 5", errcode: "M_BAD_JSON" },
    ]);
  });

  it("rejects out-of-range values with M_INVALID_PARAM naming the field", () => {
    assert.deepEqual(fieldErrors({ spam_threshold: 5 }), [
      { field: "spam_threshold", message: "spam_threshold: 5 is outside 0..1", errcode: "M_INVALID_PARAM" },
    ]);
    assert.deepEqual(fieldErrors({ webhook_url: "javascript:alert(1)" }), [
      {
        field: "webhook_url",
        message: 'webhook_url: "javascript:alert(1)" must be a http or https URL',
        errcode: "M_INVALID_PARAM",
      },
    ]);
    assert.deepEqual(fieldErrors({ sender_prefilter_allowed_senders: ["@ok:x.org", "nope"] }), [
      {
        field: "sender_prefilter_allowed_senders",
        message: 'sender_prefilter_allowed_senders: "nope" is not a user ID (@localpart:server)',
        errcode: "M_INVALID_PARAM",
      },
    ]);
    assert.deepEqual(fieldErrors({ length_filter_max_length: 2 ** 60 }), [
      {
        field: "length_filter_max_length",
        message: `length_filter_max_length: ${2 ** 60} is out of range`,
        errcode: "M_INVALID_PARAM",
      },
    ]);
  });

  it("reports every bad field at once", () => {
    assert.deepEqual(
      fieldErrors({ spam_threshold: "high", mjolnir_filter_enabled: 1, fine_unknown: 1 }).map((e) => e.field),
      ["spam_threshold", "mjolnir_filter_enabled"],
    );
  });

  it("rejects a body that is not an object", () => {
    assert.deepEqual(fieldErrors([1]), [
      { field: "", message: "community config must be a JSON object, got an array", errcode: "M_BAD_JSON" },
    ]);
    assert.deepEqual(fieldErrors("x"), [
      { field: "", message: 'community config must be a JSON object, got the string "x"', errcode: "M_BAD_JSON" },
    ]);
  });

  it("orders stored keys as the table does, whatever the body order", () => {
    const { overrides } = overridesOf({ webhook_url: "https://h.example/x", keyword_filter_keywords: ["a"] });
    const { overrides: reversed } = overridesOf({ keyword_filter_keywords: ["a"], webhook_url: "https://h.example/x" });
    assert.deepEqual(Object.keys(overrides), Object.keys(reversed));
  });
});

describe("effectiveCommunityConfig", () => {
  it("with no overrides equals the instance layer", () => {
    assert.deepEqual(effectiveCommunityConfig(base, {}), base);
  });

  it("overrides replace whole values; lists are replaced, not merged", () => {
    const effective = effectiveCommunityConfig(base, { keyword_filter_keywords: ["x"], hellban_postfilter_minutes: 0 });
    assert.deepEqual(effective.keyword_filter_keywords, ["x"]);
    assert.equal(effective.hellban_postfilter_minutes, 0);
    assert.equal(effective.spam_threshold, base.spam_threshold);
  });

  it("[] disables a list filter and false turns a boolean off", () => {
    const effective = effectiveCommunityConfig(base, {
      media_filter_media_types: [],
      untrusted_media_filter_use_muninn: false,
    });
    assert.deepEqual(effective.media_filter_media_types, []);
    assert.equal(effective.untrusted_media_filter_use_muninn, false);
  });

  it("a community may switch the unsafe-signing-key filter off (upstream's quirk fixed)", () => {
    const { overrides } = overridesOf({ unsafe_signing_key_filter_enabled: false });
    assert.equal(effectiveCommunityConfig(base, overrides).unsafe_signing_key_filter_enabled, false);
  });

  it("layers over environment-set instance values", () => {
    const instance = defaults({ PS_KEYWORD_FILTER_KEYWORDS: "env1,env2", PS_SPAM_THRESHOLD: "0.4" }).communityDefaults;
    const effective = effectiveCommunityConfig(
      instance,
      overridesOf({ spam_threshold: null, keyword_filter_keywords: ["c1"] }).overrides,
    );
    assert.deepEqual(effective.keyword_filter_keywords, ["c1"]);
    assert.equal(effective.spam_threshold, 0.4);
  });

  it("is frozen and shares no arrays with its inputs", () => {
    const list = ["a"];
    const effective = effectiveCommunityConfig(base, { keyword_filter_keywords: list });
    assert.ok(Object.isFrozen(effective));
    assert.ok(Object.isFrozen(effective.keyword_filter_keywords));
    assert.notEqual(effective.keyword_filter_keywords, list);
    list.push("b");
    assert.deepEqual(effective.keyword_filter_keywords, ["a"]);
  });
});

describe("instanceFilterSettings", () => {
  it("maps unset settings to empty strings", () => {
    assert.deepEqual(instanceFilterSettings(defaults()), {
      homeserverName: "localhost",
      joinLocalpart: "policyserv",
      mjolnirFilterRoomId: "",
      openaiFilterApiKey: "",
      openaiFilterAllowedRoomIds: [],
      hmaApiUrl: "",
      hmaApiKey: "",
    });
  });

  it("carries the instance-only filter settings", () => {
    const config = defaults({
      PS_HOMESERVER_NAME: "ps.example",
      PS_JOIN_LOCALPART: "bot",
      PS_MJOLNIR_FILTER_ROOM_ID: "!bans:x.org",
      PS_OPENAI_FILTER_API_KEY: "sk",
      PS_OPENAI_FILTER_ALLOWED_ROOM_IDS: "!r:x.org",
      PS_HMA_API_URL: "http://hma:5000",
      PS_HMA_API_KEY: "hk",
    });
    assert.deepEqual(instanceFilterSettings(config), {
      homeserverName: "ps.example",
      joinLocalpart: "bot",
      mjolnirFilterRoomId: "!bans:x.org",
      openaiFilterApiKey: "sk",
      openaiFilterAllowedRoomIds: ["!r:x.org"],
      hmaApiUrl: "http://hma:5000",
      hmaApiKey: "hk",
    });
  });
});
