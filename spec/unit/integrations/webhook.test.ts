import assert from "node:assert/strict";
import { describe, it, type TestContext } from "node:test";
import { Registry } from "prom-client";
import { createIntegrationMetrics } from "../../../src/integrations/integration-metrics.js";
import { createModerationHooks } from "../../../src/integrations/moderation-hooks.js";
import { buildWebhookPayload, escapeHtml, rfc1123z, WEBHOOK_TEXT, type SpamNotice } from "../../../src/integrations/webhook-message.js";
import { createWebhookJobRunner, type NotifyJob } from "../../../src/integrations/webhook-sender.js";
import { checkWebhookUrl } from "../../../src/integrations/webhook-url.js";
import type { Pdu } from "../../../src/matrix/pdu.js";
import { ok } from "../../../src/result.js";
import { FAILURE_MODES } from "../../support/fake-service-modes.js";
import { FakeWebhookReceiver } from "../../support/fake-webhook-receiver.js";
import { noSleep, openFetch, recordingLogger, strictFetch } from "./helpers.js";

async function receiver(t: TestContext): Promise<FakeWebhookReceiver> {
  const server = await FakeWebhookReceiver.start();
  t.after(() => server.close());
  return server;
}

const notice: SpamNotice = {
  communityId: "c1",
  eventId: "$ev:x",
  roomId: "!room:example.org",
  sender: "@spammer:evil.example",
  eventType: "m.room.message",
  originServerTs: Date.UTC(2026, 0, 15, 10, 11, 12),
  content: { body: "<script>buy now</script>" },
  contentClass: "Prohibited",
  harms: ["org.matrix.msc4456.spam"],
  filters: [
    { filter: "keyword_filter", class: "Prohibited", harms: ["org.matrix.msc4456.spam"] },
    { filter: "length_filter", class: "Neutral", harms: [] },
  ],
  recordedAt: Date.UTC(2026, 0, 15, 10, 11, 13),
};

async function counts(registry: Registry): Promise<Record<string, number>> {
  const metric = await registry.getSingleMetric("policyserv_webhooks_total")?.get();
  return Object.fromEntries((metric?.values ?? []).map((v) => [String(v.labels["outcome"]), v.value]));
}

describe("webhook URL rules", () => {
  const rules = { allowedDomains: ["element.ems.host", "hooks.example:8443"] };
  it("accepts https URLs whose exact host (with port) is allowed", () => {
    assert.ok(checkWebhookUrl("https://element.ems.host/hook/abc", rules).ok);
    assert.ok(checkWebhookUrl("https://hooks.example:8443/x", rules).ok);
  });
  it("refuses http, other hosts, subdomains, missing ports, credentials and garbage, saying why", () => {
    const refuse = (url: string, why: RegExp) => {
      const result = checkWebhookUrl(url, rules);
      assert.equal(result.ok, false, url);
      if (!result.ok) assert.match(result.error, why);
    };
    refuse("http://element.ems.host/hook", /must be https/);
    refuse("https://evil.example/hook", /domain not allowed/);
    refuse("https://a.element.ems.host/hook", /domain not allowed/);
    refuse("https://hooks.example/x", /domain not allowed/);
    refuse("https://user:pw@element.ems.host/", /credentials/);
    refuse("not a url", /not a valid URL/);
    assert.ok(checkWebhookUrl("http://element.ems.host/", { ...rules, allowHttp: true }).ok);
  });
});

describe("webhook message", () => {
  it("keeps the Hookshot html/text pair and adds the structured verdict", () => {
    const payload = buildWebhookPayload(notice);
    assert.equal(payload.text, WEBHOOK_TEXT);
    assert.deepEqual(payload.policyserv, {
      community_id: "c1",
      event_id: "$ev:x",
      room_id: "!room:example.org",
      sender: "@spammer:evil.example",
      event_type: "m.room.message",
      origin_server_ts: notice.originServerTs,
      recorded_ts: notice.recordedAt,
      content_class: "Prohibited",
      harms: ["org.matrix.msc4456.spam"],
      fired: [{ filter: "keyword_filter", harms: ["org.matrix.msc4456.spam"] }],
      hellban: false,
    });
    assert.ok(payload.html.startsWith("A user has had an event of theirs flagged as spam by policyserv:<br/>"));
    assert.ok(payload.html.includes("&lt;script&gt;"), "content is escaped");
    assert.ok(!payload.html.includes("<script>"));
    assert.ok(payload.html.includes("Thu, 15 Jan 2026 10:11:12 +0000"));
    assert.ok(payload.html.includes("&#34;keyword_filter&#34;: [\n    &#34;Prohibited&#34;"));
    assert.ok(!payload.html.includes("hellban"));
  });

  it("says when the verdict came from a hellban", () => {
    const payload = buildWebhookPayload({ ...notice, filters: [{ filter: "hellban_prefilter", class: "Prohibited", harms: ["org.matrix.msc4456.spam.flooding"] }] });
    assert.equal(payload.policyserv.hellban, true);
    assert.ok(payload.html.includes("This was a hellban."));
    assert.ok(payload.html.endsWith("</details>"));
  });

  it("escapes like Go and formats RFC 1123 with a numeric zone", () => {
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), "&lt;a href=&#34;x&#34;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    assert.equal(rfc1123z(0), "Thu, 01 Jan 1970 00:00:00 +0000");
  });
});

