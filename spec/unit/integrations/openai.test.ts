import assert from "node:assert/strict";
import { describe, it, type TestContext } from "node:test";
import { Registry } from "prom-client";
import type { CommunityConfig, InstanceFilterSettings } from "../../../src/config/community-config.js";
import { openaiFilter, renderEventTexts, harmsForCategories } from "../../../src/filters/openai-filter.js";
import type { FilterEvent, FilterInput, FilterServices, TextModerator } from "../../../src/filters/types.js";
import { HARM_OTHER } from "../../../src/harms/content-info.js";
import { HARM_CHILD_SAFETY_CSAM, HARM_ADULT, HARM_HARASSMENT, HARM_SPAM } from "../../../src/harms/ids.js";
import { createIntegrationMetrics } from "../../../src/integrations/integration-metrics.js";
import { createOpenAiModerator, parseModerationResponse } from "../../../src/integrations/openai-client.js";
import { FakeOpenAi } from "../../support/fake-openai.js";
import { FAILURE_MODES } from "../../support/fake-service-modes.js";
import { openFetch, strictFetch } from "./helpers.js";
import { config, input as filterInput, INSTANCE } from "../filters/helpers.js";

async function fake(t: TestContext): Promise<FakeOpenAi> {
  const server = await FakeOpenAi.start();
  t.after(() => server.close());
  return server;
}

function moderator(server: FakeOpenAi, overrides: Partial<Parameters<typeof createOpenAiModerator>[0]> = {}): TextModerator {
  return createOpenAiModerator({ fetch: openFetch(), apiKey: "sk-test", baseUrl: server.url, timeoutMs: 300, maxResponseBytes: 4096, ...overrides });
}

const ROOM = "!room:example.org";

function message(body: string, extra: Record<string, unknown> = {}, type = "m.room.message", roomId = ROOM): FilterEvent {
  const content = { msgtype: "m.text", body, ...extra };
  return {
    eventId: "$e",
    roomId,
    roomVersion: "10",
    type,
    stateKey: undefined,
    sender: "@spammer:evil.example",
    originServerTs: 1,
    pdu: { type, content },
    content,
  };
}

function input(event: FilterEvent, failSecure = true): FilterInput {
  return filterInput(event, {
    config: config({ openai_filter_fail_secure: failSecure }),
    instance: { ...INSTANCE, openaiFilterApiKey: "sk-test", openaiFilterAllowedRoomIds: [ROOM] },
    now: 0,
  });
}

describe("OpenAI moderation client", () => {
  it("posts the omni model request with the bearer key and reads flagged categories", async (t) => {
    const server = await fake(t);
    const result = await moderator(server).moderate("you badword");
    assert.deepEqual(result, { ok: true, value: { flagged: true, categories: ["harassment"] } });
    const [request] = server.server.requestsTo("POST", "/v1/moderations");
    assert.deepEqual(request?.json, { input: "you badword", model: "omni-moderation-latest" });
    assert.equal(request?.headers["content-type"], "application/json");
    assert.deepEqual(await moderator(server).moderate("hello"), { ok: true, value: { flagged: false, categories: [] } });
  });

  for (const mode of FAILURE_MODES) {
    it(`returns an error naming the cause when OpenAI is ${mode}`, async (t) => {
      const server = await fake(t);
      server.mode = mode;
      const registry = new Registry();
      const metrics = createIntegrationMetrics(registry);
      const result = await moderator(server, { metrics }).moderate("hello");
      assert.equal(result.ok, false);
      if (!result.ok) {
        assert.match(result.error, /^OpenAI moderation: /);
        const expected = { slow: /timed out/, "429": /HTTP 429/, "500": /HTTP 500/, malformed: /not JSON/, oversized: /exceeds 4096 bytes/ }[mode];
        assert.match(result.error, expected);
      }
      const counted = await registry.getSingleMetricAsString("policyserv_external_calls_total");
      assert.match(counted, /service="openai"/);
    });
  }

  it("refuses a denied address without sending anything", async (t) => {
    const server = await fake(t);
    const result = await createOpenAiModerator({ fetch: strictFetch(), apiKey: "sk-test", baseUrl: server.url }).moderate("x");
    assert.equal(result.ok, false);
    if (!result.ok) assert.match(result.error, /denied network/);
    assert.equal(server.server.requests.length, 0);
  });

  it("bounds concurrency: calls beyond the slots and the waiting line fail at once", async (t) => {
    const server = await fake(t);
    server.mode = "slow";
    const client = moderator(server, { maxConcurrent: 1, maxWaiting: 1, timeoutMs: 500 });
    const results = await Promise.all([client.moderate("a"), client.moderate("b"), client.moderate("c")]);
    const errors = results.map((r) => (r.ok ? "ok" : r.error));
    assert.ok(errors[2]?.includes("too many requests waiting"), String(errors[2]));
    assert.ok(errors[0]?.includes("timed out"));
  });

  it("rejects response shapes other than results[].flagged/categories", () => {
    assert.equal(parseModerationResponse({ results: [] }).ok, false);
    assert.equal(parseModerationResponse({ results: [{ flagged: "yes", categories: {} }] }).ok, false);
    assert.equal(parseModerationResponse({ results: [{ flagged: true }] }).ok, false);
    assert.equal(parseModerationResponse([]).ok, false);
  });

  it("refuses to be built without a key", () => {
    assert.throws(() => createOpenAiModerator({ fetch: openFetch(), apiKey: "" }), /PS_OPENAI_FILTER_API_KEY/);
  });
});

