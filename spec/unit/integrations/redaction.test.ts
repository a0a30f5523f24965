import assert from "node:assert/strict";
import { describe, it, type TestContext } from "node:test";
import { Registry } from "prom-client";
import { createIntegrationMetrics } from "../../../src/integrations/integration-metrics.js";
import { createModerationHooks, type VerdictEvent } from "../../../src/integrations/moderation-hooks.js";
import { resolveModeratorClients, type ModeratorClient } from "../../../src/integrations/moderator-clients.js";
import { createModerationJobRunner, redactionUrl, REDACTION_REASON, type RedactJob } from "../../../src/integrations/redaction-client.js";
import type { Pdu } from "../../../src/matrix/pdu.js";
import type { Verdict } from "../../../src/pipeline/types.js";
import { ok } from "../../../src/result.js";
import { FakeClientServer } from "../../support/fake-client-server.js";
import { FAILURE_MODES } from "../../support/fake-service-modes.js";
import { noSleep, openFetch, recordingLogger, strictFetch } from "./helpers.js";

const MOD = "@mod:mods.example";

async function fake(t: TestContext): Promise<FakeClientServer> {
  const server = await FakeClientServer.start({ "good-token": MOD });
  t.after(() => server.close());
  return server;
}

function client(server: FakeClientServer): ModeratorClient {
  return { domain: "mods.example", baseUrl: server.url, accessToken: "good-token", userId: MOD, userServer: "mods.example" };
}

const rooms = (moderatorUserId = MOD) => ({ get: async () => ok({ moderatorUserId }) });
const job = (eventId = "$spam:evil.example"): RedactJob => ({ type: "RedactEvent", communityId: "c1", roomId: "!room:example.org", eventId, reason: REDACTION_REASON });

async function counts(registry: Registry): Promise<Record<string, number>> {
  const metric = await registry.getSingleMetric("policyserv_redactions_total")?.get();
  return Object.fromEntries((metric?.values ?? []).map((v) => [String(v.labels["outcome"]), v.value]));
}

describe("moderator tokens at start-up", () => {
  it("keeps usable tokens and reports bad ones without throwing", async (t) => {
    const server = await fake(t);
    const logger = recordingLogger();
    const resolved = await resolveModeratorClients({
      tokens: new Map([["mods.example", "good-token"], ["other.example", "revoked"]]),
      fetch: openFetch(),
      logger,
      baseUrl: () => server.url,
    });
    assert.deepEqual(resolved.clients.map((c) => [c.domain, c.userId, c.userServer]), [["mods.example", MOD, "mods.example"]]);
    assert.equal(resolved.failures.length, 1);
    assert.equal(resolved.failures[0]?.domain, "other.example");
    assert.match(resolved.failures[0]?.message ?? "", /HTTP 401/);
    assert.ok(logger.lines.some((l) => l.level === "error" && l.message.includes("PS_MODERATOR_ACCESS_TOKENS")));
    assert.ok(!JSON.stringify(logger.lines).includes("revoked"), "tokens are never logged");
  });

  for (const mode of FAILURE_MODES) {
    it(`reports a whoami that is ${mode}`, async (t) => {
      const server = await fake(t);
      server.whoamiMode = mode;
      const resolved = await resolveModeratorClients({
        tokens: new Map([["mods.example", "good-token"]]),
        fetch: openFetch(),
        logger: recordingLogger(),
        baseUrl: () => server.url,
        timeoutMs: 300,
      });
      assert.equal(resolved.clients.length, 0);
      assert.equal(resolved.failures.length, 1);
    });
  }

  it("reports a denied address", async (t) => {
    const server = await fake(t);
    const resolved = await resolveModeratorClients({ tokens: new Map([["mods.example", "good-token"]]), fetch: strictFetch(), logger: recordingLogger(), baseUrl: () => server.url });
    assert.match(resolved.failures[0]?.message ?? "", /denied network/);
    assert.equal(server.server.requests.length, 0);
  });
});

