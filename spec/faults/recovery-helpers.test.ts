/**
 * The small pieces the fault tests lean on, checked alone: write retries while the database is away, deadlines on
 * skippable lookups, reconnect back-off, catch-up on every LISTEN (re)connect, and the room directory's outage
 * fallback after an invalidation.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { retryWhileUnavailable } from "../../src/app/await-database.js";
import { wireCrossProcessSignals } from "../../src/app/cross-process.js";
import { RoomDirectory } from "../../src/app/room-directory.js";
import { withDeadline } from "../../src/app/with-deadline.js";
import { err, ok, type Result } from "../../src/result.js";
import { reconnectBackoffSeconds } from "../../src/storage/database.js";
import type { PubSub } from "../../src/storage/pubsub.js";
import { storageError, type StorageError } from "../../src/storage/storage-error.js";
import { silentLogger } from "../support/database.js";

const down = (): Result<never, StorageError> => err(storageError("unavailable", "database unavailable"));

describe("retryWhileUnavailable", () => {
  it("should retry while the database is unavailable and return the first success", async () => {
    let calls = 0;
    const slept: number[] = [];
    const result = await retryWhileUnavailable(async () => (++calls < 4 ? down() : ok(calls)), {
      maxWaitMs: 10_000,
      intervalMs: 250,
      sleep: async (ms) => void slept.push(ms),
    });
    assert.deepEqual(result, ok(4));
    assert.deepEqual(slept, [250, 250, 250]);
  });

  it("should return other failures at once", async () => {
    let calls = 0;
    const result = await retryWhileUnavailable(
      async () => {
        calls++;
        return err(storageError("invalid", "value rejected"));
      },
      { maxWaitMs: 10_000, intervalMs: 1 },
    );
    assert.equal(calls, 1);
    assert.equal(!result.ok && result.error.kind, "invalid");
  });

  it("should give up with the last failure once the wait is used up", async () => {
    let now = 0;
    let calls = 0;
    const result = await retryWhileUnavailable(
      async () => {
        calls++;
        return down();
      },
      { maxWaitMs: 1_000, intervalMs: 300, now: () => now, sleep: async (ms) => void (now += ms) },
    );
    assert.equal(!result.ok && result.error.kind, "unavailable");
    assert.equal(calls, 4, "attempts at 0, 300, 600 and 900 ms");
  });
});

describe("withDeadline", () => {
  it("should pass a timely result through and replace a late one with the timeout error", async () => {
    assert.deepEqual(await withDeadline(Promise.resolve(ok(1)), 50, "late"), ok(1));
    const never = new Promise<Result<number, string>>(() => undefined);
    const started = Date.now();
    // The deadline's timer is unref'd (it must never keep a stopping process alive): hold the loop open here.
    const keepAlive = setTimeout(() => undefined, 5_000);
    assert.deepEqual(await withDeadline(never, 30, "late"), err("late"));
    clearTimeout(keepAlive);
    assert.ok(Date.now() - started < 1_000);
  });

  it("should let a thrown bug through", async () => {
    await assert.rejects(withDeadline(Promise.reject(new Error("bug")), 50, "late"), /bug/);
  });
});

describe("reconnectBackoffSeconds", () => {
  it("should grow by 50 ms per failure and never pass half a second", () => {
    assert.equal(reconnectBackoffSeconds(0), 0.05);
    assert.equal(reconnectBackoffSeconds(3), 0.15000000000000002);
    assert.equal(reconnectBackoffSeconds(10), 0.5);
    assert.equal(reconnectBackoffSeconds(1_000), 0.5);
  });
});

describe("wireCrossProcessSignals", () => {
  function fakePubSub() {
    const listeners = new Map<string, { handler: (value: never) => void; onListen?: () => void }>();
    const subscribe =
      (name: string) =>
      async (handler: (value: never) => void, options?: { onListen?: () => void }) => {
        listeners.set(name, { handler, ...(options?.onListen ? { onListen: options.onListen } : {}) });
        options?.onListen?.();
        return async () => void listeners.delete(name);
      };
    const pubsub = {
      onCommunityConfigChanged: subscribe("config"),
      onRoomCommunityChanged: subscribe("room"),
      onHellban: subscribe("hellban"),
      onKeywordTemplatesChanged: subscribe("templates"),
      onEduForDestination: subscribe("edu"),
    } as unknown as PubSub;
    return { pubsub, listeners };
  }

  it("should catch up on every (re)connect and follow live signals", async () => {
    const { pubsub, listeners } = fakePubSub();
    const seen: string[] = [];
    const unlisten = await wireCrossProcessSignals({
      pubsub,
      logger: silentLogger,
      hellbans: {
        listActive: async () =>
          ok([{ communityId: "c1", userId: "@a:x", expiresAt: new Date(Date.now() + 60_000), createdAt: new Date() }]),
      },
      targets: {
        reloadCommunity: async (id) => (seen.push(`reload ${id}`), ok(undefined)),
        reloadAllCommunities: async () => void seen.push("reload all"),
        hellbanNotified: async (c, u) => (seen.push(`ban ${c} ${u}`), ok(undefined)),
        invalidateRoom: (id) => void seen.push(`room ${id}`),
        forgetAllRooms: () => void seen.push("rooms all"),
      },
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(seen.includes("reload all") && seen.includes("rooms all") && seen.includes("ban c1 @a:x"), seen.join());

    seen.length = 0;
    // A reconnect of the hellban listener re-reads the active bans (the NOTIFYs in between are lost).
    listeners.get("hellban")?.onListen?.();
    listeners.get("config")?.handler("c2" as never);
    listeners.get("room")?.handler("!r:x" as never);
    listeners.get("hellban")?.handler({ communityId: "c3", userId: "@b:x" } as never);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(seen.sort(), ["ban c1 @a:x", "ban c3 @b:x", "reload c2", "room !r:x"]);
    await unlisten();
    assert.equal(listeners.size, 0);
  });
});

describe("RoomDirectory during an outage", () => {
  it("should keep serving a known room after an invalidation when the re-read fails", async () => {
    let failing = false;
    const rooms = {
      get: async (roomId: string) =>
        failing
          ? err(storageError("unavailable", "database unavailable"))
          : ok({ roomId, roomVersion: "11", communityId: "c1" } as never),
    };
    const directory = new RoomDirectory(rooms);
    assert.equal((await directory.getRoom("!r:x")).ok, true);
    failing = true;
    directory.clear();
    const served = await directory.getRoom("!r:x");
    assert.ok(served.ok && served.value?.communityId === "c1", "the last known mapping is served");
    const unknown = await directory.getRoom("!never:x");
    assert.equal(unknown.ok, false, "a room never seen needs the database");
  });

  it("should peek only at a fresh known room: never at an unknown, expired or invalidated one, and never read", async () => {
    let now = 1_000;
    let reads = 0;
    const rooms = {
      get: async (roomId: string) => {
        reads++;
        return ok(roomId === "!r:x" ? ({ roomId, roomVersion: "11", communityId: "c1" } as never) : null);
      },
    };
    const directory = new RoomDirectory(rooms, { knownTtlMs: 100, now: () => now });
    assert.equal(directory.peekRoom("!r:x"), undefined, "not loaded yet");
    await directory.getRoom("!r:x");
    await directory.getRoom("!gone:x");
    assert.equal(directory.peekRoom("!r:x")?.communityId, "c1");
    assert.equal(directory.peekRoom("!gone:x"), undefined, "a room known to be unprotected is not a room");
    now += 100;
    assert.equal(directory.peekRoom("!r:x"), undefined, "expired");
    await directory.getRoom("!r:x");
    directory.invalidate("!r:x");
    assert.equal(directory.peekRoom("!r:x"), undefined, "invalidated");
    assert.equal(reads, 3);
  });

  it("should treat an ID the database cannot hold as an unprotected room", async () => {
    const directory = new RoomDirectory({ get: async () => err(storageError("invalid", "text cannot be stored")) });
    assert.deepEqual(await directory.getRoom("!a\u0000b:x"), ok(undefined));
  });
});
