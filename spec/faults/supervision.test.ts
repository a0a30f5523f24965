/**
 * Supervision under sustained faults, on the real runtime with memory ports: a filter, a room-state load or a
 * community build that throws is handled per its declared policy, every check in flight gets an answer, and a crash
 * loop is damped (bounded crash rate) and visible in the crash metric and the logs instead of spinning.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PipelineSteps } from "../../actors/pipeline-steps.js";
import { standardPipelineSteps } from "../../actors/standard-pipeline-steps.js";
import {
  counterValue,
  EMPTY_ROOM,
  messageEvent,
  spamWordFilter,
  startTestRuntime,
  throwingFilter,
} from "../actors/support/fixtures.js";

const CHECKS = 300;

describe("supervision under sustained faults", () => {
  it("should answer every check while a filter throws on every run, resetting only the worker", async () => {
    const filter = throwingFilter(Number.MAX_SAFE_INTEGER);
    const { runtime, metrics } = startTestRuntime([filter, spamWordFilter()]);
    try {
      const outcomes = await Promise.all(
        Array.from({ length: CHECKS }, (_, i) =>
          runtime.checkEvent({ communityId: "c1", event: messageEvent(`x${i}`, { eventId: `$t${i}` }), roomFacts: EMPTY_ROOM }),
        ),
      );
      assert.equal(outcomes.length, CHECKS);
      for (const outcome of outcomes) {
        assert.equal(outcome.type, "verdict");
        // A failed filter is answered as upstream does (a failure verdict, never stored, no effects).
        assert.ok(outcome.type === "verdict" && outcome.verdict.failure !== undefined);
      }
      assert.equal(await counterValue(metrics, "policyserv_filter_errors_total", { filter: "test_throwing" }), CHECKS);
      // The runtime is still whole: a healthy community check afterwards works.
      const stats = runtime.stats();
      assert.equal(stats.unwrittenVerdicts, 0, "failed checks are never stored");
    } finally {
      await runtime.stop();
    }
  });

  it("should answer every check while room state loads throw, and recover when they stop", async () => {
    const { runtime, ports } = startTestRuntime([spamWordFilter()]);
    try {
      const load = ports.rooms.load.bind(ports.rooms);
      let throwing = true;
      ports.rooms.load = (roomId: string) => {
        if (throwing) throw new Error("room store bug");
        return load(roomId);
      };
      const started = Date.now();
      const outcomes = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          runtime.checkEvent({ communityId: "c1", event: messageEvent(`r${i}`, { eventId: `$r${i}` }) }),
        ),
      );
      // A throwing store is a failed load: every waiting check is answered at once, none waits for a deadline.
      for (const outcome of outcomes) assert.equal(outcome.type, "unavailable");
      assert.ok(Date.now() - started < 1_000, `answers took ${Date.now() - started} ms`);
      throwing = false;
      const recovered = await runtime.checkEvent({ communityId: "c1", event: messageEvent("fine", { eventId: "$fine" }) });
      assert.equal(recovered.type, "verdict");
    } finally {
      await runtime.stop();
    }
  });

  it("should damp a community crash loop instead of spinning, and say so in metrics and logs", async () => {
    let broken = true;
    const steps: PipelineSteps = {
      ...standardPipelineSteps,
      buildFilterPlan: (registry, config, instance) => {
        if (broken) throw new Error("always broken");
        return standardPipelineSteps.buildFilterPlan(registry, config, instance);
      },
    };
    const { runtime, metrics, logLines } = startTestRuntime([spamWordFilter()], { steps });
    try {
      const started = Date.now();
      for (let i = 0; i < CHECKS; i++) {
        const outcome = await runtime.checkEvent({
          communityId: "c1",
          event: messageEvent(`c${i}`, { eventId: `$c${i}` }),
          roomFacts: EMPTY_ROOM,
        });
        assert.equal(outcome.type, "unavailable", "every check is answered");
      }
      const elapsed = Date.now() - started;
      const crashes = await counterValue(metrics, "policyserv_actor_crashes_total", { kind: "community" });
      assert.ok(crashes > 0, "the crashes are counted");
      // Damped: far fewer rebuilds than checks (a spinning loop would crash at least once per check).
      assert.ok(crashes < CHECKS / 4, `${crashes} crashes for ${CHECKS} checks in ${elapsed} ms`);
      const logged = logLines().filter((l) => l["msg"] === "actor crashed" && l["actorKind"] === "community");
      assert.ok(logged.length > 0 && logged.length <= crashes, "each crash is logged once, none unlogged");

      // Once the cause is fixed, an explicit reload (what a config change triggers) brings the community back.
      broken = false;
      assert.deepEqual(await runtime.reloadCommunity("c1"), { ok: true, value: undefined });
      const healed = await runtime.checkEvent({ communityId: "c1", event: messageEvent("spam", { eventId: "$healed" }), roomFacts: EMPTY_ROOM });
      assert.equal(healed.type === "verdict" && healed.verdict.spam, true);
    } finally {
      await runtime.stop();
    }
  });
});
