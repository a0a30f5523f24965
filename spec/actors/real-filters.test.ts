import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Registry } from "prom-client";
import { loadConfig } from "../../src/config/load.js";
import { effectiveCommunityConfig, instanceFilterSettings } from "../../src/config/layering.js";
import { FILTERS } from "../../src/filters/registry.js";
import { evaluateEvent } from "../../src/pipeline/evaluate.js";
import { buildFilterPlan } from "../../src/pipeline/plan.js";
import { memoryPorts } from "../../actors/memory-ports.js";
import { standardPipelineSteps } from "../../actors/standard-pipeline-steps.js";
import { startPolicyRuntime } from "../../actors/system.js";
import { EMPTY_ROOM, memoryLogger, sleep } from "./support/fixtures.js";
import { realMessage } from "./support/real-event.js";

function productionDefaults() {
  const loaded = loadConfig({});
  if (!loaded.ok) throw new Error(`default config does not load: ${JSON.stringify(loaded.error)}`);
  return { defaults: loaded.value.config.communityDefaults, instance: instanceFilterSettings(loaded.value.config) };
}

describe("actor runtime with the real filter registry and default config", () => {
  it("should reach the same verdicts as the plain-function evaluator, and hellban after spam", async () => {
    const { defaults, instance } = productionDefaults();
    const ports = memoryPorts();
    ports.communities.rows.set("c1", {});
    const runtime = startPolicyRuntime({
      ports,
      registry: FILTERS,
      steps: standardPipelineSteps,
      communityDefaults: defaults,
      instance,
      effectiveConfig: effectiveCommunityConfig,
      logger: memoryLogger().logger,
      metrics: new Registry(),
      pools: { processing: 100, moderation: 1, webhooks: 1 },
    });
    try {
      const plan = buildFilterPlan(FILTERS, defaults, instance);
      const plainInput = (event: ReturnType<typeof realMessage>) => ({
        event,
        config: defaults,
        instance,
        room: EMPTY_ROOM,
        banRules: [],
        muninnServers: new Set<string>(),
        keywordTemplates: new Map(),
        senderHellbanned: false,
        now: Date.now(),
      });

      const hello = realMessage("hello there", "@bob:hs1.test");
      const viaActors = await runtime.checkEvent({ communityId: "c1", event: hello, roomFacts: EMPTY_ROOM });
      const viaFunctions = await evaluateEvent(plan, plainInput(hello), {}, { spamThreshold: defaults.spam_threshold });
      assert.equal(viaActors.type, "verdict");
      assert.deepEqual(viaActors.type === "verdict" && viaActors.verdict, viaFunctions);
      assert.equal(viaFunctions.spam, false);

      const spam = realMessage("this is spammy spam", "@mallory:hs1.test");
      const spamViaActors = await runtime.checkEvent({ communityId: "c1", event: spam, roomFacts: EMPTY_ROOM });
      const spamViaFunctions = await evaluateEvent(plan, plainInput(spam), {}, { spamThreshold: defaults.spam_threshold });
      assert.deepEqual(spamViaActors.type === "verdict" && spamViaActors.verdict, spamViaFunctions);
      assert.equal(spamViaFunctions.spam, true);

      await sleep(20);
      const innocent = await runtime.checkEvent({
        communityId: "c1",
        event: realMessage("sorry, hello", "@mallory:hs1.test"),
        roomFacts: EMPTY_ROOM,
      });
      assert.equal(innocent.type === "verdict" && innocent.verdict.spam, true, "hellbanned sender is prohibited");
      assert.ok(innocent.type === "verdict" && innocent.verdict.trace.some((t) => t.filter === "hellban_prefilter" && t.class === "Prohibited"));
      assert.equal(ports.hellbans.rows.size, 1);
    } finally {
      await runtime.stop();
    }
  });
});
