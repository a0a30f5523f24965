import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { COMMUNITY_OPTIONS } from "../../src/config/options.js";
import { hashAccessToken } from "../../src/storage/communities.repo.js";
import { IGNORED_KEYS_HEADER, parseIgnoredKeysHeader } from "../../src/http/routes/admin/ignored-keys.js";
import { startHarness, type Harness } from "./admin-harness.js";

const KSUID = /^[0-9A-Za-z]{27}$/;

/** JSON values of the wrong type for each option kind. */
const WRONG_VALUES: Readonly<Record<string, readonly unknown[]>> = {
  csv: ["a,b", 5, [1], ["a", 2], { a: 1 }, true],
  bool: ["true", 1, [], {}],
  int: ["10", 1.5, true, [], {}],
  minutes: ["10", 2.5, false, [5]],
  float: ["0.5", true, [], {}],
  string: [5, true, [], {}],
  url: [5, false, ["https://x"], {}],
};

describe("admin API: communities", () => {
  let h: Harness;
  const create = async (name: unknown) =>
    h.call("/api/v1/communities/new", { method: "POST", body: JSON.stringify({ name }) });
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it("creates a community with a KSUID id, the trimmed name, no config and no self-join", async () => {
    const res = await create("  My Community\u3000");
    assert.equal(res.status, 200);
    assert.match(res.json.community_id, KSUID);
    assert.deepEqual(res.json, { community_id: res.json.community_id, name: "My Community", config: {}, can_self_join_rooms: false });
    assert.equal(res.headers[IGNORED_KEYS_HEADER.toLowerCase()], undefined);
    const fetched = await h.call(`/api/v1/communities/${res.json.community_id}`);
    assert.deepEqual(fetched.json, res.json);
  });

  it("applies upstream's name rules: required, 4 to 254 UTF-8 bytes after trimming", async () => {
    for (const name of [undefined, "", "   \t", null]) {
      const res = await create(name);
      assert.equal(res.status, 400);
      assert.deepEqual(res.json, { errcode: "M_BAD_JSON", error: "Name is required" });
    }
    for (const name of ["abc", " abc ", "x".repeat(255)]) {
      const res = await create(name);
      assert.equal(res.status, 400, name);
      assert.equal(res.json.errcode, "M_BAD_JSON");
      assert.match(res.json.error, /^Name must be between 3 and 255 characters/);
    }
    assert.equal((await create("abcd")).status, 200);
    assert.equal((await create("x".repeat(254))).status, 200);
    assert.equal((await create("ééé")).status, 200, "three 2-byte characters are 6 bytes");
    const wrongType = await create(42);
    assert.equal(wrongType.status, 400);
    assert.match(wrongType.json.error, /name must be a string/);
  });

  it("accepts a body without Content-Type, and rejects malformed JSON and non-objects", async () => {
    const ok = await h.call("/api/v1/communities/new", { method: "POST", body: '{"name":"No content type"}' });
    assert.equal(ok.status, 200);
    for (const [body, errcode] of [["{name:", "M_NOT_JSON"], ["[]", "M_BAD_JSON"], ['"x"', "M_BAD_JSON"], ["{} x", "M_NOT_JSON"]] as const) {
      const res = await h.call("/api/v1/communities/new", { method: "POST", body });
      assert.equal(res.status, 400, body);
      assert.equal(res.json.errcode, errcode, body);
    }
  });

  it("refuses a body over 1 MiB with 413 M_TOO_LARGE", async () => {
    const res = await h.call("/api/v1/communities/new", { method: "POST", body: JSON.stringify({ name: "x".repeat(1024 * 1024) }) });
    assert.equal(res.status, 413);
    assert.equal(res.json.errcode, "M_TOO_LARGE");
  });

  it("lists unknown keys in a header and a log line instead of failing", async () => {
    const res = await h.call("/api/v1/communities/new", { method: "POST", body: { name: "Extra keys", colour: "blue", "a,b": 1 } });
    assert.equal(res.status, 200);
    assert.deepEqual(parseIgnoredKeysHeader(String(res.headers[IGNORED_KEYS_HEADER.toLowerCase()])), ["colour", "a,b"]);
    assert.ok(h.logs.some((line) => Array.isArray(line["ignoredKeys"]) && (line["ignoredKeys"] as string[]).includes("colour")));
  });

  it("answers 404 M_NOT_FOUND for unknown communities on every community endpoint, whatever the body", async () => {
    const id = "2b9bWQ6wz8YvKxPZ5lVAXYy3KZ0";
    const calls: [string, string, string | undefined][] = [
      ["GET", `/api/v1/communities/${id}`, undefined],
      ["PATCH", `/api/v1/communities/${id}`, '{"name":"abcd"}'],
      ["POST", `/api/v1/communities/${id}/config`, "not json at all"],
      ["POST", `/api/v1/communities/${id}/rotate_access_token`, undefined],
      ["POST", `/api/v1/communities/${id}/check`, "{}"],
    ];
    for (const [method, path, body] of calls) {
      const res = await h.call(path, { method, body });
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.deepEqual(res.json, { errcode: "M_NOT_FOUND", error: "Community not found" });
    }
  });

  it("shows the seeded default community", async () => {
    const res = await h.call("/api/v1/communities/default");
    assert.deepEqual(res.json, { community_id: "default", name: "default", config: {}, can_self_join_rooms: false });
  });

  describe("POST config", () => {
    let id: string;
    before(async () => {
      id = (await create("Config community")).json.community_id;
    });

    it("replaces the stored overrides whole, keeps explicit zero values, drops nulls, and fires the hook", async () => {
      h.hookCalls.communities.length = 0;
      const first = await h.call(`/api/v1/communities/${id}/config`, {
        method: "POST",
        body: { keyword_filter_keywords: ["buy now"], spam_threshold: 0.5, mention_filter_max_mentions: 0 },
      });
      assert.equal(first.status, 200);
      assert.deepEqual(first.json.config, { spam_threshold: 0.5, keyword_filter_keywords: ["buy now"], mention_filter_max_mentions: 0 });
      assert.deepEqual(Object.keys(first.json.config), ["spam_threshold", "keyword_filter_keywords", "mention_filter_max_mentions"]);
      const second = await h.call(`/api/v1/communities/${id}/config`, {
        method: "POST",
        body: { media_filter_media_types: [], mjolnir_filter_enabled: false, webhook_url: null },
      });
      assert.deepEqual(second.json.config, { media_filter_media_types: [], mjolnir_filter_enabled: false });
      assert.deepEqual((await h.call(`/api/v1/communities/${id}`)).json.config, second.json.config);
      assert.deepEqual(h.hookCalls.communities, [id, id]);
      for (const reset of ["{}", "null"]) {
        const res = await h.call(`/api/v1/communities/${id}/config`, { method: "POST", body: reset });
        assert.equal(res.status, 200);
        assert.deepEqual(res.json.config, {});
      }
    });

    it("stores every community key when given a valid value", async () => {
      const valid: Record<string, unknown> = {};
      const sample: Readonly<Record<string, unknown>> = { csv: ["x"], bool: false, int: 3, minutes: 5, float: 0.25, string: "", url: "" };
      for (const [key, spec] of COMMUNITY_OPTIONS) valid[key] = key === "sender_prefilter_allowed_senders" ? ["@a:example.org"] : sample[spec.kind];
      const res = await h.call(`/api/v1/communities/${id}/config`, { method: "POST", body: valid });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.json.config, valid);
      assert.deepEqual(Object.keys(res.json.config), [...COMMUNITY_OPTIONS.keys()]);
    });

    for (const [key, spec] of COMMUNITY_OPTIONS) {
      it(`rejects wrong JSON types for ${key} (${spec.kind}) with 400 M_BAD_JSON naming the field, storing nothing`, async () => {
        await h.call(`/api/v1/communities/${id}/config`, { method: "POST", body: { length_filter_max_length: 77 } });
        for (const value of WRONG_VALUES[spec.kind] ?? []) {
          const res = await h.call(`/api/v1/communities/${id}/config`, { method: "POST", body: { [key]: value } });
          assert.equal(res.status, 400, `${key}=${JSON.stringify(value)}`);
          assert.equal(res.json.errcode, "M_BAD_JSON");
          assert.match(res.json.error, new RegExp(key));
          assert.deepEqual(res.json.errors[0].field, key);
        }
        assert.deepEqual((await h.call(`/api/v1/communities/${id}`)).json.config, { length_filter_max_length: 77 });
      });
    }

    it("rejects values of the right type but out of range with 400 M_INVALID_PARAM naming the field", async () => {
      const cases: Record<string, unknown>[] = [
        { spam_threshold: 5 },
        { spam_threshold: -0.1 },
        { mention_filter_max_mentions: 2 ** 60 },
        { webhook_url: "not a url" },
        { sender_prefilter_allowed_senders: ["not-a-user"] },
      ];
      for (const body of cases) {
        const res = await h.call(`/api/v1/communities/${id}/config`, { method: "POST", body });
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.equal(res.json.errcode, "M_INVALID_PARAM", JSON.stringify(body));
        assert.match(res.json.error, new RegExp(Object.keys(body)[0] ?? ""));
      }
    });

    it("reports every bad field at once", async () => {
      const res = await h.call(`/api/v1/communities/${id}/config`, {
        method: "POST",
        body: { spam_threshold: 7, mjolnir_filter_enabled: "yes" },
      });
      assert.equal(res.json.errcode, "M_BAD_JSON");
      assert.deepEqual(res.json.errors.map((e: { field: string }) => e.field).sort(), ["mjolnir_filter_enabled", "spam_threshold"]);
    });

    it("accepts unknown keys (a newer setup bot), stores only known ones and names the rest", async () => {
      const res = await h.call(`/api/v1/communities/${id}/config`, {
        method: "POST",
        body: { hma_filter_enabled_banks: ["b"], future_filter_enabled: true, SPAM_THRESHOLD: 0.1 },
      });
      assert.equal(res.status, 200);
      assert.deepEqual(res.json.config, { hma_filter_enabled_banks: ["b"] });
      assert.deepEqual(parseIgnoredKeysHeader(String(res.headers["x-policyserv-ignored-keys"])), ["future_filter_enabled", "SPAM_THRESHOLD"]);
    });

    it("rejects a config that is not an object", async () => {
      for (const body of ["[]", "5", '"x"']) {
        const res = await h.call(`/api/v1/communities/${id}/config`, { method: "POST", body });
        assert.equal(res.status, 400);
        assert.equal(res.json.errcode, "M_BAD_JSON");
      }
    });
  });

  describe("PATCH", () => {
    let id: string;
    before(async () => {
      id = (await create("Patch community")).json.community_id;
    });

    it("changes the name and self-join permission, merges config key by key, and ignores id changes", async () => {
      await h.call(`/api/v1/communities/${id}/config`, { method: "POST", body: { keyword_filter_keywords: ["a"], length_filter_max_length: 10 } });
      h.hookCalls.communities.length = 0;
      const res = await h.call(`/api/v1/communities/${id}`, {
        method: "PATCH",
        body: {
          name: " Renamed ",
          can_self_join_rooms: true,
          community_id: "stolen",
          config: { keyword_filter_keywords: ["b", "c"], length_filter_max_length: null, many_ats_filter_max_ats: 3, nope: 1 },
        },
      });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.json, {
        community_id: id,
        name: "Renamed",
        config: { keyword_filter_keywords: ["b", "c"], many_ats_filter_max_ats: 3 },
        can_self_join_rooms: true,
      });
      assert.deepEqual(parseIgnoredKeysHeader(String(res.headers["x-policyserv-ignored-keys"])), ["community_id", "config.nope"]);
      assert.deepEqual(h.hookCalls.communities, [id]);
      assert.equal((await h.call("/api/v1/communities/stolen")).status, 404);
    });

    it("clears all overrides with config null and keeps other fields", async () => {
      const res = await h.call(`/api/v1/communities/${id}`, { method: "PATCH", body: { config: null } });
      assert.equal(res.status, 200);
      assert.deepEqual(res.json.config, {});
      assert.equal(res.json.name, "Renamed");
    });

    it("rejects a null body, bad names, and wrong types naming the field", async () => {
      const cases: [string, string, RegExp][] = [
        ["null", "M_BAD_JSON", /must be a JSON object/],
        ['{"name": ""}', "M_BAD_JSON", /Name is required/],
        ['{"name": 5}', "M_BAD_JSON", /name must be a string/],
        ['{"can_self_join_rooms": "yes"}', "M_BAD_JSON", /can_self_join_rooms/],
        ['{"config": []}', "M_BAD_JSON", /config must be a JSON object/],
        ['{"config": {"spam_threshold": "high"}}', "M_BAD_JSON", /config\.spam_threshold/],
        ['{"config": {"spam_threshold": 3}}', "M_INVALID_PARAM", /config\.spam_threshold/],
      ];
      for (const [body, errcode, message] of cases) {
        const res = await h.call(`/api/v1/communities/${id}`, { method: "PATCH", body });
        assert.equal(res.status, 400, body);
        assert.equal(res.json.errcode, errcode, body);
        assert.match(res.json.error, message, body);
      }
    });

    it("loses no write when one community is updated concurrently", async () => {
      await h.call(`/api/v1/communities/${id}`, { method: "PATCH", body: { config: null } });
      const keys = ["mention_filter_max_mentions", "many_ats_filter_max_ats", "length_filter_max_length", "density_filter_min_trigger_length",
        "trim_length_filter_max_difference", "user_id_length_filter_max_length", "user_id_contains_words_filter_max_words",
        "inline_emoji_size_filter_max_height_pixels", "mention_filter_min_plaintext_length", "hellban_postfilter_minutes"];
      const results = await Promise.all(
        keys.map((key, i) => h.call(`/api/v1/communities/${id}`, { method: "PATCH", body: { config: { [key]: i + 1 } } })),
      );
      assert.ok(results.every((r) => r.status === 200));
      const final = (await h.call(`/api/v1/communities/${id}`)).json.config;
      assert.deepEqual(Object.keys(final).sort(), [...keys].sort());
      keys.forEach((key, i) => assert.equal(final[key], i + 1));
    });

    it("concurrent full replacements leave exactly one of the written configs (last commit wins whole)", async () => {
      const bodies = Array.from({ length: 8 }, (_, i) => ({ mention_filter_max_mentions: i, keyword_filter_keywords: [`k${i}`] }));
      await Promise.all(bodies.map((body) => h.call(`/api/v1/communities/${id}/config`, { method: "POST", body })));
      const final = (await h.call(`/api/v1/communities/${id}`)).json.config;
      const match = bodies.find((b) => b.mention_filter_max_mentions === final.mention_filter_max_mentions);
      assert.ok(match);
      assert.deepEqual(final, match);
    });
  });

  describe("rotate_access_token", () => {
    it("issues pst_ tokens, stores only their hash, and says whether an old one was revoked", async () => {
      const id = (await create("Token community")).json.community_id;
      const first = await h.call(`/api/v1/communities/${id}/rotate_access_token`, { method: "POST" });
      assert.equal(first.status, 200);
      assert.match(first.json.new_access_token, /^pst_[A-Z2-7]{26}$/);
      assert.equal(first.json.old_access_token, "");
      assert.equal(first.json.revoked_previous, false);
      const second = await h.call(`/api/v1/communities/${id}/rotate_access_token`, { method: "POST", body: "ignored" });
      assert.equal(second.json.revoked_previous, true);
      assert.notEqual(second.json.new_access_token, first.json.new_access_token);
      const [row] = await h.database.sql`SELECT * FROM communities WHERE id = ${id}`;
      assert.ok(row);
      assert.equal(row["api_access_token"], null);
      assert.equal(row["api_access_token_sha256"], hashAccessToken(second.json.new_access_token));
      const everything = JSON.stringify(await h.database.sql`SELECT * FROM communities`);
      assert.ok(!everything.includes(second.json.new_access_token));
      assert.ok(!everything.includes(first.json.new_access_token));
      const shown = await h.call(`/api/v1/communities/${id}`);
      assert.ok(!shown.text.includes("pst_"));
    });
  });
});
