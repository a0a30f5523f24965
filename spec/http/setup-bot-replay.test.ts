/**
 * Replays what matrix-org/policyserv-setup-bot sends (peers.md §5): every call carries `Authorization: Bearer <key>`
 * and, for POSTs, a JSON body with no Content-Type header; anything but 200 is an error, and every response body is
 * parsed as JSON, so even "void" answers must be 200 JSON.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { send, startHarness, type Harness, type Reply } from "./admin-harness.js";

/** The bot's API client, call for call. */
class SetupBotClient {
  constructor(private readonly h: Harness) {}

  private async call(method: string, path: string, body?: unknown): Promise<Reply> {
    const res = await send(this.h.url, path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    assert.ok(res.json !== undefined, `${method} ${path} answered a body that is not JSON: ${res.text}`);
    return res;
  }

  private async ok(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const res = await this.call(method, path, body);
    assert.equal(res.status, 200, `${method} ${path}: ${res.text}`);
    return res.json;
  }

  createCommunity(name: string) {
    return this.ok("POST", "/api/v1/communities/new", { name });
  }
  async getCommunity(id: string) {
    const res = await this.call("GET", `/api/v1/communities/${encodeURIComponent(id)}`);
    if (res.status === 404) return "not found" as const;
    assert.equal(res.status, 200);
    return res.json;
  }
  getInstanceCommunityConfig() {
    return this.ok("GET", "/api/v1/instance/community_config");
  }
  setCommunityConfig(id: string, config: Record<string, unknown>) {
    return this.ok("POST", `/api/v1/communities/${encodeURIComponent(id)}/config`, config);
  }
  async getRoom(roomId: string) {
    const res = await this.call("GET", `/api/v1/rooms/${encodeURIComponent(roomId)}`);
    if (res.status === 404) return "not protected" as const;
    assert.equal(res.status, 200);
    return res.json;
  }
  addRoom(roomId: string, communityId: string) {
    return this.ok("POST", `/api/v1/rooms/${encodeURIComponent(roomId)}/join`, { community_id: communityId });
  }
}

describe("setup bot replay", () => {
  let h: Harness;
  let bot: SetupBotClient;
  before(async () => {
    h = await startHarness();
    bot = new SetupBotClient(h);
  });
  after(() => h.close());

  it("onboards a community, applies a room, and edits its config the way the bot does", async () => {
    // `!policyserv community <name>`
    const created = await bot.createCommunity("Example Community");
    const communityId = String(created["community_id"]);
    assert.match(communityId, /^[0-9A-Za-z]{27}$/);

    // `get`: the community and the instance defaults it inherits.
    const community = await bot.getCommunity(communityId);
    assert.notEqual(community, "not found");
    if (community === "not found") return;
    assert.equal(community["name"], "Example Community");
    assert.deepEqual(community["config"], {});
    const defaults = await bot.getInstanceCommunityConfig();
    assert.deepEqual(defaults["keyword_filter_keywords"], ["spammy spam"]);
    assert.equal(defaults["spam_threshold"], 0.8);

    // `apply <room>`: not protected yet → safety team approves → addRoom → now protected.
    const roomId = "!management:example.org";
    assert.equal(await bot.getRoom(roomId), "not protected");
    await bot.addRoom(roomId, communityId);
    const room = await bot.getRoom(roomId);
    assert.notEqual(room, "not protected");
    if (room === "not protected") return;
    assert.equal(room["room_id"], roomId);
    assert.equal(room["community_id"], communityId);
    assert.equal(typeof room["room_version"], "string");

    // `set` / `add` / `remove`: read-modify-write of the whole config, fractions and newer keys included.
    const setKey = async (key: string, value: unknown) => {
      const current = await bot.getCommunity(communityId);
      assert.notEqual(current, "not found");
      if (current === "not found") return;
      await bot.setCommunityConfig(communityId, { ...(current["config"] as Record<string, unknown>), [key]: value });
    };
    await setKey("spam_threshold", 0.6);
    await setKey("density_filter_max_density", 0.75);
    await setKey("keyword_filter_keywords", ["buy followers"]);
    await setKey("keyword_filter_keywords", ["buy followers", "cheap pills"]); // add
    await setKey("media_filter_media_types", []); // remove the last item
    await setKey("link_filter_denied_url_globs", ["https://bad.example/*"]);
    await setKey("some_future_filter_enabled", true); // a key this server does not know
    const final = await bot.getCommunity(communityId);
    assert.notEqual(final, "not found");
    if (final === "not found") return;
    assert.deepEqual(final["config"], {
      spam_threshold: 0.6,
      keyword_filter_keywords: ["buy followers", "cheap pills"],
      media_filter_media_types: [],
      density_filter_max_density: 0.75,
      link_filter_denied_url_globs: ["https://bad.example/*"],
    });
    assert.ok(h.hookCalls.communities.filter((c) => c === communityId).length >= 7, "each config write reloads the community");
  });

  it("sees 404 for an unknown community and keeps every other answer 200 JSON", async () => {
    assert.equal(await bot.getCommunity("0ujsswThIGTUYm2K8FjOOfXtY1K"), "not found");
    assert.equal(await bot.getCommunity("with/slash and space"), "not found");
  });

  it("re-applying a protected room is an error the bot reports (400 M_BAD_STATE), not a crash", async () => {
    const created = await bot.createCommunity("Second Community");
    await bot.addRoom("!twice:example.org", String(created["community_id"]));
    const res = await send(h.url, `/api/v1/rooms/${encodeURIComponent("!twice:example.org")}/join`, {
      method: "POST",
      body: JSON.stringify({ community_id: created["community_id"] }),
    });
    assert.equal(res.status, 400);
    assert.equal(res.json.errcode, "M_BAD_STATE");
  });
});
