import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { pino } from "pino";
import { VerdictWriter } from "../../actors/verdict-writer.js";
import type { VerdictEntry, VerdictPort } from "../../actors/ports.js";
import { contentInfo } from "../../src/harms/content-info.js";
import type { Verdict } from "../../src/pipeline/types.js";
import { err, ok, type Result } from "../../src/result.js";
import { FakeClock } from "./support/fake-clock.js";

const silent = pino({ level: "silent" });

function verdict(spam: boolean): Verdict {
  return { info: contentInfo(spam ? "Prohibited" : "Neutral"), spam, score: spam ? 1 : 0.5, trace: [], effects: [] };
}

/** A port whose writes the test answers by hand, recording every batch it was given. */
class ManualPort implements VerdictPort {
  readonly batches: (readonly VerdictEntry[])[] = [];
  private readonly answers: ((result: Result<void, string>) => void)[] = [];
  async get(): Promise<Result<Verdict | undefined, string>> {
    return ok(undefined);
  }
  putMany(entries: readonly VerdictEntry[]): Promise<Result<void, string>> {
    this.batches.push(entries);
    return new Promise((resolve) => this.answers.push(resolve));
  }
  /** Answers the oldest unanswered batch. */
  async answer(result: Result<void, string>): Promise<void> {
    this.answers.shift()?.(result);
    // Let the writer's continuation run.
    await new Promise((resolve) => setImmediate(resolve));
  }
  get unanswered(): number {
    return this.answers.length;
  }
}

describe("VerdictWriter", () => {
  it("writes whatever queued meanwhile as one batch, at most `concurrency` batches at a time", async () => {
    const port = new ManualPort();
    const writer = new VerdictWriter(port, new FakeClock(), silent, { concurrency: 2, batchSize: 500 });
    for (let i = 0; i < 1_200; i++) writer.enqueue(`$e${i}`, verdict(false));
    // The first two enqueues left at once (batches of one); the rest waited for them.
    assert.deepEqual(port.batches.map((b) => b.length), [1, 1]);
    await port.answer(ok(undefined));
    await port.answer(ok(undefined));
    assert.deepEqual(port.batches.map((b) => b.length), [1, 1, 500, 500]);
    await port.answer(ok(undefined));
    await port.answer(ok(undefined));
    assert.deepEqual(port.batches.map((b) => b.length), [1, 1, 500, 500, 198]);
    assert.equal(writer.pending("$e1199")?.spam, false, "unwritten verdicts still answer");
    await port.answer(ok(undefined));
    assert.equal(writer.size, 0);
    assert.equal(await writer.flush(10), true);
    const written = port.batches.flat().map((e) => e.eventId);
    assert.equal(new Set(written).size, 1_200);
  });

  it("backs off per failed round, not per failed write: 1 s, 2 s, 4 s while the store stays down", async () => {
    const port = new ManualPort();
    const clock = new FakeClock();
    const writer = new VerdictWriter(port, clock, silent, { concurrency: 2, batchSize: 10, retryMs: 1_000 });
    for (let i = 0; i < 50; i++) writer.enqueue(`$e${i}`, verdict(true));
    const rounds: number[] = [];
    for (let round = 0; round < 3; round++) {
      assert.equal(port.unanswered, 2, "two batches in flight");
      while (port.unanswered > 0) await port.answer(err("database down"));
      assert.equal(writer.size, 50, "nothing is lost while the store is down");
      const sent = port.batches.length;
      let waited = 0;
      while (port.batches.length === sent && waited < 60_000) {
        clock.advance(100);
        waited += 100;
      }
      rounds.push(waited);
    }
    // rounds[0] is the wait after round 1 (1 s), then 2 s, then 4 s.
    assert.deepEqual(rounds, [1_000, 2_000, 4_000]);
    // The store is back: everything drains and the back-off starts over.
    while (port.unanswered > 0) await port.answer(ok(undefined));
    while (writer.size > 0) await port.answer(ok(undefined));
    assert.equal(writer.size, 0);
    writer.enqueue("$after", verdict(false));
    await port.answer(err("one blip"));
    const before = port.batches.length;
    clock.advance(999);
    assert.equal(port.batches.length, before);
    clock.advance(1);
    assert.equal(port.batches.length, before + 1, "the first retry after a recovery waits 1 s again");
    writer.close();
  });

  it("keeps a newer verdict queued for an event over the failed batch's older one", async () => {
    const port = new ManualPort();
    const clock = new FakeClock();
    const writer = new VerdictWriter(port, clock, silent, { concurrency: 1, retryMs: 10 });
    writer.enqueue("$x", verdict(false));
    writer.enqueue("$x", verdict(true));
    await port.answer(err("down"));
    assert.equal(writer.pending("$x")?.spam, true);
    clock.advance(10);
    assert.deepEqual(port.batches.at(-1)?.map((e) => [e.eventId, e.verdict.spam]), [["$x", true]]);
    writer.close();
  });
});
