/**
 * Every option the setup bot exposes (peers.md §5), replayed the way the bot sends it: set through
 * `POST /api/v1/communities/{id}/config` (a read-modify-write body, no Content-Type), read back through
 * `GET /api/v1/communities/{id}`, listed with its instance default by `GET /api/v1/instance/community_config`, and
 * shown to change a verdict: the dry-run check of one event under the option and without it must differ (for the
 * hellban minutes: the effect a live check would apply).
 *
 * Three options cannot change a verdict on this instance and are checked for the round trip only: `webhook_url`
 * (audit delivery, no filter reads it), `openai_filter_fail_secure` (needs PS_OPENAI_FILTER_API_KEY) and
 * `hma_filter_enabled_banks` (needs PS_HMA_API_URL); both services would need the network.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { CommunityConfig } from "../../src/config/community-config.js";
import { unsafeSigningKey } from "../../src/filters/unsafe-signing-key-filter.js";
import { getRoomVersion, redactEvent, signatureOf, type JsonObject } from "../../src/matrix/index.js";
import { send, startHarness, type Harness } from "./admin-harness.js";

const NOW = 1_700_000_000_000; // the harness's admin clock
const ROOM = "!opts:example.org";
const POLICY_ROOM = "!policies:example.org";

type Json = Record<string, unknown>;

const message = (content: Json, extra: Json = {}): Json => ({
  type: "m.room.message",
  sender: "@alice:example.org",
  room_id: ROOM,
  origin_server_ts: NOW - 1_000,
  content: { msgtype: "m.text", ...content },
  ...extra,
});

function signedByUnsafeKey(): Json {
  const version = getRoomVersion("10");
  if (!version.ok) throw new Error(version.error);
  const base = message({ body: "hello" }, { hashes: { sha256: "x" }, depth: 3 });
  const signature = signatureOf(redactEvent(base as JsonObject, version.value), unsafeSigningKey());
  return { ...base, signatures: { "example.org": { "ed25519:a": signature } } };
}

interface OptionCase {
  readonly key: keyof CommunityConfig;
  readonly value: unknown;
  /** Overrides kept in both runs, to isolate the option. */
  readonly baseline?: Json;
  readonly event: Json;
  /**
   * The filter whose answer the option changes: Prohibited in the run that refuses, or, for the allow-list options
   * of the prefilters, Allowed in the run with the option.
   */
  readonly filter: string;
  /** Whether the option makes the event refused (true) or lets it through (false). */
  readonly refusesWithOption: boolean;
}

