import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { FilterDefinition, RoomFacts } from "../../src/filters/types.js";
import { NEUTRAL, contentInfo } from "../../src/harms/content-info.js";
import { ok } from "../../src/result.js";
import { standardPipelineSteps } from "../../actors/standard-pipeline-steps.js";
import type { PipelineSteps } from "../../actors/pipeline-steps.js";
import {
  counterValue,
  EMPTY_ROOM,
  messageEvent,
  sleep,
  slowIoFilter,
  spamWordFilter,
  startTestRuntime,
  turns,
  waitUntil,
} from "./support/fixtures.js";

/** A filter that flags senders who are not joined members, so the verdict shows which room facts it saw. */
const memberOnlyFilter: FilterDefinition = {
  name: "test_members_only",
  group: "main",
  io: false,
  enabled: () => true,
  check: (input) =>
    ok({
      info: input.room.members.some((m) => m.userId === input.event.sender) ? NEUTRAL : contentInfo("Prohibited", ["test.not_member"]),
    }),
};

const ALICE_ROOM: RoomFacts = { members: [{ userId: "@alice:hs1.test", displayName: "Alice" }], powerLevels: undefined, creators: undefined };

describe("actor lifetimes and supervision", () => {
  it("should load room facts through the room actor, learn new state, and stop idle room actors", async () => {
    const { runtime, ports } = startTestRuntime([memberOnlyFilter], { roomIdleMs: 40 });
    try {
      ports.rooms.rows.set("!room:hs1.test", ALICE_ROOM);
      const first = await runtime.checkEvent({ communityId: "c1", event: messageEvent("hi") });
      assert.equal(first.type === "verdict" && first.verdict.spam, false);
      await runtime.checkEvent({ communityId: "c1", event: messageEvent("hi") });
      assert.equal(ports.rooms.loads, 1, "the room actor caches the facts");

      const learned = await runtime.learnRoomState("!room:hs1.test", EMPTY_ROOM);
      assert.equal(learned.ok, true);
      assert.deepEqual(ports.rooms.rows.get("!room:hs1.test"), EMPTY_ROOM);
      const afterLearn = await runtime.checkEvent({ communityId: "c1", event: messageEvent("hi") });
      assert.equal(afterLearn.type === "verdict" && afterLearn.verdict.spam, true);
      assert.equal(ports.rooms.loads, 1);

      await sleep(120);
      // The stopped actor withdraws its published facts in nact's afterStop, one turn after the stop.
      await turns(2);
      ports.rooms.rows.set("!room:hs1.test", ALICE_ROOM);
      const afterIdle = await runtime.checkEvent({ communityId: "c1", event: messageEvent("hi") });
      assert.equal(ports.rooms.loads, 2, "the idle actor stopped and a new one loaded from the store");
      assert.equal(afterIdle.type === "verdict" && afterIdle.verdict.spam, false);
    } finally {
      await runtime.stop();
    }
  });

  it("should answer unavailable when room state cannot be loaded, and retry on the next check", async () => {
    const { runtime, ports } = startTestRuntime([memberOnlyFilter]);
    try {
      ports.rooms.failing = true;
      const down = await runtime.checkEvent({ communityId: "c1", event: messageEvent("hi") });
      assert.equal(down.type, "unavailable");
      assert.match(down.type === "unavailable" ? down.reason : "", /room state unavailable/);
      ports.rooms.failing = false;
      ports.rooms.rows.set("!room:hs1.test", ALICE_ROOM);
      const up = await runtime.checkEvent({ communityId: "c1", event: messageEvent("hi") });
      assert.equal(up.type === "verdict" && up.verdict.spam, false);
    } finally {
      await runtime.stop();
    }
  });

  it("should rebuild a crashed community actor from the store", async () => {
    let builds = 0;
    const steps: PipelineSteps = {
      ...standardPipelineSteps,
      buildFilterPlan: (registry, config, instance) => {
        builds++;
        if (builds === 1) throw new Error("plan bug");
        return standardPipelineSteps.buildFilterPlan(registry, config, instance);
      },
    };
    const { runtime, ports, metrics, logLines } = startTestRuntime([spamWordFilter()], { steps });
    try {
      ports.communities.rows.set("c1", { spam_threshold: 0.8 });
      const outcome = await runtime.checkEvent({ communityId: "c1", event: messageEvent("spam"), roomFacts: EMPTY_ROOM });
      assert.equal(outcome.type === "verdict" && outcome.verdict.spam, true);
      assert.equal(builds, 2);
      assert.equal(ports.communities.loads, 2, "the reset reloaded from the store");
      assert.equal(await counterValue(metrics, "policyserv_actor_crashes_total", { kind: "community" }), 1);
      const crashLog = logLines().find((l) => l["msg"] === "actor crashed");
      assert.equal(crashLog?.["actorKind"], "community");
      assert.equal(crashLog?.["communityId"], "c1");
    } finally {
      await runtime.stop();
    }
  });

  it("should stop a community that keeps crashing and answer its checks unavailable", async () => {
    const steps: PipelineSteps = {
      ...standardPipelineSteps,
      buildFilterPlan: () => {
        throw new Error("always broken");
      },
    };
    const { runtime, metrics } = startTestRuntime([spamWordFilter()], { steps });
    try {
      const outcome = await runtime.checkEvent({ communityId: "c1", event: messageEvent("x"), roomFacts: EMPTY_ROOM });
      assert.equal(outcome.type, "unavailable");
      assert.equal(await counterValue(metrics, "policyserv_actor_crashes_total", { kind: "community" }), 6);
      // Checks after the stop reach a live actor (the quarantined respawn), not the stopped one's dead reference:
      // a message to a stopped nact actor vanishes, and would only be answered by the 5 s check timeout.
      const later = await Promise.all(
        ["y", "z"].map((body) => runtime.checkEvent({ communityId: "c1", event: messageEvent(body), roomFacts: EMPTY_ROOM })),
      );
      for (const answer of later) {
        assert.equal(answer.type, "unavailable");
        assert.match(answer.type === "unavailable" ? answer.reason : "", /keeps crashing/);
      }
    } finally {
      await runtime.stop();
    }
  });

  it("should retry a failed verdict write without delaying the answer", async () => {
    const { runtime, ports } = startTestRuntime([spamWordFilter()], { verdictRetryMs: 20 });
    try {
      ports.verdicts.failing = true;
      const event = messageEvent("hello");
      const outcome = await runtime.checkEvent({ communityId: "c1", event, roomFacts: EMPTY_ROOM });
      assert.equal(outcome.type, "verdict");
      assert.equal(runtime.stats().unwrittenVerdicts, 1);
      // The unwritten verdict still answers a repeat check.
      const repeat = await runtime.checkEvent({ communityId: "c1", event, roomFacts: EMPTY_ROOM });
      assert.equal(repeat.type === "verdict" && repeat.cached, true);
      ports.verdicts.failing = false;
      await waitUntil(() => ports.verdicts.rows.has(event.eventId), "the retried write lands");
      assert.equal(runtime.stats().unwrittenVerdicts, 0);
    } finally {
      await runtime.stop();
    }
  });

  it("should drain in-flight checks on stop and refuse new ones", async () => {
    const { runtime } = startTestRuntime([slowIoFilter(40)]);
    const pending = runtime.checkEvent({ communityId: "c1", event: messageEvent("x"), roomFacts: EMPTY_ROOM });
    await sleep(5);
    const stopping = runtime.stop(1_000);
    const refused = await runtime.checkEvent({ communityId: "c1", event: messageEvent("y"), roomFacts: EMPTY_ROOM });
    assert.equal(refused.type, "unavailable");
    assert.equal((await pending).type, "verdict");
    await stopping;
  });

  it("should bound the moderation pool's queue and run accepted jobs", async () => {
    const ran: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const { runtime } = startTestRuntime([], {
      pools: { processing: 10, moderation: 1, webhooks: 1, jobQueue: 1 },
      runModerationJob: async (job) => {
        await gate;
        ran.push(job.eventId);
      },
    });
    try {
      const job = (eventId: string) => ({ type: "RedactEvent" as const, communityId: "c1", roomId: "!r:hs1.test", eventId, reason: "spam" });
      assert.equal(await runtime.moderation.submit(job("$1")), undefined);
      assert.equal(await runtime.moderation.submit(job("$2")), undefined);
      assert.deepEqual(await runtime.moderation.submit(job("$3")), { type: "queue-full", bound: 1 });
      release();
      await waitUntil(() => ran.length >= 2, "both accepted jobs ran");
      assert.deepEqual(ran, ["$1", "$2"]);
    } finally {
      await runtime.stop();
    }
  });
});
