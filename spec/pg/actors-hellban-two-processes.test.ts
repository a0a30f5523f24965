import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Registry } from "prom-client";
import { err, ok } from "../../src/result.js";
import { openDatabase, type Database } from "../../src/storage/database.js";
import { createHellbansRepo } from "../../src/storage/hellbans.repo.js";
import { createPubSub } from "../../src/storage/pubsub.js";
import { memoryPorts } from "../../actors/memory-ports.js";
import type { HellbanPort } from "../../actors/ports.js";
import { standardPipelineSteps } from "../../actors/standard-pipeline-steps.js";
import { startPolicyRuntime, type PolicyRuntime } from "../../actors/system.js";
import { createTestDatabase, postgresAvailable, silentLogger } from "../support/database.js";
import {
  EMPTY_ROOM,
  messageEvent,
  spamWordFilter,
  TEST_DEFAULTS,
  TEST_INSTANCE,
  testHellbanPostfilter,
  testHellbanPrefilter,
} from "../actors/support/fixtures.js";

/** The hellbans repository behind the runtime's port (what the composition root does). */
function hellbanPort(db: Database): HellbanPort {
  const repo = createHellbansRepo(db.sql, db.read);
  const record = (r: { communityId: string; userId: string; expiresAt: Date }) => ({
    communityId: r.communityId,
    userId: r.userId,
    expiresAt: r.expiresAt.getTime(),
  });
  return {
    async ban(communityId, userId, expiresAt, now) {
      const banned = await repo.ban(communityId, userId, Math.max(1, expiresAt - now));
      return banned.ok ? ok(record(banned.value.ban)) : err(banned.error.message);
    },
    async getActive(communityId, userId) {
      const row = await repo.getActive(communityId, userId);
      return row.ok ? ok(row.value ? record(row.value) : undefined) : err(row.error.message);
    },
    async listActive() {
      const rows = await repo.listActive();
      return rows.ok ? ok(rows.value.map(record)) : err(rows.error.message);
    },
    async expire() {
      const pruned = await repo.pruneExpired();
      return pruned.ok ? ok(pruned.value) : err(pruned.error.message);
    },
  };
}

/** One "process": its own pools (so its own PostgreSQL sessions), runtime, and hellban subscription. */
async function startProcess(url: string): Promise<{ runtime: PolicyRuntime; close: () => Promise<void> }> {
  const db = openDatabase({ url, logger: silentLogger });
  const ports = { ...memoryPorts(), hellbans: hellbanPort(db) };
  ports.communities.rows.set("c1", {});
  const runtime = startPolicyRuntime({
    ports,
    registry: [testHellbanPrefilter, spamWordFilter(), testHellbanPostfilter],
    steps: standardPipelineSteps,
    communityDefaults: TEST_DEFAULTS,
    instance: TEST_INSTANCE,
    logger: silentLogger,
    metrics: new Registry(),
    pools: { processing: 10, moderation: 1, webhooks: 1 },
  });
  const unlisten = await createPubSub(db, silentLogger).onHellban((notice) => {
    void runtime.hellbanNotified(notice.communityId, notice.userId);
  });
  return {
    runtime,
    close: async () => {
      await unlisten();
      await runtime.stop();
      await db.close();
    },
  };
}

async function eventually(check: () => Promise<boolean>, ms = 3_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

describe("hellban shared by two processes over PostgreSQL", { skip: !(await postgresAvailable()) && "PostgreSQL is not running" }, () => {
  it("should prohibit the sender in the second process after the first one hellbanned them", async () => {
    const database = await createTestDatabase({ backend: "postgres" });
    const a = await startProcess(database.url);
    const b = await startProcess(database.url);
    try {
      const before = await b.runtime.checkEvent({ communityId: "c1", event: messageEvent("hello"), roomFacts: EMPTY_ROOM });
      assert.equal(before.type === "verdict" && before.verdict.spam, false);

      const spam = await a.runtime.checkEvent({ communityId: "c1", event: messageEvent("spam"), roomFacts: EMPTY_ROOM });
      assert.equal(spam.type === "verdict" && spam.verdict.spam, true);

      const seen = await eventually(async () => b.runtime.stats().hellbans === 1);
      assert.ok(seen, "process B learned the ban through NOTIFY");
      const after = await b.runtime.checkEvent({ communityId: "c1", event: messageEvent("hello again"), roomFacts: EMPTY_ROOM });
      assert.equal(after.type === "verdict" && after.verdict.spam, true);

      // A third process started now loads the ban from the table.
      const c = await startProcess(database.url);
      try {
        assert.deepEqual(await c.runtime.ready, { ok: true, value: 1 });
        const third = await c.runtime.checkEvent({ communityId: "c1", event: messageEvent("hi"), roomFacts: EMPTY_ROOM });
        assert.equal(third.type === "verdict" && third.verdict.spam, true);
      } finally {
        await c.close();
      }
    } finally {
      await a.close();
      await b.close();
      await database.drop();
    }
  });
});