describe("redaction job runner", () => {
  it("PUTs the redaction with the moderator token and a transaction ID derived from the event", async (t) => {
    const server = await fake(t);
    const registry = new Registry();
    const run = createModerationJobRunner({ fetch: openFetch(), rooms: rooms(), clients: () => [client(server)], logger: recordingLogger(), metrics: createIntegrationMetrics(registry), sleep: noSleep });
    await run(job());
    assert.deepEqual(server.redactions, [{ roomId: "!room:example.org", eventId: "$spam:evil.example", txnId: "policyserv_$spam:evil.example", token: "good-token", reason: "Detected as probable spam" }]);
    assert.equal(server.server.requests[0]?.path, "/_matrix/client/v3/rooms/%21room:example.org/redact/$spam:evil.example/policyserv_$spam:evil.example");
    assert.deepEqual(await counts(registry), { redacted: 1 });
  });

  it("never redacts one event twice, even when jobs arrive together", async (t) => {
    const server = await fake(t);
    const registry = new Registry();
    const run = createModerationJobRunner({ fetch: openFetch(), rooms: rooms(), clients: () => [client(server)], logger: recordingLogger(), metrics: createIntegrationMetrics(registry), sleep: noSleep });
    await Promise.all([run(job()), run(job()), run(job())]);
    await run(job());
    assert.equal(server.attempts(), 1);
    assert.deepEqual(await counts(registry), { redacted: 1, skipped_duplicate: 3 });
  });

  it("retries 429 and 500 with back-off, honouring Retry-After, then succeeds", async (t) => {
    const server = await fake(t);
    server.script.push("429", "500");
    const waits: number[] = [];
    const run = createModerationJobRunner({
      fetch: openFetch(),
      rooms: rooms(),
      clients: () => [client(server)],
      logger: recordingLogger(),
      retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 1000 },
      sleep: async (ms) => void waits.push(ms),
    });
    await run(job());
    assert.equal(server.attempts(), 3);
    assert.equal(server.redactions.length, 1);
    assert.equal(waits.length, 2);
    assert.ok(waits.every((w) => w >= 5 && w <= 1000), String(waits));
  });

  for (const mode of FAILURE_MODES) {
    it(`handles a Client-Server API that is ${mode} without throwing, retrying only what can succeed`, async (t) => {
      const server = await fake(t);
      server.mode = mode;
      const registry = new Registry();
      const run = createModerationJobRunner({
        fetch: openFetch(),
        rooms: rooms(),
        clients: () => [client(server)],
        logger: recordingLogger(),
        metrics: createIntegrationMetrics(registry),
        retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
        sleep: noSleep,
        timeoutMs: 200,
      });
      await run(job());
      const outcome = await counts(registry);
      if (mode === "malformed" || mode === "oversized") {
        // 200 with an odd body: the redaction happened (malformed); an oversized answer is cut off and not retried.
        assert.equal(server.attempts(), 1);
        assert.deepEqual(outcome, mode === "malformed" ? { redacted: 1 } : { failed_too_large: 1 });
      } else {
        assert.equal(server.attempts(), 2, "retried once");
        assert.deepEqual(outcome, { [`failed_${{ slow: "timeout", "429": "http_429", "500": "http_5xx" }[mode]}`]: 1 });
      }
    });
  }

  it("skips rooms without a moderator or whose moderator has no token, and a denied address fails cleanly", async (t) => {
    const server = await fake(t);
    const registry = new Registry();
    const metrics = createIntegrationMetrics(registry);
    const base = { fetch: openFetch(), clients: () => [client(server)], logger: recordingLogger(), metrics, sleep: noSleep };
    await createModerationJobRunner({ ...base, rooms: rooms("") })(job("$a"));
    await createModerationJobRunner({ ...base, rooms: rooms("@someone:else.example") })(job("$b"));
    await createModerationJobRunner({ ...base, rooms: { get: async () => ok(null) } })(job("$c"));
    await createModerationJobRunner({ ...base, fetch: strictFetch(), rooms: rooms() })(job("$d"));
    assert.equal(server.attempts(), 0);
    assert.deepEqual(await counts(registry), {
      skipped_no_moderator: 1,
      skipped_moderator_not_configured: 1,
      skipped_unknown_room: 1,
      failed_denied: 1,
    });
  });

  it("escapes room and event IDs in the URL", () => {
    assert.equal(redactionUrl("https://h/", "!a/b:x", "$e?f"), "https://h/_matrix/client/v3/rooms/%21a%2Fb:x/redact/$e%3Ff/policyserv_$e%3Ff");
  });
});

