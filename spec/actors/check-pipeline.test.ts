import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  counterValue,
  EMPTY_ROOM,
  messageEvent,
  slowIoFilter,
  spamWordFilter,
  startTestRuntime,
  throwingFilter,
} from "./support/fixtures.js";

describe("check pipeline on a real nact system", () => {
  it("should run 1,000 concurrent checks of one community without serialising behind a slow I/O filter", async () => {
    const slow = slowIoFilter(50);
    const { runtime } = startTestRuntime([slow, spamWordFilter()]);
    try {
      const startedAt = Date.now();
      const outcomes = await Promise.all(
        Array.from({ length: 1_000 }, () => runtime.checkEvent({ communityId: "c1", event: messageEvent("hello"), roomFacts: EMPTY_ROOM })),
      );
      const elapsed = Date.now() - startedAt;
      assert.equal(slow.runs, 1_000);
      for (const outcome of outcomes) {
        assert.equal(outcome.type, "verdict");
        if (outcome.type === "verdict") assert.equal(outcome.verdict.spam, false);
      }
      // Serialised, this would take 1,000 × 50 ms = 50 s; concurrent, about one delay plus actor overhead.
      assert.ok(elapsed < 5_000, `1,000 checks took ${elapsed} ms`);
    } finally {
      await runtime.stop();
    }
  });

  it("should answer a check whose filter throws with a failure verdict, count it, and restart the worker", async () => {
    const throwing = throwingFilter(1);
    const { runtime, metrics, ports } = startTestRuntime([throwing]);
    try {
      const failedEvent = messageEvent("hi");
      const first = await runtime.checkEvent({ communityId: "c1", event: failedEvent, roomFacts: EMPTY_ROOM });
      assert.equal(first.type, "verdict");
      if (first.type !== "verdict") return;
      assert.equal(first.verdict.failure?.filter, "test_throwing");
      assert.match(first.verdict.failure?.message ?? "", /boom/);
      assert.equal(await counterValue(metrics, "policyserv_filter_errors_total", { filter: "test_throwing" }), 1);
      assert.equal(await counterValue(metrics, "policyserv_actor_crashes_total", { kind: "filter-worker" }), 1);
      assert.equal(await counterValue(metrics, "policyserv_checks_total", { outcome: "failure" }), 1);
      const okEvent = messageEvent("hi");
      const second = await runtime.checkEvent({ communityId: "c1", event: okEvent, roomFacts: EMPTY_ROOM });
      assert.equal(second.type === "verdict" && second.verdict.failure, undefined);
      await runtime.stop();
      // A failed check is never stored; the successful one is.
      assert.equal(ports.verdicts.rows.has(failedEvent.eventId), false);
      assert.equal(ports.verdicts.rows.has(okEvent.eventId), true);
    } finally {
      await runtime.stop();
    }
  });

  it("should turn a hung I/O filter into a failure value at the deadline", async () => {
    const { runtime, metrics } = startTestRuntime([slowIoFilter(Infinity, "test_hung"), spamWordFilter()], { filterDeadlineMs: 50 });
    try {
      const outcome = await runtime.checkEvent({ communityId: "c1", event: messageEvent("hi"), roomFacts: EMPTY_ROOM });
      assert.equal(outcome.type, "verdict");
      if (outcome.type !== "verdict") return;
      assert.equal(outcome.verdict.failure?.filter, "test_hung");
      assert.match(outcome.verdict.failure?.message ?? "", /did not answer within 50 ms/);
      assert.equal(await counterValue(metrics, "policyserv_filter_errors_total", { filter: "test_hung" }), 1);
    } finally {
      await runtime.stop();
    }
  });

  it("should see a community config change on the next check after reloadCommunity", async () => {
    const keywordish = {
      ...spamWordFilter(),
      name: "test_keyword",
      enabled: (config: { keyword_filter_keywords: readonly string[] }) => config.keyword_filter_keywords.length > 0,
    };
    const { runtime, ports } = startTestRuntime([keywordish]);
    try {
      const before = await runtime.checkEvent({ communityId: "c1", event: messageEvent("spam here"), roomFacts: EMPTY_ROOM });
      assert.equal(before.type === "verdict" && before.verdict.spam, false);
      ports.communities.rows.set("c1", { keyword_filter_keywords: ["spam"] });
      const reloaded = await runtime.reloadCommunity("c1");
      assert.deepEqual(reloaded, { ok: true, value: undefined });
      const after = await runtime.checkEvent({ communityId: "c1", event: messageEvent("spam here"), roomFacts: EMPTY_ROOM });
      assert.equal(after.type === "verdict" && after.verdict.spam, true);
    } finally {
      await runtime.stop();
    }
  });

  it("should answer from the stored verdict without running filters", async () => {
    const filter = spamWordFilter();
    const event = messageEvent("spam");
    const first = startTestRuntime([filter]);
    const computed = await first.runtime.checkEvent({ communityId: "c1", event, roomFacts: EMPTY_ROOM });
    await first.runtime.stop();
    assert.equal(computed.type === "verdict" && computed.cached, false);
    assert.equal(filter.runs, 1);
    // A fresh runtime over a store holding that row (another process, or after a restart).
    const second = startTestRuntime([filter]);
    try {
      for (const [id, verdict] of first.ports.verdicts.rows) second.ports.verdicts.rows.set(id, verdict);
      const reused = await second.runtime.checkEvent({ communityId: "c1", event, roomFacts: EMPTY_ROOM });
      assert.equal(reused.type === "verdict" && reused.cached, true);
      assert.deepEqual(reused.type === "verdict" && reused.verdict, computed.type === "verdict" && computed.verdict);
      assert.equal(filter.runs, 1);
    } finally {
      await second.runtime.stop();
    }
  });

  it("should run the filters once for concurrent checks of one event", async () => {
    const slow = slowIoFilter(30);
    const { runtime } = startTestRuntime([slow]);
    try {
      const event = messageEvent("hello");
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, () => runtime.checkEvent({ communityId: "c1", event, roomFacts: EMPTY_ROOM })),
      );
      assert.equal(slow.runs, 1);
      for (const o of outcomes) assert.equal(o.type, "verdict");
      const later = await runtime.checkEvent({ communityId: "c1", event, roomFacts: EMPTY_ROOM });
      assert.equal(later.type === "verdict" && later.cached, true);
      assert.equal(slow.runs, 1);
    } finally {
      await runtime.stop();
    }
  });

  it("should queue past the processing pool and refuse past the queue with overloaded", async () => {
    const slow = slowIoFilter(50);
    const { runtime, metrics } = startTestRuntime([slow], { pools: { processing: 2, processingQueue: 1, moderation: 1, webhooks: 1 } });
    try {
      const outcomes = await Promise.all(
        Array.from({ length: 5 }, () => runtime.checkEvent({ communityId: "c1", event: messageEvent("x"), roomFacts: EMPTY_ROOM })),
      );
      assert.deepEqual(
        outcomes.map((o) => o.type),
        ["verdict", "verdict", "verdict", "overloaded", "overloaded"],
      );
      assert.equal(await counterValue(metrics, "policyserv_checks_total", { outcome: "overloaded" }), 2);
      assert.equal(runtime.stats().inFlight, 0);
    } finally {
      await runtime.stop();
    }
  });

  it("should answer unavailable for an unknown community", async () => {
    const { runtime } = startTestRuntime([spamWordFilter()]);
    try {
      const outcome = await runtime.checkEvent({ communityId: "nope", event: messageEvent("x"), roomFacts: EMPTY_ROOM });
      assert.equal(outcome.type, "unavailable");
      assert.match(outcome.type === "unavailable" ? outcome.reason : "", /no community with id nope/);
    } finally {
      await runtime.stop();
    }
  });

  it("should refuse an invalid sender before any filter runs", async () => {
    const filter = spamWordFilter();
    const { runtime } = startTestRuntime([filter]);
    try {
      const outcome = await runtime.checkEvent({
        communityId: "c1",
        event: messageEvent("hello", { sender: "not-a-user-id" }),
        roomFacts: EMPTY_ROOM,
      });
      assert.equal(outcome.type === "verdict" && outcome.verdict.spam, true);
      assert.equal(filter.runs, 0);
    } finally {
      await runtime.stop();
    }
  });
});
