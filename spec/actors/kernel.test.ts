import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, start, stop, type Ref } from "nact";
import { encodeActorName, shardOf } from "../../actors/kernel/actor-name.js";
import { correlationIds, replyOnce } from "../../actors/kernel/reply.js";
import { supervisionPolicy } from "../../actors/kernel/supervision.js";
import { GenerationTimer } from "../../actors/kernel/timers.js";
import { Admission } from "../../actors/admission.js";
import { FakeClock } from "./support/fake-clock.js";
import { memoryLogger, turns } from "./support/fixtures.js";

const NACT_NAME = /^[a-z0-9-$_.+!*'(),]+$/;

describe("actor kernel", () => {
  it("should encode any key into a deterministic, nact-valid name", () => {
    for (const key of ["!room:hs1.test", "@Alice:HS1.test", "", "c1\u0000@bob:hs", "ключ 🔑"]) {
      const name = encodeActorName("room", key);
      assert.match(name, NACT_NAME);
      assert.equal(name, encodeActorName("room", key));
    }
    assert.notEqual(encodeActorName("room", "!a:x"), encodeActorName("room", "!A:x"), "case is not folded away");
    assert.throws(() => encodeActorName("Room", "x"), /prefix must be/);
  });

  it("should shard keys deterministically within range", () => {
    const counts = new Array<number>(16).fill(0);
    for (let i = 0; i < 16_000; i++) {
      const shard = shardOf(`!room${i}:hs.test`, 16);
      assert.ok(shard >= 0 && shard < 16);
      counts[shard] = (counts[shard] ?? 0) + 1;
    }
    assert.equal(shardOf("abc", 16), shardOf("abc", 16));
    for (const c of counts) assert.ok(c > 700 && c < 1_300, `uneven shard size ${c}`);
    assert.throws(() => shardOf("x", 0), /positive integer/);
  });

  it("should fire a reply at most once and hand out distinct correlation ids", () => {
    const got: number[] = [];
    const reply = replyOnce<number>((v) => got.push(v));
    reply(1);
    reply(2);
    assert.deepEqual(got, [1]);
    assert.equal(reply.done(), true);
    const next = correlationIds("q");
    const ids = new Set(Array.from({ length: 10_000 }, () => next()));
    assert.equal(ids.size, 10_000);
  });

  it("should mark ticks of a re-armed or cancelled timer as stale", async () => {
    const clock = new FakeClock();
    const system = start();
    const seen: number[] = [];
    const timer = new GenerationTimer(clock);
    const ref = spawn(system, (s: null, gen: number) => {
      if (timer.isCurrent(gen)) seen.push(gen);
      return s;
    }, "ticker", { initialState: null }) as Ref<number>;
    timer.arm(ref, 100, (g) => g);
    const second = timer.arm(ref, 200, (g) => g);
    clock.advance(150);
    clock.advance(100);
    await turns();
    assert.deepEqual(seen, [second]);
    timer.arm(ref, 50, (g) => g);
    timer.cancel();
    clock.advance(100);
    await turns();
    assert.deepEqual(seen, [second]);
    stop(system);
  });

  it("should make onCrash total: log, count, damp loops, and never throw", () => {
    const { logger, lines } = memoryLogger();
    const counted: string[] = [];
    let now = 0;
    const ctx = { resume: Symbol("resume"), reset: Symbol("reset"), stop: Symbol("stop"), stopChild: Symbol("sc"), resetChild: Symbol("rc") };
    const policy = supervisionPolicy<{ type: string }>({
      kind: "test",
      logger,
      onCrashCounted: (k) => counted.push(k),
      maxCrashes: 2,
      windowMs: 1_000,
      now: () => now,
      decide: ({ msg }) => {
        if (msg?.type === "explode") throw new Error("policy bug");
        return "reset";
      },
    });
    assert.equal(policy({ type: "a" }, new Error("x"), ctx), ctx.reset);
    assert.equal(policy({ type: "explode" }, new Error("x"), ctx), ctx.stop, "a throwing policy still answers");
    assert.equal(policy({ type: "a" }, new Error("x"), ctx), ctx.stop, "third crash in the window is damped");
    now = 5_000;
    assert.equal(policy({ type: "a" }, new Error("x"), ctx), ctx.reset, "a new window starts fresh");
    assert.deepEqual(counted, ["test", "test", "test", "test"]);
    assert.equal(lines().filter((l) => l["msg"] === "actor crashed").length, 3);
    assert.equal(lines()[0]?.["msgType"], "a");
  });

  it("should admit up to the limit, queue up to the bound, then refuse", async () => {
    const admission = new Admission(1, 1);
    assert.equal(admission.acquire(), true);
    const waiting = admission.acquire();
    assert.ok(waiting instanceof Promise);
    assert.equal(admission.acquire(), false);
    admission.release();
    await waiting;
    assert.equal(admission.active, 1);
    admission.release();
    assert.equal(admission.active, 0);
    assert.throws(() => new Admission(0, 1), /processing pool size must be a positive integer, got 0/);
  });
});
