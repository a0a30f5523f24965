import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startHarness, type Harness } from "./admin-harness.js";

const event = (body: string, extra: Record<string, unknown> = {}) => ({
  type: "m.room.message",
  sender: "@someone:example.org",
  room_id: "!elsewhere:example.org",
  content: { msgtype: "m.text", body },
  ...extra,
});

describe("admin API: dry-run check", () => {
  let h: Harness;
  let id: string;
  const check = (body: unknown, community = id) => h.call(`/api/v1/communities/${community}/check`, { method: "POST", body });
  before(async () => {
    h = await startHarness();
    id = (await h.call("/api/v1/communities/new", { method: "POST", body: { name: "Dry run" } })).json.community_id;
  });
  after(() => h.close());

  it("answers the verdict and trace under the instance defaults", async () => {
    const res = await check({ event: event("this is spammy spam for sure") });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.spam, true);
    assert.equal(res.json.class, "Prohibited");
    assert.equal(res.json.score, 1);
    assert.ok(res.json.harms.length > 0);
    const keyword = res.json.trace.find((t: { filter: string }) => /keyword/i.test(t.filter));
    assert.ok(keyword, JSON.stringify(res.json.trace));
    assert.equal(keyword.class, "Prohibited");
    for (const entry of res.json.trace) assert.deepEqual(Object.keys(entry).filter((k) => k !== "error").sort(), ["class", "filter", "group", "harms"]);
  });

  it("answers a clean event as not spam", async () => {
    const res = await check({ event: event("hello there") });
    assert.equal(res.json.spam, false);
    assert.notEqual(res.json.class, "Prohibited");
  });

  it("lays the given overrides over the community's stored config", async () => {
    await h.call(`/api/v1/communities/${id}/config`, { method: "POST", body: { keyword_filter_keywords: ["buy now"] } });
    assert.equal((await check({ event: event("buy now!") })).json.spam, true, "stored config applies");
    assert.equal((await check({ event: event("spammy spam") })).json.spam, false, "stored config replaced the default list");
    assert.equal((await check({ event: event("buy now!"), config: { keyword_filter_keywords: [] } })).json.spam, false, "override wins");
    assert.equal((await check({ event: event("buy now!"), config: { spam_threshold: 0 } })).json.spam, true);
    const stored = await h.call(`/api/v1/communities/${id}`);
    assert.deepEqual(stored.json.config, { keyword_filter_keywords: ["buy now"] }, "the dry run stored nothing");
    await h.call(`/api/v1/communities/${id}/config`, { method: "POST", body: {} });
  });

  it("sees a template change at the next check", async () => {
    const config = { keyword_template_filter_template_names: ["dry"] };
    await h.call("/api/v1/keyword_templates/dry", { method: "POST", body: '{{ if StringContains .BodyRaw "zebra" }}org.matrix.msc4456.spam{{ end }}' });
    const first = await check({ event: event("a zebra"), config });
    assert.equal(first.json.spam, true);
    const templateEntry = first.json.trace.find((t: { filter: string }) => /template/i.test(t.filter));
    assert.deepEqual(templateEntry?.harms, ["org.matrix.msc4456.spam"]);
    await h.call("/api/v1/keyword_templates/dry", { method: "POST", body: '{{ if StringContains .BodyRaw "lion" }}org.matrix.msc4456.spam{{ end }}' });
    assert.equal((await check({ event: event("a zebra"), config })).json.spam, false);
    assert.equal((await check({ event: event("a lion"), config })).json.spam, true);
  });

  it("touches no verdict, counter or hellban even when a live check would hellban", async () => {
    const res = await check({ event: event("spammy spam", { event_id: "$dry1" }) });
    assert.equal(res.json.spam, true);
    assert.ok(Array.isArray(res.json.effects) && res.json.effects.some((e: { type: string }) => e.type === "hellban"));
    assert.equal((await h.database.sql`SELECT count(*)::int AS n FROM events`)[0]?.["n"], 0);
    assert.equal((await h.database.sql`SELECT count(*)::int AS n FROM hellbans`)[0]?.["n"], 0);
    // No hellban: the same sender's clean message is still clean.
    assert.equal((await check({ event: event("hello again") })).json.spam, false);
  });

  it("uses the room version of a room we protect", async () => {
    await h.call("/api/v1/rooms/!known:example.org/join", { method: "POST", body: { community_id: id } });
    await h.database.sql`INSERT INTO displaynames (room_id, user_id, displayname) VALUES ('!known:example.org', '@a:example.org', 'Alice')`;
    const res = await check({ event: event("hello", { room_id: "!known:example.org" }) });
    assert.equal(res.status, 200);
    assert.equal(res.json.spam, false);
  });

  it("rejects a missing or malformed event and bad overrides, naming what is wrong", async () => {
    const cases: [unknown, string, RegExp][] = [
      [{}, "M_MISSING_PARAM", /event/],
      [{ event: [] }, "M_BAD_JSON", /event/],
      [{ event: { type: "m.room.message" } }, "M_BAD_JSON", /sender/],
      [{ event: event("x"), config: { spam_threshold: "high" } }, "M_BAD_JSON", /config\.spam_threshold/],
      [{ event: event("x"), config: [] }, "M_BAD_JSON", /object/],
      [null, "M_BAD_JSON", /object/],
    ];
    for (const [body, errcode, message] of cases) {
      const res = await check(body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.json.errcode, errcode, JSON.stringify(body));
      assert.match(res.json.error, message);
    }
  });

  it("lists unknown keys of the request and of the overrides", async () => {
    const res = await check({ event: event("x"), config: { nope: 1 }, extra: true });
    assert.equal(res.status, 200);
    assert.equal(res.headers["x-policyserv-ignored-keys"], "extra, config.nope");
  });
});