describe("webhook sender", () => {
  const job = (url: string): NotifyJob => ({ type: "NotifyWebhook", communityId: "c1", url, payload: buildWebhookPayload(notice) });

  it("POSTs JSON over HTTPS with policyserv's headers and a trailing newline", async (t) => {
    const server = await receiver(t);
    const registry = new Registry();
    const run = createWebhookJobRunner({ fetch: openFetch(), allowedDomains: [server.host], logger: recordingLogger(), metrics: createIntegrationMetrics(registry), sleep: noSleep });
    await run(job(server.url));
    assert.equal(server.received.length, 1);
    const [hook] = server.received;
    assert.equal(hook?.headers["content-type"], "application/json");
    assert.equal(hook?.headers["user-agent"], "policyserv");
    assert.ok(hook?.raw.endsWith("}\n"));
    assert.ok(hook?.raw.includes("<br/>"), "HTML is not JSON-escaped");
    assert.deepEqual((hook?.json as { policyserv: unknown }).policyserv, buildWebhookPayload(notice).policyserv);
    assert.deepEqual(await counts(registry), { sent: 1 });
  });

  it("retries 429 and 500, then delivers", async (t) => {
    const server = await receiver(t);
    server.script.push("429", "500");
    const run = createWebhookJobRunner({ fetch: openFetch(), allowedDomains: [server.host], logger: recordingLogger(), sleep: noSleep });
    await run(job(server.url));
    assert.equal(server.attempts, 3);
    assert.equal(server.received.length, 1);
  });

  for (const mode of FAILURE_MODES) {
    it(`handles a receiver that is ${mode}: bounded attempts, never throws`, async (t) => {
      const server = await receiver(t);
      server.mode = mode;
      const registry = new Registry();
      const run = createWebhookJobRunner({
        fetch: openFetch(),
        allowedDomains: [server.host],
        logger: recordingLogger(),
        metrics: createIntegrationMetrics(registry),
        timeoutMs: 200,
        retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
        sleep: noSleep,
      });
      await run(job(server.url));
      const outcome = await counts(registry);
      const expected = { slow: ["failed_timeout", 3], "429": ["failed_http_429", 3], "500": ["failed_http_5xx", 3], malformed: ["sent", 1], oversized: ["failed_too_large", 1] } as const;
      const [label, attempts] = expected[mode];
      assert.deepEqual(outcome, { [label]: 1 });
      assert.equal(server.attempts, attempts);
    });
  }

  it("refuses a URL outside the allow-list or over plain HTTP, and a denied address, without sending", async (t) => {
    const server = await receiver(t);
    const registry = new Registry();
    const metrics = createIntegrationMetrics(registry);
    const base = { allowedDomains: [server.host], logger: recordingLogger(), metrics, sleep: noSleep };
    await createWebhookJobRunner({ ...base, fetch: openFetch() })(job(`https://other.test:${server.port}/hook`));
    await createWebhookJobRunner({ ...base, fetch: openFetch() })(job(`http://${server.host}/hook`));
    await createWebhookJobRunner({ ...base, fetch: strictFetch() })(job(server.url));
    assert.equal(server.attempts, 0);
    assert.deepEqual(await counts(registry), { refused_url: 2, failed_denied: 1 });
  });
});

describe("webhook hooks", () => {
  const pdu = { eventId: "$ev:x", roomId: "!room:example.org", roomVersion: "10", type: "m.room.message", sender: "@s:evil.example", originServerTs: 5, content: { body: "x" } } as unknown as Pdu;
  const verdict = { info: { class: "Prohibited" as const, harms: ["org.matrix.msc4456.spam"] }, spam: true, score: 1, trace: [], effects: [] };

  function hooks(config: Record<string, unknown> | null, defaultWebhookUrl: string) {
    const jobs: NotifyJob[] = [];
    const h = createModerationHooks({
      rooms: { get: async () => ok(null) },
      communities: { get: async () => ok(config === null ? null : { config }) },
      defaultWebhookUrl,
      webhookRules: { allowedDomains: ["hooks.example"] },
      moderators: () => [],
      submitRedaction: async () => undefined,
      submitWebhook: async (j) => void jobs.push(j),
      logger: recordingLogger(),
      now: () => 7,
    });
    return { h, jobs };
  }

  it("notifies the community's webhook once per event, else the instance default (PS_WEBHOOK_URL)", async () => {
    const own = hooks({ webhook_url: "https://hooks.example/own" }, "https://hooks.example/default");
    await own.h.notify({ pdu, room: { roomId: pdu.roomId, communityId: "c1" }, verdict });
    await own.h.notify({ pdu, room: { roomId: pdu.roomId, communityId: "c1" }, verdict });
    assert.deepEqual(own.jobs.map((j) => j.url), ["https://hooks.example/own"]);
    assert.equal((own.jobs[0]?.payload as { policyserv: { recorded_ts: number } }).policyserv.recorded_ts, 7);
    const inherited = hooks({}, "https://hooks.example/default");
    await inherited.h.notify({ pdu, room: { roomId: pdu.roomId, communityId: "c1" }, verdict });
    assert.deepEqual(inherited.jobs.map((j) => j.url), ["https://hooks.example/default"]);
  });

  it("sends nothing without a URL, for an explicit empty URL, or for a disallowed one", async () => {
    for (const [config, fallback] of [[{}, ""], [{ webhook_url: "" }, "https://hooks.example/default"], [{ webhook_url: "https://evil.example/x" }, ""]] as const) {
      const { h, jobs } = hooks(config, fallback);
      await h.notify({ pdu, room: { roomId: pdu.roomId, communityId: "c1" }, verdict });
      assert.equal(jobs.length, 0, JSON.stringify(config));
    }
  });
});
