import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { err, ok, type Result } from "../../../src/result.js";
import { startStartupJoins, type JoinError } from "../../../src/rooms/index.js";
import type { RoomRecord } from "../../../src/storage/rooms.repo.js";

interface LogLine {
  level: string;
  obj: Record<string, unknown>;
  msg: string;
}

function memoryLogger(lines: LogLine[]) {
  const at = (level: string) => (obj: object, msg: string) => void lines.push({ level, obj: obj as Record<string, unknown>, msg });
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

const room = (roomId: string, communityId = "default"): RoomRecord => ({ roomId, roomVersion: "10", moderatorUserId: "", lastStateUpdateTs: 0, communityId });
const failure = (message: string, retryable = true): Result<never, JoinError> => err({ errcode: "M_UNKNOWN", message, retryable });

describe("startStartupJoins", () => {
  it("retries a failing room with growing delays until it joins, into the default community", async () => {
    const lines: LogLine[] = [];
    const calls: { roomId: string; communityId: string; at: number }[] = [];
    let ensured = 0;
    const started = Date.now();
    const joins = startStartupJoins({
      roomIds: ["!a:hs.test"],
      rooms: { get: async () => ok(null) },
      ensureDefaultCommunity: async () => {
        ensured++;
        return ok(undefined);
      },
      join: async (roomId, communityId) => {
        calls.push({ roomId, communityId, at: Date.now() - started });
        return calls.length < 4 ? failure("join server down") : ok(room(roomId));
      },
      logger: memoryLogger(lines),
      initialDelayMs: 0,
      retryDelayMs: 10,
      warnAttempts: 3,
    });
    await joins.done;
    assert.equal(calls.length, 4);
    assert.ok(calls.every((c) => c.communityId === "default"));
    // Delays 10, 20, 40 ms: each gap at least as long as the one before.
    const gaps = calls.slice(1).map((c, i) => c.at - (calls[i]?.at ?? 0));
    assert.ok(gaps[0]! >= 9 && gaps[1]! >= 19 && gaps[2]! >= 39, `gaps ${JSON.stringify(gaps)}`);
    assert.equal(ensured, 1);
    const failures = lines.filter((l) => l.msg === "start-up join failed; will retry");
    assert.deepEqual(failures.map((l) => l.level), ["warn", "warn", "error"]);
    assert.equal(failures[0]?.obj["error"], "join server down");
    assert.ok(lines.some((l) => l.msg === "start-up join succeeded"));
  });

  it("skips rooms already stored without joining or changing their community", async () => {
    const joined: string[] = [];
    const joins = startStartupJoins({
      roomIds: ["!known:hs.test", "!new:hs.test", "!new:hs.test"],
      rooms: { get: async (id) => ok(id === "!known:hs.test" ? room(id, "c1") : null) },
      ensureDefaultCommunity: async () => ok(undefined),
      join: async (roomId) => {
        joined.push(roomId);
        return ok(room(roomId));
      },
      logger: memoryLogger([]),
      initialDelayMs: 0,
    });
    await joins.done;
    assert.deepEqual(joined, ["!new:hs.test"]);
  });

  it("does not retry a join that cannot succeed, and keeps joining the other rooms", async () => {
    const lines: LogLine[] = [];
    const joined: string[] = [];
    const joins = startStartupJoins({
      roomIds: ["#bad:hs.test", "!ok:hs.test"],
      rooms: { get: async () => ok(null) },
      ensureDefaultCommunity: async () => ok(undefined),
      join: async (roomId) => {
        joined.push(roomId);
        return roomId.startsWith("#") ? err({ errcode: "M_INVALID_PARAM", message: "Invalid room ID", retryable: false }) : ok(room(roomId));
      },
      logger: memoryLogger(lines),
      initialDelayMs: 0,
    });
    await joins.done;
    assert.deepEqual(joined.sort(), ["!ok:hs.test", "#bad:hs.test"]);
    assert.ok(lines.some((l) => l.level === "error" && l.msg === "start-up join cannot succeed; not retrying"));
  });

  it("retries when the default community cannot be ensured, and when storage is down", async () => {
    let ensureCalls = 0;
    let getCalls = 0;
    const joined: string[] = [];
    const joins = startStartupJoins({
      roomIds: ["!a:hs.test"],
      rooms: {
        get: async () => (++getCalls === 1 ? err({ kind: "unavailable", message: "db down" }) : ok(null)),
      },
      ensureDefaultCommunity: async () => (++ensureCalls === 1 ? err({ message: "db down" }) : ok(undefined)),
      join: async (roomId) => {
        joined.push(roomId);
        return ok(room(roomId));
      },
      logger: memoryLogger([]),
      initialDelayMs: 0,
      retryDelayMs: 1,
    });
    await joins.done;
    assert.deepEqual(joined, ["!a:hs.test"]);
    assert.equal(ensureCalls, 2);
  });

  it("stops retrying on stop(), and a crashing joiner never rejects", async () => {
    let calls = 0;
    const joins = startStartupJoins({
      roomIds: ["!a:hs.test", "!b:hs.test"],
      rooms: { get: async () => ok(null) },
      ensureDefaultCommunity: async () => ok(undefined),
      join: async (roomId) => {
        calls++;
        if (roomId === "!b:hs.test") throw new Error("bug");
        return failure("down");
      },
      logger: memoryLogger([]),
      initialDelayMs: 0,
      retryDelayMs: 60_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const before = Date.now();
    await joins.stop();
    assert.ok(Date.now() - before < 1000, "stop() must not wait for the back-off");
    assert.equal(calls, 2);
  });

  it("waits the initial delay before the first join, and stop() during it joins nothing", async () => {
    let calls = 0;
    const joins = startStartupJoins({
      roomIds: ["!a:hs.test"],
      rooms: { get: async () => ok(null) },
      ensureDefaultCommunity: async () => ok(undefined),
      join: async (roomId) => {
        calls++;
        return ok(room(roomId));
      },
      logger: memoryLogger([]),
      initialDelayMs: 60_000,
    });
    await joins.stop();
    assert.equal(calls, 0);
  });
});
