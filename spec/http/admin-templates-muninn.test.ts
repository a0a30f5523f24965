import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { instanceCommunityConfigJson } from "../../src/config/docs.js";
import { startHarness, type Harness } from "./admin-harness.js";

describe("admin API: keyword templates", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it("stores raw text (any content type), returns it, and fires the templates hook", async () => {
    const text = '{{ if StringContains .BodyRaw "buy" }}org.matrix.msc4456.spam{{ end }}';
    const before = h.hookCalls.templates;
    const put = await h.call("/api/v1/keyword_templates/shop", { method: "POST", body: text, headers: { "Content-Type": "text/plain" } });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(put.json, { name: "shop", body: text });
    assert.equal(h.hookCalls.templates, before + 1);
    const got = await h.call("/api/v1/keyword_templates/shop");
    assert.deepEqual(got.json, { name: "shop", body: text });
    const [row] = await h.database.sql`SELECT body FROM keyword_templates WHERE name = 'shop'`;
    assert.equal(row?.["body"], text);
  });

  it("replaces a template and keeps an empty body as upstream's deletion", async () => {
    await h.call("/api/v1/keyword_templates/gone", { method: "POST", body: "x" });
    const put = await h.call("/api/v1/keyword_templates/gone", { method: "POST" });
    assert.deepEqual(put.json, { name: "gone", body: "" });
    const got = await h.call("/api/v1/keyword_templates/gone");
    assert.equal(got.status, 200);
    assert.deepEqual(got.json, { name: "gone", body: "" });
  });

  it("decodes a percent-encoded name, slash included", async () => {
    await h.call("/api/v1/keyword_templates/a%2Fb", { method: "POST", body: "ok" });
    assert.deepEqual((await h.call("/api/v1/keyword_templates/a%2Fb")).json, { name: "a/b", body: "ok" });
  });

  it("refuses a template that does not parse with 400 M_BAD_JSON naming its line and column, storing nothing", async () => {
    const before = h.hookCalls.templates;
    const res = await h.call("/api/v1/keyword_templates/broken", { method: "POST", body: "line one\n  {{ if .Event }}unclosed" });
    assert.equal(res.status, 400);
    assert.equal(res.json.errcode, "M_BAD_JSON");
    assert.equal(typeof res.json.line, "number");
    assert.equal(typeof res.json.column, "number");
    assert.match(res.json.error, new RegExp(`broken.*line ${res.json.line}, column ${res.json.column}`));
    assert.equal((await h.call("/api/v1/keyword_templates/broken")).status, 404);
    assert.equal(h.hookCalls.templates, before);
    const unknownFunction = await h.call("/api/v1/keyword_templates/broken", { method: "POST", body: "{{ nosuchfunc 1 }}" });
    assert.equal(unknownFunction.status, 400);
    assert.equal(unknownFunction.json.line, 1);
  });

  it("refuses a body that is not UTF-8 text or over 1 MiB", async () => {
    const res = await h.call("/api/v1/keyword_templates/bin", { method: "POST", body: "\u0000" });
    assert.equal(res.status, 400);
    const big = await h.call("/api/v1/keyword_templates/big", { method: "POST", body: "x".repeat(1024 * 1024 + 1) });
    assert.equal(big.status, 413);
    assert.equal(big.json.errcode, "M_TOO_LARGE");
  });

  it("answers 404 M_NOT_FOUND for an unknown template", async () => {
    const res = await h.call("/api/v1/keyword_templates/nope");
    assert.equal(res.status, 404);
    assert.deepEqual(res.json, { errcode: "M_NOT_FOUND", error: "Template not found" });
  });
});

describe("admin API: Muninn Hall directory and instance config", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ env: { PS_KEYWORD_FILTER_KEYWORDS: "alpha,beta" } });
  });
  after(() => h.close());
  const post = (body: unknown) => h.call("/api/v1/sources/muninn/set_member_directory_event", { method: "POST", body });
  const stored = async () => (await h.database.sql`SELECT data FROM trust_data WHERE source_name = 'muninn_hall' AND key = ''`)[0]?.["data"];

  it("replaces the trust list with the directory's server names and echoes only the parsed part", async () => {
    const event = {
      type: "m.room.message",
      sender: "@muninn:maunium.net",
      content: { msgtype: "m.notice", "com.muninn-hall.member_directory": { "t2l.io": ["@b:t2l.io"], "matrix.org": ["@a:matrix.org"], "x.org": null } },
    };
    const res = await post(event);
    assert.equal(res.status, 200);
    assert.equal(
      res.text,
      '{"content":{"com.muninn-hall.member_directory":{"matrix.org":["@a:matrix.org"],"t2l.io":["@b:t2l.io"],"x.org":null}}}',
    );
    assert.deepEqual(await stored(), { server_names: ["matrix.org", "t2l.io", "x.org"] });
    assert.ok(h.hookCalls.trust >= 1);
  });

  it("wipes the list for an event without the directory, as upstream", async () => {
    const res = await post({ content: { body: "hello" } });
    assert.deepEqual(res.json, { content: { "com.muninn-hall.member_directory": null } });
    assert.deepEqual(await stored(), { server_names: [] });
  });

  it("rejects a directory of the wrong shape with 400 M_BAD_JSON naming the part", async () => {
    for (const directory of [["a"], { "matrix.org": "@a:matrix.org" }, { "matrix.org": [1] }]) {
      const res = await post({ content: { "com.muninn-hall.member_directory": directory } });
      assert.equal(res.status, 400);
      assert.equal(res.json.errcode, "M_BAD_JSON");
      assert.match(res.json.error, /com\.muninn-hall\.member_directory/);
    }
    const notJson = await h.call("/api/v1/sources/muninn/set_member_directory_event", { method: "POST", body: "" });
    assert.equal(notJson.status, 400);
  });

  it("shows the instance layer of community config, with environment values", async () => {
    const res = await h.call("/api/v1/instance/community_config");
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, JSON.parse(JSON.stringify(instanceCommunityConfigJson(h.config.communityDefaults))));
    assert.deepEqual(res.json.keyword_filter_keywords, ["alpha", "beta"]);
    assert.equal(res.json.spam_threshold, 0.8);
    assert.equal(res.json.api_key, undefined);
  });
});
