import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { FakeClock } from "./support/fake-clock.js";
import {
  EMPTY_ROOM,
  messageEvent,
  sleep,
  spamWordFilter,
  startTestRuntime,
  testHellbanPostfilter,
  testHellbanPrefilter,
} from "./support/fixtures.js";

const MINUTE = 60_000;

/** Waits until the asynchronous hellban write and index update have happened. */
async function settle(): Promise<void> {
  await sleep(20);
}

describe("hellban through the timeouts actors", () => {
  const registry = () => [testHellbanPrefilter, spamWordFilter(), testHellbanPostfilter];

  it("should prohibit the sender's next event after the postfilter fires, and stop after expiry", async () => {
    const clock = new FakeClock();
    const { runtime, ports } = startTestRuntime(registry(), { clock });
    try {
      const spam = await runtime.checkEvent({ communityId: "c1", event: messageEvent("spam!"), roomFacts: EMPTY_ROOM });
      assert.equal(spam.type === "verdict" && spam.verdict.spam, true);
      await settle();
      const row = ports.hellbans.rows.values().next().value;
      assert.equal(row?.userId, "@alice:hs1.test");
      assert.equal(row?.expiresAt, clock.now() + 60 * MINUTE);
      assert.equal(runtime.stats().hellbans, 1);
      assert.equal(runtime.stats().senderActors, 0, "the sender actor stops once the ban is stored");

      const innocent = await runtime.checkEvent({ communityId: "c1", event: messageEvent("hello"), roomFacts: EMPTY_ROOM });
      assert.equal(innocent.type === "verdict" && innocent.verdict.spam, true);
      if (innocent.type === "verdict") {
        assert.ok(innocent.verdict.trace.some((t) => t.filter === "test_hellban_prefilter" && t.class === "Prohibited"));
        assert.ok(!innocent.verdict.trace.some((t) => t.filter === "test_spam_word"), "main group skipped");
      }
      // Another community is not affected.
      ports.communities.rows.set("c2", {});
      const elsewhere = await runtime.checkEvent({ communityId: "c2", event: messageEvent("hello"), roomFacts: EMPTY_ROOM });
      assert.equal(elsewhere.type === "verdict" && elsewhere.verdict.spam, false);

      clock.advance(60 * MINUTE);
      await settle();
      assert.equal(runtime.stats().hellbans, 0, "the expired ban was swept from memory");
      const later = await runtime.checkEvent({ communityId: "c1", event: messageEvent("hello"), roomFacts: EMPTY_ROOM });
      assert.equal(later.type === "verdict" && later.verdict.spam, false);
    } finally {
      await runtime.stop();
    }
  });

  it("should never extend a running ban", async () => {
    const clock = new FakeClock();
    const { runtime, ports } = startTestRuntime(registry(), { clock });
    try {
      const bannedAt = clock.now();
      await runtime.checkEvent({ communityId: "c1", event: messageEvent("spam 1"), roomFacts: EMPTY_ROOM });
      await settle();
      clock.advance(30 * MINUTE);
      // Spam again while banned: the prefilter flags it, the postfilter fires again.
      const again = await runtime.checkEvent({ communityId: "c1", event: messageEvent("spam 2"), roomFacts: EMPTY_ROOM });
      assert.equal(again.type === "verdict" && again.verdict.effects.length, 1);
      await settle();
      const row = ports.hellbans.rows.values().next().value;
      assert.equal(row?.expiresAt, bannedAt + 60 * MINUTE);
      clock.advance(30 * MINUTE);
      await settle();
      const free = await runtime.checkEvent({ communityId: "c1", event: messageEvent("hello"), roomFacts: EMPTY_ROOM });
      assert.equal(free.type === "verdict" && free.verdict.spam, false);
    } finally {
      await runtime.stop();
    }
  });

  it("should load active bans at start and adopt bans other processes announce", async () => {
    const clock = new FakeClock();
    const { runtime, ports } = startTestRuntime(registry(), { clock });
    try {
      assert.deepEqual(await runtime.ready, { ok: true, value: 0 });
      await ports.hellbans.ban("c1", "@bob:hs2.test", clock.now() + 5 * MINUTE, clock.now());
      const notified = await runtime.hellbanNotified("c1", "@bob:hs2.test");
      assert.equal(notified.ok, true);
      await settle();
      const bob = await runtime.checkEvent({
        communityId: "c1",
        event: messageEvent("hello", { sender: "@bob:hs2.test" }),
        roomFacts: EMPTY_ROOM,
      });
      assert.equal(bob.type === "verdict" && bob.verdict.spam, true);
    } finally {
      await runtime.stop();
    }
    // A restarted process finds the rows and bans from memory at once.
    const restarted = startTestRuntime(registry(), {
      clock,
      seed: (ports) => {
        void ports.hellbans.ban("c1", "@carol:hs2.test", clock.now() + MINUTE, clock.now());
        void ports.hellbans.ban("c1", "@old:hs2.test", clock.now() - 1, clock.now() - MINUTE);
      },
    });
    try {
      assert.deepEqual(await restarted.runtime.ready, { ok: true, value: 1 });
      assert.equal(restarted.runtime.stats().hellbans, 1);
      assert.equal(restarted.runtime.stats().senderActors, 0, "bans read from the store need no actor");
      const carol = await restarted.runtime.checkEvent({
        communityId: "c1",
        event: messageEvent("hello", { sender: "@carol:hs2.test" }),
        roomFacts: EMPTY_ROOM,
      });
      assert.equal(carol.type === "verdict" && carol.verdict.spam, true);
    } finally {
      await restarted.runtime.stop();
    }
  });

  it("should adopt the earlier ban when another process banned the sender first", async () => {
    const clock = new FakeClock();
    const { runtime, ports } = startTestRuntime(registry(), { clock });
    try {
      // Another process wrote this row; its NOTIFY has not arrived here yet.
      await ports.hellbans.ban("c1", "@alice:hs1.test", clock.now() + 10 * MINUTE, clock.now());
      await runtime.checkEvent({ communityId: "c1", event: messageEvent("spam"), roomFacts: EMPTY_ROOM });
      await settle();
      assert.equal(ports.hellbans.rows.values().next().value?.expiresAt, clock.now() + 10 * MINUTE);
      clock.advance(11 * MINUTE);
      const free = await runtime.checkEvent({ communityId: "c1", event: messageEvent("hello"), roomFacts: EMPTY_ROOM });
      assert.equal(free.type === "verdict" && free.verdict.spam, false, "the store's earlier expiry won");
    } finally {
      await runtime.stop();
    }
  });

  it("should keep a ban in force while the store is down and write it when the store is back", async () => {
    const clock = new FakeClock();
    const { runtime, ports } = startTestRuntime(registry(), { clock });
    try {
      ports.hellbans.failing = true;
      await runtime.checkEvent({ communityId: "c1", event: messageEvent("spam"), roomFacts: EMPTY_ROOM });
      await settle();
      assert.equal(ports.hellbans.rows.size, 0);
      const banned = await runtime.checkEvent({ communityId: "c1", event: messageEvent("hello"), roomFacts: EMPTY_ROOM });
      assert.equal(banned.type === "verdict" && banned.verdict.spam, true);
      assert.equal(runtime.stats().senderActors, 1, "the actor stays to retry the write");
      ports.hellbans.failing = false;
      clock.advance(1_000);
      await settle();
      assert.equal(ports.hellbans.rows.size, 1);
      assert.equal(runtime.stats().senderActors, 0);
    } finally {
      await runtime.stop();
    }
  });

  it("should not hellban anyone when the check failed", async () => {
    const clock = new FakeClock();
    const failing = { ...spamWordFilter(), name: "test_fail", check: () => ({ ok: false as const, error: { filter: "test_fail", message: "store down" } }) };
    const { runtime, ports } = startTestRuntime([testHellbanPrefilter, failing, spamWordFilter(), testHellbanPostfilter], { clock });
    try {
      const outcome = await runtime.checkEvent({ communityId: "c1", event: messageEvent("spam"), roomFacts: EMPTY_ROOM });
      assert.equal(outcome.type === "verdict" && outcome.verdict.failure?.filter, "test_fail");
      await settle();
      assert.equal(ports.hellbans.rows.size, 0);
      assert.equal(runtime.stats().hellbans, 0);
    } finally {
      await runtime.stop();
    }
  });
});