const CASES: readonly OptionCase[] = [
  { key: "keyword_filter_keywords", value: ["zebra"], event: message({ body: "a zebra" }), filter: "keyword_filter", refusesWithOption: true },
  { key: "keyword_filter_use_full_event", value: true, baseline: { keyword_filter_keywords: [ROOM] }, event: message({ body: "hi" }), filter: "keyword_filter", refusesWithOption: true },
  { key: "keyword_template_filter_template_names", value: ["zoo"], event: message({ body: "a zebra" }), filter: "keyword_template_filter", refusesWithOption: true },
  { key: "keyword_template_filter_use_full_event", value: true, baseline: { keyword_template_filter_template_names: ["room"] }, event: message({ body: "hi" }), filter: "keyword_template_filter", refusesWithOption: true },
  { key: "mention_filter_max_mentions", value: 2, event: message({ body: "Annabel and Catherine" }), filter: "mentions_filter", refusesWithOption: true },
  { key: "mention_filter_min_plaintext_length", value: 3, baseline: { mention_filter_max_mentions: 2 }, event: message({ body: "Bob and Annabel" }), filter: "mentions_filter", refusesWithOption: true },
  { key: "mention_frequency_filter_rate_limit", value: 0.02, event: message({ body: "Annabel and Catherine" }), filter: "mention_frequency_filter", refusesWithOption: true },
  { key: "mention_frequency_filter_min_plaintext_length", value: 3, baseline: { mention_frequency_filter_rate_limit: 0.02 }, event: message({ body: "Bob and Annabel" }), filter: "mention_frequency_filter", refusesWithOption: true },
  { key: "many_ats_filter_max_ats", value: 3, event: message({ body: "@ @ @" }), filter: "many_ats_filter", refusesWithOption: true },
  { key: "media_filter_media_types", value: ["m.location"], event: message({ msgtype: "m.location", body: "here", geo_uri: "geo:1,2" }), filter: "media_filter", refusesWithOption: true },
  { key: "untrusted_media_filter_media_types", value: ["m.location"], baseline: { media_filter_media_types: [] }, event: message({ msgtype: "m.location", body: "here", geo_uri: "geo:1,2" }, { sender: "@erin:other.org" }), filter: "untrusted_media_filter", refusesWithOption: true },
  { key: "untrusted_media_filter_use_muninn", value: false, baseline: { media_filter_media_types: [] }, event: message({ msgtype: "m.image", body: "cat.png", url: "mxc://example.org/cat" }), filter: "untrusted_media_filter", refusesWithOption: true },
  { key: "untrusted_media_filter_use_power_levels", value: false, baseline: { media_filter_media_types: [] }, event: message({ msgtype: "m.image", body: "cat.png", url: "mxc://other.org/cat" }, { sender: "@carol:other.org" }), filter: "untrusted_media_filter", refusesWithOption: true },
  { key: "untrusted_media_filter_allowed_user_globs", value: ["@dave:*"], baseline: { media_filter_media_types: [] }, event: message({ msgtype: "m.image", body: "cat.png", url: "mxc://other.org/cat" }, { sender: "@dave:other.org" }), filter: "untrusted_media_filter", refusesWithOption: false },
  { key: "untrusted_media_filter_denied_user_globs", value: ["@alice:*"], baseline: { media_filter_media_types: [] }, event: message({ msgtype: "m.image", body: "cat.png", url: "mxc://example.org/cat" }), filter: "untrusted_media_filter", refusesWithOption: true },
  { key: "density_filter_max_density", value: 0.5, event: message({ body: "abc ".repeat(40) }), filter: "density_filter", refusesWithOption: true },
  { key: "density_filter_min_trigger_length", value: 10, event: message({ body: "abcdefghijklmnop" }), filter: "density_filter", refusesWithOption: true },
  { key: "trim_length_filter_max_difference", value: 3, event: message({ body: "hi      " }), filter: "trim_length_filter", refusesWithOption: true },
  { key: "length_filter_max_length", value: 300, event: message({ body: "word ".repeat(60) }), filter: "length_filter", refusesWithOption: true },
  { key: "user_id_length_filter_max_length", value: 10, event: message({ body: "hi" }), filter: "user_id_length_filter", refusesWithOption: true },
  { key: "user_id_contains_words_filter_max_words", value: 2, event: message({ body: "hi" }, { sender: "@buy.cheap.pills:example.org" }), filter: "user_id_words_filter", refusesWithOption: true },
  { key: "sender_prefilter_allowed_senders", value: ["@alice:example.org"], event: message({ body: "spammy spam" }), filter: "sender_prefilter", refusesWithOption: false },
  { key: "event_type_prefilter_allowed_event_types", value: ["m.room.message"], event: message({ body: "spammy spam" }), filter: "event_type_prefilter", refusesWithOption: false },
  { key: "event_type_prefilter_allowed_state_event_types", value: ["m.room.member"], event: { type: "m.room.member", state_key: "@alice:example.org", sender: "@alice:example.org", room_id: ROOM, content: { membership: "join", displayname: "spammy spam" } }, filter: "event_type_prefilter", refusesWithOption: false },
  { key: "mjolnir_filter_enabled", value: false, event: message({ body: "hello" }, { sender: "@evil1:example.org" }), filter: "policy_list_filter", refusesWithOption: false },
  { key: "spam_threshold", value: 0.5, event: message({ body: "hello" }), filter: "", refusesWithOption: true },
  { key: "sticky_events_filter_allow_sticky_events", value: false, event: message({ body: "hi" }, { sticky: { duration_ms: 600_000 } }), filter: "sticky_events_filter", refusesWithOption: true },
  { key: "link_filter_allowed_url_globs", value: ["https://matrix.org/*"], event: message({ body: "see https://evil.example/x" }), filter: "link_filter", refusesWithOption: true },
  { key: "link_filter_denied_url_globs", value: ["https://evil.example/*"], event: message({ body: "see https://evil.example/x" }), filter: "link_filter", refusesWithOption: true },
  { key: "unsafe_signing_key_filter_enabled", value: true, event: signedByUnsafeKey(), filter: "unsafe_signing_key_filter", refusesWithOption: true },
  { key: "frequency_filter_rate_limit", value: 0.001, event: message({ body: "hi" }), filter: "frequency_filter", refusesWithOption: true },
  { key: "frequency_filter_event_types", value: ["m.reaction"], baseline: { frequency_filter_rate_limit: 0.001 }, event: message({ body: "hi" }), filter: "frequency_filter", refusesWithOption: false },
  { key: "inline_emoji_size_filter_max_height_pixels", value: 16, event: message({ body: ":wave:", formatted_body: '<img data-mx-emoticon height="32" src="mxc://a/b">' }), filter: "inline_emoji_size_filter", refusesWithOption: true },
];