function verdictEvent(sender: string, spam = true, eventId = "$spam:evil.example"): VerdictEvent {
  const verdict: Verdict = {
    info: { class: spam ? "Prohibited" : "Neutral", harms: spam ? ["org.matrix.msc4456.spam"] : [] },
    spam,
    score: spam ? 1 : 0.5,
    trace: [{ group: "main", filter: "keyword_filter", class: spam ? "Prohibited" : "Neutral", harms: spam ? ["org.matrix.msc4456.spam"] : [] }],
    effects: [],
  };
  const pdu = { eventId, roomId: "!room:example.org", roomVersion: "10", type: "m.room.message", stateKey: undefined, sender, originServerTs: 0, content: { body: "spam" }, json: {}, contentHashValid: true } as unknown as Pdu;
  return { pdu, room: { roomId: "!room:example.org", communityId: "c1" }, verdict };
}

describe("redactIfNeeded hooks", () => {
  function hooks(moderators: readonly ModeratorClient[], registry = new Registry()) {
    const submitted: RedactJob[] = [];
    const h = createModerationHooks({
      rooms: rooms(),
      communities: { get: async () => ok({ config: {} }) },
      defaultWebhookUrl: "",
      webhookRules: { allowedDomains: [] },
      moderators: () => moderators,
      submitRedaction: async (j) => void submitted.push(j),
      submitWebhook: async () => undefined,
      logger: recordingLogger(),
      metrics: createIntegrationMetrics(registry),
    });
    return { h, submitted, registry };
  }
  const mod: ModeratorClient = { domain: "mods.example", baseUrl: "https://mods.example", accessToken: "t", userId: MOD, userServer: "mods.example" };

  it("redacts a prohibited event another server showed us, once", async () => {
    const { h, submitted } = hooks([mod]);
    await h.redactIfNeeded(verdictEvent("@spammer:evil.example"), "matrix.org");
    await h.redactIfNeeded(verdictEvent("@spammer:evil.example"), "matrix.org");
    assert.deepEqual(submitted, [{ type: "RedactEvent", communityId: "c1", roomId: "!room:example.org", eventId: "$spam:evil.example", reason: REDACTION_REASON }]);
  });

  it("does not redact when the sender's own server asked, the moderator shares the sender's server, or the sender is invalid", async () => {
    const { h, submitted, registry } = hooks([mod]);
    await h.redactIfNeeded(verdictEvent("@spammer:evil.example", true, "$1"), "evil.example");
    await h.redactIfNeeded(verdictEvent("@spammer:mods.example", true, "$2"), "matrix.org");
    await h.redactIfNeeded(verdictEvent("not a user", true, "$3"), "matrix.org");
    assert.equal(submitted.length, 0);
    assert.deepEqual(await counts(registry), { skipped_same_origin: 1, skipped_out_of_band: 1, skipped_invalid_sender: 1 });
  });

  it("onProhibited (/send) always proceeds; onVerdict ignores non-spam and needs an origin", async () => {
    const { h, submitted } = hooks([mod]);
    await h.onProhibited({ ...verdictEvent("@spammer:evil.example", true, "$send"), origin: "evil.example" });
    h.onVerdict({ ...verdictEvent("@spammer:evil.example", false, "$clean"), origin: "matrix.org" });
    h.onVerdict(verdictEvent("@spammer:evil.example", true, "$no-origin"));
    h.onVerdict({ ...verdictEvent("@spammer:evil.example", true, "$check"), origin: "matrix.org" });
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(submitted.map((j) => j.eventId), ["$send", "$check"]);
  });

  it("a refused submission is counted and can be tried again", async () => {
    const registry = new Registry();
    let refuse = true;
    const submitted: string[] = [];
    const h = createModerationHooks({
      rooms: rooms(),
      communities: { get: async () => ok(null) },
      defaultWebhookUrl: "",
      webhookRules: { allowedDomains: [] },
      moderators: () => [mod],
      submitRedaction: async (j) => (refuse ? { type: "queue-full" } : void submitted.push(j.eventId)),
      submitWebhook: async () => undefined,
      logger: recordingLogger(),
      metrics: createIntegrationMetrics(registry),
    });
    await h.redactIfNeeded(verdictEvent("@s:evil.example"), "matrix.org");
    refuse = false;
    await h.redactIfNeeded(verdictEvent("@s:evil.example"), "matrix.org");
    assert.deepEqual(submitted, ["$spam:evil.example"]);
    assert.deepEqual(await counts(registry), { rejected_queue_full: 1 });
  });
});