describe("OpenAI filter", () => {
  const services = (openai: TextModerator): FilterServices => ({ openai });

  it("renders texts as upstream: says, /me, formatted body, reactions; nothing else", () => {
    assert.deepEqual(renderEventTexts(message("hi", { formatted_body: "<b>hi</b>" })), [
      "@spammer:evil.example says: hi",
      "@spammer:evil.example says: <b>hi</b>",
    ]);
    assert.deepEqual(renderEventTexts(message("waves", { msgtype: "m.emote" })), ["@spammer:evil.example says: /me waves"]);
    assert.deepEqual(renderEventTexts(message("x", { msgtype: "m.image" })), []);
    const reaction = { ...message(""), type: "m.reaction", content: { "m.relates_to": { key: "👍" } } };
    assert.deepEqual(renderEventTexts(reaction), ["@spammer:evil.example reacted with 👍"]);
    assert.deepEqual(renderEventTexts({ ...message(""), type: "m.room.topic" }), []);
  });

  it("is enabled only with an API key and allowed rooms", () => {
    const config = {} as CommunityConfig;
    assert.equal(openaiFilter.enabled(config, { openaiFilterApiKey: "k", openaiFilterAllowedRoomIds: [ROOM] } as unknown as InstanceFilterSettings), true);
    assert.equal(openaiFilter.enabled(config, { openaiFilterApiKey: "", openaiFilterAllowedRoomIds: [ROOM] } as unknown as InstanceFilterSettings), false);
    assert.equal(openaiFilter.enabled(config, { openaiFilterApiKey: "k", openaiFilterAllowedRoomIds: [] } as unknown as InstanceFilterSettings), false);
  });

  it("prohibits flagged text with spam plus harms mapped from the categories", async (t) => {
    const server = await fake(t);
    const outcome = await openaiFilter.check(input(message("kidstuff")), services(moderator(server)));
    assert.ok(outcome.ok);
    assert.equal(outcome.value.info.class, "Prohibited");
    assert.deepEqual([...outcome.value.info.harms].sort(), [HARM_ADULT, HARM_CHILD_SAFETY_CSAM, HARM_SPAM].sort());
    assert.deepEqual(harmsForCategories(["harassment", "future-category"]), [HARM_SPAM, HARM_HARASSMENT]);
  });

  it("checks the formatted body too and stops at the first flagged text", async (t) => {
    const server = await fake(t);
    const outcome = await openaiFilter.check(input(message("fine", { formatted_body: "badword" })), services(moderator(server)));
    assert.ok(outcome.ok);
    assert.equal(outcome.value.info.class, "Prohibited");
    assert.equal(server.inputs().length, 2);
  });

  it("has no opinion on clean text and never calls OpenAI outside the allowed rooms", async (t) => {
    const server = await fake(t);
    const clean = await openaiFilter.check(input(message("hello")), services(moderator(server)));
    assert.ok(clean.ok);
    assert.equal(clean.value.info.class, "Neutral");
    const elsewhere = await openaiFilter.check(input(message("badword", {}, "m.room.message", "!other:x")), services(moderator(server)));
    assert.ok(elsewhere.ok);
    assert.equal(elsewhere.value.info.class, "Neutral");
    assert.equal(server.inputs().length, 1);
  });

  for (const mode of FAILURE_MODES) {
    it(`on ${mode}: fail secure prohibits with [other], otherwise no opinion`, async (t) => {
      const server = await fake(t);
      server.mode = mode;
      const secure = await openaiFilter.check(input(message("hello"), true), services(moderator(server)));
      assert.ok(secure.ok);
      assert.equal(secure.value.info.class, "Prohibited");
      assert.deepEqual(secure.value.info.harms, [HARM_OTHER]);
      const open = await openaiFilter.check(input(message("hello"), false), services(moderator(server)));
      assert.ok(open.ok);
      assert.equal(open.value.info.class, "Neutral");
    });
  }

  it("treats a missing service as an error (fail secure applies)", async () => {
    const outcome = await openaiFilter.check(input(message("hello")), {});
    assert.ok(outcome.ok);
    assert.deepEqual(outcome.value.info.harms, [HARM_OTHER]);
  });

  it("gives up when the check's signal aborts while waiting for OpenAI", async (t) => {
    const server = await fake(t);
    server.mode = "slow";
    const abort = new AbortController();
    const pending = openaiFilter.check(input(message("hello"), false), { openai: moderator(server, { timeoutMs: 30_000 }), signal: abort.signal });
    setTimeout(() => abort.abort(), 50);
    const outcome = await pending;
    assert.ok(outcome.ok);
    assert.equal(outcome.value.info.class, "Neutral");
  });
});