const ROUND_TRIP_ONLY: readonly [keyof CommunityConfig, unknown][] = [
  ["webhook_url", "https://element.ems.host/hook/abc"],
  ["openai_filter_fail_secure", false],
  ["hma_filter_enabled_banks", ["csam-bank"]],
];

const BOT_OPTIONS: readonly (keyof CommunityConfig)[] = [
  ...CASES.map((c) => c.key),
  "hellban_postfilter_minutes",
  ...ROUND_TRIP_ONLY.map(([key]) => key),
];

describe("setup bot options: set, read back, change a verdict", () => {
  let h: Harness;
  let id: string;
  const bot = async (method: string, path: string, body?: unknown) => {
    const res = await send(h.url, path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    assert.equal(res.status, 200, `${method} ${path}: ${res.text}`);
    return res.json as Json;
  };
  const setConfig = (config: Json) => bot("POST", `/api/v1/communities/${id}/config`, config);
  const storedConfig = async () => (await bot("GET", `/api/v1/communities/${id}`))["config"];
  const dryRun = async (event: Json) => bot("POST", `/api/v1/communities/${id}/check`, { event });

  before(async () => {
    // The instance turns the unsafe-key filter off so that a community forcing it on is a visible change.
    h = await startHarness({ env: { PS_MJOLNIR_FILTER_ROOM_ID: POLICY_ROOM, PS_UNSAFE_SIGNING_KEY_FILTER_ENABLED: "false" } });
    id = String((await bot("POST", "/api/v1/communities/new", { name: "Options" }))["community_id"]);
    await bot("POST", `/api/v1/rooms/${encodeURIComponent(ROOM)}/join`, { community_id: id });
    const members: [string, string][] = [["@ann:example.org", "Annabel"], ["@bob:example.org", "Bob"], ["@cat:example.org", "Catherine"]];
    for (const [user, name] of members) {
      await h.database.sql`INSERT INTO displaynames (room_id, user_id, displayname) VALUES (${ROOM}, ${user}, ${name})`;
    }
    await h.database.sql`INSERT INTO ban_rules (room_id, entity_type, entity_id) VALUES (${POLICY_ROOM}, 'm.policy.rule.user', '@evil*:example.org')`;
    const levels = { users: { "@carol:other.org": 100 }, users_default: 0, state_default: 50, events: {}, events_default: 0, ban: 50, kick: 50, redact: 50, invite: 0, notifications: {} };
    const put = await h.repos.trustData.put("power_levels", ROOM, levels);
    assert.ok(put.ok);
    await bot("POST", "/api/v1/sources/muninn/set_member_directory_event", {
      type: "com.muninn-hall.member_directory",
      content: { "com.muninn-hall.member_directory": { "example.org": ["@alice:example.org"] } },
    });
    const templates: [string, string][] = [
      ["zoo", '{{ if StringContains .BodyRaw "zebra" }}org.matrix.msc4456.spam{{ end }}'],
      ["room", `{{ if StringContains .BodyRaw "${ROOM}" }}org.matrix.msc4456.spam{{ end }}`],
    ];
    for (const [name, body] of templates) {
      const res = await send(h.url, `/api/v1/keyword_templates/${name}`, { method: "POST", body });
      assert.equal(res.status, 200, res.text);
    }
  });
  after(() => h.close());

  it("lists every bot option with its instance default", async () => {
    const listed = await bot("GET", "/api/v1/instance/community_config");
    const defaults = h.config.communityDefaults as unknown as Json;
    for (const key of BOT_OPTIONS) {
      assert.ok(key in listed, `${key} is listed`);
      assert.deepEqual(listed[key], defaults[key], `${key} shows the instance default`);
    }
    assert.deepEqual(listed["frequency_filter_event_types"], ["m.room.message", "m.sticker", "m.reaction"]);
    assert.equal(listed["frequency_filter_rate_limit"], 0);
    assert.equal(listed["mention_frequency_filter_rate_limit"], 0);
    assert.equal(listed["mention_frequency_filter_min_plaintext_length"], 5);
    assert.equal(listed["unsafe_signing_key_filter_enabled"], false, "this instance's own default");
  });

  for (const c of CASES) {
    it(`${c.key}: round-trips and ${c.refusesWithOption ? "refuses" : "lets through"} an event`, async () => {
      const baseline = c.baseline ?? {};
      const withOption = { ...baseline, [c.key]: c.value };
      await setConfig(withOption);
      assert.deepEqual(await storedConfig(), withOption, "read back as set");
      const on = await dryRun(c.event);
      await setConfig(baseline);
      assert.deepEqual(await storedConfig(), baseline);
      const off = await dryRun(c.event);
      assert.equal(on["spam"], c.refusesWithOption, `with the option: ${JSON.stringify(on)}`);
      assert.equal(off["spam"], !c.refusesWithOption, `without it: ${JSON.stringify(off)}`);
      if (c.filter !== "") {
        const classOf = (run: Json) => (run["trace"] as { filter: string; class: string }[]).find((t) => t.filter === c.filter)?.class;
        const prefilter = c.filter.endsWith("_prefilter");
        if (prefilter) {
          assert.equal(classOf(on), "Allowed", `${c.filter} allowed the event: ${JSON.stringify(on["trace"])}`);
        } else {
          const [refusing, passing] = c.refusesWithOption ? [on, off] : [off, on];
          assert.equal(classOf(refusing), "Prohibited", `${c.filter} refused: ${JSON.stringify(refusing["trace"])}`);
          assert.notEqual(classOf(passing), "Prohibited");
        }
      }
    });
  }

  it("hellban_postfilter_minutes: round-trips and decides whether a refusal hellbans the sender", async () => {
    const spam = message({ body: "spammy spam" });
    await setConfig({ hellban_postfilter_minutes: 5 });
    assert.deepEqual(await storedConfig(), { hellban_postfilter_minutes: 5 });
    const on = await dryRun(spam);
    assert.deepEqual(on["effects"], [{ type: "hellban", sender: "@alice:example.org", minutes: 5 }]);
    await setConfig({ hellban_postfilter_minutes: 0 });
    const off = await dryRun(spam);
    assert.equal(off["spam"], true);
    assert.equal(off["effects"], undefined, "no hellban: the sender's next clean event would pass");
    assert.equal((off["trace"] as { filter: string }[]).some((t) => t.filter === "hellban_postfilter"), false);
  });

  for (const [key, value] of ROUND_TRIP_ONLY) {
    it(`${key}: round-trips (no verdict change possible without its instance service)`, async () => {
      await setConfig({ [key]: value });
      assert.deepEqual(await storedConfig(), { [key]: value });
      assert.equal((await dryRun(message({ body: "hello" })))["spam"], false);
    });
  }

  it("the bot's read-modify-write of every option at once round-trips", async () => {
    const all: Json = Object.fromEntries([
      ...CASES.map((c) => [c.key, c.value]),
      ["hellban_postfilter_minutes", 5],
      ...ROUND_TRIP_ONLY,
    ]);
    await setConfig(all);
    const stored = (await storedConfig()) as Json;
    assert.deepEqual(stored, all);
    await setConfig({ ...stored, frequency_filter_rate_limit: 0.5 });
    assert.equal(((await storedConfig()) as Json)["frequency_filter_rate_limit"], 0.5);
    await setConfig({});
  });

  it("refuses a wrong type for the new keys with a clear error", async () => {
    for (const [key, bad] of [["frequency_filter_rate_limit", "fast"], ["frequency_filter_event_types", "m.room.message"], ["mention_frequency_filter_min_plaintext_length", 2.5]] as const) {
      const res = await send(h.url, `/api/v1/communities/${id}/config`, { method: "POST", body: JSON.stringify({ [key]: bad }) });
      assert.equal(res.status, 400, `${key}: ${res.text}`);
      assert.equal(res.json?.errcode, "M_BAD_JSON");
      assert.match(res.json?.error ?? "", new RegExp(key));
    }
  });
});
